"""Write the network page's shipped default training (nnviz/data/network_digits.json).

    python benchmarks/precompute_network.py

The page shows this result on a first visit instead of training; tests/test_network.py checks it equals a fresh
run with the same settings and seed.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz import threads  # noqa: E402

threads.limit()

from nnviz.topics.network import digits  # noqa: E402


def main() -> None:
    t0 = time.perf_counter()
    result = digits.train(digits.DEFAULT)
    digits.PRECOMPUTED.write_text(json.dumps(digits.to_json(result)))
    print(f"{digits.DEFAULT}: test accuracy {100 * result.accuracy:.1f} %, {time.perf_counter() - t0:.1f} s "
          f"-> {digits.PRECOMPUTED}")


if __name__ == "__main__":
    main()
