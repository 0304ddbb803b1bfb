"""nnviz: the router. Page config and navigation only; every page lives in pages/."""

from nnviz import warmup

warmup.limit_threads()  # before anything loads torch: one compute thread per computation (once per process)

import streamlit as st  # noqa: E402

from nnviz.catalog import PAGES, ROOT, SECTIONS  # noqa: E402
from nnviz.heap import freeze_loaded_modules  # noqa: E402
from nnviz.ui import app_style, check_link, classroom_toggle, page_links, remember_link  # noqa: E402

_classroom = st.query_params.get("classroom") == "true" or bool(st.session_state.get("classroom"))
st.set_page_config(page_title="nnviz: deep learning, hands on", layout="wide",
                   page_icon=str(ROOT / "nnviz" / "data" / "favicon.png"),  # served locally: no third-party request
                   initial_sidebar_state="collapsed" if _classroom else "auto")

navigation = {
    section: [
        st.Page(str(p.path), title=p.title, icon=p.icon, url_path=p.url_path, default=p.file == "home.py")
        for p in PAGES
        if p.section == section
    ]
    for section in SECTIONS
}
page = st.navigation({s: ps for s, ps in navigation.items() if ps}, position="hidden")
remember_link()
app_style()
page_links(navigation)  # the app draws its own navigation (see nnviz.ui.common.page_links for why)
classroom_toggle()
with warmup.page_run():  # the warm-up starts only after a quiet spell; imports of torch wait for it
    page.run()
    check_link()
warmup.start()  # torch and its optimiser load in the background, once the server has been quiet a moment
freeze_loaded_modules()  # keeps Streamlit's garbage collection after each run cheap
