"""API tokens for code mode: one per team, shown once, kept hashed; a new issue or a revoke
ends the old ones at once; a token plays as its own team only."""

from __future__ import annotations

import pytest

from app.db import utcnow
from app.errors import Refused
from app.models import ApiToken
from app.services.lessons import create_lesson, set_archived
from app.services.tokens import issue_tokens, revoke_tokens, team_for_token, working_tokens
from tests.support import Demo


def refusal(token: str, session) -> str:
    with pytest.raises(Refused) as caught:
        team_for_token(session, token)
    return caught.value.code


def test_each_team_gets_a_token_that_plays_as_that_team(session, demo: Demo) -> None:
    issued = issue_tokens(session, lesson_id=demo.lesson.id, now=utcnow())
    assert [item.team.number for item in issued] == sorted(demo.teams)
    assert working_tokens(session, lesson_id=demo.lesson.id) == len(demo.teams)
    for item in issued:
        assert team_for_token(session, item.token).id == item.team.id
    stored = {row.token_hash for row in session.query(ApiToken)}
    assert not any(item.token in stored for item in issued)  # kept hashed only


def test_a_new_issue_and_a_revoke_end_earlier_tokens(session, demo: Demo) -> None:
    first = issue_tokens(session, lesson_id=demo.lesson.id, now=utcnow())[0].token
    second = issue_tokens(session, lesson_id=demo.lesson.id, now=utcnow())[0].token
    assert refusal(first, session) == "token_revoked"
    assert team_for_token(session, second).number == 1
    assert revoke_tokens(session, lesson_id=demo.lesson.id, now=utcnow()) == len(demo.teams)
    assert refusal(second, session) == "token_revoked"
    assert working_tokens(session, lesson_id=demo.lesson.id) == 0


def test_tokens_are_refused_for_what_cannot_have_them(session, demo: Demo) -> None:
    assert refusal("not-a-token", session) == "token_invalid"
    assert refusal("dh_" + "x" * 200, session) == "token_invalid"
    empty = create_lesson(session, name="No teams yet", now=utcnow())
    with pytest.raises(Refused) as caught:
        issue_tokens(session, lesson_id=empty.id, now=utcnow())
    assert caught.value.code == "tokens_need_teams"
    token = issue_tokens(session, lesson_id=demo.lesson.id, now=utcnow())[0].token
    set_archived(session, lesson_id=demo.lesson.id, archived=True)
    assert refusal(token, session) == "lesson_archived"
