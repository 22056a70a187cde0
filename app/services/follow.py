"""What a team's pages follow live (the phones): the lesson's levels as teams see them,
the level on the projector, and one level's standings when teams may see them.

The view is the same for every team of a lesson, so every phone of the room shares one
snapshot per lesson version (``app.snapshots``); a phone reads its own guesses and
cooldown from its level's state when its level changes (``LiveLevelOut.round``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from app.errors import Refused
from app.models import Level
from app.schemas import LevelOut, LiveLevelOut, TeamLiveOut
from app.services.levels import visible_levels
from app.services.projector import announcement_of
from app.services.standings import team_level_standings


def round_of(level: Level) -> str:
    """A short mark that changes when the level is reset (a reset draws a new noise seed;
    the mark is a one-way digest of it, so it tells nothing of the noise)."""
    seed = f"{level.id}:{level.noise_seed or ''}".encode()
    return hashlib.blake2b(seed, digest_size=6).hexdigest()


def team_live_view(
    session: Session, *, lesson_id: int, level_id: int | None, now: datetime
) -> TeamLiveOut:
    """The lesson as its teams see it now, with the standings of ``level_id`` if given and
    teams may see them (a level that is not the lesson's, or a draft, is not found)."""
    levels = visible_levels(session, lesson_id=lesson_id)
    listed = [LiveLevelOut(**LevelOut.fields_of(lv, now), round=round_of(lv)) for lv in levels]
    shown = {level.id: level for level in levels}
    if level_id is not None and level_id not in shown:
        raise Refused("level_not_found")
    announced = announcement_of(session, lesson_id=lesson_id).level_id
    standings = None
    if level_id is not None:
        try:
            standings = team_level_standings(session, level=shown[level_id], now=now).out()
        except Refused:  # hidden from teams now
            standings = None
    return TeamLiveOut(
        levels=listed,
        announced=announced if announced in shown else None,
        standings=standings,
        server_now=now,
    )
