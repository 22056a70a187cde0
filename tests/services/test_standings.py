"""Standings from the database: live, frozen, hidden, and the lesson overall."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import utcnow
from app.errors import Refused
from app.game.rules import LevelState
from app.services.levels import enter_level, reset_level, set_level_state
from app.services.standings import overall_standings, standings_head, team_level_standings
from app.services.submit import submit_guess
from app.services.teams import remove_team, rename_team
from tests.support import Demo, set_level


def play(session, demo: Demo, level, moves: dict[int, list[tuple[float, str]]]) -> None:
    """moves: team number -> [(seconds after opening, x)]."""
    for number, guesses in moves.items():
        team = demo.teams[number]
        enter_level(
            session, team=team, level_id=level.id, password=level.password, now=level.opened_at
        )
        for i, (seconds, x) in enumerate(guesses):
            submit_guess(
                session,
                team=team,
                level_id=level.id,
                raw_x=x,
                idempotency_key=f"t{number}-move-{i}",
                now=level.opened_at + timedelta(seconds=seconds),
            )


def test_live_standings_rank_by_best_then_time(session, demo: Demo) -> None:
    level = demo.levels[0]
    set_level(session, level, cooldown_seconds=0)
    play(session, demo, level, {1: [(1, "0"), (2, "3.7")], 2: [(1, "3.7")], 3: [(5, "10")]})
    result = team_level_standings(session, level=level, now=level.opened_at + timedelta(seconds=10))
    top = [(s.rank, s.entry.team_number) for s in result.standings[:4]]
    assert top == [(1, 2), (2, 1), (3, 3), (4, 4)]
    assert result.standings[3].entry.best_fx is None
    assert not result.final


def test_frozen_standings_show_the_moment_they_froze(session, demo: Demo) -> None:
    level = demo.levels[2]  # 600 s, frozen for the last 60 s
    now = utcnow()
    set_level_state(session, level=level, state=LevelState.OPEN, now=now)
    play(session, demo, level, {1: [(100, "5")], 2: [(560, "1.0")]})
    before = team_level_standings(session, level=level, now=now + timedelta(seconds=530))
    assert before.as_of is None
    frozen = team_level_standings(session, level=level, now=now + timedelta(seconds=580))
    assert frozen.as_of == now + timedelta(seconds=540)
    assert [(s.rank, s.entry.team_number) for s in frozen.standings[:2]] == [(1, 1), (2, 2)]
    assert frozen.standings[1].entry.best_fx is None  # team 2's late guess is not shown yet
    final = team_level_standings(session, level=level, now=now + timedelta(seconds=601))
    assert final.final and final.as_of is None
    # once final, team 2's late guess counts: f(1.0) = 3.29 beats team 1's f(5) = 4.83
    assert [(s.rank, s.entry.team_number) for s in final.standings[:2]] == [(1, 2), (2, 1)]


def frozen_50_seconds_ago(session, demo: Demo, moves: dict[int, list[tuple[float, str]]]):
    """The 600 s level, frozen for its last 60 s, opened 590 s ago (it froze 50 s ago) and
    played so; the level, when it opened, and now."""
    level = demo.levels[2]
    opened = utcnow() - timedelta(seconds=590)
    set_level_state(session, level=level, state=LevelState.OPEN, now=opened)
    set_level(session, level, opened_at=opened)
    play(session, demo, level, moves)
    return level, opened, opened + timedelta(seconds=590)


def test_standings_long_frozen_are_kept_until_the_instructor_changes_the_lesson(
    session, demo: Demo
) -> None:
    level, opened, now = frozen_50_seconds_ago(session, demo, {1: [(100, "5")], 2: [(560, "1.0")]})

    def ranked() -> list[tuple[int, float | None]]:
        frozen = team_level_standings(session, level=level, now=now)
        assert frozen.as_of == opened + timedelta(seconds=540)
        return [(s.entry.team_number, s.entry.best_fx) for s in frozen.standings[:2]]

    first = ranked()
    assert first[0][0] == 1 and first[1] == (2, None)
    play(session, demo, level, {3: [(570, "1.0")]})  # after the freeze: not shown
    assert ranked() == first
    reset_level(session, level_id=level.id)  # the instructor's change is seen at once
    assert [best for _, best in ranked()] == [None, None]


def test_a_boards_head_of_settled_frozen_standings_is_kept_until_the_lesson_changes(
    session, demo: Demo
) -> None:
    level, _, now = frozen_50_seconds_ago(session, demo, {1: [(100, "5")], 2: [(530, "1.0")]})

    def board() -> list[tuple[int, str | None]]:
        head = standings_head(session, level=level, now=now, top=3)
        assert head.head == _head_of_the_whole(session, level, now, 3)[0]
        return [(row.entry.team_number, row.entry.team_name) for row in head.head]

    assert board() == [(2, None), (1, None)]
    play(session, demo, level, {3: [(570, "1.0")]})  # after the freeze: not shown
    assert board() == [(2, None), (1, None)]
    rename_team(session, lesson_id=demo.lesson.id, team_id=demo.teams[1].id, name="Ada")
    assert board() == [(2, None), (1, "Ada")]  # a new name shows at once
    remove_team(session, lesson_id=demo.lesson.id, team_id=demo.teams[2].id)
    assert board() == [(1, "Ada")]


def test_hidden_standings_are_refused_until_the_level_closes(session, demo: Demo) -> None:
    level = demo.levels[0]
    set_level(session, level, standings_visibility="hidden")
    with pytest.raises(Refused) as caught:
        team_level_standings(session, level=level, now=utcnow())
    assert caught.value.code == "standings_hidden"
    set_level_state(session, level=level, state=LevelState.CLOSED, now=utcnow())
    assert team_level_standings(session, level=level, now=utcnow()).final


def test_overall_counts_only_revealed_levels(session, demo: Demo) -> None:
    level = demo.levels[0]
    set_level(session, level, cooldown_seconds=0)
    play(session, demo, level, {1: [(1, "3.7")], 2: [(1, str(level.x_min))]})
    ranking, settled = overall_standings(session, lesson_id=demo.lesson.id, now=utcnow())
    assert settled == [] and all(row.total == 0 for row in ranking)
    set_level_state(session, level=level, state=LevelState.CLOSED, now=utcnow())
    ranking, settled = overall_standings(session, lesson_id=demo.lesson.id, now=utcnow())
    assert settled == []  # closed is not enough: points would give f's minimum away
    set_level_state(session, level=level, state=LevelState.REVEALED, now=utcnow())
    ranking, settled = overall_standings(session, lesson_id=demo.lesson.id, now=utcnow())
    assert settled == [level]
    assert (ranking[0].team_number, ranking[0].total) == (1, 100.0)
    assert ranking[1].team_number == 2 and ranking[1].total == 0.0  # worse than the median


def _head_of_the_whole(session, level, now, top: int) -> tuple[list, int, int]:
    whole = team_level_standings(session, level=level, now=now)
    played = [row for row in whole.standings if row.entry.best_fx is not None]
    return played[:top], len(played), len(whole.standings) - len(played)


@pytest.mark.parametrize("top", [1, 2, 3, 10])
def test_a_boards_head_of_the_standings_is_the_whole_standings_first_rows(
    session, demo: Demo, top: int
) -> None:
    """The projector's board asks the database for its first rows: the same rows, ranks
    and ties as the whole standings, live and frozen."""
    level = demo.levels[0]
    set_level(session, level, cooldown_seconds=0)
    # teams 1 and 2 tie (the same f at the same moment), 3 reaches it later, 4 does worse
    play(session, demo, level, {1: [(1, "3.7")], 2: [(1, "3.7")], 3: [(2, "3.7")], 4: [(3, "0")]})
    now = level.opened_at + timedelta(seconds=10)
    head = standings_head(session, level=level, now=now, top=top)
    rows, played, waiting = _head_of_the_whole(session, level, now, top)
    assert head.head == rows and (head.played, head.waiting) == (played, waiting)
    assert [row.rank for row in head.head] == [1, 1, 3, 4][:top]
    assert head.as_of is None and waiting == len(demo.teams) - 4

    frozen_level = demo.levels[2]  # 600 s, frozen for the last 60 s
    start = utcnow()
    set_level_state(session, level=frozen_level, state=LevelState.OPEN, now=start)
    play(session, demo, frozen_level, {1: [(100, "5")], 2: [(560, "1.0")]})
    later = start + timedelta(seconds=580)
    head = standings_head(session, level=frozen_level, now=later, top=top)
    rows, played, waiting = _head_of_the_whole(session, frozen_level, later, top)
    assert head.as_of == start + timedelta(seconds=540)
    assert head.head == rows and (head.played, head.waiting) == (played, waiting) and played == 1
