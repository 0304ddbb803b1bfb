"""From neurons to networks: the maths of the page (no streamlit).

- ``layers``: a layer is neurons side by side, layers stacked make a network, a network is a set of functions.
- ``descent``: training picks one function: gradient descent on the loss bowl of one neuron.
- ``heads``: one network, three heads (regression, yes/no, K classes) on data that ships with scikit-learn.
- ``digits``: the MLP that reads load_digits' 8x8 images, and the drawing path into it.
"""
