"""Jinja2 with gettext, content-hashed static URLs and the request's locale."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from starlette.responses import HTMLResponse

from app.errors import N_
from app.i18n import LOCALES, current_locale, gettext, ngettext
from app.numbers import points, shown
from app.schemas import as_json
from app.security import csrf_token, request_locale

ROOT = Path(__file__).resolve().parent.parent.parent
STATIC_DIR = ROOT / "static"
TEMPLATES_DIR = ROOT / "templates"


@cache
def _static_hash(path: str) -> str:
    return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]


@cache
def _modules_version() -> str:
    """One hash of every ES module: a page's modules import each other by relative URL."""
    digest = hashlib.sha256()
    folder = STATIC_DIR / "js"
    for module in sorted(folder.rglob("*.js")):
        digest.update(module.relative_to(folder).as_posix().encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()[:12]


def static_url(path: str) -> str:
    """The URL of a static file, with its content hash so it can be cached forever (an ES
    module's carries the version of every module in its path: see app/static.py)."""
    if path.startswith("js/"):
        return f"/static/js/v-{_modules_version()}/{path.removeprefix('js/')}"
    return f"/static/{path}?v={_static_hash(path)}"


# Each team's colour on charts, by its place in the lesson (the same palette as
# every page's <meta name="team-colours"> for static/js/teams.js, so a team keeps its colour
# everywhere).
# Told apart by colour-blind eyes too: Okabe and Ito's palette (its black left out), then
# Paul Tol's muted one; on the charts each team also has its own marker shape (teams.js).
TEAM_COLOURS = (
    "#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442",
    "#332288", "#117733", "#882255", "#44aa99", "#999933", "#aa4499", "#88ccee", "#ddcc77",
)  # fmt: skip
# marker shapes, so that no two teams are told apart by colour alone (seven shapes against
# fifteen colours: a colour comes back with another shape)
TEAM_SYMBOLS = (
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "triangle-down",
    "pentagon",
    "hexagon",
)


def team_symbol(index: int) -> str:
    """The marker shape of the team at ``index`` in its lesson (charts, report)."""
    return TEAM_SYMBOLS[index % len(TEAM_SYMBOLS)]


def team_colour(index: int) -> str:
    """The chart colour of the team at this place in its lesson."""
    return TEAM_COLOURS[index % len(TEAM_COLOURS)]


def team_label(number: int, name: str | None) -> str:
    """How a team is shown: its number and name, or "Team <number>" in the page's language."""
    return f"{number} · {name}" if name else gettext("Team %(number)s", number=number)


_STATE_LABELS = {
    "draft": N_("draft"),
    "open": N_("open"),
    "closed": N_("closed"),
    "revealed": N_("revealed"),
}


def state_label(state: str) -> str:
    """A level's state in the page's language."""
    return gettext(_STATE_LABELS[state])


_MODE_LABELS = {
    "free": N_("They choose x (free guess)"),
    "learning_rate": N_("They choose a learning rate η"),
    "momentum": N_("They choose η and a momentum β"),
}


def mode_label(mode: str) -> str:
    """How teams move on a level, in the page's language."""
    return gettext(_MODE_LABELS[mode])


_FIT_LABELS = {
    "line": N_("the loss of a line a·u + b over data (regression)"),
    "relu": N_("the loss of a ReLU neuron c·ReLU(a·u + b) + d over data"),
    "neuron": N_("the loss of a sigmoid neuron σ(a·u + b) sorting points of two classes"),
}


def batch_sizes(most: int) -> list[int]:
    """The batch sizes a phone offers: 1, 2, 4, 8... up to ``most``, and ``most`` itself."""
    sizes = [2**k for k in range(most.bit_length()) if 2**k < most]
    return [*sizes, most]


def fit_label(kind: str) -> str:
    """A model whose loss a level's f is (``app.game.fitting``), in the page's language."""
    return gettext(_FIT_LABELS[kind])


# How the reference players' settings are written beside their names (η=0.4 β₁=0.9 ...).
PARAM_SYMBOLS = {"eta": "η", "beta": "β", "beta1": "β₁", "beta2": "β₂", "rho": "ρ", "length": "ℓ"}


def player_settings(params: dict[str, float]) -> str:
    """A reference player's settings as the reveal writes them: ``η=0.4 β₁=0.9 β₂=0.999``."""
    return " ".join(f"{PARAM_SYMBOLS.get(key, key)}={value:g}" for key, value in params.items())


def mirror_words(mirror: Any, team: str | None = None) -> str:
    """The method a team's guesses resemble, in the page's language: short (``team`` None),
    or the sentence the team's reveal page says (see ``static/js/reveal.js`` for the
    projector's)."""
    if mirror is None:
        return ""
    words = reveal_text()
    method = words["mirror"][mirror.method].replace("{eta}", shown(mirror.eta))
    if team is None:
        return str(method)
    reached = words["mirror_reached" if mirror.reached_after else "mirror_never"]
    values = {
        "team": team,
        "method": method,
        "n": mirror.reached_after,
        "tol": shown(mirror.tolerance),
    }
    said = str(reached).format(**values)
    ghost = MIRROR_GHOSTS.get(mirror.method)
    if ghost is None:
        return said
    return f"{said} {str(words['mirror_ghost']).format(ghost=words['ghosts'][ghost])}"


# the reference player that plays each method the mirror names, where there is one
MIRROR_GHOSTS = {
    "descent": "gradient_descent",
    "newton": "tangent_intersection",
    "random": "random_search",
    "explore": "bayesian",
}


def fits_text() -> dict[str, str]:
    """The words of a model's chart over its data (static/js/fits.js)."""
    return {
        "data": gettext("The data"),
        "best": gettext("The best a, b"),
        "probability": gettext("p(class 1)"),
    }


def prediction_words(prediction: Any, standings: Any) -> str:
    """A prediction's result as the reveal says it (see ``static/js/projector.js``): the
    closest algorithm(s), and the teams that predicted right, named as in ``standings``."""
    result = prediction.result
    names = reveal_text()["ghosts"]
    closest = ", ".join(names.get(key, key) for key in result.closest)
    labels = {row.team_number: team_label(row.team_number, row.team_name) for row in standings}
    right = ", ".join(labels.get(n, team_label(n, None)) for n in result.right)
    said = gettext("No team predicted it.")
    if right:
        said = (
            gettext("Predicted right, +{points} points each: {teams}.")
            if result.points
            else gettext("Predicted right: {teams}.")
        ).format(teams=right, points=result.points)
    return f"{gettext('{names} got closest.').format(names=closest)} {said}"


def reveal_text() -> dict[str, Any]:
    """The words of the reveal component (static/js/reveal.js), in the page's language."""
    return {
        "curve": gettext("The hidden function"),
        "minimum": gettext("True minimum"),
        "start": gettext("Start"),
        "true_slopes": gettext("True slopes"),
        "received_gradients": gettext("−∇f as received (noisy)"),
        "true_gradients": gettext("True −∇f"),
        "team_n": gettext("Team {n}"),
        "play": gettext("Replay ▶"),
        "pause": gettext("Pause ❚❚"),
        "replay": gettext("Replay again ▶"),
        "step": gettext("Guess {k} of {n}"),
        "whole_domain": gettext("Whole domain"),
        "play_area": gettext("Where the play was"),
        "params": PARAM_SYMBOLS,
        "fits": fits_text(),
        "mirror": {
            "descent": gettext("descent (η ≈ {eta})"),
            "bisection": gettext("bisection"),
            "newton": gettext("Newton-like"),
            "scan": gettext("a scan"),
            "explore": gettext("exploring, then digging (like Bayesian optimisation)"),
            "random": gettext("random search"),
        },
        "mirror_reached": gettext(
            "{team} searched like {method}: {n} guesses to within {tol} of the minimum."
        ),
        "mirror_never": gettext(
            "{team} searched like {method}, and never came within {tol} of the minimum."
        ),
        "mirror_ghost": gettext("Compare the dashed path of {ghost}."),
        "ghosts": {
            "gradient_descent": gettext("Gradient descent"),
            "momentum": gettext("Momentum"),
            "random_search": gettext("Random search"),
            "tangent_intersection": gettext("Newton-like (tangents)"),
            "adam": "Adam",
            "rmsprop": "RMSProp",
            "bayesian": gettext("Bayesian optimisation"),
        },
    }


def _tojson_script(value: Any) -> Markup:
    """JSON safe inside a <script type="application/json"> element."""
    text = as_json(value)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above for a script element


def _isotime(value: datetime | None) -> str:
    return value.isoformat() if value else ""


_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True, extensions=["jinja2.ext.i18n"]
)
_env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
templates = Jinja2Templates(env=_env)
templates.env.globals.update(
    static_url=static_url,
    LOCALES=LOCALES,
    team_label=team_label,
    state_label=state_label,
    mode_label=mode_label,
    fit_label=fit_label,
    batch_sizes=batch_sizes,
    fits_text=fits_text,
    reveal_text=reveal_text,
    player_settings=player_settings,
    mirror_words=mirror_words,
    prediction_words=prediction_words,
    team_colour=team_colour,
    TEAM_COLOURS=TEAM_COLOURS,
    TEAM_SYMBOLS=TEAM_SYMBOLS,
)
templates.env.filters.update(num=shown, points=points, script_json=_tojson_script, isotime=_isotime)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page in the request's locale."""
    locale = request_locale(request)
    current_locale.set(locale)
    context.update(
        request=request,
        locale=locale,
        csrf_token=csrf_token(request),
        html_lang=locale.replace("_", "-"),
    )
    return templates.TemplateResponse(request, name, context, status_code=status_code)
