"""Toy data sets: 2-D points with labels, generated from a seed (no downloads).

Arrays: ``X`` has shape (n, 2), ``y`` shape (n,) with integer labels 0, 1, ... (classification)
or real targets (regression).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

#: The truth tables of two-input logic gates, inputs in {0, 1}.
GATES: dict[str, tuple[int, int, int, int]] = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "XOR": (0, 1, 1, 0),
}


@dataclass(frozen=True)
class Points:
    """A labelled 2-D data set: X (n, 2) float, y (n,) labels."""

    X: np.ndarray
    y: np.ndarray
    name: str


def logic_gate(name: str) -> Points:
    """The four corners of the unit square labelled by the gate's truth table (x1, x2) -> y."""
    if name not in GATES:
        raise ValueError(f"Unknown gate {name!r}; choose one of {', '.join(GATES)}.")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    return Points(X, np.array(GATES[name], dtype=int), name)


def two_blobs(n: int = 100, spread: float = 1.0, seed: int = 0) -> Points:
    """Two Gaussian blobs centred at (-1.5, -1.5) and (1.5, 1.5): scikit-learn's ``make_blobs`` with these centres,
    ``cluster_std=spread`` and ``random_state=seed``, point for point (tested), without importing scikit-learn
    (1.5-3 s: the first pick of this set waited for it)."""
    rng = np.random.RandomState(seed)
    sizes = [n // 2 + (n % 2), n // 2]
    X = np.concatenate([rng.normal(loc=c, scale=spread, size=(m, 2)) for c, m in zip((-1.5, 1.5), sizes, strict=True)])
    y = np.repeat([0, 1], sizes)
    order = np.arange(n)
    rng.shuffle(order)
    return Points(X[order].astype(float), y[order].astype(int), "two blobs")


def _moons(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's ``make_moons(n, noise=None, random_state=seed)``, point for point (tested), in numpy."""
    n_out, n_in = n // 2, n - n // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(t_out), 1 - np.cos(t_in)), np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, dtype=int), np.ones(n_in, dtype=int)])
    order = np.arange(n)
    np.random.RandomState(seed).shuffle(order)
    return X[order], y[order]


# ---------------------------------------------------------------------------------------------------------------
# The playground's data sets (after TensorFlow Playground's dataset.ts), a train/test split and a CSV loader
# ---------------------------------------------------------------------------------------------------------------

#: The input plane every playground set lives in: [-DOMAIN, DOMAIN]^2.
DOMAIN = 6.0

#: Classification sets: key -> display name. Labels are 0, 1, ... (class 1 is drawn blue).
CLASSIFICATION_SETS: dict[str, str] = {
    "circle": "Circle",
    "xor": "Exclusive or (XOR)",
    "gauss": "Two Gaussians",
    "spiral": "Spiral",
    "moons": "Two moons",
    "gauss3": "Three Gaussians (3 classes)",
    "spiral3": "Three-arm spiral (3 classes)",
}
#: Regression sets: key -> display name. Targets are real numbers in [-1, 1].
REGRESSION_SETS: dict[str, str] = {
    "plane": "Plane  y = (x₁ + x₂)/10, capped at ±1",
    "multi_gauss": "Six Gaussian bumps",
    "sine": "Sine wave  y = sin x₁",
}

#: Limits of an uploaded CSV, all checked before a number is parsed: its size, its lines (rows), the characters
#: in one line and the values in one line; then its classes and the size of its numbers.
CSV_MAX_BYTES = 200_000
CSV_MAX_ROWS = 5_000
CSV_MIN_ROWS = 10
CSV_MAX_LINE_CHARS = 200
CSV_COLUMNS = 3
CSV_MAX_CLASSES = 6
#: The largest |value| accepted: far beyond any coordinate or label a student types, far below where centring
#: and scaling could overflow (1e308 passes a finiteness check and turns into inf when scaled).
CSV_MAX_ABS = 1e12


def _spiral_arms(n: int, arms: int, noise: float, rng: np.random.Generator, name: str) -> Points:
    """``arms`` interleaved spirals of radius 5 (TF Playground's spiral: 1.75 turns, uniform jitter of +-noise)."""
    X, y = [], []
    per_arm = [n // arms + (1 if k < n % arms else 0) for k in range(arms)]
    for k, m in enumerate(per_arm):
        i = np.arange(m)
        r = i / m * 5.0
        t = 1.75 * i / m * 2 * np.pi + 2 * np.pi * k / arms
        pts = np.stack([r * np.sin(t), r * np.cos(t)], axis=1) + rng.uniform(-1, 1, (m, 2)) * noise
        X.append(pts)
        y.append(np.full(m, k))
    return Points(np.concatenate(X), np.concatenate(y).astype(int), name)


def playground_set(name: str, n: int = 500, noise: float = 0.0, seed: int = 0) -> Points:
    """One of the playground's data sets: ``n`` points in [-6, 6]^2 (X (n, 2)), labels or targets y (n,).

    ``noise`` in [0, 0.5] is the fraction TF Playground's slider shows as 0-50 %: jitter of the points
    (circle, XOR, spiral, moons, regression sets: positions are jittered before labelling) or a wider
    spread (the Gaussian sets). The same ``seed`` gives the same points.
    """
    if not 4 <= n <= 10_000:
        raise ValueError("Choose between 4 and 10,000 points.")
    if not 0.0 <= noise <= 0.5:
        raise ValueError("Noise is a fraction between 0 and 0.5.")
    rng = np.random.default_rng(seed)
    if name == "circle":
        radius = 5.0
        half = n // 2
        r = np.concatenate([rng.uniform(0, radius * 0.5, half), rng.uniform(radius * 0.7, radius, n - half)])
        angle = rng.uniform(0, 2 * np.pi, n)
        X = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
        jitter = rng.uniform(-radius, radius, (n, 2)) * noise
        y = (np.hypot(*(X + jitter).T) < radius * 0.5).astype(int)
    elif name == "xor":
        X = rng.uniform(-5, 5, (n, 2))
        X += np.where(X > 0, 0.3, -0.3)
        jitter = rng.uniform(-5, 5, (n, 2)) * noise
        y = ((X + jitter).prod(axis=1) >= 0).astype(int)
    elif name == "gauss":
        std = np.sqrt(0.5 + 3.5 * noise / 0.5)  # variance from 0.5 to 4, as TF Playground
        half = n // 2
        X = np.concatenate([rng.normal(2, std, (half, 2)), rng.normal(-2, std, (n - half, 2))])
        y = np.concatenate([np.ones(half, int), np.zeros(n - half, int)])
    elif name == "gauss3":
        std = np.sqrt(0.5 + 3.5 * noise / 0.5)
        angles = np.pi / 2 + 2 * np.pi * np.arange(3) / 3
        centres = 3.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
        y = np.arange(n) % 3
        X = centres[y] + rng.normal(0, std, (n, 2))
    elif name == "spiral":
        return _spiral_arms(n, 2, noise, rng, name)
    elif name == "spiral3":
        return _spiral_arms(n, 3, noise, rng, name)
    elif name == "moons":
        X, y = _moons(n, int(rng.integers(2**31)))
        X = (X - [0.5, 0.25]) * 3.0 + rng.uniform(-1, 1, (n, 2)) * noise * 2.0
        y = y.astype(int)
    elif name in REGRESSION_SETS:
        X = rng.uniform(-DOMAIN, DOMAIN, (n, 2))
        y = regression_target(name, X + rng.uniform(-DOMAIN, DOMAIN, (n, 2)) * noise)
    else:
        raise ValueError(f"Unknown data set {name!r}.")
    return Points(np.asarray(X, dtype=float), y, name)


_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], float)


def regression_target(name: str, X: np.ndarray) -> np.ndarray:
    """The noise-free target y(x) of a regression set at points X (n, 2); values in [-1, 1], shape (n,)."""
    X = np.asarray(X, dtype=float)
    if name == "plane":  # (x1 + x2)/10 reaches ±1.2 in the corners (more with noise): capped, as its name says
        return np.clip((X[:, 0] + X[:, 1]) / 10.0, -1.0, 1.0)
    if name == "sine":
        return np.sin(X[:, 0])
    if name == "multi_gauss":
        # each bump: sign * max(0, 1 - distance/2); the strongest bump wins (TF Playground's regressGaussian)
        d = np.hypot(X[:, None, 0] - _BUMPS[:, 0], X[:, None, 1] - _BUMPS[:, 1])  # (n, 6)
        v = _BUMPS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)
        return v[np.arange(len(X)), np.abs(v).argmax(axis=1)]
    raise ValueError(f"{name!r} is not a regression set.")


