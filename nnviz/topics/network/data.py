"""The two data sets that ship inside scikit-learn, read from its package files without importing scikit-learn.

Importing sklearn costs about 2 s on a cold server; these files are what ``load_digits`` and ``load_diabetes``
read (tests compare the arrays with theirs). If a future scikit-learn moves the files, its loaders are used.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np


def _data_dir() -> Path | None:
    spec = importlib.util.find_spec("sklearn")  # locates the package without running it
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "datasets" / "data"


@functools.lru_cache(maxsize=1)
def digits() -> tuple[np.ndarray, np.ndarray]:
    """load_digits: images (1797, 8, 8) of ints 0..16 (on-pixels per 4x4 block of a 32x32 bitmap), labels (1797,)."""
    folder = _data_dir()
    path = folder / "digits.csv.gz" if folder else None
    if path is not None and path.is_file():
        data = np.loadtxt(path, delimiter=",")
        images, labels = data[:, :-1].reshape(-1, 8, 8), data[:, -1].astype(int)
    else:
        from sklearn.datasets import load_digits

        d = load_digits()
        images, labels = d.images, d.target
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


@functools.lru_cache(maxsize=1)
def diabetes_bmi() -> tuple[np.ndarray, np.ndarray]:
    """load_diabetes' body-mass index (442,) (raw units; load_diabetes scales it) and progression (442,)."""
    folder = _data_dir()
    raw = folder / "diabetes_data_raw.csv.gz" if folder else None
    if raw is not None and raw.is_file():
        bmi = np.loadtxt(raw)[:, 2]
        target = np.loadtxt(folder / "diabetes_target.csv.gz")
    else:
        from sklearn.datasets import load_diabetes

        d = load_diabetes()
        bmi, target = d.data[:, 2], d.target
    bmi.setflags(write=False)
    target.setflags(write=False)
    return bmi, target


def split(n: int, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) of a seeded shuffle of range(n), the last ``test_fraction`` held out."""
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(test_fraction * n))
    return np.sort(order[n_test:]), np.sort(order[:n_test])
