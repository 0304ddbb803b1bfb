"""Constructions that show what depth can do: Telgarsky's sawtooth and Yarotsky's x^2, counted exactly.

Constructions return a ``nnviz.topics.regions.ReluNet`` (plain arrays) so their pieces are counted exactly and
compared with the closed forms. Drawing: a curve with more pieces than a figure has pixels is a block of ink,
so above ``MAX_DRAWN`` pieces a result carries the exact curve on a zoom window and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.format import number
from nnviz.topics.regions import ReluNet, pieces_1d

K_MAX = 10  # layers of the sawtooth slider
P_CHOICES = (2, 3, 4, 5)
MAX_COUNTED = 100_000  # above this many pieces the count is the composition rule p^k, not an enumeration
MAX_DRAWN = 128  # pieces drawn one by one; more would merge into a solid band at a figure's width


def zigzag(u: np.ndarray) -> np.ndarray:
    """The unit zigzag: rises 0 -> 1 on [0, 1], falls 1 -> 0 on [1, 2], period 2."""
    r = np.mod(u, 2.0)
    return 1.0 - np.abs(r - 1.0)


def sawtooth_closed(x: np.ndarray, k: int, p: int = 2) -> np.ndarray:
    """The p-tooth map composed k times on [0, 1] in closed form: t_p^k(x) = zigzag(p^k x), p^k pieces."""
    return zigzag((float(p) ** k) * np.asarray(x, dtype=float))


def tooth_coefficients(p: int) -> np.ndarray:
    """Output weights c_j of t_p(x) = sum_j c_j relu(x - j/p): c_0 = p, c_j = (-1)^j 2p; p = 2 gives 2, -4.
    p = 1 gives relu(x), the identity on [0, 1]."""
    return np.array([p] + [(-1) ** j * 2 * p for j in range(1, p)], dtype=float)


def tooth_net(hidden: Sequence[int]) -> ReluNet:
    """Layer l an h_l-tooth map of the previous layer's tooth: widths [1, h_1, ..., h_L, 1].

    t_q(t_p(x)) = zigzag(pq x), so the network computes zigzag(prod h_l · x) with prod h_l pieces on [0, 1].
    """
    hidden = [int(h) for h in hidden]
    if not hidden or min(hidden) < 1:
        raise ValueError("Need at least one hidden layer, each at least 1 wide.")
    W = [np.ones((hidden[0], 1))]
    for h_prev, h in zip(hidden[:-1], hidden[1:], strict=True):
        W.append(np.outer(np.ones(h), tooth_coefficients(h_prev)))
    W.append(tooth_coefficients(hidden[-1])[None, :])
    b = [-np.arange(h) / h for h in hidden] + [np.zeros(1)]
    return ReluNet(tuple(W), tuple(b))


def sawtooth_net(k: int, p: int = 2) -> ReluNet:
    """The deep network: k hidden layers of p units. p = 2 is the lecture's tent map
    t(x) = 2 relu(x) - 4 relu(x - 1/2), applied k times."""
    if k < 1 or p < 2:
        raise ValueError("Need k >= 1 layers and p >= 2 teeth.")
    return tooth_net([p] * k)


def shallow_sawtooth_net(k: int, p: int = 2) -> ReluNet:
    """One hidden layer with N = p^k units relu(x - i/N) whose output weights reproduce t_p^k on [0, 1]."""
    n = p**k
    slopes = n * np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    out = np.concatenate([[slopes[0]], np.diff(slopes)])
    return ReluNet((np.ones((n, 1)), out[None, :]), (-np.arange(n) / n, np.zeros(1)))


def deep_sawtooth_params(k: int, p: int) -> int:
    """2p + (k-1)(p^2 + p) + p + 1: widths [1, p x k, 1]."""
    return 2 * p + (k - 1) * (p * p + p) + p + 1


def _sup(n: int) -> str:
    """n as Unicode superscript digits (10 -> "¹⁰"), for plain-text captions."""
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


@dataclass(frozen=True)
class SawtoothResult:
    """The sawtooth t_p^k on [0, 1]: the deep network, its piece count and the shallow cost.

    ``x``, ``y`` (n,): the exact polyline on [0, ``x_shown``] (all of [0, 1] unless there are more than
    ``MAX_DRAWN`` pieces); ``breakpoints`` the interior breakpoints in that window.
    """

    k: int
    p: int
    pieces: int
    counted: bool  # True: enumerated breakpoint by breakpoint; False: p^k by the composition rule
    x: np.ndarray
    y: np.ndarray
    breakpoints: np.ndarray
    x_shown: float
    deep_params: int
    shallow_min_units: int  # Telgarsky: at least p^k - 1 units in one hidden layer
    shallow_min_params: int  # 3 per unit + 1 output bias
    max_error_vs_closed_form: float  # at every drawn vertex (the curves are linear in between)

    @property
    def zoomed(self) -> bool:
        return self.x_shown < 1.0

    def caption(self) -> str:
        """What the figure shows, and how the count was obtained."""
        how = ("counted breakpoint by breakpoint" if self.counted else
               f"{self.p}{_sup(self.k)} by the composition rule (too many to enumerate here)")
        shown = (f"The figure shows all {self.pieces:,} pieces." if not self.zoomed else
                 f"{self.pieces:,} pieces would merge into a solid band at this width, so the figure shows the "
                 f"first {self.drawn_pieces:,} exactly, on [0, {self.x_shown:.3g}]; the rest repeat them.")
        gap = "exactly" if self.max_error_vs_closed_form == 0 else f"to {number(self.max_error_vs_closed_form)}"
        return (f"Pieces {how}. {shown} The network's output equals the closed form zigzag({self.p}ᵏ·x) {gap} "
                "at every drawn vertex (both are linear in between).")

    @property
    def drawn_pieces(self) -> int:
        return int(round(self.pieces * self.x_shown))


def sawtooth(k: int, p: int = 2, max_drawn: int = MAX_DRAWN) -> SawtoothResult:
    """Build the deep p-tooth network, count its pieces (exactly when at most MAX_COUNTED) and draw a window."""
    if k < 1 or p < 2 or p**k > 10**8:
        raise ValueError("Choose k >= 1 layers and p >= 2 teeth, with p^k at most 10^8.")
    net = sawtooth_net(k, p)
    n = p**k
    counted = n <= MAX_COUNTED
    pieces = pieces_1d(net, 0.0, 1.0).n_pieces if counted else n
    x_shown = 1.0 if n <= max_drawn else max_drawn / n
    pc = pieces_1d(net, 0.0, x_shown)
    x = pc.edges if len(pc.edges) >= 64 else np.union1d(pc.edges, np.linspace(0.0, x_shown, 65))
    y = net.forward(x[:, None])[:, 0]
    err = float(np.max(np.abs(y - sawtooth_closed(x, k, p))))
    units = n - 1
    return SawtoothResult(k, p, pieces, counted, x, y, pc.breakpoints, x_shown, deep_sawtooth_params(k, p),
                          units, 3 * units + 1, err)


@dataclass(frozen=True)
class SawtoothCosts:
    """Parameters needed for p^k pieces, k = 1..k_max: the deep p-wide network against one hidden layer."""

    k: np.ndarray
    deep_params: np.ndarray  # 2p + (k-1)(p^2 + p) + p + 1
    shallow_params: np.ndarray  # 3 (p^k - 1) + 1: at least p^k - 1 units, 3 parameters each, one output bias


def sawtooth_costs(k_max: int, p: int = 2) -> SawtoothCosts:
    """The parameter counts side by side (closed forms; the tests check them against built networks)."""
    k = np.arange(1, k_max + 1)
    deep = np.array([deep_sawtooth_params(int(j), p) for j in k])
    return SawtoothCosts(k, deep, 3 * (p ** k.astype(float) - 1) + 1)


# ----------------------------------------------------------------------------------------------- Yarotsky

M_MAX = 8


def yarotsky_closed(x: np.ndarray, m: int) -> np.ndarray:
    """f_m(x) = x - sum_{s=1}^m t^(s)(x) / 4^s on [0, 1] (t^(s) the s-fold tent map)."""
    x = np.asarray(x, dtype=float)
    return x - sum(sawtooth_closed(x, s) / 4.0**s for s in range(1, m + 1))


def yarotsky_net(m: int) -> ReluNet:
    """A ReLU network of m hidden layers of width 3 computing f_m exactly.

    Layer s holds relu(g), relu(g - 1/2) of the tooth g = t^(s-1)(x), and the running sum
    a_s = x - sum_{r<s} t^(r)(x)/4^r (>= 0, so ReLU passes it). Widths [1, 3, ..., 3, 1].
    """
    if m < 1:
        raise ValueError("Need m >= 1.")
    W = [np.array([[1.0], [1.0], [1.0]])]
    b = [np.array([0.0, -0.5, 0.0])]
    for s in range(1, m):
        q = 4.0**s
        # new g = 2 h0 - 4 h1; a_{s+1} = a_s - g / 4^s
        W.append(np.array([[2.0, -4.0, 0.0], [2.0, -4.0, 0.0], [-2.0 / q, 4.0 / q, 1.0]]))
        b.append(np.array([0.0, -0.5, 0.0]))
    q = 4.0**m
    W.append(np.array([[-2.0 / q, 4.0 / q, 1.0]]))
    b.append(np.zeros(1))
    return ReluNet(tuple(W), tuple(b))


def shallow_square_net(m: int) -> ReluNet:
    """One hidden layer interpolating x^2 at the 2^m + 1 points i / 2^m: N = 2^m units relu(x - i/N)."""
    n = 2**m
    slopes = (2 * np.arange(n) + 1) / n  # slope of the chord on [i/n, (i+1)/n]
    out = np.concatenate([[slopes[0]], np.diff(slopes)])
    return ReluNet((np.ones((n, 1)), out[None, :]), (-np.arange(n) / n, np.zeros(1)))


@dataclass(frozen=True)
class YarotskyRow:
    """One m: the error bound, the measured maximum error and both networks' parameter counts."""

    m: int
    bound: float  # 2^(-2m-2)
    max_error: float  # measured exactly (see yarotsky_error)
    deep_params: int
    shallow_units: int
    shallow_params: int


