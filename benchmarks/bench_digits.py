"""Digits training time: nnviz's torch MLP against scikit-learn's MLPClassifier, same architecture, same run.

Both train 64 -> width (ReLU) -> 10 with Adam (learning rate 0.003, batch 64, no L2 penalty) for the same number
of epochs on the same 75 % of load_digits (inputs /16), and are scored on the same 25 %. Each side uses one compute
thread (nnviz.threads.limit), as the app does; the machine has 2 cores.

    python benchmarks/bench_digits.py [--repeats 3] [--width 32] [--epochs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz import threads  # noqa: E402

threads.limit()

import numpy as np  # noqa: E402

from nnviz.topics.network import digits  # noqa: E402


def nnviz_run(settings: digits.DigitsSettings, d: digits.DigitsData) -> tuple[float, float]:
    t0 = time.perf_counter()
    r = digits.DigitsTraining(settings, d).run().result()
    return time.perf_counter() - t0, r.accuracy


def sklearn_run(settings: digits.DigitsSettings, d: digits.DigitsData) -> tuple[float, float]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(settings.width,), activation="relu", solver="adam",
                        learning_rate_init=digits.LR, batch_size=digits.BATCH, alpha=0.0, max_iter=settings.epochs,
                        tol=0.0, n_iter_no_change=10**6, shuffle=True, random_state=settings.seed)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # it runs the fixed epochs, as ours does
        clf.fit(d.X_train, d.y_train)
    return time.perf_counter() - t0, float(np.mean(clf.predict(d.X_test) == d.y_test))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--width", type=int, default=digits.DEFAULT.width)
    parser.add_argument("--epochs", type=int, default=digits.DEFAULT.epochs)
    args = parser.parse_args()
    settings = digits.DigitsSettings(args.width, args.epochs, 0)
    d = digits.digits_data()
    nnviz_run(digits.DigitsSettings(8, 1, 0), d)  # warm torch up, as a running server is
    sklearn_run(digits.DigitsSettings(8, 1, 0), d)
    ours, theirs = [], []
    for _ in range(args.repeats):  # interleaved, so both see the same load
        ours.append(nnviz_run(settings, d))
        theirs.append(sklearn_run(settings, d))
    t_ours = statistics.median(t for t, _ in ours)
    t_theirs = statistics.median(t for t, _ in theirs)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {settings}, "
          f"{len(d.y_train)} train / {len(d.y_test)} test digits; median of {args.repeats}")
    print(f"nnviz (torch)          {t_ours:6.2f} s   test accuracy {100 * ours[0][1]:.1f} %")
    print(f"scikit-learn MLP       {t_theirs:6.2f} s   test accuracy {100 * theirs[0][1]:.1f} %")
    print(f"ratio sklearn / nnviz  {t_theirs / t_ours:6.2f}x")


if __name__ == "__main__":
    main()
