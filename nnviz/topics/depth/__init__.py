"""Why go deep: the maths of the depth page, one module per section (no streamlit; torch only where trained).

- ``counting``: parameter counts of typed architectures, widths at equal budgets, what the same count buys.
- ``constructions``: Telgarsky's sawtooth (p-tooth maps composed) and Yarotsky's x^2, exact piece counts.
- ``pieces``: pieces and regions of random ReLU networks against depth at one budget.
- ``trajectory``: Raghu et al.'s trajectory length through random tanh networks.
- ``budget``: the equal-budget experiment, a ``nnviz.live.TimedRun`` of a fixed number of steps
  (``batched`` holds its torch model and is imported only when it trains).
- ``untangle``: 2-wide tanh classifiers that untangle two classes layer by layer.
- ``history``: how deep real ImageNet networks went, from torchvision's tables.
"""
