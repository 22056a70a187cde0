"""Wrong attempts at a secret, counted per subject (a team), never per IP address."""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Refused
from app.game.throttle import lock_after_failure
from app.models import Throttle


def _row(session: Session, scope: str, subject: str) -> Throttle | None:
    query = select(Throttle).where(Throttle.scope == scope, Throttle.subject == subject)
    return session.scalars(query.execution_options(populate_existing=True)).first()


def ensure_not_locked(session: Session, *, scope: str, subject: str, now: datetime) -> None:
    """Refuse with ``too_many_attempts`` while the subject is locked out."""
    row = _row(session, scope, subject)
    if row is not None and row.locked_until is not None and now < row.locked_until:
        seconds = math.ceil((row.locked_until - now).total_seconds())
        raise Refused("too_many_attempts", seconds=seconds, retry_after=seconds)


def record_attempt(
    session: Session, *, scope: str, subject: str, success: bool, now: datetime
) -> None:
    """Count a wrong attempt (locking when there were too many) or forget them on success."""
    row = _row(session, scope, subject)
    if success:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = Throttle(scope=scope, subject=subject, failures=0)
        session.add(row)
    row.failures += 1
    row.locked_until = lock_after_failure(row.failures, now)
