"""Write the network page's shipped trainings: the default digits network (nnviz/data/network_digits.json) and the
two diabetes heads (nnviz/data/network_heads.json).

    python benchmarks/precompute_network.py

The page shows these results instead of training; tests/test_network.py checks each equals a fresh run with the
same settings and seed.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz import threads  # noqa: E402

threads.limit()

from nnviz.topics.network import digits, heads  # noqa: E402


def main() -> None:
    t0 = time.perf_counter()
    result = digits.train(digits.DEFAULT)
    digits.PRECOMPUTED.write_text(json.dumps(digits.to_json(result)))
    print(f"{digits.DEFAULT}: test accuracy {100 * result.accuracy:.1f} %, {time.perf_counter() - t0:.1f} s "
          f"-> {digits.PRECOMPUTED}")
    t0 = time.perf_counter()
    heads.PRECOMPUTED.write_text(json.dumps(heads.heads_json()))
    print(f"diabetes heads: {time.perf_counter() - t0:.1f} s -> {heads.PRECOMPUTED}")


if __name__ == "__main__":
    main()
