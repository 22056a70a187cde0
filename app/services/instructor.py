"""The instructor's account: a generated first password, logging in, changing it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.db import lock_for_write
from app.errors import Refused
from app.game.credentials import new_password
from app.models import Instructor
from app.services.logins import end_instructor_logins
from app.services.passwords import DUMMY_HASH, hash_secret, secret_matches
from app.services.throttle import ensure_not_locked, record_attempt

ACCOUNT_ID = 1
MIN_PASSWORD_LENGTH = 10
_THROTTLE = {"scope": "instructor", "subject": f"account:{ACCOUNT_ID}"}


def ensure_password(session: Session, *, configured: str | None, now: datetime) -> str | None:
    """Make sure the instructor has a password; never a default one.

    With ``configured`` (DOWNHILL_INSTRUCTOR_PASSWORD) that one is kept, hashed. Without it,
    the first start generates one and returns it, to be shown once; later starts return None.
    """
    lock_for_write(session)
    account = session.get(Instructor, ACCOUNT_ID, populate_existing=True)
    if configured is not None:
        check_new_password(configured)
        if account is None or not secret_matches(configured, account.password_hash):
            _store(session, account, configured, now)
        session.commit()
        return None
    if account is not None:
        session.commit()
        return None
    generated = new_password()
    _store(session, None, generated, now)
    session.commit()
    return generated


def set_password(session: Session, *, password: str, now: datetime) -> None:
    """Change the instructor's password (``downhill instructor set-password``)."""
    check_new_password(password)
    lock_for_write(session)
    _store(session, session.get(Instructor, ACCOUNT_ID, populate_existing=True), password, now)
    session.commit()


def check_new_password(password: str) -> None:
    """Refuse a password too short to stand up to a class of curious students."""
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        raise Refused("instructor_password_too_short", length=MIN_PASSWORD_LENGTH)


def _store(session: Session, account: Instructor | None, password: str, now: datetime) -> None:
    if account is None:
        account = Instructor(id=ACCOUNT_ID)
        session.add(account)
    account.password_hash = hash_secret(password)
    account.updated_at = now
    end_instructor_logins(session)  # a browser signed in with the old password is out


def login_instructor(session: Session, *, password: str, now: datetime) -> None:
    """Check the instructor's password; wrong ones are throttled per account."""
    ensure_not_locked(session, now=now, **_THROTTLE)
    account = session.get(Instructor, ACCOUNT_ID)
    valid = secret_matches(password, account.password_hash if account else DUMMY_HASH)
    lock_for_write(session)
    ensure_not_locked(session, now=now, **_THROTTLE)
    record_attempt(session, success=valid and account is not None, now=now, **_THROTTLE)
    session.commit()
    if not valid or account is None:
        raise Refused("instructor_password_wrong")
