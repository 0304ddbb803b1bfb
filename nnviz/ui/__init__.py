"""The only part of nnviz that imports streamlit: shared widgets, live panels, formula cards.

Every widget helper here takes a ``key`` and binds it to the URL's query parameters, so a link
reproduces the exact view (instructors put links in slides). Keys are prefixed per page
(``sn_`` single neuron, ``act_`` activations, ``uat_`` universal approximation, ``dp_`` depth,
``sk_`` skip and feedback, ``pg_`` playground) so they never collide across pages.
"""

from nnviz.ui.cache import shown
from nnviz.ui.classroom import classroom_toggle, keep, secondary
from nnviz.ui.common import (
    activation_params,
    activation_select,
    app_style,
    checkbox,
    figure,
    intro,
    labels,
    lazy_expander,
    multiselect,
    number_input,
    page_links,
    phi_select,
    radio,
    section,
    selectbox,
    slider,
    stored_run_caption,
    tabs,
    takeaway,
    text_input,
    toggle,
)
from nnviz.ui.links import check_link, plain, remember_link
from nnviz.ui.live import is_running, live_panel, live_run

__all__ = [
    "activation_params",
    "activation_select",
    "app_style",
    "check_link",
    "checkbox",
    "classroom_toggle",
    "figure",
    "intro",
    "is_running",
    "keep",
    "labels",
    "lazy_expander",
    "live_panel",
    "live_run",
    "multiselect",
    "number_input",
    "page_links",
    "phi_select",
    "radio",
    "remember_link",
    "secondary",
    "section",
    "shown",
    "selectbox",
    "slider",
    "stored_run_caption",
    "takeaway",
    "tabs",
    "text_input",
    "toggle",
    "plain",
]
