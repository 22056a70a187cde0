"""Migrations are the only way the schema changes: a fresh file upgraded to head matches
the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from app.cli import alembic_config
from app.db import Base, utcnow
from app.services.levels import enter_level
from app.services.submit import submit_guess
from tests.services.test_guesses import improved_marks
from tests.support import set_level


def test_upgrade_a_fresh_file_to_head_and_it_matches_the_models(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"render_as_batch": True, "compare_type": True}
        )
        assert compare_metadata(context, Base.metadata) == []
        assert (
            context.get_current_revision()
            == ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        )
    assert {"lesson", "team", "level", "guess", "progress", "throttle"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


def test_downgrade_to_base_and_up_again(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")


def test_one_head_and_every_migration_has_a_readable_name() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert revision.doc and len(revision.doc) > 10


def test_guesses_stored_before_the_mark_are_marked_as_the_service_marks_them(
    settings, session, demo
) -> None:
    team, level = demo.teams[1], demo.levels[0]
    set_level(session, level, cooldown_seconds=0)
    now = utcnow()
    enter_level(session, team=team, level_id=level.id, password=None, now=now)
    for i, x in enumerate(["0", "3", "4.4", "5", "3.6", "3.6"]):  # 4.4 ties 3; 3.6 twice
        key = f"migration-{i:04d}"
        submit_guess(session, team=team, level_id=level.id, raw_x=x, idempotency_key=key)
    marked = [True, True, False, False, True, False]
    assert improved_marks(session, team, level) == marked
    session.close()
    config = alembic_config(settings.resolved_database_url)
    command.downgrade(config, "e2c4f6a8b1d3")  # before guesses were marked
    command.upgrade(config, "head")
    assert improved_marks(session, team, level) == marked
