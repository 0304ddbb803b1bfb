"""The playground's sound data set (issue 16 item 5): two audio features picked for the axes, synthesised sounds or
the student's own (recorded or uploaded WAV, cut into clips), and "hear a sound": click a sound of the data on the
listening map, or any other place of the plane, to hear it (or the sound that place's features describe), or pick
a point with two sliders (the keyboard way): each with the network's answer for it.

``data_section`` runs before the live panel (it decides the data the network trains on); ``hear_section`` after it
(it needs the trained network). Nothing from a file reaches markdown: messages are the loader's own words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

from nnviz import audio, features
from nnviz.topics import timbre
from nnviz.ui.common import labels, radio, selectbox, slider
from nnviz.ui.sound import clip

SOURCES = {"synth": "Synthesised", "own": "Your own"}
OWN_CLASSES = tuple(f"class {c}" for c in "ABCD")[:timbre.MAX_CLASSES]


@dataclass(frozen=True)
class SoundData:
    """What the page needs from the section: the split to train on, its identity in the run's settings, the axis
    titles, the class names, and how to fetch each point's sound (synthesised: index -> WAV via the view; own:
    the clips)."""

    split: object
    data_id: tuple
    pair: tuple[str, str]
    axes: tuple[str, str]
    names: tuple[str, ...]
    train_index: np.ndarray
    test_index: np.ndarray
    settings: tuple  # (n, noise, seed) for the synthesised set; () for own sounds
    own_pcm: np.ndarray | None  # (m, CLIP_LEN) int16 for own sounds
    box: object  # the container below the playground where the section draws


def _pick_pair(box, p: str) -> tuple[str, str]:
    fmt = labels({k: f.name.capitalize() for k, f in timbre.FEATURES.items()})
    keys = list(timbre.FEATURE_KEYS)
    with box:  # one above the other: the controls column is narrow
        fx = selectbox("Sound feature on x₁", keys, key=f"{p}fx", index=keys.index(timbre.DEFAULT_FEATURES[0]),
                       format_func=fmt)
        fy = selectbox("Sound feature on x₂", keys, key=f"{p}fy", index=keys.index(timbre.DEFAULT_FEATURES[1]),
                       format_func=fmt)
    if fx == fy:
        fy = next(k for k in keys if k != fx)
        box.warning(f"Both axes showed the same feature; x₂ shows the {timbre.FEATURES[fy].name} instead.")
    return fx, fy


def data_section(key_prefix: str, controls, n: int, noise: float, ratio: float, seed: int) -> SoundData:
    """Feature pickers and the choice of sounds in ``controls``; the own-sounds panel below the playground.
    ``noise`` (0 to 0.5) is added white noise as a share of each clip's RMS. Returns the data to train on."""
    from nnviz.views import timbre as views

    p = f"{key_prefix}snd_"
    pair = _pick_pair(controls, p)
    with controls:
        source = radio("Sounds", list(SOURCES), key=f"{p}src", format_func=labels(SOURCES), horizontal=True)
    axes = tuple(f"x{'₁₂'[i]}: {timbre.FEATURES[k].name}" + (" (log)" if timbre.FEATURES[k].log else "")
                 for i, k in enumerate(pair))
    box = st.container()
    with box:
        st.subheader("Sounds as data")
        how = "; ".join(timbre.FEATURES[k].how() for k in pair)
        st.caption(f"Each point is a {timbre.CLIP_S:g} s sound, placed by two features measured from it. "
                   f"{how[0].upper()}{how[1:]}. Noise adds white noise as a share of each sound's RMS.")
    if source == "own":
        own = _own_sounds(box, p, pair, ratio, seed)
        if own is not None:
            return SoundData(**own, axes=axes)
        controls.info("Record or upload sounds for at least two classes below; meanwhile the synthesised "
                      "sounds are shown.")
    if n > timbre.MAX_SOUNDS:
        box.caption(f"The sound set holds at most {timbre.MAX_SOUNDS} sounds (each is synthesised and measured), "
                    f"so {timbre.MAX_SOUNDS} of the {n} points asked for are used.")
        n = timbre.MAX_SOUNDS
    ss = views.synth_split(pair, n, noise, ratio, seed)
    if pair == timbre.DEFAULT_FEATURES:
        box.caption(f"With the default network, settings and seeds this set reaches at least "
                    f"{100 * timbre.STATED_ACCURACY:.0f} % test accuracy in {timbre.STATED_EPOCHS} epochs.")
    return SoundData(ss.split, ("sounds", pair, n, noise, ratio, seed), pair, axes,
                     tuple(timbre.CLASSES), ss.train_index, ss.test_index, (n, noise, seed), None, box)


