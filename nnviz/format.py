"""One way to write a number, in LaTeX and in plain text, across every page."""

from __future__ import annotations

import math


def tex_number(x: float, digits: int = 3) -> str:
    r"""``x`` for ``st.latex``: plain below 10^4 and above 10^-3, else a \times 10^{k} form; ∞ and NaN spelt out."""
    if math.isnan(x):
        return r"\text{NaN}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    if x == 0:
        return "0"
    exponent = math.floor(math.log10(abs(x)))
    if -3 <= exponent < 4:
        text = f"{x:.{digits}g}"
        return text if "e" not in text else _sci(x, digits)
    return _sci(x, digits)


def _sci(x: float, digits: int) -> str:
    mantissa, exponent = f"{x:.{max(0, digits - 1)}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    k = int(exponent)
    return rf"10^{{{k}}}" if mantissa in ("1", "") else rf"{mantissa} \times 10^{{{k}}}"


def number(x: float, digits: int = 3) -> str:
    """``x`` in plain text: integers with thousands separators, else ``digits`` significant figures (1.2e-05)."""
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e15):
        return f"{int(x):,}"
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:.{digits}g}"