def yarotsky_error(net: ReluNet) -> float:
    """max |x^2 - net(x)| on [0, 1] for a piecewise-linear net: on each piece the gap to the convex x^2 is
    largest at its vertex or an end, so checking ends and the points where the slope equals 2x is exact."""
    pc = pieces_1d(net, 0.0, 1.0)
    x_star = np.clip(pc.slope / 2.0, pc.edges[:-1], pc.edges[1:])
    xs = np.concatenate([pc.edges, x_star])
    return float(np.max(np.abs(xs**2 - pc.evaluate(xs))))


def yarotsky_table(m_max: int = M_MAX) -> tuple[YarotskyRow, ...]:
    """Rows m = 1..m_max: Yarotsky's deep network against the shallow interpolant of the same error."""
    rows = []
    for m in range(1, m_max + 1):
        deep = yarotsky_net(m)
        n = 2**m
        rows.append(YarotskyRow(m, 2.0 ** (-2 * m - 2), yarotsky_error(deep), deep.n_parameters, n, 3 * n + 1))
    return tuple(rows)


def first_deep_win(rows: Sequence[YarotskyRow]) -> int | None:
    """The smallest m at which the deep network needs fewer parameters than the shallow one (None if never)."""
    return next((r.m for r in rows if r.deep_params < r.shallow_params), None)


