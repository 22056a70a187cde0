"""Fixtures: a migrated database per test (a copy of one migrated once: a SQLite file, or a
PostgreSQL template database with DOWNHILL_TEST_ENGINE=postgresql), the app,
a test client that behaves like a same-origin browser, and a way to log a team in."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cli import alembic_config
from app.config import Settings
from app.db import Database, utcnow
from app.main import create_app
from app.models import Lesson
from app.services.demo import DEMO_JOIN_CODE, seed_demo
from app.services.instructor import set_password
from tests.databases import (
    ENGINE,
    PG_ADMIN_URL,
    PostgresUnavailable,
    create_database,
    drop_all_made,
    drop_database,
    ensure_postgres,
    postgres_is_up,
)
from tests.support import SECRET, Demo, browser_like, csrf_of, dispose


def pytest_report_header(config: pytest.Config) -> str:
    where = PG_ADMIN_URL.rsplit("/", 1)[0] if ENGINE == "postgresql" else "a file per test"
    return f"downhill database engine: {ENGINE} ({where})"


def pytest_sessionstart(session: pytest.Session) -> None:
    if ENGINE != "postgresql":
        return
    try:
        ensure_postgres()
    except PostgresUnavailable as error:
        banner = "=" * 78
        pytest.exit(
            f"\n{banner}\nTHE POSTGRESQL RUN CANNOT BE HAD: {error}.\n"
            f"Nothing was tested on PostgreSQL. Start it, or point DOWNHILL_TEST_PG_URL at "
            f"one.\n{banner}",
            returncode=3,
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    if ENGINE == "postgresql" and postgres_is_up():
        drop_all_made()


def _seed(url: str) -> None:
    command.upgrade(alembic_config(url), "head")
    database = Database(url)
    with database.sessions() as session:
        seed_demo(session, secret_key=SECRET, now=utcnow())
    database.engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated with Alembic and seeded with the demo lesson, made once: a SQLite
    file, or with DOWNHILL_TEST_ENGINE=postgresql a PostgreSQL template database."""
    if ENGINE == "postgresql":
        name = f"downhill_template_{os.getpid()}"
        _seed(create_database(name))
        yield name
        drop_database(name)
        return
    path = tmp_path_factory.mktemp("template") / "downhill.db"
    _seed(f"sqlite:///{path}")
    yield str(path)


@pytest.fixture
def settings(tmp_path: Path, template_db: str) -> Iterator[Settings]:
    """Settings for a fresh copy of the template database, the test's own."""
    if ENGINE == "postgresql":
        name = f"downhill_test_{uuid.uuid4().hex[:12]}"
        url = create_database(name, template=template_db)
        yield Settings(data_dir=tmp_path, secret_key=SECRET, database_url=url)
        drop_database(name)
        return
    shutil.copy(template_db, tmp_path / "downhill.db")
    yield Settings(data_dir=tmp_path, secret_key=SECRET)


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    """The test's database."""
    database = Database(settings.resolved_database_url)
    yield database
    dispose(database)


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A session on the test's database."""
    with database.sessions() as session:
        yield session


@pytest.fixture
def app(settings: Settings):
    """The application on the test's database."""
    application = create_app(settings)
    yield application
    dispose(application.state.database)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    """A same-origin client with no team logged in."""
    with browser_like(app) as test_client:
        yield test_client


@pytest.fixture
def demo(session: Session) -> Demo:
    """The demo lesson of the test's database."""
    lesson = session.scalars(select(Lesson).where(Lesson.join_code == DEMO_JOIN_CODE)).one()
    return Demo(lesson, list(lesson.levels), {team.number: team for team in lesson.teams})


INSTRUCTOR_PASSWORD = "a-long-instructor-password"


@pytest.fixture
def desk(app, session) -> Iterator[TestClient]:
    """A browser logged in to the instructor's console, its CSRF token in its headers."""
    set_password(session, password=INSTRUCTOR_PASSWORD, now=utcnow())
    with browser_like(app) as client:
        client.post(
            "/instructor/login",
            data={"csrf_token": csrf_of(client), "password": INSTRUCTOR_PASSWORD},
        )
        client.headers["X-CSRF-Token"] = csrf_of(client)
        yield client
