"""`downhill migrate | demo | serve | run | level ...`: the start-up steps one by one."""

from __future__ import annotations

import argparse
import getpass
import shutil
import socket
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select

from app.config import Settings, get_settings
from app.db import Database, utcnow
from app.errors import Refused
from app.game.rules import LevelState, NoSuchMove
from app.i18n import gettext
from app.models import Lesson, Level
from app.services.demo import DEMO_JOIN_CODE, seed_demo
from app.services.instructor import ensure_password, set_password
from app.services.levels import set_level_state

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str) -> Config:
    """Alembic's configuration for this repository and database."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migrate(settings: Settings) -> None:
    """Upgrade the database to the newest schema (`alembic upgrade head`)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings.resolved_database_url), "head")
    print("Database is at the newest schema.")


def schema_is_current(settings: Settings) -> bool:
    """Whether the database has been migrated to the newest schema."""
    head = ScriptDirectory.from_config(
        alembic_config(settings.resolved_database_url)
    ).get_current_head()
    with Database(settings.resolved_database_url) as database:
        with database.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision() == head


def demo(settings: Settings) -> None:
    """Seed the demo lesson (once) and print how to play it."""
    with Database(settings.resolved_database_url) as database, database.sessions() as session:
        result = seed_demo(session, secret_key=settings.resolved_secret_key, now=utcnow())
        print("Demo lesson", "created." if result.created else "already there (unchanged).")
        print()
        for address in join_addresses(settings.host, settings.port):
            print(f"  Open {address}/j/{result.lesson.join_code} on a phone or laptop.")
        print(f"  Lesson join code: {result.lesson.join_code}")
        print(
            "  Teams (number: PIN): "
            + "  ".join(f"{number}: {pin}" for number, pin in result.pins.items())
        )
        for level in result.levels:
            password = f"password '{level.password}'" if level.password else "no password"
            print(f"  Level {level.position} '{level.title}': {level.state}, {password}")
        print("\n  Levels can also be run from a second terminal, in this same folder:")
        print(f"    {command_name()} level list | open N | close N | reveal N\n")


def command_name() -> str:
    """How to type this command again here: `downhill` if it is on the PATH, else its path."""
    script = Path(sys.argv[0])
    if script.name == "downhill" and shutil.which("downhill") != str(script.resolve()):
        try:
            return str(script.resolve().relative_to(Path.cwd()))
        except ValueError:
            return str(script)
    return "downhill"


def join_addresses(host: str, port: int) -> list[str]:
    """The addresses to give the class: every address of this machine when serving on all."""
    if host not in ("0.0.0.0", "::"):  # noqa: S104 - comparing, not binding
        return [f"http://{host}:{port}"]
    try:
        names = socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        names = []
    found = [name for name in names if not name.startswith("127.")]
    return [f"http://{name}:{port}" for name in [*found, "127.0.0.1"]]


def instructor_access(settings: Settings) -> None:
    """Make sure the instructor has a password (generating one on the first start) and say
    how to get in; a generated password is printed this once and only its hash is kept."""
    with Database(settings.resolved_database_url) as database, database.sessions() as session:
        generated = ensure_password(session, configured=settings.instructor_password, now=utcnow())
    address = join_addresses(settings.host, settings.port)[0]
    print(f"  Instructor: log in at {address}/instructor", end="")
    if generated:
        print(f" with the password {generated}")
        print(
            "  (shown this once; keep it, or set your own with "
            f"`{command_name()} instructor set-password`).\n"
        )
    elif settings.instructor_password:
        print(" with the password in DOWNHILL_INSTRUCTOR_PASSWORD.\n")
    else:
        print(f" (password set earlier; `{command_name()} instructor set-password` changes it).\n")


