"""Every user-facing string is translated; the browser's language picks a catalogue."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.errors import MESSAGES
from app.i18n import LOCALES, LOCALES_DIR, match_locale, negotiate

ROOT = Path(__file__).resolve().parents[2]


def catalog(locale: str):
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=locale)


@pytest.fixture(scope="module")
def source_msgids(tmp_path_factory) -> set:
    """The msgids of the source as it is now (what `make translations` would extract)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as file:
        return {message.id for message in read_po(file) if message.id}


@pytest.mark.parametrize("locale", sorted(LOCALES))
def test_every_catalogue_is_complete_and_up_to_date(locale: str, source_msgids: set) -> None:
    messages = {message.id: message for message in catalog(locale) if message.id}
    assert set(messages) == source_msgids, "run `make translations` and translate new strings"
    untranslated = [
        mid
        for mid, m in messages.items()
        if not m.string or (isinstance(m.string, tuple) and not all(m.string))
    ]
    assert untranslated == []
    fuzzy = [mid for mid, m in messages.items() if m.fuzzy]
    assert fuzzy == []


@pytest.mark.parametrize("locale", ["zh_TW", "zh_CN"])
def test_placeholders_survive_translation(locale: str) -> None:
    def placeholders(text: str) -> set[str]:
        return set(re.findall(r"%\(\w+\)s|\{\w+\}", text))

    for message in catalog(locale):
        if message.id and not isinstance(message.id, tuple):
            assert placeholders(message.string) == placeholders(message.id), message.id


def test_every_refusal_has_a_message_in_every_language() -> None:
    for locale in ("zh_TW", "zh_CN"):
        translated = {m.id: m.string for m in catalog(locale) if m.id}
        for code, (_, message) in MESSAGES.items():
            assert translated.get(message), (locale, code)


def test_the_lectures_own_words_are_used() -> None:
    zh_tw = {m.id: m.string for m in catalog("zh_TW") if m.id}
    zh_cn = {m.id: m.string for m in catalog("zh_CN") if m.id}
    assert zh_tw["Record of earlier guesses"] == "以前猜的紀錄"
    assert zh_cn["Record of earlier guesses"] == "历史猜测记录"
    assert zh_tw["Leaderboard"] == zh_cn["Leaderboard"] == "排行榜"
    assert "切線" in zh_tw["Tangent lines"] and "切线" in zh_cn["Tangent lines"]


@pytest.mark.parametrize(
    ("tag", "locale"),
    [
        ("zh-TW", "zh_TW"),
        ("zh-Hant", "zh_TW"),
        ("zh-HK", "zh_TW"),
        ("zh-MO", "zh_TW"),
        ("zh-Hant-TW", "zh_TW"),
        ("zh", "zh_CN"),
        ("zh-CN", "zh_CN"),
        ("zh-Hans", "zh_CN"),
        ("zh-SG", "zh_CN"),
        ("zh-Hans-CN", "zh_CN"),
        ("en-GB", "en"),
        ("en", "en"),
        ("fr", None),
        ("", None),
    ],
)
def test_language_tags_map_to_catalogues(tag: str, locale: str | None) -> None:
    assert match_locale(tag) == locale


@pytest.mark.parametrize(
    ("cookie", "header", "locale"),
    [
        (None, "zh-TW,zh;q=0.9,en;q=0.8", "zh_TW"),
        (None, "fr-FR,zh-Hans;q=0.8", "zh_CN"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "de, ja;q=0.5", "en"),
        (None, None, "en"),
        ("zh_CN", "zh-TW", "zh_CN"),
        ("klingon", "zh-HK", "zh_TW"),
        (None, "en;q=0.5, zh-TW;q=0.9", "zh_TW"),
        (None, "zh-TW;q=0", "en"),
    ],
)
def test_the_cookie_wins_then_the_browsers_preference(cookie, header, locale) -> None:
    assert negotiate(cookie, header) == locale


def test_pages_follow_the_browser_language(client) -> None:
    assert "找出最低的 f(x)" in client.get("/", headers={"Accept-Language": "zh-TW"}).text
    assert "找出最低的 f(x)" in client.get("/", headers={"Accept-Language": "zh-CN"}).text
    assert "隊伍編號" in client.get("/", headers={"Accept-Language": "zh-Hant"}).text
    assert "队伍编号" in client.get("/", headers={"Accept-Language": "zh-Hans"}).text
    assert "Team number" in client.get("/", headers={"Accept-Language": "en"}).text


def test_the_switcher_changes_the_language_and_remembers_it(client) -> None:
    response = client.get("/lang/zh_TW?next=/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "downhill_lang=zh_TW" in response.headers["set-cookie"]
    page = client.get("/", headers={"Accept-Language": "en"}).text
    assert 'lang="zh-TW"' in page and "隊伍編號" in page
    # a foreign `next` never leaves the site; an unknown language changes nothing
    assert (
        client.get("/lang/en?next=//evil.example", follow_redirects=False).headers["location"]
        == "/"
    )
    assert "set-cookie" not in client.get("/lang/xx", follow_redirects=False).headers


def test_api_refusals_are_translated(client) -> None:
    token = client.get("/api/csrf").json()["csrf_token"]
    response = client.post(
        "/api/session",
        json={"join_code": "NOPE", "team_number": 1, "pin": "X"},
        headers={"X-CSRF-Token": token, "Accept-Language": "zh-TW"},
    )
    assert response.json()["error"] == {
        "code": "lesson_not_found",
        "message": "沒有這個加入代碼的課堂。請核對黑板上的代碼。",
    }


def test_a_kinds_and_a_moves_words_follow_each_request(app, demo) -> None:
    """The parts of a level's kind and move (templates/kinds, templates/moves) are
    translated for each page, not once for the process."""
    from tests.support import browser_like, enter, login_as

    level_id = demo.levels[0].id
    texts = {}
    for language in ("en", "zh-TW", "en"):
        with browser_like(app) as phone:
            login_as(phone, 1)
            enter(phone, level_id)
            page = phone.get(f"/levels/{level_id}/play", headers={"Accept-Language": language})
            match = re.search(
                r'<script type="application/json" id="play-text">(.*?)</script>', page.text, re.S
            )
            assert match, page.text[:300]
            texts.setdefault(language, []).append(match.group(1))
            assert ("找出最低的 f(x)" in page.text) is (language == "zh-TW")
    assert '"best_fx": "最佳 f(x)"' in texts["zh-TW"][0]
    assert all(
        '"best_fx": "Best f(x)"' in text and '"guess": "Guess"' in text for text in texts["en"]
    )
