"""The expression parser under fuzzing: hostile texts — token soups, huge exponents, deep
nesting, long inputs, dunder names, lambdas, attribute access, look-alike letters, NUL bytes
— never run code, never hang, and always either compile (to f and f' that give floats) or
raise the module's own ExpressionError with a code that has a message. Each text is parsed
in a worker process (tests/attack/expression_worker.py) that watches for executed code and
is cut off when a call takes longer than BOUND."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.errors import MESSAGES
from app.game.expression import FUNCTIONS, MAX_CALLS, MAX_LENGTH
from tests.attack import expression_worker
from tests.attack.expression_worker import CANARY

BOUND = 5.0  # seconds for one parse and compile: a hang, not a slow compile (the slowest
# found, six nested functions, takes about 1.5 s on a busy 2-core machine)
OUTSIDE_THE_GRAMMAR = ("__", "lambda", "import", "'", '"', "[", "{", ":", ";", "=", "!")


class Parser:
    """``compile_function`` in a watched worker process."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.calls = 0
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.pool = context.Pool(1, expression_worker.arm, (self.directory,))
        self.pool.apply_async(expression_worker.check, ("x",)).get(timeout=120)  # warm

    def __call__(self, text: str) -> dict:
        self.calls += 1
        pending = self.pool.apply_async(expression_worker.check, (text,))
        try:
            return pending.get(timeout=BOUND)
        except multiprocessing.TimeoutError:
            self.pool.terminate()
            self._start()
            raise AssertionError(f"parsing {text!r} took more than {BOUND} s") from None

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()


@pytest.fixture(scope="module")
def parser(tmp_path_factory) -> Iterator[Parser]:
    worker = Parser(str(tmp_path_factory.mktemp("expression-worker")))
    yield worker
    worker.close()


def judge(parser: Parser, text: str) -> dict:
    """Parse ``text`` and check what every text must satisfy; return the outcome."""
    result = parser(text)
    assert result["tripped"] == [], (text, result["tripped"])
    assert result["seconds"] < BOUND, text
    if result["outcome"] == "refused":
        assert result["code"] in MESSAGES, (text, result["code"])  # a translated message
        position = result["position"]
        assert position is None or 0 <= position <= len(text), (text, position)
    else:
        assert result["outcome"] == "compiled", (text, result)
        assert not any(part in text for part in OUTSIDE_THE_GRAMMAR), text
    return result


RUN = f"__import__('os').system('touch {CANARY}')"
HOSTILE = {
    "9^9^9^9": "expression_power_too_large",
    "9**9**9**9": "expression_power_too_large",
    "2^1000": "expression_power_too_large",
    "x^1e6": "expression_power_too_large",
    "(x+1)^64^64": "expression_power_too_large",
    "1e309": "expression_number_too_large",
    "exp(exp(exp(9)))": "expression_number_too_large",
    "1/0": "expression_constant_undefined",
    "log(0)": "expression_constant_undefined",
    "-" * 400 + "x": "expression_too_deep",
    "x" + "+x" * 200: "expression_too_deep",
    "sin(" * 41 + "x" + ")" * 41: "expression_too_deep",
    "log(abs(" * 19 + "x" + "))" * 19: "expression_too_deep",
    "sigmoid(" * 39 + "x" + ")" * 39: "expression_too_deep",
    "x" * (MAX_LENGTH + 1): "expression_too_long",
    f"__import__('{CANARY}')": "expression_unknown_function",
    RUN: "expression_not_allowed",
    "__import__": "expression_unknown_name",
    "__builtins__": "expression_unknown_name",
    "().__class__.__bases__[0].__subclasses__()": "expression_not_allowed",
    "x.__class__": "expression_not_allowed",
    "sin.__globals__": "expression_not_allowed",
    f"lambda: {RUN}": "expression_not_allowed",
    f"(lambda: {RUN})()": "expression_not_allowed",
    f"[{RUN} for _ in 'a']": "expression_not_allowed",
    f"open('{CANARY}', 'w')": "expression_unknown_function",
    f"exec('import {CANARY}')": "expression_unknown_function",
    f"eval(\"__import__('{CANARY}')\")": "expression_unknown_function",
    f"setattr(__builtins__, '{CANARY}', 1)": "expression_unknown_function",
    "getattr(x, '__class__')": "expression_unknown_function",
    "breakpoint()": "expression_unknown_function",
    f"f'{{__import__(\"{CANARY}\")}}'": "expression_not_allowed",
    "(x := 1)": "expression_not_allowed",
    "x if x else 1": "expression_not_allowed",
    "x[0]": "expression_not_allowed",
    "sin(x, x)": "expression_arguments",
    "sin(x=1)": "expression_arguments",
    "sin": "expression_function_needs_argument",
    "y": "expression_unknown_name",
    "х^2": "expression_unknown_name",  # a Cyrillic letter that looks like x
    "1j*x": "expression_not_allowed",
    "True*x": "expression_not_allowed",
    "x\x00": "expression_syntax",
    "x + \ud800": "expression_syntax",
    "x\u202e+1": "expression_syntax",
    "x;x": "expression_syntax",
    "x\n+1": "expression_syntax",
    "": "expression_empty",
    "ｘ^2": None,  # full-width x is x (Python reads identifiers in NFKC): harmless
    "𝑥 + 1": None,
    "sigmoid(" * MAX_CALLS + "x" + ")" * MAX_CALLS: None,  # the deepest nesting allowed
    "sigmoid(" * (MAX_CALLS + 1) + "x" + ")" * (MAX_CALLS + 1): "expression_too_deep",
    "--(2.951189551115852e-293/0.0)": "expression_constant_undefined",  # was ZeroDivisionError
    "1e300*1e300*x": "expression_number_too_large",
    "abs(cos(sqrt(exp(cos(log(-x))))))": None,  # its slope once needed arg(), re() and im()
    "+": "expression_syntax",
}