def yarotsky_sentence(row: YarotskyRow, m_win: int | None) -> str:
    """Which network is cheaper at this m, from the counts."""
    head = (f"At m = {row.m}: the deep network has **{row.deep_params}** parameters, the shallow interpolant "
            f"**{row.shallow_params}** ({row.shallow_units} units). ")
    if m_win is None:
        return head + "In this range the shallow one is always cheaper."
    if row.m < m_win:
        return head + f"Here the shallow one is cheaper; from m = {m_win} on the deep one wins."
    return head + (f"From m = {m_win} on the deep one is cheaper, here by a factor of "
                   f"{row.shallow_params / row.deep_params:.1f}, and the factor nearly doubles with every layer.")


@dataclass(frozen=True)
class YarotskyCurve:
    """f_m and x^2 on [0, 1]: ``x`` (n,) four points per piece (nodes and the error's peaks), ``f`` (n,).

    ``humps_drawn`` False when the 2^m humps of the error f - x^2 are too many to draw one by one: the figure
    then draws their envelope, the band [0, 2^(-2m-2)].
    """

    m: int
    x: np.ndarray
    f: np.ndarray
    bound: float
    humps_drawn: bool

    def caption(self) -> str:
        if self.humps_drawn:
            return (f"Below: the error f − x², {2 ** self.m} humps, one per piece, each of height "
                    f"2⁻²ᵐ⁻² at its midpoint.")
        return (f"Below: the error has {2 ** self.m:,} humps, one per piece, too many to draw one by one at this "
                f"width; the shaded band is their envelope: every hump rises from 0 to 2⁻²ᵐ⁻².")


def yarotsky_curve(m: int, max_drawn: int = MAX_DRAWN) -> YarotskyCurve:
    """The curve the Yarotsky figure draws."""
    xs = np.linspace(0, 1, 2 ** (m + 2) + 1)
    return YarotskyCurve(m, xs, yarotsky_closed(xs, m), 2.0 ** (-2 * m - 2), 2**m <= max_drawn)
