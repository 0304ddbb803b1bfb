"""Playground training speed: epochs per second, headless and in the live view.

    python benchmarks/bench_playground.py [--seconds 3] [--browser]

1. Headless: nnviz's numpy trainer (hand-written backprop) on TF Playground's default problem (circle, 500 points,
   50 % for training = 250, inputs x1, x2, tanh, learning rate 0.03) for the default network [4, 2] and for six
   hidden layers of 8, at batch size 10 and full batch (250). The peer in the same run is the obvious torch loop
   (nn.Sequential + autograd + torch.optim.SGD over the same mini-batches).
2. Live view, server side: the live panel's design without a browser. Every 0.2 s a tick trains
   (``TimedRun.advance`` for nnviz.live.tick_budget), then draws (plane, the three live frames encoded as PNG):
   epochs/s and redraws/s. No thread trains between ticks, on the page or here.
3. With --browser: the real thing. Start ``streamlit run``, open the page in Chromium, press Play, and read the
   panel's status line ("Epoch N of M") over a few seconds, and count the frames the browser received (new
   image URLs; the browser shares the CPU with the server, as on a laptop).

Anchor: TensorFlow Playground trains one epoch per animation frame: at most ~60 epochs/s for the default network
and ~11 for 6 x 8 in the browser. The goal is 10x that: 600 and 110 epochs/s while redrawing >= 5 times a second.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from nnviz import datasets, features  # noqa: E402
from nnviz.activations import Phi  # noqa: E402
from nnviz.figures import playground as figs  # noqa: E402
from nnviz.live import INTERVAL_S, tick_budget  # noqa: E402  (as the page ticks)
from nnviz.topics import playground as T  # noqa: E402

NETWORKS = {"default [4, 2]": [4, 2], "6 x 8": [8] * 6}
TF_PLAYGROUND = {"default [4, 2]": 60.0, "6 x 8": 11.0}
KEYS = ("x1", "x2")


def _split() -> datasets.Split:
    return datasets.train_test_split(datasets.playground_set("circle", 500, 0.0, seed=0), 0.5, seed=0)


def _trainer(hidden: list[int], batch: int, split: datasets.Split) -> T.Trainer:
    net = T.Network.initial([2, *hidden, 1], [Phi("tanh")] * len(hidden), seed=0)
    return T.Trainer(net, features.transform(split.X_train, KEYS), split.y_train,
                     features.transform(split.X_test, KEYS), split.y_test, "binary", 2,
                     T.Hyper(lr=0.03, batch_size=batch), seed=0, max_steps=10**9)


def headless(hidden: list[int], batch: int, seconds: float, split: datasets.Split) -> float:
    """Epochs per second of the nnviz trainer (curves recorded every epoch, as in the page)."""
    tr = _trainer(hidden, batch, split)
    tr.run(5)
    t0, e0 = time.perf_counter(), tr.epoch
    while time.perf_counter() - t0 < seconds:
        tr.advance(0.1)
    return (tr.epoch - e0) / (time.perf_counter() - t0)


def torch_loop(hidden: list[int], batch: int, seconds: float, split: datasets.Split) -> float:
    """Epochs per second of the plain torch loop a student would write (float32, autograd, torch.optim.SGD)."""
    torch.set_num_threads(1)
    net = T.Network.initial([2, *hidden, 1], [Phi("tanh")] * len(hidden), seed=0)
    model = net.to_torch().float()
    opt = torch.optim.SGD(model.parameters(), lr=0.03)
    X = torch.tensor(features.transform(split.X_train, KEYS), dtype=torch.float32)
    y = torch.tensor(split.y_train, dtype=torch.float32)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    epochs, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        perm = torch.randperm(len(X))
        for i in range(0, len(X), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss_fn(model(X[idx])[:, 0], y[idx]).backward()
            opt.step()
        with torch.no_grad():
            loss_fn(model(X)[:, 0], y)
        epochs += 1
    return epochs / (time.perf_counter() - t0)


def live_server_side(hidden: list[int], seconds: float, split: datasets.Split) -> tuple[float, float, float]:
    """(epochs/s, redraws/s, median tick ms) of the live panel's design without the browser: every 0.2 s a tick
    trains (nnviz.live.tick_budget: less when drawing is slow), then draws (plane, the three live frames as PNG)."""
    tr = _trainer(hidden, 10, split)
    widths = [2, *hidden, 1]
    draws, draw_s = [], 0.0
    scale = T.output_scale("binary", "nnviz")
    t0, e0, ticks = time.perf_counter(), tr.epoch, 0
    while time.perf_counter() - t0 < seconds:
        d0 = time.perf_counter()
        tr.advance(tick_budget(draw_s))
        drawing_since = time.perf_counter()
        view = T.plane_view(tr.net, KEYS, "binary", res=100, tile_res=16 if max(widths) <= 4 else 12)
        for frame in (figs.network_frame(view, tr.net.Ws, ["x₁", "x₂"]),
                      figs.output_frame(view, split, "binary", scale), figs.curves_frame(tr.history, "binary")):
            Image.fromarray(frame).save(io.BytesIO(), format="PNG")  # what st.image sends
        draw_s = time.perf_counter() - drawing_since
        draws.append(time.perf_counter() - d0)
        ticks += 1
        time.sleep(max(0.0, INTERVAL_S - draws[-1]))
    dt = time.perf_counter() - t0
    return (tr.epoch - e0) / dt, ticks / dt, 1000 * statistics.median(draws)


def spiral_time() -> tuple[int, float]:
    """Epochs and seconds until TF Playground's spiral reaches 95 % test accuracy (tests/test_playground.py's net)."""
    split = datasets.train_test_split(datasets.playground_set("spiral", 500, 0.0, seed=0), 0.5, seed=0)
    keys = ["x1", "x2", "sinx1", "sinx2"]
    net = T.Network.initial([4, 8, 8, 1], [Phi("tanh")] * 2, seed=0)
    tr = T.Trainer(net, features.transform(split.X_train, keys), split.y_train,
                   features.transform(split.X_test, keys), split.y_test, "binary", 2,
                   T.Hyper(lr=0.01, batch_size=10, optimizer="adam"), seed=0, max_steps=2000)
    t0 = time.perf_counter()
    while not tr.done and tr.history.last("test_acc") < 0.95:
        tr.run(1)
    return tr.epoch, time.perf_counter() - t0


def live_browser(seconds: float, query: str = "") -> tuple[float, float, str]:
    """(epochs/s read from the panel's status line, frames/s the browser received, the status's last text) in
    Chromium while the page plays."""
    from playwright.sync_api import sync_playwright

    from tests.browser_utils import wait_until_idle
    from tests.conftest import CHROMIUM_ARGS, _free_port, _wait_healthy, chromium_path, start_streamlit

    port = _free_port()
    proc = start_streamlit(port)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{url}/playground{query}", wait_until="domcontentloaded")
            page.wait_for_selector(".st-key-pg_live_start", timeout=180_000)
            wait_until_idle(page)
            page.locator(".st-key-pg_live_start button").click()
            page.wait_for_selector('[data-testid="stImage"] img', timeout=30_000)
            page.wait_for_timeout(2000)

            # Frames the browser actually received: every redraw gives the live images new media URLs.
            page.evaluate("""() => { window.__frames = 0;
                new MutationObserver(ms => { for (const m of ms) if (m.attributeName === 'src') window.__frames++; })
                  .observe(document.body, {subtree: true, attributes: true, attributeFilter: ['src']}); }""")

            def epoch() -> tuple[int, float, str]:
                text = page.get_by_text(re.compile(r"^Epoch [0-9,]+ of ")).first.inner_text()
                return int(text.split(" of ")[0].replace("Epoch", "").replace(",", "").strip()), time.time(), text

            e1, t1, _ = epoch()
            f1 = page.evaluate("() => window.__frames")
            page.wait_for_timeout(int(seconds * 1000))
            e2, t2, text = epoch()
            f2 = page.evaluate("() => window.__frames")
            browser.close()
        n_images = 3  # the network, the output over the plane, the curves
        return (e2 - e1) / (t2 - t1), (f2 - f1) / n_images / (t2 - t1), text
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--browser", action="store_true", help="also measure the live page in Chromium")
    args = parser.parse_args()
    split = _split()
    print("Headless trainer, epochs/s (250 training points, tanh, lr 0.03, SGD)")
    print(f"{'network':16s} {'batch':>6s} {'nnviz':>9s} {'torch loop':>11s} {'ratio':>6s} {'vs TF Playground':>17s}")
    for name, hidden in NETWORKS.items():
        for batch in (10, 250):
            ours = headless(hidden, batch, args.seconds, split)
            peer = torch_loop(hidden, batch, args.seconds, split)
            print(f"{name:16s} {batch:6d} {ours:9.0f} {peer:11.0f} {ours / peer:6.1f} "
                  f"{ours / TF_PLAYGROUND[name]:16.1f}x")
    print("\nLive view, server side (tick every 0.2 s: train <= 0.12 s, plane, 3 frames as PNG)")
    for name, hidden in NETWORKS.items():
        rate, hz, draw_ms = live_server_side(hidden, args.seconds, split)
        print(f"{name:16s} {rate:7.0f} epochs/s at {hz:4.1f} redraws/s (tick {draw_ms:.0f} ms); "
              f"goal {10 * TF_PLAYGROUND[name]:.0f} at >= 5")
    epochs, secs = spiral_time()
    print(f"\nSpiral (x1, x2, sin x1, sin x2; [8, 8] tanh; Adam 0.01; batch 10): 95 % test accuracy at epoch "
          f"{epochs} after {secs:.2f} s")
    if args.browser:
        print("\nLive view in Chromium (server and browser on this machine)")
        for name, query in (("default [4, 2]", "?pg_stop=100000"),
                            ("6 x 8", "?pg_stop=100000&pg_depth=6&" + "&".join(f"pg_n{i}=8" for i in range(1, 7)))):
            rate, fps, text = live_browser(max(args.seconds, 5.0), query)
            print(f"{name:16s} {rate:7.0f} epochs/s from the counter, {fps:4.1f} frames/s received by the "
                  f"browser; goal {10 * TF_PLAYGROUND[name]:.0f} at >= 5. Page says: {text}")
    print(f"\n(load average now: {', '.join(f'{x:.1f}' for x in np.array(__import__('os').getloadavg()))})")


if __name__ == "__main__":
    main()