@pytest.mark.parametrize("text", list(HOSTILE), ids=[repr(t)[:40] for t in HOSTILE])
def test_named_hostile_texts_get_their_own_refusal(parser: Parser, text: str) -> None:
    result = judge(parser, text)
    expected = HOSTILE[text]
    if expected is None:
        assert result["outcome"] == "compiled", result
    else:
        assert result["outcome"] == "refused" and result["code"] == expected, result


def test_unreadable_characters_and_missing_ends_are_refused_where_they_are(parser) -> None:
    assert judge(parser, "x + 1\x00")["position"] == 5
    assert judge(parser, "(x\ud83d)")["position"] == 2
    assert judge(parser, "x +")["position"] == 3  # something is missing at the end
    assert judge(parser, "lambda x:")["position"] == 9


TOKENS = [
    *["x", "y", "1", "9", "0.5", "64", "1e15", "1e308", "1e-320", "9^9^9^9", "0x1f", "1_0"],
    *["+", "-", "*", "/", "^", "**", "//", "%", "@", "(", ")", "(", ")", ",", ".", " "],
    *["[", "]", "{", "}", ":", ";", "=", ":=", "==", "<", "!", "'", '"', "#", "\\", "\n"],
    *[f"{name}(" for name in FUNCTIONS],
    *["pi", "e", "lambda", "lambda x:", "if", "else", "for", "in", "not", "and", "await"],
    *["__import__", f"('{CANARY}')", "__class__", "__subclasses__()", "__globals__"],
    *["__builtins__", "eval", "exec", "open", "os", ".system", "getattr", "f'", "b'", "..."],
    *["ｘ", "𝑥", "х", "ⅹ", "²", "½", "∞", "−", "×", "÷", "\u200b", "\u202e", "\x00", "\t"],
]
soups = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)
characters = st.text(st.characters(codec="utf-8"), max_size=80)
long_texts = st.text("x+-*/^().0123456789 sincoexpltahgmd", min_size=MAX_LENGTH - 20).map(
    lambda text: text[: MAX_LENGTH + 20]
)
leaves = st.sampled_from(["x", "pi", "e", "1", "2", "0.5", "10", "64", "1e15", "1e-15"]) | (
    st.floats(allow_nan=False, allow_infinity=False).map(repr)
)


def _grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    operator = st.sampled_from(["+", "-", "*", "/", "^", "**"])
    return st.one_of(
        st.tuples(inner, operator, inner).map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
        st.tuples(st.sampled_from(sorted(FUNCTIONS)), inner).map(lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda a: f"-{a}"),
    )


formulas = st.recursive(leaves, _grow, max_leaves=40)
nested = st.tuples(
    st.lists(st.sampled_from(sorted(FUNCTIONS)), min_size=1, max_size=14), formulas
).map(lambda t: "".join(f"{name}(" for name in t[0]) + t[1] + ")" * len(t[0]))


def test_any_text_compiles_or_is_refused_quickly_and_runs_nothing(parser: Parser) -> None:
    sent = parser.calls

    @settings(
        max_examples=350,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(text=st.one_of(soups, characters, long_texts, formulas, nested))
    @example(text="(" * 199 + "x" + ")" * 199)
    @example(text="((" * 60 + "x" + "))" * 60)
    @example(text="x" + "^x" * 39)
    @example(text="abs(x)" + "^abs(x)" * 30)
    @example(text="tan(" * MAX_CALLS + "x^x^x^x^x^x^x^x" + ")" * MAX_CALLS)
    @example(text="tanh(sigmoid(sigmoid(exp(--abs(abs(x))))))")  # among the slowest found
    @example(text="log(abs(cos(sqrt(exp(cos(log(-(x+0.0))))))))")
    def fuzz(text: str) -> None:
        judge(parser, text)

    fuzz()
    assert parser.calls - sent >= 350  # every text went through the worker


def test_the_canaries_work(parser: Parser) -> None:
    """What executed text would do, done on purpose in the worker, trips the canaries."""
    tripped = parser.pool.apply_async(_trip_the_canaries).get(timeout=30)
    assert len(tripped) >= 3, tripped


def _trip_the_canaries() -> list[str]:
    """Set a builtin, write a file and import a module named after the canary, in the worker."""
    import builtins

    setattr(builtins, CANARY, 1)
    try:
        with open(CANARY, "w"):
            pass
        try:
            __import__(CANARY)
        except ImportError:
            pass
        return expression_worker.check("x")["tripped"]
    finally:
        delattr(builtins, CANARY)
        import os

        os.remove(CANARY)
