"""Universal-approximation fitting speed against scikit-learn, measured in the same run.

Task: f(x) = sin(3 pi x) on [-1, 1], 256 evenly spaced samples, one hidden layer of width 64, tanh.
For each method: the wall time to reach a training MSE <= 1e-4 and the MSE it ends with, then the
ratio of scikit-learn's faster solver to nnviz's best path (which trains every weight). Also the
live view's visible rate: gradient steps per second while the figures are rebuilt every tick.

    python benchmarks/bench_uat.py [--repeats 3] [--target 1e-4]
    python benchmarks/bench_uat.py --lm-step-only     # one LM step at the largest N the page allows

Methods (every one starts from random initial weights; BLAS is limited to one thread for all of them,
because on a shared 2-core machine multithreaded OpenBLAS made these small solves 30x slower)
  nnviz LM+VP       nnviz's best path: Levenberg-Marquardt on all 193 weights in float64, from build_mlp's
                    default initial weights, with variable projection (the output layer re-solved exactly by
                    least squares after every step, and once at the start)
  nnviz LM          the same without variable projection
  nnviz Adam        full-batch Adam, lr 0.01, float64 (what the page's live view runs)
  sklearn lbfgs     MLPRegressor(64, tanh, solver="lbfgs", alpha=0): time of the shortest max_iter that
                    reaches the target (found by doubling, then bisection; only that final run is timed)
  sklearn adam      MLPRegressor(64, tanh, solver="adam", lr 0.01, full batch, alpha=0) epoch by epoch
                    with partial_fit, checking the MSE every 50 epochs
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPRegressor  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from nnviz.activations import Phi  # noqa: E402
from nnviz.figures import universal_approximation as figs  # noqa: E402
from nnviz.topics import universal_approximation as ua  # noqa: E402

WIDTH, N_SAMPLES, PHI = 64, 256, Phi("tanh")


def problem() -> ua.Problem:
    return ua.make_problem(lambda x: np.sin(3 * np.pi * x), -1.0, 1.0, N_SAMPLES)


def mse(pred: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((pred - y) ** 2))


# ---------------------------------------------------------------------------------------------- nnviz

def nnviz_lm(p: ua.Problem, target: float, seed: int, project: bool) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    start = ua.torch_initial_net(WIDTH, PHI, seed=seed)
    fit = ua.LMFit(p, WIDTH, PHI, max_steps=2000, target_mse=target, start=start, project=project)
    if fit.loss > target:
        while not fit.done and time.perf_counter() - t0 < 60:
            fit.advance(0.05)
    return time.perf_counter() - t0, fit.loss, fit.steps


def nnviz_adam(p: ua.Problem, target: float, seed: int, max_s: float) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    fit = ua.AdamFit(p, WIDTH, PHI, lr=0.01, max_steps=200_000, seed=seed, target_mse=target)
    while not fit.done and time.perf_counter() - t0 < max_s:
        fit.advance(0.1)
    return time.perf_counter() - t0, fit.loss, fit.steps


# ---------------------------------------------------------------------------------------------- scikit-learn

def _lbfgs(p: ua.Problem, iters: int, seed: int) -> tuple[float, float]:
    model = MLPRegressor(hidden_layer_sizes=(WIDTH,), activation="tanh", solver="lbfgs", alpha=0.0, max_iter=iters,
                         max_fun=10 * iters, tol=0.0, random_state=seed)
    X = p.x_train[:, None]
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, p.y_train)
    return time.perf_counter() - t0, mse(model.predict(X), p.y_train)


def sklearn_lbfgs(p: ua.Problem, target: float, seed: int, max_iter: int = 20_000) -> tuple[float, float, int]:
    """Fewest iterations reaching the target (doubling, then bisection); returns the time of that one run."""
    lo, hi = 0, 25
    while True:
        t, err = _lbfgs(p, hi, seed)
        if err <= target or hi >= max_iter:
            break
        lo, hi = hi, min(2 * hi, max_iter)
    if err > target:
        return t, err, hi
    while hi - lo > max(5, hi // 20):
        mid = (lo + hi) // 2
        t_mid, err_mid = _lbfgs(p, mid, seed)
        if err_mid <= target:
            hi, t, err = mid, t_mid, err_mid
        else:
            lo = mid
    t, err = _lbfgs(p, hi, seed)  # time the final, shortest successful run again (warm caches, fair)
    return t, err, hi


def sklearn_adam(p: ua.Problem, target: float, seed: int, max_s: float) -> tuple[float, float, int]:
    model = MLPRegressor(hidden_layer_sizes=(WIDTH,), activation="tanh", solver="adam", alpha=0.0,
                         learning_rate_init=0.01, batch_size=N_SAMPLES, random_state=seed, shuffle=False)
    X = p.x_train[:, None]
    err, epochs = float("inf"), 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < max_s:
        for _ in range(50):
            model.partial_fit(X, p.y_train)
        epochs += 50
        err = mse(model.predict(X), p.y_train)
        if err <= target:
            break
    return time.perf_counter() - t0, err, epochs


# ---------------------------------------------------------------------------------------------- live view

def live_rate(p: ua.Problem, seconds: float, budget_s: float = 0.12, interval_s: float = 0.2,
              width: int = WIDTH, phi: Phi = PHI) -> tuple[float, float, float]:
    """Simulate the live panel: each tick trains for budget_s, then rebuilds the page's live figures (fit
    comparison, error, loss) and serialises them as Streamlit would; ticks start every interval_s at most.
    Returns (gradient steps per second of wall time, redraws per second, median tick time in s)."""
    import plotly.io as pio

    fit = ua.AdamFit(p, width, phi, lr=0.01, max_steps=10**9)
    fixed_plot, fixed_dense, _ = ua.evaluate(ua.relu_interpolation(p.f, p.a, p.b, width), p)
    ticks: list[float] = []
    t_start = time.perf_counter()
    while time.perf_counter() - t_start < seconds:
        t0 = time.perf_counter()
        fit.advance(budget_s)
        net = fit.net()
        y_plot, y_dense, _ = ua.evaluate(net, p)
        fig = figs.fit_figure(p, [("constructed", fixed_plot, "#009E73"), ("trained", y_plot, "#0072B2")], "fits")
        err = figs.error_figure(p, [("constructed", fixed_dense, "#009E73"), ("trained", y_dense, "#0072B2")], "errors")
        loss_fig = figs.loss_figure(fit.history["step"], fit.history["mse"])
        for f in (fig, err, loss_fig):
            pio.to_json(f, validate=False)
        tick = time.perf_counter() - t0
        ticks.append(tick)
        if tick < interval_s:
            time.sleep(interval_s - tick)
    wall = time.perf_counter() - t_start
    return fit.steps / wall, len(ticks) / wall, statistics.median(ticks)


def lm_step_times(steps: int = 30) -> None:
    """One Levenberg-Marquardt step at the largest setting the page allows (N = LM_MAX_WIDTH, n = MAX_SAMPLES):
    wall time per step against the tick's training budget, and the rate the work estimate implies."""
    from nnviz.live import TICK_TRAIN_S

    p = ua.make_problem(lambda x: np.sin(3 * np.pi * x), -1.0, 1.0, ua.MAX_SAMPLES)
    fit = ua.LMFit(p, ua.LM_MAX_WIDTH, PHI, max_steps=steps, seed=0)
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        fit.run(1)
        times.append(time.perf_counter() - t0)
        if fit.done:
            break
    work = ua.LMFit.step_flops(ua.MAX_SAMPLES, ua.LM_MAX_WIDTH)
    print(f"\none LM step at N = {ua.LM_MAX_WIDTH}, n = {ua.MAX_SAMPLES} ({len(times)} steps): median "
          f"{statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms; tick budget "
          f"{TICK_TRAIN_S * 1000:.0f} ms; work estimate {work / 1e6:.0f} Mflop = "
          f"{work / statistics.median(times) / 1e9:.1f} Gflop/s measured (the bound assumes "
          f"{ua.LM_FLOPS_PER_S / 1e9:g} Gflop/s)")


