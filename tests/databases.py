"""The database engine the suite runs on, and databases for tests and test servers.

`make test` runs the whole suite twice: on SQLite, then with DOWNHILL_TEST_ENGINE=postgresql
on the PostgreSQL at 127.0.0.1:5432 (DOWNHILL_TEST_PG_URL to use another). If that server
is down, the run starts it; if it cannot be had, the run stops with a message saying so
rather than passing without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

ENGINE = os.environ.get("DOWNHILL_TEST_ENGINE", "sqlite")  # or "postgresql"
PG_ADMIN_URL = os.environ.get(
    "DOWNHILL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
_made: set[str] = set()


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server the suite needs cannot be reached or started."""


def pg_url(name: str) -> str:
    """The SQLAlchemy URL of database ``name`` on the test PostgreSQL server."""
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def pg_admin(statement: str) -> None:
    """Run one statement (CREATE / DROP DATABASE) on the server's maintenance database."""
    import psycopg

    with psycopg.connect(_dsn(PG_ADMIN_URL), autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def postgres_is_up() -> bool:
    import psycopg

    try:
        with psycopg.connect(_dsn(PG_ADMIN_URL), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def pg_cluster(action: str) -> None:
    """Start or stop the local Debian PostgreSQL cluster (pg_ctlcluster), as its owner."""
    if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").is_dir():
        raise PostgresUnavailable("pg_ctlcluster is not installed here")
    for version in sorted(p.name for p in Path("/etc/postgresql").iterdir()):
        result = subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode not in (0, 2):  # 2: already in that state
            raise PostgresUnavailable(f"pg_ctlcluster {action}: {result.stderr.strip()}")


def ensure_postgres(seconds: float = 30) -> None:
    """Make sure the test PostgreSQL server answers: start it if it is down."""
    if postgres_is_up():
        return
    try:
        pg_cluster("start")
    except (PostgresUnavailable, OSError) as error:
        raise PostgresUnavailable(
            f"PostgreSQL at {PG_ADMIN_URL} is down and could not be started ({error})"
        ) from error
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if postgres_is_up():
            return
        time.sleep(0.5)
    raise PostgresUnavailable(f"PostgreSQL at {PG_ADMIN_URL} did not come up in {seconds:.0f} s")


def create_database(name: str, template: str | None = None) -> str:
    """A new, empty PostgreSQL database (or a copy of ``template``); its URL."""
    pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    _made.add(name)
    return pg_url(name)


def drop_database(name: str) -> None:
    pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _made.discard(name)


def drop_all_made() -> None:
    """Drop every database this run made and has not dropped yet."""
    for name in list(_made):
        drop_database(name)


def server_database_url(data_dir: Path, *, fresh: bool) -> str:
    """The database of a test server whose data lives in ``data_dir``: a SQLite file in
    it, or on PostgreSQL a database named after the directory (``fresh`` makes it anew)."""
    if ENGINE != "postgresql":
        return f"sqlite:///{data_dir / 'downhill.db'}"
    name = "downhill_srv_" + hashlib.sha1(str(data_dir.resolve()).encode()).hexdigest()[:16]
    if fresh:
        return create_database(name)
    _made.add(name)
    return pg_url(name)


class PrivateCluster:
    """A PostgreSQL server of a test's own (initdb in a temporary folder), to stop and start
    while a Downhill server uses it, without touching the shared one."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="downhill-pg-"))
        self.data = self.folder / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        binary = _pg_binary(tool)
        as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run(
            [*as_owner, binary, *args], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise PostgresUnavailable(f"{tool} {args[0]}: {result.stdout}{result.stderr}")

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(PostgresUnavailable):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _pg_binary(tool: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}")) or [
        Path(p) for p in [shutil.which(tool)] if p
    ]
    if not found:
        raise PostgresUnavailable(f"{tool} is not installed here")
    return str(found[-1])
