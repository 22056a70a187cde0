"""CSV exports: every guess and every standing, numbers at full precision without float
noise, names a spreadsheet will not run as formulas."""

from __future__ import annotations

import csv
import io

from app.db import lock_for_write, utcnow
from app.services.exports import guesses_csv, standings_csv
from app.services.levels import enter_level
from app.services.submit import submit_guess
from tests.support import Demo


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_numbers_keep_their_precision_but_not_float_noise(session, demo: Demo) -> None:
    team, level = demo.teams[1], demo.levels[0]
    enter_level(session, team=team, level_id=level.id, password=None, now=utcnow())
    answer = submit_guess(
        session, team=team, level_id=level.id, raw_x="0.3", idempotency_key="csv-0001"
    )
    # 0.125·(0.3 − 3.7)² + 2 = 3.445 and f' = −0.85, as floats 3.4450000000000003 and
    # -0.8500000000000001
    assert (repr(answer.guess.fx), repr(answer.guess.slope)) != ("3.445", "-0.85")
    (row,) = rows(guesses_csv(session, lesson=demo.lesson))
    assert (row["x"], row["fx"], row["slope"]) == ("0.3", "3.445", "-0.85")


def test_a_name_is_never_a_formula(session, demo: Demo) -> None:
    lock_for_write(session)
    demo.teams[2].name = '=HYPERLINK("http://evil")'
    session.commit()
    standing = next(
        row
        for row in rows(standings_csv(session, lesson=demo.lesson, now=utcnow()))
        if row["team_number"] == "2" and row["scope"] == "overall"
    )
    assert standing["team_name"].startswith("'=")
    assert standing["points"] == "0.0"