@dataclass(frozen=True)
class Split:
    """A data set cut into training and test points: X_* (n_*, 2), y_* (n_*,).

    ``n_classes`` is the number of classes (0 for regression).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    name: str

    @property
    def task(self) -> str:
        return "regression" if self.n_classes == 0 else "classification"


def train_test_split(points: Points, train_fraction: float, seed: int = 0, regression: bool = False) -> Split:
    """Shuffle ``points`` with ``seed`` and keep round(train_fraction * n) of them for training (at least one each)."""
    if not 0.0 < train_fraction < 1.0:
        raise ValueError("The training fraction must be strictly between 0 and 1.")
    n = len(points.X)
    if n < 2:
        raise ValueError("A split needs at least two points.")
    n_train = min(n - 1, max(1, round(train_fraction * n)))
    order = np.random.default_rng(seed + 7919).permutation(n)
    tr, te = order[:n_train], order[n_train:]
    n_classes = 0 if regression else int(points.y.max()) + 1
    return Split(points.X[tr], points.y[tr], points.X[te], points.y[te], n_classes, points.name)


@dataclass(frozen=True)
class CsvData:
    """An uploaded data set after checking: the points (rescaled into the plane) and what was done to them."""

    points: Points
    notes: tuple[str, ...]


_SEPARATORS = str.maketrans({";": ",", "\t": ",", " ": ","})
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_FORMAT = "Upload a CSV with three columns: x1, x2, label."


def _text_lines(data: bytes) -> list[str]:
    """The non-blank lines of an upload, after the checks that need no parsing: size, text, rows, line length."""
    if len(data) > CSV_MAX_BYTES:
        raise ValueError(f"The file is {len(data) / 1000:.0f} kB; the limit is {CSV_MAX_BYTES // 1000} kB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"This is not a text file. {_FORMAT}") from None
    if any(c < " " and c not in "\t\r\n" for c in text):  # NUL and other control bytes: binary, not CSV
        raise ValueError(f"This is not a text file. {_FORMAT}")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise ValueError(f"The file is empty. {_FORMAT}")
    if len(lines) > CSV_MAX_ROWS + 1:  # one header line is allowed
        raise ValueError(f"The file has more than {CSV_MAX_ROWS:,} rows; keep it smaller.")
    for i, line in enumerate(lines):
        if len(line) > CSV_MAX_LINE_CHARS:
            raise ValueError(f"Line {i + 1} is {len(line):,} characters long; a line of x1, x2, label needs at "
                             f"most {CSV_MAX_LINE_CHARS}. {_FORMAT}")
    return lines


def _rows(lines: list[str]) -> np.ndarray:
    """(n, 3) floats from the lines, the first line skipped if it is a header; every value finite and bounded.

    Messages name the line and the column, never the file's text (it may be markdown or HTML)."""
    rows: list[list[float]] = []
    for i, line in enumerate(lines):
        parts = [p for p in line.translate(_SEPARATORS).split(",") if p != ""]
        if len(parts) != CSV_COLUMNS:
            if i == 0 and len(lines) > 1 and not _numbers(parts):
                continue  # a header line of another width is still a header
            raise ValueError(f"Line {i + 1} has {len(parts)} values; every line needs exactly three: x1, x2, label.")
        values = _numbers(parts)
        if values is None:
            if i == 0:
                continue  # a header line
            bad = next(k for k, p in enumerate(parts) if _number(p) is None)
            raise ValueError(f"Line {i + 1}, column {bad + 1} is not a number. Use digits, a decimal point and "
                             "a minus sign only (for example -1.25).")
        for k, v in enumerate(values):
            if not np.isfinite(v):
                raise ValueError(f"Line {i + 1}, column {k + 1} is infinite or missing (NaN); every value must be "
                                 "an ordinary number.")
            if abs(v) > CSV_MAX_ABS:
                raise ValueError(f"Line {i + 1}, column {k + 1} is larger than 10^{np.log10(CSV_MAX_ABS):.0f} in "
                                 "size. Rescale your data (for example to thousands or millions) and upload again.")
        rows.append(values)
    if len(rows) < CSV_MIN_ROWS:
        raise ValueError(f"The file has {len(rows)} data rows; at least {CSV_MIN_ROWS} are needed.")
    return np.array(rows, dtype=np.float64)


