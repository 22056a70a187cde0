"""The start-up steps as a newcomer runs them: `downhill migrate`, `downhill demo`, `level`."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys

import pytest
from pydantic import ValidationError

from app.config import Settings


def downhill(tmp_path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOWNHILL_DATA_DIR": str(tmp_path / "data")}
    env.pop("DOWNHILL_SECRET_KEY", None)
    env.pop("DOWNHILL_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
        input=stdin,
    )


def test_every_step_but_migrate_asks_for_migrations_first(tmp_path) -> None:
    for step in (["demo"], ["serve"], ["level", "list"]):
        result = downhill(tmp_path, *step)
        assert result.returncode == 2
        assert "run `downhill migrate` first" in result.stderr


def test_migrate_demo_twice_and_run_a_level_from_the_terminal(tmp_path) -> None:
    assert downhill(tmp_path, "migrate").returncode == 0
    first = downhill(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "Demo lesson created." in first.stdout
    assert "http://127.0.0.1:8000/j/DEMO" in first.stdout
    pins = re.findall(r"\b(\d+): ([A-Z0-9]{6})\b", first.stdout)
    assert [number for number, _ in pins] == [str(n) for n in range(1, 11)]
    assert "downhill level" in first.stdout  # how the instructor runs the class
    second = downhill(tmp_path, "demo")
    assert "already there (unchanged)" in second.stdout
    assert re.findall(r"\b(\d+): ([A-Z0-9]{6})\b", second.stdout) == pins

    opened = downhill(tmp_path, "level", "open", "2")
    assert opened.returncode == 0 and re.search(r"2\. Function 2\s+open", opened.stdout)
    refused = downhill(tmp_path, "level", "reveal", "2")
    assert refused.returncode == 2 and "cannot become revealed" in refused.stderr
    assert downhill(tmp_path, "level", "close", "9").returncode == 2


def test_the_secret_key_is_generated_once_and_kept_private(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path)
    key = settings.resolved_secret_key
    assert len(key) >= 32
    assert Settings(data_dir=tmp_path).resolved_secret_key == key
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600
    assert Settings(data_dir=tmp_path / "other").resolved_secret_key != key


def test_an_empty_or_short_key_file_is_never_used(tmp_path) -> None:
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(RuntimeError, match="no usable key"):
        Settings(data_dir=tmp_path).resolved_secret_key  # noqa: B018


@pytest.mark.parametrize("secret", ["changeme", "secret", "short-key"])
def test_placeholder_secrets_are_refused(secret: str) -> None:
    with pytest.raises(ValidationError):
        Settings(secret_key=secret)


def test_settings_come_from_downhill_variables(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DOWNHILL_PORT", "9001")
    monkeypatch.setenv("DOWNHILL_HOST", "0.0.0.0")  # noqa: S104
    monkeypatch.setenv("DOWNHILL_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert (settings.port, settings.host) == (9001, "0.0.0.0")  # noqa: S104
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve()}/downhill.db"


def test_the_instructor_password_is_set_from_the_terminal(tmp_path) -> None:
    assert downhill(tmp_path, "migrate").returncode == 0
    short = downhill(tmp_path, "instructor", "set-password", stdin="short\n")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    done = downhill(tmp_path, "instructor", "set-password", stdin="a-fine-long-password\n")
    assert done.returncode == 0 and "changed" in done.stdout
