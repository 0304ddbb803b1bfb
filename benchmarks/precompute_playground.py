"""Write the playground's shipped initial weights (nnviz/data/playground_initial.json): ``build_mlp``'s weights for
the default architecture (inputs x1, x2; hidden layers 4 and 2; one output) at the default weight seed and the
eight seeds drawn beside it, for each torch initialisation, so a first visit to the page needs no torch.

    python benchmarks/precompute_playground.py

tests/test_playground.py checks every stored theta equals ``torch_initial_theta`` with the same settings.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz import threads  # noqa: E402

threads.limit()

from nnviz.topics import playground as pg  # noqa: E402

#: The page's default architecture (2 features, DEFAULT_WIDTHS[:2], one output) and seeds 0 (the run) to 8 (the
#: family beside it).
WIDTHS = (2, 4, 2, 1)
SEEDS = range(9)


def main() -> None:
    thetas = [{"widths": list(WIDTHS), "seed": seed, "init": init,
               "theta": pg.torch_initial_theta(WIDTHS, seed, init).tolist()}
              for init in ("xavier", "he", "default") for seed in SEEDS]
    pg.INITIAL_FILE.write_text(json.dumps({"thetas": thetas}))
    print(f"{len(thetas)} initial weight vectors -> {pg.INITIAL_FILE}")


if __name__ == "__main__":
    main()