def set_instructor_password(settings: Settings) -> int:
    """Ask for a new instructor password (twice on a terminal, once from a pipe) and keep it."""
    if sys.stdin.isatty():
        password = getpass.getpass("New instructor password: ")
        if getpass.getpass("Once more: ") != password:
            print("The two passwords differ; nothing changed.", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        with Database(settings.resolved_database_url) as database, database.sessions() as session:
            set_password(session, password=password, now=utcnow())
    except Refused as refused:
        print(gettext(refused.message_id, **refused.params), file=sys.stderr)
        return 2
    print("The instructor password is changed.")
    return 0


def serve(settings: Settings, workers: int = 1) -> None:
    """Serve the game with uvicorn (migrations must have run: `downhill migrate`)."""
    import uvicorn

    instructor_access(settings)
    print(f"Downhill is serving on http://{settings.host}:{settings.port} (Ctrl-C stops it).")
    uvicorn.run(
        "app.main:served_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        proxy_headers=False,
        log_level="info",
        access_log=settings.access_log,
        timeout_graceful_shutdown=5,
    )


def level_command(settings: Settings, action: str, position: int | None, join_code: str) -> int:
    """List the levels of a lesson, or open / close / reveal one by its number."""
    with Database(settings.resolved_database_url) as database, database.sessions() as session:
        lesson = session.scalars(select(Lesson).where(Lesson.join_code == join_code)).first()
        if lesson is None:
            print(f"No lesson with join code {join_code}.", file=sys.stderr)
            return 2
        now = utcnow()
        found = [level for level in lesson.levels if level.position == position]
        if action != "list":
            if not found:
                print(f"Lesson {join_code} has no level {position}.", file=sys.stderr)
                return 2
            target = {
                "open": LevelState.OPEN,
                "close": LevelState.CLOSED,
                "reveal": LevelState.REVEALED,
            }[action]
            try:
                set_level_state(session, level=found[0], state=target, now=now)
            except NoSuchMove as exc:
                print(f"Cannot {action} level {position}: {exc}.", file=sys.stderr)
                return 2
            except Refused as refused:
                print(gettext(refused.message_id, **refused.params), file=sys.stderr)
                return 2
            print(f"Level {position} '{found[0].title}' is now {found[0].state}.")
        print(
            "(draft: invisible to teams; closed: settled, final standings; revealed: teams"
            " see the curve)"
        )
        for level in session.scalars(
            select(Level).where(Level.lesson_id == lesson.id).order_by(Level.position)
        ):
            password = level.password or "-"
            print(
                f"{level.position}. {level.title:<20} {level.clock.state_at(now).value:<9}"
                f" password: {password}"
            )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `downhill` console script."""
    parser = argparse.ArgumentParser(prog="downhill", description=__doc__)
    steps = parser.add_subparsers(dest="step", required=True)
    steps.add_parser("migrate", help="upgrade the database to the newest schema")
    steps.add_parser("demo", help="seed the demo lesson (idempotent) and print its logins")
    for name, text in (
        ("serve", "serve the game"),
        ("run", "migrate, seed the demo and serve: everything `make run` does"),
    ):
        step = steps.add_parser(name, help=text)
        step.add_argument("--host")
        step.add_argument("--port", type=int)
        step.add_argument("--workers", type=int, default=1)
    instructor = steps.add_parser("instructor", help="the instructor's account")
    instructor.add_argument(
        "action",
        choices=["set-password"],
        help="set a new password (read from the terminal or stdin)",
    )
    level = steps.add_parser("level", help="list, open, close or reveal a level")
    level.add_argument("action", choices=["list", "open", "close", "reveal"])
    level.add_argument("number", type=int, nargs="?", help="the level's number in the lesson")
    level.add_argument("--lesson", default=DEMO_JOIN_CODE, help="the lesson's join code")
    args = parser.parse_args(argv)
    get_settings().data_dir.mkdir(parents=True, exist_ok=True)
    if args.step not in ("migrate", "run") and not schema_is_current(get_settings()):
        print(
            "The database is not at the newest schema: run `downhill migrate` first.",
            file=sys.stderr,
        )
        return 2

    settings = get_settings()
    if getattr(args, "host", None) or getattr(args, "port", None):
        settings = settings.model_copy(
            update={
                key: value for key, value in (("host", args.host), ("port", args.port)) if value
            }
        )
    if args.step == "migrate":
        migrate(settings)
    elif args.step == "demo":
        demo(settings)
    elif args.step == "serve":
        serve(settings, args.workers)
    elif args.step == "run":
        migrate(settings)
        demo(settings)
        serve(settings, args.workers)
    elif args.step == "instructor":
        return set_instructor_password(settings)
    elif args.step == "level":
        if args.action != "list" and args.number is None:
            parser.error(f"level {args.action} needs the level's number")
        return level_command(settings, args.action, args.number, args.lesson.upper())
    return 0


if __name__ == "__main__":
    sys.exit(main())
