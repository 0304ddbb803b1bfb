"""Precompute what "Inside a neuron" would otherwise simulate on every server's first visit.

Writes nnviz/data/single_neuron_fi.json: the f-I curve's simulated dots (``topics.single_neuron.fi_simulated``,
21 leaky integrate-and-fire runs of 400 ms), with the currents, run length, step and neuron parameters they were
made with, so the page uses them only while they match. Deterministic (no randomness); tests compare the file
with a fresh simulation.

    python benchmarks/precompute_single_neuron.py
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nnviz.topics import single_neuron as sn  # noqa: E402
from nnviz.views.single_neuron import FI_DATA  # noqa: E402


def main() -> None:
    rate = sn.fi_simulated()
    data = {"I": list(sn.FI_SIM_CURRENTS), "T": sn.FI_SIM_T, "dt": sn.FI_SIM_DT, "params": asdict(sn.LIFParams()),
            "rate": [float(r) for r in rate]}
    FI_DATA.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {FI_DATA} ({len(rate)} rates)")


if __name__ == "__main__":
    main()
