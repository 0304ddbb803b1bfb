"""One colour language and one layout for every figure in the app.

Colours are the Okabe-Ito palette (colour-blind safe). Meanings are fixed across pages:
positive weight / class 1 / model = blue, negative weight / class 0 = vermillion, target = black
(dashed), train = blue, test = orange, a second model or comparison = green, highlight = purple.
"""

from __future__ import annotations

import plotly.graph_objects as go

BLUE = "#0072B2"
VERMILLION = "#D55E00"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
PURPLE = "#CC79A7"
BLACK = "#222222"
GREY = "#999999"

POSITIVE = BLUE
NEGATIVE = VERMILLION
MODEL = BLUE
TARGET = BLACK
TRAIN = BLUE
TEST = ORANGE
COMPARE = GREEN
CLASS_COLOURS = (VERMILLION, BLUE, GREEN, ORANGE, PURPLE, SKY)  # class 0, 1, 2, ...

#: A cycle for several curves of equal standing (activations overlaid, depths compared).
SERIES = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK, YELLOW)

#: Diverging scale for signed values (weights, outputs around a threshold): negative red, positive blue.
DIVERGING = [[0.0, VERMILLION], [0.5, "#f7f7f7"], [1.0, BLUE]]
#: Sequential scale for magnitudes.
SEQUENTIAL = "Viridis"

FONT_SIZE = 14


def series_colour(i: int) -> str:
    """The i-th colour of the shared series cycle."""
    return SERIES[i % len(SERIES)]


def weight_colour(w: float) -> str:
    """Blue for a positive weight, vermillion for a negative one."""
    return POSITIVE if w >= 0 else NEGATIVE


def apply_layout(
    fig: go.Figure,
    *,
    title: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    height: int = 380,
    legend: bool = True,
) -> go.Figure:
    """Give ``fig`` the app's common look: white template, labelled axes, a legend on top, tight margins."""
    fig.update_layout(
        template="plotly_white",
        # The title sits at the very top of the figure and the legend in its own band just above the plot
        # area, so the two never overlap however long the legend runs.
        title={"text": title, "x": 0.0, "xanchor": "left", "y": 0.985, "yref": "container", "yanchor": "top"}
        if title
        else None,
        height=height,
        margin={"l": 60, "r": 20, "t": (95 if legend else 50) if title else (60 if legend else 25), "b": 55},
        font={"size": FONT_SIZE},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0.0,
                "font": {"size": 12}},
        hoverlabel={"font_size": 13},
    )
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig
