"""The safe parser for formulas a user types, such as ``0.2 + 0.4*x**2 + 0.3*x*sin(15*x)``.

``parse_expression(text)`` checks the text with Python's ``ast`` module against a small whitelist
(numbers, the variables, ``pi``, ``e``, ``+ - * / **``, unary minus, parentheses and the math functions
in ``FUNCTIONS``) and turns the tree into a chain of numpy calls. Nothing the user types ever reaches
``eval`` or ``exec``: the tree is walked by this module, node by node, and any node outside the
whitelist (attribute access, subscripts, comprehensions, lambdas, strings, keyword arguments,
comparisons ...) is refused with an ``ExpressionError`` (a ``ValueError``) that says what and where.

Limits keep every formula cheap: at most ``MAX_LENGTH`` characters, at most ``MAX_DEPTH`` levels of
nesting and ``MAX_NODES`` tree nodes, and constant exponents of at most ``MAX_POWER`` in size.
Evaluation is in float64 numpy (never Python integers), so no formula can build a huge number.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MAX_LENGTH = 300
MAX_DEPTH = 24
MAX_NODES = 200
MAX_POWER = 64.0


def _heaviside(z: np.ndarray) -> np.ndarray:
    return np.heaviside(z, 0.5)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


#: name -> (numpy function, number of arguments, what it is)
FUNCTIONS: dict[str, tuple[Callable[..., np.ndarray], int, str]] = {
    "sin": (np.sin, 1, "sine"),
    "cos": (np.cos, 1, "cosine"),
    "tan": (np.tan, 1, "tangent"),
    "exp": (np.exp, 1, "exponential"),
    "log": (np.log, 1, "natural logarithm"),
    "log10": (np.log10, 1, "base-10 logarithm"),
    "log2": (np.log2, 1, "base-2 logarithm"),
    "sqrt": (np.sqrt, 1, "square root"),
    "abs": (np.abs, 1, "absolute value"),
    "tanh": (np.tanh, 1, "hyperbolic tangent"),
    "sinh": (np.sinh, 1, "hyperbolic sine"),
    "cosh": (np.cosh, 1, "hyperbolic cosine"),
    "arcsin": (np.arcsin, 1, "inverse sine"),
    "arccos": (np.arccos, 1, "inverse cosine"),
    "arctan": (np.arctan, 1, "inverse tangent"),
    "asin": (np.arcsin, 1, "inverse sine"),
    "acos": (np.arccos, 1, "inverse cosine"),
    "atan": (np.arctan, 1, "inverse tangent"),
    "floor": (np.floor, 1, "round down"),
    "ceil": (np.ceil, 1, "round up"),
    "round": (np.round, 1, "round to nearest"),
    "sign": (np.sign, 1, "sign: -1, 0 or 1"),
    "sinc": (np.sinc, 1, "sin(pi x)/(pi x)"),
    "step": (_heaviside, 1, "unit step H(x)"),
    "heaviside": (_heaviside, 1, "unit step H(x)"),
    "sigmoid": (_sigmoid, 1, "logistic sigmoid"),
    "relu": (_relu, 1, "max(0, x)"),
    "minimum": (np.minimum, 2, "smaller of two"),
    "maximum": (np.maximum, 2, "larger of two"),
    "min": (np.minimum, 2, "smaller of two"),
    "max": (np.maximum, 2, "larger of two"),
    "mod": (np.mod, 2, "remainder, mod(x, 1) is the fractional part"),
    "arctan2": (np.arctan2, 2, "angle of the point (x, y)"),
}

CONSTANTS: dict[str, float] = {"pi": float(np.pi), "e": float(np.e)}

_BINOPS: dict[type, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.divide,
    ast.Pow: np.power,
}

_WHAT = {
    ast.Attribute: "attribute access (the '.' after a name)",
    ast.Subscript: "indexing with [ ]",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Lambda: "a lambda",
    ast.Compare: "a comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "'if ... else'",
    ast.List: "a list",
    ast.Tuple: "a tuple (a stray comma?)",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.NamedExpr: "the ':=' operator",
    ast.Starred: "a starred argument",
    ast.JoinedStr: "an f-string",
    ast.Await: "'await'",
    ast.Yield: "'yield'",
    ast.Slice: "a slice",
}


class ExpressionError(ValueError):
    """A formula that is not allowed; ``position`` is the 1-based character where the problem is (or None)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        self.position = position
        where = f" (at character {position})" if position is not None else ""
        super().__init__(message + where)


