"""Migrations are the only way the schema changes: a fresh file upgraded to head matches
the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from app.cli import alembic_config
from app.db import Base


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
