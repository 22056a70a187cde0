"""The whole lecture, in the browser: the instructor imports the lesson file that ships with
Downhill, prints two teams' slips and puts the projector up; then, level by level — the
slope, the learning rate, the local minimum and momentum, many valleys, the plateau, noisy
slopes, two directions at once, the regression line and one ReLU neuron — the instructor
opens the level,
both teams play it from their phones as the level asks (x, or (x, y), or η, or η and β),
and the instructor closes and reveals it while the projector shows the reveal (on the
regression line and the neuron, beside the loss, the model drawn over its data). At the end
the projector shows the lesson's points."""

from __future__ import annotations

import json

import pytest

from tests.browser.chromium import ARTIFACTS, LAPTOP, log_in_instructor, new_phone, watch
from tests.server import ROOT

pytestmark = pytest.mark.browser

LECTURE = ROOT / "lessons" / "lecture.json"
SCREEN = {"width": 1280, "height": 720}


def console_action(desk, lesson_url: str, title: str, action: str) -> None:
    desk.goto(lesson_url)
    desk.once("dialog", lambda dialog: dialog.accept())  # Close and Reveal ask first
    desk.locator("li.level", has_text=title).locator(f"button[value={action}]").click()
    desk.wait_for_url("**#level-*")


def move(page, level: dict, share: float) -> None:
    """One move as the level asks: x (and y) at ``share`` of the domain, or η (and β)."""
    if level["mode"] == "free":
        page.fill("#x", f"{level['x_min'] + share * (level['x_max'] - level['x_min']):g}")
        if level["y_min"] is not None:
            page.fill("#y", f"{level['y_min'] + share * (level['y_max'] - level['y_min']):g}")
    else:
        page.fill("#eta", f"{level['eta_max'] * share / 4:g}")
        if level["mode"] == "momentum":
            page.fill("#beta", "0.5")
    page.click("#submit")


def play_level(page, server: str, level: dict, share: float) -> list[str]:
    """Enter the level from the team's page (with its password) and make one move; the
    history's newest row."""
    if not page.url.endswith("/team"):
        page.goto(f"{server}/team")
    # a list already open shows the level opening by itself (it follows the lesson live)
    entry = page.locator("li.level[data-state=open]", has_text=level["title"])
    entry.wait_for()
    if level["password"]:
        entry.locator("input[name=password]").fill(level["password"])
    entry.locator("button[type=submit]").click()
    page.wait_for_url("**/levels/*/play")
    page.wait_for_function("() => document.getElementById('chart').data !== undefined")
    move(page, level, share)
    page.wait_for_selector("#history tbody tr")
    return page.eval_on_selector("#history tbody tr", "r => [...r.cells].map(c => c.textContent)")


def predict_on_phones(projector, pages) -> None:
    """Once the level closes each phone shows the prediction; team 1 votes for gradient
    descent, then changes its mind to Bayesian optimisation; team 2 votes for gradient
    descent. The projector counts two votes and never says what they are."""
    for page, choices in zip(
        pages, (["gradient_descent", "bayesian"], ["gradient_descent"]), strict=True
    ):
        page.wait_for_selector("#prediction:not([hidden]) input[value=bayesian]")
        for choice in choices:
            page.check(f"#prediction input[value={choice}]")
            page.click("#prediction button[type=submit]")
            page.wait_for_function(
                "name => document.querySelector('#prediction [data-status]').textContent"
                ".includes('Your team predicted ' + name)",
                arg="Bayesian optimisation" if choice == "bayesian" else "Gradient descent",
            )
    pages[0].screenshot(path=str(ARTIFACTS / "lecture-prediction-phone.png"), full_page=True)
    projector.wait_for_function(
        "() => document.getElementById('prediction-banner').textContent"
        ".includes('2 of 2 teams voted')"
    )
    banner = projector.text_content("#prediction-banner")
    assert "Bayesian" not in banner and "Gradient" not in banner
    projector.screenshot(path=str(ARTIFACTS / "lecture-prediction-projector.png"))


def check_prediction_result(projector, pages) -> None:
    """The reveal names the closest algorithm and who predicted it, on the projector and on
    each phone."""
    projector.wait_for_selector("#prediction-result:not([hidden])")
    said = projector.text_content("#prediction-result")
    assert "got closest" in said, said
    for page in pages:
        page.wait_for_function(
            "() => document.querySelector('#prediction [data-status]').textContent"
            ".includes('got closest')"
        )
        assert page.is_hidden("#prediction form")  # no more votes after the reveal


FITS_DRAWN = (
    "() => { const c = document.querySelector('[data-reveal-fits]');"
    " return c && !c.hidden && (c.data || []).length > 0; }"
)