def _own_sounds(box, p: str, pair: tuple[str, str], ratio: float, seed: int):
    """Uploads and recordings per class; the last good clips of a class stay when a new file is refused.
    Returns SoundData's fields but the axes (the caller adds them) or None when fewer than two classes
    have enough clips."""
    from nnviz.views import timbre as views

    with box.expander("Your own sounds: record or upload a few seconds per class", expanded=True):
        st.markdown(f"Each recording or file is cut into {timbre.CLIP_S:g} s clips (quiet gaps skipped); a class "
                    f"needs at least {timbre.MIN_CLIPS_PER_CLASS} clips. WAV files: 16-bit PCM, mono, "
                    f"{timbre.WAV_RATES[0] // 1000}–{timbre.WAV_RATES[1] // 1000} kHz, up to "
                    f"{timbre.MAX_WAV_SECONDS:g} s and {timbre.MAX_WAV_BYTES // 1_000_000} MB each, at most "
                    f"{timbre.MAX_FILES_PER_CLASS} files per class.")
        cols = st.columns(len(OWN_CLASSES))
        for c, (name, col) in enumerate(zip(OWN_CLASSES, cols, strict=True)):
            with col:
                files = st.file_uploader(f"WAV files for {name}", type=["wav"], accept_multiple_files=True,
                                         key=f"{p}up{c}")
                rec = st.audio_input(f"Record {name}", sample_rate=timbre.SR, key=f"{p}rec{c}")
                _update_class(p, c, name, list(files or []) + ([rec] if rec is not None else []))
    kept = [(c, st.session_state.get(f"{p}own{c}", ())) for c in range(len(OWN_CLASSES))]
    usable = [(c, clips) for c, clips in kept if sum(len(k.pcm) for k in clips) >= timbre.MIN_CLIPS_PER_CLASS]
    if len(usable) < 2:
        return None
    values = np.concatenate([k.values for _, clips in usable for k in clips])
    y = np.concatenate([np.full(len(k.pcm), j) for j, (_, clips) in enumerate(usable) for k in clips])
    pcm = np.concatenate([k.pcm for _, clips in usable for k in clips])
    ss = views.own_split(values, y, pair, ratio, seed)
    digests = tuple((c, tuple(k.digest for k in clips)) for c, clips in usable)
    return {"split": ss.split, "data_id": ("own", pair, digests, ratio, seed), "pair": pair,
            "names": tuple(OWN_CLASSES[c] for c, _ in usable), "train_index": ss.train_index,
            "test_index": ss.test_index, "settings": (), "own_pcm": pcm, "box": box}


def _update_class(p: str, c: int, name: str, files: list) -> None:
    """Replace class c's clips by those of ``files`` when every file is good; else say why and keep the old."""
    from nnviz.views import timbre as views

    store = f"{p}own{c}"
    if len(files) > timbre.MAX_FILES_PER_CLASS:
        st.error(f"{name}: at most {timbre.MAX_FILES_PER_CLASS} files; the clips already loaded are kept.")
        return
    loaded, bad = [], []
    for i, f in enumerate(files):
        data = f.getvalue()
        got = views.own_clips(data)  # the loader's own words only: never the file's name or content
        if got.clips is None:
            bad.append(f"file {i + 1}: {got.error}")
        else:
            loaded.append(got.clips)
    if bad:
        had = sum(len(k.pcm) for k in st.session_state.get(store, ()))
        st.error(f"{name}, " + " ".join(bad) + (f" The {had} clips loaded before are still in use." if had else
                                                 " Nothing was loaded from it."))
        return
    st.session_state[store] = tuple(loaded)
    n = sum(len(k.pcm) for k in loaded)
    if files:
        st.caption(f"{name}: {n} clip{'s' * (n != 1)}" + ("" if n >= timbre.MIN_CLIPS_PER_CLASS else
                                                         f" (at least {timbre.MIN_CLIPS_PER_CLASS} needed)"))


def _wav(data: SoundData, i: int) -> bytes:
    from nnviz.views import timbre as views

    if data.own_pcm is not None:
        return audio.wav_bytes(data.own_pcm[i].astype(np.float64) / 32768.0)
    n, noise, seed = data.settings
    return views.synth_wav(int(i), n, noise, seed)