@dataclass(frozen=True)
class Expression:
    """A checked formula: call it with one array per variable; the result has their broadcast shape.

    ``f(x)`` for ``variables=("x",)``: x any shape, float64 result of the same shape, a constant
    formula included. Warnings from numpy (log of a negative, division by zero) are silenced; the
    result then holds nan or inf, which callers check with ``np.isfinite``.
    """

    text: str
    variables: tuple[str, ...]
    _fn: Callable[[dict[str, np.ndarray]], np.ndarray]

    def __call__(self, *args: np.ndarray) -> np.ndarray:
        if len(args) != len(self.variables):
            raise TypeError(f"expected {len(self.variables)} array(s) for {', '.join(self.variables)}")
        arrays = [np.asarray(a, dtype=np.float64) for a in args]
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        with np.errstate(all="ignore"):
            out = self._fn(dict(zip(self.variables, arrays, strict=True)))
        return np.array(np.broadcast_to(np.asarray(out, dtype=np.float64), shape))


def _pos(node: ast.AST) -> int | None:
    col = getattr(node, "col_offset", None)
    return None if col is None else col + 1


def _nesting_depth(text: str) -> int:
    depth = best = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            best = max(best, depth)
        elif ch in ")]}":
            depth -= 1
    return best


def _constant_value(node: ast.AST) -> float | None:
    """The value of a sub-formula without variables (numbers, pi, e, unary minus, arithmetic), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.Name) and node.id in CONSTANTS:
        return CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _constant_value(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    return None


class _Compiler:
    """Walks a parsed tree and builds a closure per node; refuses anything outside the whitelist."""

    def __init__(self, variables: tuple[str, ...]) -> None:
        self.variables = variables
        self.nodes = 0

    def build(self, node: ast.AST, depth: int = 0) -> Callable[[dict[str, np.ndarray]], np.ndarray]:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError(f"The formula is too long: more than {MAX_NODES} parts.", _pos(node))
        if depth > MAX_DEPTH:
            raise ExpressionError(f"The formula is nested too deeply (more than {MAX_DEPTH} levels).", _pos(node))
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ExpressionError(f"Only numbers are allowed, not {type(value).__name__} {value!r}.", _pos(node))
            number = float(value)
            if not np.isfinite(number):
                raise ExpressionError("That number is too large.", _pos(node))
            return lambda env: number
        if isinstance(node, ast.Name):
            name = node.id
            if name in self.variables:
                return lambda env: env[name]
            if name in CONSTANTS:
                c = CONSTANTS[name]
                return lambda env: c
            if name in FUNCTIONS:
                raise ExpressionError(f"'{name}' is a function: write {name}(...).", _pos(node))
            allowed = ", ".join(self.variables)
            raise ExpressionError(f"Unknown name '{name}'. Use the variable {allowed}, pi, e or a listed function.",
                                  _pos(node))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                inner = self.build(node.operand, depth + 1)
                return lambda env: np.negative(inner(env))
            if isinstance(node.op, ast.UAdd):
                return self.build(node.operand, depth + 1)
            raise ExpressionError("Only unary minus and plus are allowed (no 'not' or '~').", _pos(node))
        if isinstance(node, ast.BinOp):
            op = _BINOPS.get(type(node.op))
            if op is None:
                if isinstance(node.op, ast.BitXor):
                    raise ExpressionError("Write powers with ** (x**2), not ^.", _pos(node))
                raise ExpressionError(f"The operator {type(node.op).__name__} is not allowed; use + - * / **.",
                                      _pos(node))
            if isinstance(node.op, ast.Pow):
                exponent = _constant_value(node.right)
                if exponent is not None and abs(exponent) > MAX_POWER:
                    raise ExpressionError(f"Exponents larger than {MAX_POWER:g} in size are not allowed.",
                                          _pos(node.right))
                if isinstance(node.right, ast.BinOp) and isinstance(node.right.op, ast.Pow) \
                        and _constant_value(node.left) is not None:
                    raise ExpressionError("Towers of powers like 9**9**9 are not allowed.", _pos(node))
            left = self.build(node.left, depth + 1)
            right = self.build(node.right, depth + 1)
            return lambda env: op(left(env), right(env))
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise ExpressionError("Only the listed functions can be called, by name, like sin(x).", _pos(node))
            name = node.func.id
            if name not in FUNCTIONS:
                raise ExpressionError(f"Unknown function '{name}'. Allowed: {', '.join(sorted(FUNCTIONS))}.",
                                      _pos(node))
            if node.keywords:
                raise ExpressionError(f"{name}(...) takes no named arguments.", _pos(node))
            fn, arity, _ = FUNCTIONS[name]
            if len(node.args) != arity:
                plural = "s" if arity > 1 else ""
                raise ExpressionError(f"{name}(...) takes {arity} argument{plural}, got {len(node.args)}.", _pos(node))
            args = [self.build(a, depth + 1) for a in node.args]
            if arity == 1:
                (a0,) = args
                return lambda env: fn(a0(env))
            a0, a1 = args
            return lambda env: fn(a0(env), a1(env))
        what = _WHAT.get(type(node), type(node).__name__)
        raise ExpressionError(f"{what[0].upper() + what[1:]} is not allowed in a formula.", _pos(node))


def parse_expression(text: str, variables: tuple[str, ...] = ("x",)) -> Expression:
    """Check ``text`` and return it as a numpy function of ``variables``; an ExpressionError if it is not allowed.

    Nothing is evaluated here; the returned ``Expression`` evaluates on arrays when called.
    """
    if not isinstance(text, str):
        raise ExpressionError("The formula must be text.")
    stripped = text.strip()
    if not stripped:
        raise ExpressionError("The formula is empty; type one such as sin(3*x).")
    if len(stripped) > MAX_LENGTH:
        raise ExpressionError(f"The formula is {len(stripped)} characters long; the limit is {MAX_LENGTH}.")
    if not stripped.isascii() or any(ord(c) < 32 for c in stripped):
        bad = next(i for i, c in enumerate(stripped) if not c.isascii() or ord(c) < 32)
        raise ExpressionError(f"Unexpected character {stripped[bad]!r}; use plain ASCII like x**2.", bad + 1)
    if _nesting_depth(stripped) > MAX_DEPTH:
        raise ExpressionError(f"The formula is nested too deeply (more than {MAX_DEPTH} brackets).")
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as err:
        hint = " Multiplication needs a *, as in 2*x." if any(
            a.isdigit() and (b.isalpha() or b == "(") for a, b in zip(stripped, stripped[1:], strict=False)) else ""
        raise ExpressionError(f"This is not a valid formula ({err.msg}).{hint}", err.offset) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("This formula cannot be read.") from None
    fn = _Compiler(tuple(variables)).build(tree.body)
    return Expression(stripped, tuple(variables), fn)


def describe_functions() -> str:
    """A one-line list of what a formula may use, for the help text under the box."""
    return ("numbers, x, pi, e, + − * / ** (power), parentheses and " + ", ".join(
        sorted({k for k in FUNCTIONS if k not in ("asin", "acos", "atan", "heaviside", "min", "max")})))
