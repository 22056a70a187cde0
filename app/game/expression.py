"""Hidden functions: text -> checked sympy expression -> compiled f and f'.

Each is compiled twice: to plain Python over floats (``math``), for the guess path, where
one call must be cheap; and to numpy over arrays, for sampling a whole domain at once (the
true minimum and median, the curve, the contour map). Both give NaN wherever f is not
defined or overflows.

The text is parsed by Python's ``ast`` module and walked against a whitelist; each
allowed node is turned into a sympy object by this module. Nothing from the text is
ever evaluated as Python, handed to ``sympify``/``parse_expr``, or turned into a
``Symbol``: the only symbols are the ones created here.
"""

from __future__ import annotations

import ast
import builtins
import dis
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import sympy

from app.game.sampling import NUMPY_MODULES, Vector, safe_call, sampled

MAX_LENGTH = 500
MAX_DEPTH = 40
MAX_CALLS = 6  # functions inside functions: sympy slows down fast beyond a few
MAX_NODES = 20_000  # f' written out (what is compiled): beyond this it is refused
MAX_EXPONENT = 64.0
MAX_CONSTANT = 1e15
MAX_FOLDED = 1e300

_SYMBOLS = {name: sympy.Symbol(name, real=True) for name in ("x", "y")}
_CONSTANTS: dict[str, Any] = {"pi": sympy.pi, "e": sympy.E}


def _sigmoid(u: Any) -> Any:
    return 1 / (1 + sympy.exp(-u))


class RealAbs(sympy.Function):  # type: ignore[misc]
    """|u| of a real u, left as it is. sympy's own Abs rewrites itself inside derivatives
    (as u/sign(u), or through re, im and arg for arguments it cannot prove real), so f' of
    nested abs grew without bound and could need functions the math module has not."""

    @classmethod
    def eval(cls, arg: Any) -> Any:
        return sympy.Abs(arg) if arg.is_number else None

    def fdiff(self, argindex: int = 1) -> Any:
        return RealSign(self.args[0])


class RealSign(sympy.Function):  # type: ignore[misc]
    """The sign of a real u (0 at 0): the slope of |u|, flat everywhere it is defined."""

    @classmethod
    def eval(cls, arg: Any) -> Any:
        return sympy.sign(arg) if arg.is_number else None

    def fdiff(self, argindex: int = 1) -> Any:
        return sympy.S.Zero


FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "abs": RealAbs,
    "tanh": sympy.tanh,
    "sigmoid": _sigmoid,
}

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}

_NODE_WORDS = {
    ast.Attribute: "attribute access",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "comprehension",
    ast.Subscript: "indexing",
    ast.Compare: "comparison",
    ast.BoolOp: "boolean operator",
    ast.IfExp: "conditional",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Dict: "dict",
    ast.Set: "set",
    ast.NamedExpr: "assignment",
    ast.JoinedStr: "string",
    ast.Starred: "starred argument",
}


class ExpressionError(ValueError):
    """Why a text is not an acceptable hidden function, and where.

    ``code`` is machine-readable, ``params`` fill the translated message, and
    ``position`` is the 0-based character offset in the original text (or None).
    """

    def __init__(self, code: str, position: int | None = None, **params: Any) -> None:
        super().__init__(f"{code} at {position}: {params}")
        self.code = code
        self.position = position
        self.params = params


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, the variables it may use, and its sympy form."""

    text: str
    variables: tuple[str, ...]
    sympy_expr: Any = field(compare=False)


@dataclass(frozen=True)
class Point:
    """The value and slope of f at x."""

    x: float
    fx: float
    slope: float

    @property
    def is_finite(self) -> bool:
        """Both f(x) and f'(x) are finite numbers."""
        return math.isfinite(self.fx) and math.isfinite(self.slope)


