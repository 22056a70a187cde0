"""docker-compose.yml, and its PostgreSQL variant docker-compose.postgres.yml, are valid
against the Compose specification; both migrate first, the variant waits for a healthy
database and runs several workers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


COMPOSE_FILES = ("docker-compose.yml", "docker-compose.postgres.yml")


def merged(base: dict, override: dict) -> dict:
    """``override`` on ``base`` as Compose merges files: mappings key by key, the rest
    replaced (command, healthcheck test...)."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_compose_file_matches_the_compose_schema(name: str) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(ROOT / name),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_app_starts_only_after_migrations_and_keeps_its_data() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    app = compose["services"]["app"]
    assert compose["services"]["migrate"]["command"] == ["downhill", "migrate"]
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "migrate" not in " ".join(app["command"])
    assert any(volume.endswith(":/data") for volume in app["volumes"])


def test_the_postgresql_variant_waits_for_the_database_and_runs_several_workers() -> None:
    base, variant = (yaml.safe_load((ROOT / name).read_text()) for name in COMPOSE_FILES)
    compose = merged(base, variant)
    services = compose["services"]
    db, migrate, app = services["db"], services["migrate"], services["app"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    url = "postgresql+psycopg://downhill:downhill@db:5432/downhill"
    for service in (migrate, app):
        assert service["environment"]["DOWNHILL_DATABASE_URL"] == url
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["command"] == ["downhill", "migrate"]  # kept from the base file
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    command = " ".join(app["command"])
    workers = int(command.split("--workers", 1)[1].split()[0])
    assert workers > 1 and "migrate" not in command
    user, password, database = (
        db["environment"][f"POSTGRES_{k}"] for k in ("USER", "PASSWORD", "DB")
    )
    assert url == f"postgresql+psycopg://{user}:{password}@db:5432/{database}"
    assert set(compose["volumes"]) == {"downhill-data", "downhill-postgres"}
