"""Levels whose f is a model's loss over data: the loss and its exact gradient, the dead
ReLU's flat region, pasted CSV read line by line, and every bad field refused."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.game.domain import Fitted, GhostRules, domain_of
from app.game.fitting import MAX_POINTS, Fit, FitError, FitKind, read_fit, read_points
from app.game.moves import Mode, StepBounds
from app.game.plane import Rectangle
from app.game.settings import SettingsErrors, read_level_settings

RAMP = tuple((u, 1.5 * max(0.0, 1.2 * u - 0.6) + 1) for u in np.linspace(-3, 3, 25).tolist())
CLASSES = tuple((u, float(u > 0.4)) for u in np.linspace(-2, 2, 17).tolist())
FITS = [
    Fit(FitKind.LINE, ((1, 2.5), (2, 4.1), (3, 6.2), (4, 7.9))),
    Fit(FitKind.RELU, RAMP, 1.5, 1.0),
    Fit(FitKind.NEURON, CLASSES),
]
POINTS = [(0.7, -0.2), (1.5, -1.0), (-1.3, 2.2), (3.0, 0.4)]


@pytest.mark.parametrize("fit", FITS, ids=lambda fit: fit.kind.value)
def test_the_gradient_is_the_losss_exact_slope(fit: Fit) -> None:
    loss, h = fit.loss, 1e-6
    for x, y in POINTS:
        at = loss.at(x, y)
        assert at.gx == pytest.approx(
            (loss.at(x + h, y).fx - loss.at(x - h, y).fx) / (2 * h), abs=1e-5
        )
        assert at.gy == pytest.approx(
            (loss.at(x, y + h).fx - loss.at(x, y - h).fx) / (2 * h), abs=1e-5
        )


@pytest.mark.parametrize("fit", FITS, ids=lambda fit: fit.kind.value)
def test_sampling_a_grid_gives_what_each_point_gives(fit: Fit) -> None:
    xs, ys = np.linspace(-4, 4, 9), np.linspace(-3, 3, 7)
    grid = fit.loss.sample(xs[:, None], ys[None, :])
    for i, x in enumerate(xs.tolist()):
        for j, y in enumerate(ys.tolist()):
            assert grid[i, j] == pytest.approx(fit.loss.at(x, y).fx)


def test_a_line_fitted_by_its_loss_is_the_least_squares_line() -> None:
    fit = FITS[0]
    facts = domain_of(-5, 5, -5, 5, fit).facts(fit.formula)
    slope, intercept = np.polyfit(*np.array(fit.data).T, 1)
    assert (facts.x_star, facts.y_star) == (
        pytest.approx(slope),
        pytest.approx(intercept, abs=1e-6),
    )


def test_a_dead_relu_is_flat_and_the_live_one_reaches_the_data() -> None:
    fit = FITS[1]
    # a·u + b ≤ 0 at every u in [-3, 3]: the neuron outputs d whatever a and b
    dead = [fit.loss.at(a, b) for a, b in [(0.5, -3.5), (-0.2, -3.0), (0.0, -1.0)]]
    assert {round(p.fx, 12) for p in dead} == {
        round(float(np.mean([(1 - v) ** 2 for _, v in RAMP])), 12)
    }
    assert all(p.gx == 0 and p.gy == 0 for p in dead)
    facts = domain_of(-4, 4, -4, 4, fit).facts(fit.formula)
    assert (facts.x_star, facts.y_star) == (
        pytest.approx(1.2, abs=1e-3),
        pytest.approx(-0.6, abs=1e-3),
    )
    assert facts.f_star == pytest.approx(0, abs=1e-9)


def test_a_neurons_loss_stays_finite_far_out_and_its_minimum_separates_the_classes() -> None:
    fit = FITS[2]
    far = fit.loss.at(1e6, -1e6)
    assert far.is_finite and far.fx > 1  # confident and wrong: large, never infinite
    facts = domain_of(-10, 10, -10, 10, fit).facts(fit.formula)
    p = fit.predict(facts.x_star, facts.y_star, np.array([u for u, _ in CLASSES]))
    assert all((prob > 0.5) == bool(v) for prob, (_, v) in zip(p, CLASSES, strict=True))


def test_the_reveal_draws_each_model_over_the_data() -> None:
    domain = domain_of(-4, 4, -4, 4, FITS[1])
    assert isinstance(domain, Fitted) and domain.kind == "rectangle"
    paths = [[[0.0, -1.0, 5.0], [1.0, -0.5, 0.3], [2.0, 0.0, 2.0]], []]
    drawn = domain.fits((1.2, -0.6), paths, [(1.0, -1.0)])
    assert drawn is not None and drawn["model"] == "relu" and len(drawn["data"]) == 25
    assert drawn["teams"][1] is None and len(drawn["ghosts"]) == 1
    u = np.array(drawn["u"])
    assert drawn["teams"][0] == pytest.approx(FITS[1].predict(1.0, -0.5, u).tolist(), abs=1e-5)
    assert drawn["best"] == pytest.approx(
        (1.5 * np.maximum(1.2 * u - 0.6, 0) + 1).tolist(), abs=1e-5
    )
    assert domain_of(-4, 4, -4, 4).fits((0, 0), paths, []) is None
    assert domain_of(-4, 4, None, None).fits((0, 0), paths, []) is None


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("u,v\n1,2\n3,4", ((1, 2), (3, 4))),
        ("swearing;IQ\n15.35;80\n\n14.35;81\n", ((15.35, 80), (14.35, 81))),
        ("1\t2\n−3\t4e1", ((1, 2), (-3, 40))),
        ('"1.5","2"\n2, 3', ((1.5, 2), (2, 3))),
    ],
)
def test_pasted_csv_reads_as_points(text: str, points) -> None:
    assert read_points(text) == points


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("", "data_empty", {}),
        ("u,v\n\n", "data_empty", {}),
        ("1,2\n\n3,4,5", "data_ragged", {"line": 3, "count": 3}),
        ("1,2\n3", "data_ragged", {"line": 2, "count": 1}),
        ("1,2\n3,four", "data_not_numbers", {"line": 2}),
        ("1,2\n3,nan", "data_not_numbers", {"line": 2}),
        ("1,2\n3,1e400", "data_not_numbers", {"line": 2}),
        (
            "\n".join(f"{i},{i}" for i in range(MAX_POINTS + 1)),
            "data_too_large",
            {"limit": MAX_POINTS},
        ),
    ],
)
def test_bad_data_is_refused_at_its_line(text: str, code: str, params) -> None:
    with pytest.raises(FitError) as refused:
        read_points(text)
    assert (refused.value.field, refused.value.code) == ("fit_data", code)
    assert params.items() <= refused.value.params.items()


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        (("neuron", "1,0\n2,1\n3,0.5"), "fit_data", "data_classes"),
        (("relu", "1,2\n2,3", "0"), "fit_c", "fit_c_zero"),
        (("relu", "1,2\n2,3", "two"), "fit_c", "field_number"),
        (("relu", "1,2\n2,3", "1", "inf"), "fit_d", "field_range"),
        (("cubic", "1,2"), "fit", "invalid_request"),
        (("", "1,2"), "fit", "fit_needed_for_data"),
    ],
)
def test_bad_models_are_refused_at_their_field(fields, field: str, code: str) -> None:
    with pytest.raises(FitError) as refused:
        read_fit(*fields)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_a_level_of_a_fit_takes_its_f_from_the_model_on_a_rectangle() -> None:
    base = {"title": "Neuron", "x_min": "-4", "x_max": "4", "cooldown_seconds": "5"}
    data = "u,v\n" + "\n".join(f"{u},{v}" for u, v in RAMP)
    spec = read_level_settings(
        {
            **base,
            "y_min": "-4",
            "y_max": "4",
            "fit": "relu",
            "fit_data": data,
            "fit_c": "1.5",
            "fit_d": "1",
            "expression": "typed, and not used",
        }
    )
    assert (spec.fit, spec.fit_c, spec.fit_d) == ("relu", 1.5, 1.0)
    assert spec.expression == "(1/25)·Σ (1.5·ReLU(x·u + y) + 1 − v)²"
    assert spec.domain.facts(spec.expression).x_star == pytest.approx(1.2, abs=1e-3)
    line = read_level_settings(
        {**base, "y_min": "0", "y_max": "9", "fit": "line", "fit_data": "1,2\n2,3"}
    )
    assert (line.fit_c, line.fit_d) == (None, None)  # a line fixes nothing
    for fields, field, code in [
        ({"fit": "line", "fit_data": "1,2"}, "y_min", "fit_needs_rectangle"),
        (
            {"y_min": "-4", "y_max": "4", "fit": "relu", "fit_data": "1,x"},
            "fit_data",
            "data_not_numbers",
        ),
    ]:
        with pytest.raises(SettingsErrors) as refused:
            read_level_settings({**base, **fields})
        assert set(refused.value.errors) == {field}  # nothing said of an expression not used
        assert refused.value.errors[field].code == code


def test_the_loss_is_a_plain_number_everywhere_on_the_rectangle() -> None:
    for fit in FITS:
        box = Rectangle(-1e6, 1e6, -1e6, 1e6)
        values = fit.loss.sample(
            np.array([box.x_min, 0, box.x_max])[:, None], np.array([box.y_min, box.y_max])[None, :]
        )
        assert np.all(np.isfinite(values)) and all(math.isfinite(v) for v in values.ravel())


def test_from_a_dead_neuron_the_gradient_players_stay_and_the_searchers_leave() -> None:
    """The lecture's 「它死了」: where a·u + b ≤ 0 at every point the gradient is 0, so
    descent, momentum, Adam and RMSProp never move; random search and Bayesian optimisation
    look at f alone and find the live neuron. Kinks are not curvature: descent's η stays a
    usable step, not one shrunk by the gradient's jumps."""
    fit = FITS[1]
    domain = domain_of(-4, 4, -4, 4, fit)
    facts = domain.facts(fit.formula)
    rules = GhostRules(Mode.FREE, StepBounds(10, 0.99), None, "dead")
    played = {g.key: g for g in domain.play_ghosts(fit.formula, (0.0, -3.0), 20, rules)}
    for key in ("gradient_descent", "momentum", "adam", "rmsprop"):
        assert (played[key].best.x, played[key].best.y) == (0.0, -3.0), key
    dead = fit.loss.at(0.0, -3.0).fx
    for key in ("random_search", "bayesian"):
        assert played[key].best.fx < dead / 1.5, key  # off the flat, down the live side
    assert played["gradient_descent"].params["eta"] > 0.01
    live = {g.key: g for g in domain.play_ghosts(fit.formula, (1.0, 1.0), 20, rules)}
    assert live["momentum"].best.fx - facts.f_star < 0.05
