"""The expression language: what it accepts, what it refuses and where, and f' exactly."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.game.expression import MAX_LENGTH, ExpressionError, compile_function, parse_expression
from app.game.interval import analyze
from app.game.presets import PRESETS


def central_difference(fn, x: float, h: float = 1e-5) -> float:
    return (fn.f(x + h) - fn.f(x - h)) / (2 * h)


@pytest.mark.parametrize(
    ("text", "x", "expected"),
    [
        ("0.1*x^4 - x^2 + 0.5*x + 3*sin(2*x)", 1.0, 0.1 - 1 + 0.5 + 3 * math.sin(2)),
        ("x**2", -3.0, 9.0),
        ("2^3^2", 0.0, 512.0),  # ^ is a power and binds to the right, as in maths
        ("-x^2", 2.0, -4.0),  # unary minus applies after the power
        ("1.5e-3*x", 2.0, 3e-3),
        ("sigmoid(x)", 0.0, 0.5),
        (
            "abs(x) + sqrt(4) + exp(0) + log(e) + tanh(0) + cos(pi) + tan(0)",
            -2.0,
            2 + 2 + 1 + 1 - 1,
        ),
    ],
)
def test_evaluates_the_grammar_like_maths(text: str, x: float, expected: float) -> None:
    assert compile_function(text).at(x).fx == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "code", "position"),
    [
        ("x.__class__", "expression_not_allowed", 0),
        ("(1).__class__.__bases__", "expression_not_allowed", 0),
        ("__import__('os').system('true')", "expression_not_allowed", 0),
        ("__import__('os')", "expression_unknown_function", 0),
        ("open('/etc/passwd')", "expression_unknown_function", 0),
        ("lambda: 1", "expression_not_allowed", 0),
        ("[x for x in (1, 2)]", "expression_not_allowed", 0),
        ("x + foo", "expression_unknown_name", 4),
        ("x^2 + bar(x)", "expression_unknown_function", 6),
        ("y + 1", "expression_unknown_name", 0),
        ("X", "expression_unknown_name", 0),
        ("9**9**9**9", "expression_power_too_large", None),
        ("9^9^9^9", "expression_power_too_large", None),
        ("x^1000", "expression_power_too_large", 0),
        ("1e309 * x", "expression_number_too_large", 0),
        ("10**400 * x", "expression_power_too_large", 0),
        ("x + sin(exp(1000000000000000))", "expression_number_too_large", 8),
        ("x**cos(exp(10000000))", "expression_number_too_large", 7),
        ("x + sin(exp(exp(exp(10))))", "expression_number_too_large", 12),
        ("x**sqrt(-1)", "expression_constant_undefined", 3),
        ("x**(1/0)", "expression_constant_undefined", 4),
        ("x**log(0)", "expression_constant_undefined", 3),
        (
            "x + 10**15 * 10**15 * 10**15 * 10**15 * 10**15 * 10**15 * 10**15 * 10**15 "
            "* 10**15 * 10**15 * 10**15 * 10**15 * 10**15 * 10**15 * 10**15 * 10**15 "
            "* 10**15 * 10**15 * 10**15 * 10**15 * 10**15",
            "expression_number_too_large",
            None,
        ),
        ("x if x else 1", "expression_not_allowed", 0),
        ("'text'", "expression_not_allowed", 0),
        ("x < 1", "expression_not_allowed", 0),
        ("x // 2", "expression_operator", 0),
        ("x % 2", "expression_operator", 0),
        ("~x", "expression_operator", 0),
        ("sin(x, 2)", "expression_arguments", 0),
        ("sin(x=1)", "expression_arguments", 0),
        ("sin", "expression_function_needs_argument", 0),
        ("x +", "expression_syntax", None),
        ("(x", "expression_syntax", None),
        ("x #[", "expression_syntax", 2),  # no comment hides text from the grammar
        ("x^2 # import os", "expression_syntax", 4),
        ("", "expression_empty", None),
        ("   ", "expression_empty", None),
        ("x" * 10_000, "expression_too_long", MAX_LENGTH),
        ("-" * 300 + "x", "expression_too_deep", None),
        ("sin(" * 60 + "x" + ")" * 60, "expression_too_deep", None),
        ("(" * 240 + "x" + ")" * 240, "expression_too_deep", None),
        ("(" * 150 + "x" + ")" * 150, None, None),
    ],
)
def test_refuses_hostile_and_silly_input_with_its_place(
    text: str, code: str | None, position: int | None
) -> None:
    if code is None:
        parse_expression(text)  # parentheses alone add no depth
        return
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert caught.value.code == code
    if position is not None:
        assert caught.value.position == position


def test_two_dimensional_levels_may_use_y_and_only_then() -> None:
    expression = parse_expression("x^2 + 3*y", ("x", "y"))
    assert {str(s) for s in expression.sympy_expr.free_symbols} == {"x", "y"}
    with pytest.raises(ExpressionError):
        parse_expression("x^2 + 3*y")


def test_never_executes_the_text(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    attempts = [
        f"__import__('os').system('touch {marker}')",
        f"exec(\"open('{marker}', 'w')\")",
        f"eval(\"open('{marker}', 'w')\")",
        f"[c for c in ().__class__.__base__.__subclasses__()] and open('{marker}', 'w')",
    ]
    for text in attempts:
        with pytest.raises(ExpressionError):
            compile_function(text)
    assert not marker.exists()


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_preset_derivative_matches_central_difference(key: str) -> None:
    preset = PRESETS[key]
    fn = compile_function(preset.expression())
    steps = 97
    for i in range(steps):
        x = preset.x_min + (preset.x_max - preset.x_min) * (i + 0.5) / steps
        if key == "kink" and abs(x - preset.defaults["center"]) < 1e-3:
            continue
        point = fn.at(x)
        assert point.is_finite
        assert point.slope == pytest.approx(central_difference(fn, x), rel=1e-4, abs=1e-4)


def test_the_kink_has_the_one_sided_slopes_of_abs() -> None:
    fn = compile_function(PRESETS["kink"].expression(a=2, center=0))
    assert fn.at(-1).slope == -2
    assert fn.at(1).slope == 2
    assert fn.at(0).slope == 0  # sign(0): a subgradient


# Random smooth expressions built from the grammar: f' must match a central difference.
_leaves = st.one_of(
    st.just("x"),
    st.integers(min_value=1, max_value=5).map(str),
    st.floats(min_value=0.1, max_value=3, allow_nan=False).map(lambda v: f"{v:.3g}"),
)


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(children, children).map(lambda t: f"({t[0]}) / (1 + ({t[1]})^2)"),
        st.tuples(children, st.integers(min_value=2, max_value=3)).map(
            lambda t: f"({t[0]})^{t[1]}"
        ),
        st.tuples(st.sampled_from(["sin", "cos", "tanh", "sigmoid", "exp"]), children).map(
            lambda t: f"{t[0]}({t[1]})"
        ),
        children.map(lambda c: f"-({c})"),
    )


smooth_expressions = st.recursive(_leaves, _extend, max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(text=smooth_expressions, x=st.floats(min_value=-2, max_value=2, allow_nan=False))
def test_derivative_matches_central_difference_for_random_expressions(text: str, x: float) -> None:
    fn = compile_function(text)
    point = fn.at(x)
    assume(point.is_finite and abs(point.fx) < 1e6 and abs(point.slope) < 1e6)
    numeric = central_difference(fn, x)
    assume(math.isfinite(numeric))
    assert point.slope == pytest.approx(numeric, rel=1e-3, abs=1e-3 * (1 + abs(point.fx)))


def test_compiles_each_text_once() -> None:
    assert compile_function("x^2 + 7") is compile_function("x^2 + 7")


@pytest.mark.parametrize(
    ("key", "x_star", "f_star"),
    [("bowl", 3.7, 2.0), ("kink", -2.4, 1.0)],
)
def test_analysis_finds_the_true_minimum(key: str, x_star: float, f_star: float) -> None:
    preset = PRESETS[key]
    analysis = analyze(compile_function(preset.expression()), preset.x_min, preset.x_max)
    assert analysis.x_star == pytest.approx(x_star, abs=1e-4)
    assert analysis.f_star == pytest.approx(f_star, abs=1e-6)
    assert analysis.f_median > analysis.f_star


def test_analysis_finds_the_deep_well_not_the_shallow_one() -> None:
    preset = PRESETS["two_wells"]
    fn = compile_function(preset.expression())
    analysis = analyze(fn, preset.x_min, preset.x_max)
    assert analysis.x_star < preset.defaults["center"]  # the deep well is on the left
    assert fn.at(analysis.x_star).slope == pytest.approx(0, abs=1e-4)
    # and from the middle of the domain the slope leads into the other, shallow, well
    assert fn.at(0).slope < 0


def test_analysis_names_where_f_is_not_finite() -> None:
    with pytest.raises(ExpressionError) as caught:
        analyze(compile_function("log(x)"), -1, 1)
    assert caught.value.code == "expression_not_finite"
    assert caught.value.params["x"] == -1
    with pytest.raises(ExpressionError) as caught:
        analyze(compile_function("1/(x - 0.5)"), 0, 1)
    assert caught.value.code == "expression_not_finite"
    assert caught.value.params["x"] == pytest.approx(0.5)


def test_analysis_refuses_an_empty_domain() -> None:
    with pytest.raises(ExpressionError) as caught:
        analyze(compile_function("x"), 1, 1)
    assert caught.value.code == "domain_invalid"