def check_model_over_data(projector, page, level: dict) -> None:
    """The projector and the team's reveal page draw the model over the level's data: the
    points, the best model, and each team's best model in its colour."""
    for screen in (projector, page):
        if screen is page:
            page.click("#reveal-link a")
            page.wait_for_url("**/levels/*/reveal")
        screen.wait_for_function(FITS_DRAWN)
        traces = screen.evaluate(
            "() => document.querySelector('[data-reveal-fits]').data"
            ".map(t => [t.mode, t.x.length, t.visible === 'legendonly'])"
        )
        assert traces[0] == ["markers", len(level["fit_data"]), False], traces
        shown_lines = [t for t in traces[1:] if t[0] == "lines" and not t[2]]
        assert len(shown_lines) == 3, traces  # the best model and the two teams'
    page.screenshot(
        path=str(ARTIFACTS / f"lecture-{level['fit']}-reveal-phone.png"), full_page=True
    )
    page.go_back()


def test_the_lecture_plays_end_to_end(server: str, browser) -> None:
    levels = json.loads(LECTURE.read_text())["levels"]
    context = browser.new_context(viewport=LAPTOP)
    desk = context.new_page()
    desk_problems = watch(desk)
    log_in_instructor(desk, server)
    desk.set_input_files("#lesson_file", str(LECTURE))
    desk.locator("form[action='/instructor/lessons/import'] button[type=submit]").click()
    desk.wait_for_url("**/instructor/lessons/*")
    lesson_url = desk.url.split("#")[0]
    assert desk.locator("li.level").count() == len(levels) == 10
    code = desk.text_content(".join-address a").strip().rsplit("/", 1)[1]
    desk.fill("#count", "2")
    desk.click("text=Add and print their slips")
    desk.wait_for_selector(".slip")
    pins = dict(
        desk.eval_on_selector_all(
            ".slip",
            "els => els.map(e => [e.querySelector('.slip-number').textContent,"
            " e.querySelector('.slip-pin').textContent])",
        )
    )

    screen = browser.new_context(viewport=SCREEN)
    projector = screen.new_page()
    projector_problems = watch(projector)
    projector.goto(f"{server}/projector/{code}")

    phones = []
    for number in ("1", "2"):
        phone, page, problems = new_phone(browser)
        page.goto(f"{server}/j/{code}")
        page.fill("#team_number", number)
        page.fill("#pin", pins[number])
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/team")
        phones.append((phone, page, problems))

    for position, level in enumerate(levels, start=1):
        title = level["title"]
        console_action(desk, lesson_url, title, "open")
        projector.wait_for_function(
            "title => document.getElementById('level-title').textContent.includes(title)",
            arg=title,
        )
        rows = [
            play_level(page, server, level, share)
            for (_, page, _), share in zip(phones, (0.3, 0.6), strict=True)
        ]
        assert all(row[0] == "1" for row in rows), (title, rows)
        plane = level["y_min"] is not None
        if plane:
            first = phones[0][1]
            assert first.locator("#y").count() == (1 if level["mode"] == "free" else 0)
            # an arrow along −∇f at the guess, and no contour map before the reveal
            assert (
                first.evaluate(
                    "() => document.getElementById('chart').layout.annotations"
                    ".filter(a => a.showarrow).length"
                )
                == 1
            )
            first.screenshot(path=str(ARTIFACTS / f"lecture-{position}-phone.png"), full_page=True)
        projector.wait_for_function(
            "() => document.getElementById('guess-total').textContent === '2'"
        )
        console_action(desk, lesson_url, title, "close")
        if level.get("prediction"):
            predict_on_phones(projector, [page for _, page, _ in phones])
        console_action(desk, lesson_url, title, "reveal")
        projector.wait_for_function(
            "title => !document.getElementById('reveal-view').hidden"
            " && document.getElementById('reveal-title').textContent.includes(title)"
            " && (document.querySelector('#reveal-root [data-reveal-chart]').data || []).length",
            arg=title,
            timeout=15_000,
        )
        drawn = projector.evaluate(
            "() => document.querySelector('#reveal-root [data-reveal-chart]').data.map(t => t.type)"
        )
        assert ("contour" in drawn) is plane, (title, drawn)
        assert projector.locator("#final-rows tr:not(.ghost)").count() == 2
        best = "Best f(x, y)" if plane else "Best f(x)"
        assert projector.text_content("#final-best") == best, title
        if level.get("fit"):
            check_model_over_data(projector, phones[0][1], level)
        if level.get("prediction"):
            check_prediction_result(projector, [page for _, page, _ in phones])
        if plane or position == 1:
            projector.screenshot(path=str(ARTIFACTS / f"lecture-{position}-projector.png"))
        # the phones see the curve (or the contour map) once revealed
        page = phones[0][1]
        page.reload()
        page.wait_for_selector("#reveal-link:not([hidden])")
        if plane:
            page.wait_for_function(
                "() => document.getElementById('chart').data.some(t => t.type === 'contour')"
            )

    overall = projector.eval_on_selector_all(
        "#overall-rows tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    assert len(overall) == 2 and all("points" in row[2] for row in overall)
    projector.screenshot(path=str(ARTIFACTS / "lecture-final-projector.png"))
    assert desk_problems == [] and projector_problems == []
    for phone, _, problems in phones:
        assert problems == []
        phone.close()
    screen.close()
    context.close()