def _points(data: SoundData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The data's points stacked training then test: X (n, 2), classes (n,), each one's sound index (n,)."""
    split = data.split
    return (np.vstack([split.X_train, split.X_test]), np.concatenate([split.y_train, split.y_test]),
            np.concatenate([data.train_index, data.test_index]))


def answerer(net, keys: tuple[str, ...], task: str, rules: str, names: tuple[str, ...]) -> Callable:
    """point (2,) on the plane -> the network's answer for it in words (class and probability)."""
    from nnviz.topics import playground as pg

    def answer(point: np.ndarray) -> str:
        z = net.logits(features.transform(np.asarray(point, dtype=float).reshape(1, 2), keys))
        p = np.atleast_1d(pg.predict(z, task, rules)[0])
        if task == "binary" and rules == "tfp":  # TensorFlow Playground's output is tanh in [-1, 1]
            p = (p + 1) / 2
        return timbre.answer_sentence(p, list(names))
    return answer


@dataclass(frozen=True)
class Heard:
    """One sound to play: a heading, its WAV (empty when none can be made), the caption (what it is and the
    network's answer) and its download name."""

    heading: str
    wav: bytes
    caption: str
    name: str


def heard_point(data: SoundData, j: int, answer: Callable) -> Heard:
    """Point j of the stacked training then test points: its own clip and the network's answer for it."""
    X, y, index = _points(data)
    which = "training" if j < len(data.split.X_train) else "test"
    return Heard(f"a {which} point, {data.names[int(y[j])]}, at ({X[j, 0]:.1f}, {X[j, 1]:.1f})",
                 _wav(data, int(index[j])), answer(X[j]), f"sound_{int(index[j])}")


def heard_plane(data: SoundData, x1: float, x2: float, answer: Callable) -> Heard:
    """The sound the plane point (x1, x2) describes, and the network's answer for the point its measured
    features put it at; no WAV (and the reason as caption) where the pair cannot be synthesised."""
    from nnviz.views import timbre as views

    heard = views.plane_sound(data.pair, float(x1), float(x2))
    head = f"the sound at ({x1:.1f}, {x2:.1f})"
    if not heard.wav:
        return Heard(head, b"", heard.sentence, "")
    at = timbre.to_plane(heard.measured[None, :], data.pair)[0]
    return Heard(head, heard.wav, f"{heard.sentence} {answer(at)}", f"plane_{x1:g}_{x2:g}")


def heard_click(data: SoundData, event, answer: Callable) -> Heard | None:
    """What a selection event of the listening map asks to hear (``timbre.picked``), or None."""
    pick = timbre.picked(event, _points(data)[0])
    if pick is None:
        return None
    if pick.point is not None:
        return heard_point(data, pick.point, answer)
    return heard_plane(data, pick.x1, pick.x2, answer)


def _play(heard: Heard, key: str, autoplay: bool = False) -> None:
    if heard.wav:
        clip(heard.wav, caption=heard.caption, name=heard.name, key=key, autoplay=autoplay)
    else:
        st.caption(heard.caption)


def _listening_map(p: str, data: SoundData):
    """The clickable map (``ui.figure`` with point selection); returns its selection event. Cached per session
    for the data, so a rerun only sends it."""
    import hashlib

    from nnviz.figures import timbre as figs
    from nnviz.ui.cache import session_memo
    from nnviz.ui.common import figure
    from nnviz.views.charts import chart

    def build():
        X, y, _ = _points(data)
        synth = all(timbre.FEATURES[k].synthesisable for k in data.pair)
        return chart(figs.listening_map(X, y, data.names, data.axes, timbre.click_grid(),
                                        timbre.PLANE_EXTENT),
                     figs.listening_alt(y, data.names, data.axes, synth))
    shown = session_memo(f"{p}map", (data.data_id,), build)
    # A new data set gets a new chart (and no selection left over from the old one).
    tag = hashlib.sha1(repr(data.data_id).encode()).hexdigest()[:10]
    return figure(shown.spec, key=f"{p}map_{tag}", alt=shown.alt, data=False, selectable=True)


def hear_section(key_prefix: str, data: SoundData, net, keys: tuple[str, ...], task: str, rules: str) -> None:
    """Click a sound of the data or a place on the plane to hear it, with the network's answer (``net`` is the
    run's network; ``keys`` its input features); the same from the keyboard with two sliders."""
    p = f"{key_prefix}snd_"
    answer = answerer(net, keys, task, rules, data.names)
    with data.box:
        synth = all(timbre.FEATURES[k].synthesisable for k in data.pair)
        st.markdown("**Click to listen.** Click a sound to hear it" + (
            ", or anywhere else on the plane to hear the sound its two features describe" if synth else "")
            + ", with what the network answers for it.")
        event = _listening_map(p, data)
        heard = heard_click(data, event, answer)
        last = st.session_state.get(f"{p}clicked")
        st.session_state[f"{p}clicked"] = heard.name if heard else None
        if heard is not None:
            st.markdown(f"**You clicked** {heard.heading}")
            # A click is a request to hear: play it once, on the run that answers the click (not on later reruns).
            _play(heard, f"{p}dl_click", autoplay=heard.name != last)
        st.markdown("**Or with the keyboard:** pick a point of the plane with the sliders: hear the sound of the "
                    "data nearest to it and the sound its two features describe, each with the network's answer.")
        c1, c2 = st.columns(2)
        with c1:
            x1 = slider("Listen at x₁", -6.0, 6.0, 0.0, 0.1, key=f"{p}x1")
        with c2:
            x2 = slider("Listen at x₂", -6.0, 6.0, 0.0, 0.1, key=f"{p}x2")
        X = _points(data)[0]
        j = int(np.argmin(np.hypot(X[:, 0] - x1, X[:, 1] - x2)))
        left, right = st.columns(2)
        with left:
            near = heard_point(data, j, answer)
            st.markdown(f"**Nearest sound:** {near.heading}")
            _play(near, f"{p}dl_near")
        with right:
            st.markdown(f"**The sound at ({x1:.1f}, {x2:.1f})**")
            _play(heard_plane(data, float(x1), float(x2), answer), f"{p}dl_plane")
