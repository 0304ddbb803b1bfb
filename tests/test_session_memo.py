"""``nnviz.ui.cache.session_memo``: one value per slot and session, rebuilt when its stamp or identity changes."""

from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from nnviz.ui.cache import session_memo

    st.session_state.setdefault("builds", 0)
    st.session_state.setdefault("run", object())

    def build():
        st.session_state.builds += 1
        return st.session_state.builds

    stamp = (st.session_state.get("stamp", 0),)
    identity = st.session_state.run if st.session_state.get("by_run", True) else None
    st.session_state.value = session_memo("slot", stamp, build, identity=identity)


def test_same_stamp_and_identity_reuse_the_value_else_rebuild():
    at = AppTest.from_function(_script).run()
    assert at.session_state.builds == 1
    at.run()
    assert at.session_state.builds == 1 and at.session_state.value == 1  # nothing changed: kept
    at.session_state.stamp = 1
    at.run()
    assert at.session_state.builds == 2 and at.session_state.value == 2  # the stamp changed
    at.session_state.run = object()
    at.run()
    assert at.session_state.builds == 3  # same stamp, another run object


def test_sessions_do_not_share_values():
    first, second = AppTest.from_function(_script), AppTest.from_function(_script)
    for at in (first, second):
        at.session_state.by_run = False  # the same identity (None) and stamp in both sessions
        at.run()
    assert first.session_state.builds == 1 and second.session_state.builds == 1
    assert second.session_state.value == 1