def main() -> None:
    with threadpool_limits(1, user_api="blas"):  # every method on one BLAS thread, as the app runs
        if "--lm-step-only" in sys.argv:
            lm_step_times()
            return
        _main()
        lm_step_times()


def _main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="seeds per method (median reported)")
    parser.add_argument("--target", type=float, default=1e-4)
    parser.add_argument("--adam-seconds", type=float, default=60.0, help="time cap for the Adam runs")
    args = parser.parse_args()
    p = problem()
    print(f"sin(3πx) on [-1, 1], n = {N_SAMPLES}, width {WIDTH}, {PHI.label}; target training MSE ≤ {args.target:g}; "
          f"median of {args.repeats} seeds\n")
    runs = {
        "nnviz LM+VP (best path)": lambda s: nnviz_lm(p, args.target, s, True),
        "nnviz LM (no projection)": lambda s: nnviz_lm(p, args.target, s, False),
        "nnviz Adam (lr 0.01, full batch)": lambda s: nnviz_adam(p, args.target, s, args.adam_seconds),
        "sklearn MLPRegressor lbfgs": lambda s: sklearn_lbfgs(p, args.target, s),
        "sklearn MLPRegressor adam": lambda s: sklearn_adam(p, args.target, s, args.adam_seconds),
    }
    results: dict[str, tuple[float, float, int, int]] = {}
    print(f"{'method':40s} {'time s':>9s} {'final MSE':>11s} {'steps':>8s} {'reached':>8s}")
    for name, run in runs.items():
        out = [run(seed) for seed in range(args.repeats)]
        t = statistics.median(o[0] for o in out)
        err = statistics.median(o[1] for o in out)
        steps = int(statistics.median(o[2] for o in out))
        reached = sum(o[1] <= args.target for o in out)
        results[name] = (t, err, steps, reached)
        print(f"{name:40s} {t:9.3f} {err:11.3g} {steps:8d} {reached:5d}/{args.repeats}", flush=True)

    def ok(name: str) -> bool:
        return results[name][3] == args.repeats

    sk = [n for n in results if n.startswith("sklearn") and ok(n)]
    best = "nnviz LM+VP (best path)"
    print()
    if sk:
        fastest = min(sk, key=lambda n: results[n][0])
        ratio = results[fastest][0] / results[best][0]
        print(f"scikit-learn's faster solver: {fastest} ({results[fastest][0]:.3f} s)")
        print(f"ratio {fastest} / {best}: {ratio:.1f}x  (goal ≥ 10x)")
        plain = "nnviz LM (no projection)"
        print(f"ratio {fastest} / {plain}: {results[fastest][0] / results[plain][0]:.1f}x")
    else:
        print("no scikit-learn solver reached the target")
    print("\nfinal error after a full run (seed 0): nnviz LM+VP 100 steps vs sklearn lbfgs 5000 iterations")
    t0 = time.perf_counter()
    fit = ua.LMFit(p, WIDTH, PHI, max_steps=100, target_mse=0.0, start=ua.torch_initial_net(WIDTH, PHI, seed=0))
    fit.run()
    t_lm = time.perf_counter() - t0
    t_sk, err_sk = _lbfgs(p, 5000, 0)
    print(f"  nnviz LM+VP: training MSE {fit.loss:.3g} in {t_lm:.3f} s; dense-grid MSE "
          f"{ua.fit_error(fit.net(), p).mse:.3g}; largest |v| {np.abs(fit.net().v).max():.3g}")
    print(f"  sklearn lbfgs: training MSE {err_sk:.3g} in {t_sk:.3f} s")

    print("\nlive view (Adam, the page's live panel: 0.12 s of training per tick, ticks every 0.2 s, figures rebuilt)")
    for width, phi in ((WIDTH, PHI), (64, Phi("sigmoid")), (1000, Phi("sigmoid"))):
        steps_s, redraws_s, tick = live_rate(p, 4.0, width=width, phi=phi)
        print(f"  width {width:4d} {phi.key:8s}: {steps_s:8.0f} gradient steps/s at {redraws_s:.1f} redraws/s "
              f"(median tick {tick * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
