"""Settings from environment variables with the DOWNHILL_ prefix."""

from __future__ import annotations

import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "dev", "development", "test"}


class Settings(BaseSettings):
    """Everything an operator may set. Unset secrets are generated, never defaulted."""

    model_config = SettingsConfigDict(env_prefix="DOWNHILL_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None
    secret_key: str | None = Field(default=None, repr=False)
    instructor_password: str | None = Field(default=None, repr=False)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    cookie_secure: bool = False
    public_url: str | None = None
    max_body_bytes: int = 16_384
    # one line per request on the console: off by default (a class of phones guessing makes
    # thousands, and writing them costs a quarter of what a simple request costs)
    access_log: bool = False

    @field_validator("secret_key")
    @classmethod
    def _refuse_placeholder(cls, value: str | None) -> str | None:
        if value is not None and (value.lower() in _PLACEHOLDER_SECRETS or len(value) < 32):
            raise ValueError("DOWNHILL_SECRET_KEY must be a random string of 32+ characters")
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL; by default a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'downhill.db').resolve()}"

    @property
    def resolved_secret_key(self) -> str:
        """The secret key: the one given, or one generated once and kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        return _stored_secret(self.data_dir / "secret_key")


def _stored_secret(path: Path) -> str:
    """The key kept in ``path``, written once: in full or not at all, readable by us only."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(48))
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(draft, path)  # fails if another process got there first: theirs is kept
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(
            f"{path.name} in the data directory holds no usable key: delete it "
            "to have a new one generated (every team must log in again)"
        )
    return key


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