@dataclass(frozen=True)
class CompiledFunction:
    """f and f' of one expression in one variable, compiled to plain Python floats, and
    (for sampling) over numpy arrays."""

    text: str
    f: Callable[[float], float] = field(compare=False)
    df: Callable[[float], float] = field(compare=False)
    fv: Vector | None = field(default=None, compare=False)
    dfv: Vector | None = field(default=None, compare=False)

    def at(self, x: float) -> Point:
        """f(x) and f'(x); NaN where either is undefined or overflows."""
        return Point(x=x, fx=safe_call(self.f, x), slope=safe_call(self.df, x))

    def sample(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """f and f' at every x of ``xs`` at once (NaN where undefined, as ``at``)."""
        return sampled(self.fv, self.f, xs), sampled(self.dfv, self.df, xs)


class _Offsets:
    """Maps offsets in the text handed to ``ast`` back to the text the user typed."""

    def __init__(self, original: str) -> None:
        self.lines = original.split("\n")
        self.carets: list[list[int]] = [
            [i for i, ch in enumerate(line) if ch == "^"] for line in self.lines
        ]

    def original(self, lineno: int | None, col: int | None) -> int | None:
        if lineno is None or col is None or lineno < 1 or lineno > len(self.lines):
            return None
        line = lineno - 1
        # each "^" became "**": one extra character per caret before this column
        shift = 0
        for caret in self.carets[line]:
            if caret + shift < col:
                shift += 1
        start = sum(len(text) + 1 for text in self.lines[:line])
        return start + col - shift


def parse_expression(text: str, variables: tuple[str, ...] = ("x",)) -> Expression:
    """Check ``text`` against the grammar and build its sympy expression.

    Raises ExpressionError naming the problem and its place in the text.
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("expression_empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError("expression_too_long", MAX_LENGTH, limit=MAX_LENGTH)
    for place, character in enumerate(text):
        if character == "\x00" or "\ud800" <= character <= "\udfff":  # unreadable as text
            raise ExpressionError("expression_syntax", place)
        if character == "#":  # Python would read the rest as a comment and ignore it
            raise ExpressionError("expression_syntax", place)
    offsets = _Offsets(text)
    source = text.replace("^", "**")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg):
            raise ExpressionError("expression_too_deep", None, limit=MAX_DEPTH) from None
        col = exc.offset - 1 if exc.offset is not None else None
        lead = len(source) - len(source.lstrip())
        position = offsets.original(exc.lineno, None if col is None else col + lead)
        if position is not None and not 0 <= position < len(text):
            position = len(text)  # something is missing at the end
        raise ExpressionError("expression_syntax", position) from None
    except (RecursionError, MemoryError):
        raise ExpressionError("expression_too_deep", None, limit=MAX_DEPTH) from None
    except ValueError:
        raise ExpressionError("expression_syntax", None) from None
    lead = len(source) - len(source.lstrip())
    walker = _Walker(variables, offsets, lead)
    return Expression(text=text, variables=variables, sympy_expr=walker.build(tree.body, 1))


class _Walker:
    """Turns whitelisted ``ast`` nodes into sympy objects, refusing everything else."""

    def __init__(self, variables: tuple[str, ...], offsets: _Offsets, lead: int) -> None:
        self.variables = variables
        self.offsets = offsets
        self.lead = lead
        self.calls = 0  # how many function calls the node being built is inside

    def where(self, node: ast.AST) -> int | None:
        lineno = getattr(node, "lineno", None)
        col = getattr(node, "col_offset", None)
        return self.offsets.original(lineno, None if col is None else col + self.lead)

    def build(self, node: ast.AST, depth: int) -> Any:
        """The sympy form of ``node``; a part without x is folded to one finite number."""
        try:
            built = self._build(node, depth)
        except OverflowError:  # sympy's arithmetic on two constants, like 1e300 * 1e300
            raise ExpressionError("expression_number_too_large", self.where(node)) from None
        except ArithmeticError:  # like 1e-300 / 0.0
            raise ExpressionError("expression_constant_undefined", self.where(node)) from None
        if built.free_symbols:
            return built
        return self.fold(built, node)

    def fold(self, constant: Any, node: ast.AST) -> Any:
        """A constant part as one number, computed now, so sympy never carries a constant it
        would take forever to evaluate (``sin(exp(10^15))``) or one that is undefined."""
        try:
            value = float(constant)
        except OverflowError:
            raise ExpressionError("expression_number_too_large", self.where(node)) from None
        except (TypeError, ValueError):
            raise ExpressionError("expression_constant_undefined", self.where(node)) from None
        if math.isnan(value):
            raise ExpressionError("expression_constant_undefined", self.where(node))
        if not math.isfinite(value) or abs(value) > MAX_FOLDED:
            raise ExpressionError("expression_number_too_large", self.where(node))
        return constant if isinstance(constant, sympy.Rational) else sympy.Float(value)

    def _build(self, node: ast.AST, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ExpressionError("expression_too_deep", self.where(node), limit=MAX_DEPTH)
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self.build(node.operand, depth + 1)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return self.power(node, depth)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left = self.build(node.left, depth + 1)
            right = self.build(node.right, depth + 1)
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.BinOp | ast.UnaryOp):
            raise ExpressionError("expression_operator", self.where(node))
        what = _NODE_WORDS.get(type(node), type(node).__name__.lower())
        raise ExpressionError("expression_not_allowed", self.where(node), what=what)

    def number(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExpressionError("expression_not_allowed", self.where(node), what="text")
        try:
            as_float = float(value)
        except OverflowError:
            as_float = math.inf
        if not math.isfinite(as_float) or abs(as_float) > MAX_CONSTANT:
            raise ExpressionError("expression_number_too_large", self.where(node))
        return sympy.Integer(value) if isinstance(value, int) else sympy.Float(value)

    def name(self, node: ast.Name) -> Any:
        if node.id in self.variables:
            return _SYMBOLS[node.id]
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise ExpressionError(
                "expression_function_needs_argument", self.where(node), name=node.id
            )
        raise ExpressionError("expression_unknown_name", self.where(node), name=node.id[:40])

    def power(self, node: ast.BinOp, depth: int) -> Any:
        base = self.build(node.left, depth + 1)
        exponent = self.build(node.right, depth + 1)
        if not exponent.free_symbols:  # folded: a finite number
            magnitude = abs(float(exponent))
            too_big = magnitude > MAX_EXPONENT
            if not too_big and not base.free_symbols and abs(float(base)) > 1:
                too_big = magnitude * math.log10(abs(float(base))) > 300
            if too_big:
                raise ExpressionError("expression_power_too_large", self.where(node))
        return base**exponent

    def call(self, node: ast.Call, depth: int) -> Any:
        if not isinstance(node.func, ast.Name):
            what = _NODE_WORDS.get(type(node.func), "call")
            raise ExpressionError("expression_not_allowed", self.where(node.func), what=what)
        name = node.func.id
        if name not in FUNCTIONS:
            raise ExpressionError(
                "expression_unknown_function", self.where(node.func), name=name[:40]
            )
        if node.keywords or len(node.args) != 1:
            raise ExpressionError("expression_arguments", self.where(node), name=name)
        if self.calls >= MAX_CALLS:
            raise ExpressionError("expression_too_deep", self.where(node), limit=MAX_CALLS)
        self.calls += 1
        try:
            return FUNCTIONS[name](self.build(node.args[0], depth + 1))
        finally:
            self.calls -= 1


def _sign(value: float) -> float:
    return math.copysign(1.0, value) if value else 0.0


_LAMBDIFY_MODULES: list[Any] = [
    {"sign": _sign, "Abs": abs, "RealSign": _sign, "RealAbs": abs},
    "math",
]


def _unknown_names(fn: Callable[[float], float]) -> set[str]:
    """Names the compiled code would look up and not find (a function of sympy's that has no
    counterpart in the math module): calling it would fail, not give a number."""
    loads = ("LOAD_GLOBAL", "LOAD_NAME")
    names = {i.argval for i in dis.get_instructions(fn) if i.opname in loads}
    return {name for name in names if name not in fn.__globals__ and not hasattr(builtins, name)}


def _written_size(expr: Any) -> int:
    """How many nodes ``expr`` has written out as a tree (as lambdify prints it), counted
    without writing it out: sympy shares equal parts, so this may be far more than it holds."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(expr, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if children_done:
            sizes[id(node)] = 1 + sum(sizes[id(arg)] for arg in node.args)
        else:
            stack.append((node, True))
            stack.extend((arg, False) for arg in node.args if id(arg) not in sizes)
    return sizes[id(expr)]


def _compiled(expression: Expression) -> tuple[list[Callable[..., float]], list[Vector]]:
    """f and each of its partial derivatives, differentiated exactly and compiled to plain
    Python over floats, and to numpy over arrays. A text whose derivatives would be too
    large to compile in reasonable time is refused as too deep (it is nesting that makes
    derivatives grow)."""
    args = [_SYMBOLS[name] for name in expression.variables]
    try:
        slopes = [sympy.diff(expression.sympy_expr, arg) for arg in args]
        if any(_written_size(slope) > MAX_NODES for slope in slopes):
            raise ExpressionError("expression_too_deep", None, limit=MAX_CALLS)
        each = (expression.sympy_expr, *slopes)
        fns = [sympy.lambdify(args, part, modules=_LAMBDIFY_MODULES) for part in each]
        vectors = [sympy.lambdify(args, part, modules=NUMPY_MODULES) for part in each]
    except (RecursionError, MemoryError, SyntaxError):  # sympy or Python's compiler gave up
        raise ExpressionError("expression_too_deep", None, limit=MAX_DEPTH) from None
    if any(_unknown_names(fn) for fn in fns):
        raise ExpressionError("expression_not_allowed", None, what="complex numbers")
    return fns, vectors


@lru_cache(maxsize=256)
def compile_function(text: str) -> CompiledFunction:
    """Parse, differentiate exactly and compile a one-variable expression, once per text."""
    (f, df), (fv, dfv) = _compiled(parse_expression(text, ("x",)))
    return CompiledFunction(text=text, f=f, df=df, fv=fv, dfv=dfv)


@dataclass(frozen=True)
class PlanePoint:
    """The value and the gradient of f(x, y) at (x, y)."""

    x: float
    y: float
    fx: float
    gx: float  # ∂f/∂x
    gy: float  # ∂f/∂y

    @property
    def is_finite(self) -> bool:
        return all(math.isfinite(v) for v in (self.fx, self.gx, self.gy))


@dataclass(frozen=True)
class CompiledPlane:
    """f(x, y) and its gradient, compiled to plain Python floats (two-parameter levels)."""

    text: str
    f: Callable[[float, float], float] = field(compare=False)
    dfx: Callable[[float, float], float] = field(compare=False)
    dfy: Callable[[float, float], float] = field(compare=False)
    fv: Vector | None = field(default=None, compare=False)

    def sample(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """f at every (x, y) of the arrays at once (NaN where undefined, as ``at``)."""
        return sampled(self.fv, self.f, xs, ys)

    def at(self, x: float, y: float) -> PlanePoint:
        """f and its gradient at (x, y); NaN where any is undefined or overflows."""
        return PlanePoint(
            x, y, safe_call(self.f, x, y), safe_call(self.dfx, x, y), safe_call(self.dfy, x, y)
        )


@lru_cache(maxsize=256)
def compile_plane(text: str) -> CompiledPlane:
    """Parse, differentiate exactly and compile an expression in x and y, once per text."""
    (f, dfx, dfy), (fv, _, _) = _compiled(parse_expression(text, ("x", "y")))
    return CompiledPlane(text=text, f=f, dfx=dfx, dfy=dfy, fv=fv)