def _number(text: str) -> float | None:
    """A float from plain decimal text ("-1.25", "3e-4"), inf or NaN spelt out (reported as not finite later),
    or None. ``float`` alone would also take "1_0", "١٢" (Arabic-Indic digits) and 80-digit strings."""
    if len(text) <= 40 and (_DECIMAL.fullmatch(text) or text.lower().lstrip("+-") in ("nan", "inf", "infinity")):
        return float(text)
    return None


def _numbers(parts: list[str]) -> list[float] | None:
    values = [_number(p) for p in parts]
    return None if any(v is None for v in values) else values


def _finite(a: np.ndarray | float | list[float], problem: str) -> None:
    """Every transformation of the data is checked: a value that overflowed says so in words, not as inf."""
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{problem} Rescale your data (for example to values between -100 and 100) and upload "
                         "again.")


def load_csv(data: bytes, task: str, name: str = "your CSV") -> CsvData:
    """Read ``x1, x2, label`` rows from CSV bytes; ValueError with a plain-words message for a bad file.

    Separators: comma, semicolon, tab or spaces; one header line is allowed. Classification labels may be any
    values with 2 to 6 distinct ones (mapped to classes 0, 1, ... in sorted order); regression targets are
    rescaled to [-1, 1]. Points are centred and scaled into [-5, 5]^2 so they sit in the playground's plane.

    Size, rows, line length and columns are checked before any number is parsed; every value must be finite
    and at most ``CSV_MAX_ABS`` in size, and every result of centring and scaling is checked finite. No message
    quotes the file (a header may hold markdown or HTML); the notes hold only numbers the loader computed.
    Returns points X (n, 2) in [-5, 5]^2 and y (n,): classes 0..k-1 or targets in [-1, 1].
    """
    if task not in ("classification", "regression"):
        raise ValueError("The problem must be classification or regression.")
    arr = _rows(_text_lines(data))
    X, target = arr[:, :2], arr[:, 2]
    notes: list[str] = []
    with np.errstate(all="ignore"):  # overflow is caught by the checks, in words
        lo, hi = X.min(axis=0), X.max(axis=0)
        centre, half = (lo + hi) / 2, float(np.max(hi - lo)) / 2
        _finite([*centre, half], "The points are too far apart to centre.")
        if half == 0:
            raise ValueError("All points are at the same place; there is nothing to learn.")
        scale = 5.0 / half
        _finite(scale, "The points are too close together to scale into the plane.")
        X = (X - centre) * scale
        _finite(X, "The points cannot be scaled into the plane.")
    notes.append(f"Points centred and scaled by {scale:.3g} to fit the plane [-5, 5]².")
    if task == "classification":
        classes = np.unique(target)
        if len(classes) < 2:
            raise ValueError("Every row has the same label; classification needs at least two classes.")
        if len(classes) > CSV_MAX_CLASSES:
            raise ValueError(f"The labels take {len(classes)} different values; at most {CSV_MAX_CLASSES} classes "
                             "are supported. For a numeric target choose Regression.")
        y = np.searchsorted(classes, target).astype(int)
        notes.append("Classes: " + ", ".join(f"{c:g} → {k}" for k, c in enumerate(classes)) + ".")
    else:
        t_lo, t_hi = float(target.min()), float(target.max())
        if t_hi == t_lo:
            raise ValueError("Every row has the same target; there is nothing to learn.")
        with np.errstate(all="ignore"):
            y = 2 * (target - t_lo) / (t_hi - t_lo) - 1
        _finite(y, "The targets cannot be rescaled to [-1, 1].")
        notes.append(f"Targets rescaled from [{t_lo:g}, {t_hi:g}] to [-1, 1].")
    return CsvData(Points(X, y, name), tuple(notes))
