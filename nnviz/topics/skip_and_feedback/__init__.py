"""The maths of the "Skip and feedback connections" page (no streamlit).

- ``residual``: plain chains against residual stacks: gradient flow at initialisation, the degradation problem,
  shattered gradients and loss landscapes (skip connections).
- ``recurrent``: a recurrent cell unrolled in time, gradients through time, and memory on the adding problem
  (feedback connections).

Trainers are ``nnviz.live.TimedRun`` subclasses with a fixed number of steps; every sentence the page shows
about a result is a function of that result here.
"""
