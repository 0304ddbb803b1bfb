"""Hostile and malformed CSV uploads (issue 17, section 4): every bad file gets a plain-words ValueError that quotes
nothing from the file, nothing non-finite survives a transformation, and nothing from a file reaches the exported
model (the JSON or the PyTorch snippet)."""

from __future__ import annotations

import ast
import json
import re
import time

import numpy as np
import pytest

from nnviz import datasets as D
from nnviz import features
from nnviz.activations import Phi
from nnviz.topics import playground as pg

#: Text a hostile file might carry into a page: a phishing link, a tracking image, a script, a LaTeX block.
HOSTILE = ("[Session expired, log in again](http://evil.example/login) ![t](http://evil.example/t.png) "
           "<img src=x onerror=alert(1)> <script>alert(2)</script> $\\href{http://evil.example}{x}$ **bold**")
#: Words and fragments of HOSTILE that must never come back in a message, a note or an export.
HOSTILE_BITS = ("evil", "Session", "onerror", "script", "href", "alert", "](", "<", ">", "**", "`", "$")


def _good_rows(n: int = 20) -> list[str]:
    return [f"{i * 0.5},{(i * 7) % 11 - 5},{i % 2}" for i in range(n)]


def _csv(lines: list[str]) -> bytes:
    return "\n".join(lines).encode()


def _message(data: bytes, task: str = "classification") -> str:
    with pytest.raises(ValueError) as err:
        D.load_csv(data, task)
    return str(err.value)


def _safe(text: str) -> None:
    """A message or note is fit for markdown: none of the file's text, no markup characters, short."""
    for bit in HOSTILE_BITS:
        assert bit not in text, (bit, text)
    assert len(text) < 300, text
    assert "Traceback" not in text and "Error" not in text


@pytest.mark.parametrize("data", [b"", b"\n\n   \n\t\n", "\ufeff".encode()])
def test_empty_file(data):
    msg = _message(data)
    assert "empty" in msg
    _safe(msg)


@pytest.mark.parametrize("data", [
    b'{"x1": [1, 2, 3], "x2": [4, 5, 6]}',
    b"Dear student,\nthis is a letter, not a table.\nIt has words, commas, and nothing else.\n" * 4,
    b"<html><body><table><tr><td>1</td></tr></table></body></html>",
])
def test_not_a_csv(data):
    msg = _message(data)
    assert "not a number" in msg or "exactly three" in msg or "data rows" in msg
    _safe(msg)


@pytest.mark.parametrize("seed", range(5))
def test_binary_junk(seed):
    junk = np.random.default_rng(seed).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    msg = _message(junk)
    assert "not a text file" in msg
    _safe(msg)


def test_ascii_with_nul_and_control_bytes_is_binary():
    data = _csv(_good_rows()) + b"\x00\x01\x02" + _csv(_good_rows())
    assert "not a text file" in _message(data)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
    assert "not a text file" in _message(png)


@pytest.mark.parametrize("big", ["1e308", "-1.7976931348623157e308", "9e307", "1e13"])
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_values_near_the_float_limit_are_refused_in_words(big, task):
    """Today's bug: 1e308 passed the finiteness check and overflowed while scaling ("scaled by inf")."""
    lines = _good_rows()
    lines[3] = f"{big},1,0"
    msg = _message(_csv(lines), task)
    assert "Line 4, column 1" in msg and "larger than" in msg and "inf" not in msg
    _safe(msg)
    lines[3] = f"1,2,{big}"  # as a regression target (or a class label) too
    assert "column 3" in _message(_csv(lines), task)


def test_points_too_close_together_to_scale_are_refused_in_words():
    """Denormal spreads: 5 / half overflows to inf; the check after scaling says so instead of training on inf."""
    lines = [f"{i * 1e-321},{i * 1e-321},{i % 2}" for i in range(20)]
    msg = _message(_csv(lines))
    assert "too close together" in msg
    _safe(msg)


def test_every_transformation_is_finite_at_the_limit():
    """At the largest accepted size the centring, scaling and target rescaling stay finite and in range."""
    m = D.CSV_MAX_ABS
    lines = [f"{m if i % 2 else -m},{-m if i % 3 else m},{m if i % 2 else -m}" for i in range(20)]
    for task in ("classification", "regression"):
        data = D.load_csv(_csv(lines), task)
        assert np.isfinite(data.points.X).all() and np.abs(data.points.X).max() <= 5.0 + 1e-9
        assert np.isfinite(data.points.y).all()
        assert "inf" not in " ".join(data.notes) and "nan" not in " ".join(data.notes)


@pytest.mark.parametrize("bad", ["nan", "NaN", "inf", "-inf", "Infinity", "-Infinity", "1e999", "-1e400"])
def test_nan_and_inf_strings(bad):
    lines = _good_rows()
    lines[5] = f"1,{bad},0"
    msg = _message(_csv(lines))
    assert "Line 6, column 2" in msg and "infinite or missing" in msg
    _safe(msg)


@pytest.mark.parametrize("odd", ["1_000", "0x10", "1,5e", "١٢", "--1"])
def test_numbers_python_reads_but_a_csv_does_not_are_refused(odd):
    lines = _good_rows()
    lines[2] = f"{odd},1,0" if "," not in odd else f"{odd},0"
    msg = _message(_csv(lines))
    assert "Line 3" in msg and ("not a number" in msg or "exactly three" in msg), msg


def test_too_many_rows_is_refused_before_parsing():
    lines = _good_rows(D.CSV_MAX_ROWS + 2)
    lines[-1] = "not,a,number"  # never reached: the row count is checked first
    msg = _message(_csv(lines))
    assert "more than 5,000 rows" in msg


def test_a_header_and_the_full_row_count_are_accepted():
    data = D.load_csv(_csv(["x1,x2,label", *_good_rows(D.CSV_MAX_ROWS)]), "classification")
    assert data.points.X.shape == (D.CSV_MAX_ROWS, 2)


@pytest.mark.parametrize("line", ["1,2,3,4", "1;2;3;4;5;6", "1\t2\t0\t9"])
def test_too_many_columns(line):
    lines = _good_rows()
    lines[7] = line
    msg = _message(_csv(lines))
    assert "Line 8 has" in msg and "exactly three" in msg


def test_too_large_a_file_is_refused_by_its_size():
    msg = _message(b"1,2,0\n" * (D.CSV_MAX_BYTES // 6 + 10))
    assert "limit is 200 kB" in msg


@pytest.mark.parametrize("body", [b"1," * 99_000, b"9" * 199_000, HOSTILE.encode() * 900])
def test_a_huge_single_line_is_refused_quickly_without_being_echoed(body):
    t0 = time.perf_counter()
    msg = _message(body[: D.CSV_MAX_BYTES])
    assert time.perf_counter() - t0 < 5.0  # a length check, not a parse (generous: a shared, loaded machine)
    assert "Line 1 is" in msg and "characters long" in msg
    _safe(msg)


def test_a_markdown_and_html_header_is_skipped_and_never_echoed():
    data = D.load_csv(_csv([HOSTILE.replace(",", ";")[:190], *_good_rows()]), "classification")
    assert data.points.X.shape == (20, 2)
    for note in data.notes:
        _safe(note)


@pytest.mark.parametrize("where", [0, 4, 19])
def test_markdown_and_html_in_a_data_row_is_not_echoed(where):
    lines = _good_rows()
    lines[where] = "1,[click](http://evil.example),<img/src=x/onerror=alert(1)>"
    if where == 0:
        lines.insert(0, "1,2,0")  # so that line 1 is data and the hostile line is not taken for a header
    msg = _message(_csv(lines))
    assert re.search(r"Line \d+, column 2 is not a number", msg), msg
    _safe(msg)


def test_bad_labels_and_targets_get_plain_messages():
    for lines, task, words in [
        ([f"{i},{i},{i}" for i in range(20)], "classification", "at most 6 classes"),
        ([f"{i},{i},3" for i in range(20)], "classification", "same label"),
        ([f"{i},{i},3" for i in range(20)], "regression", "same target"),
        ([f"{i % 2},{i % 2},{i}" for i in range(20)] + ["5,5,5"], "regression", None),
    ]:
        if words is None:
            assert D.load_csv(_csv(lines), task).points.y.max() == 1.0
        else:
            msg = _message(_csv(lines), task)
            assert words in msg
            _safe(msg)


def test_export_after_training_on_a_hostile_file_is_python_with_no_file_text(tmp_path):
    """Train on a file whose header and labels are hostile; the JSON and the PyTorch snippet carry none of it,
    and the snippet parses as Python."""
    lines = [HOSTILE.replace(",", ";")[:190]] + [f"{(i % 7) * 1e11},{(i // 7) * -3e-3},{9 if i % 3 else -2.5}"
                                                   for i in range(60)]
    loaded = D.load_csv(_csv(lines), "classification", name="file.csv")
    split = D.train_test_split(loaded.points, 0.7, seed=1)
    keys = features.ordered(["x1", "x2", "x1x2", "sinx1"])
    net = pg.Network.initial((len(keys), 4, 1), [Phi("tanh")], seed=0)
    run = pg.Trainer(net, features.transform(split.X_train, keys), split.y_train,
                     features.transform(split.X_test, keys), split.y_test, "binary", 2, pg.Hyper(lr=0.1),
                     max_steps=20)
    run.run(20)
    assert run.steps == 20 and np.isfinite(run.net.theta).all()
    snippet = pg.torch_snippet(run.net, keys, "binary", json_name="nnviz_weights.json")
    exported = pg.weights_json(run.net, keys, "binary", run.epoch)
    ast.parse(snippet)
    json.loads(exported)
    for text in (snippet, exported):
        for bit in ("evil", "Session", "onerror", "script", "href", "alert", "](", "**", "file.csv", "9e+", "-2.5"):
            assert bit not in text, bit


# ---------------------------------------------------------------------------------------------------------------
# WAV uploads and recordings on the playground's sound set (issue 16 item 5): through the page, in AppTest
# ---------------------------------------------------------------------------------------------------------------

SOUNDS = {"pg_data_c": "Sounds: timbres by ear", "pg_snd_src": "Your own"}


def _wav_file(data: bytes, name: str = "a.wav") -> tuple[str, bytes, str]:
    return (name, data, "audio/wav")


def _good(f0: float, seconds: float = 1.5) -> bytes:
    from nnviz import audio
    from tests.test_timbre import wav

    return wav(samples=audio.square(f0, seconds) * 0.5) if f0 > 0 else wav(
        samples=np.random.default_rng(0).uniform(-0.5, 0.5, int(seconds * 22_050)))


def _own_page():
    from tests.apptest_utils import open_page

    return open_page("playground.py", SOUNDS)


@pytest.mark.slow
def test_every_bad_wav_gets_its_message_on_the_page_and_the_previous_sounds_stay():
    from nnviz.ui import live
    from tests.apptest_utils import assert_clean
    from tests.test_timbre import BAD_FILES

    at = _own_page()
    assert_clean(at)
    assert any("at least two classes" in i.value for i in at.info)  # nothing of their own yet: synthesised shown
    at.file_uploader(key="pg_snd_up0").set_value([_wav_file(_good(220.0))]).run()
    at.file_uploader(key="pg_snd_up1").set_value([_wav_file(_good(0.0))]).run()
    assert_clean(at)
    run = live.live_run("pg_live", at.session_state)
    assert run.n_classes == 2 and run.task == "binary"  # trained on their two classes
    X_before = run.X_train.copy()
    for name, (data, words) in BAD_FILES.items():
        at.file_uploader(key="pg_snd_up0").set_value([_wav_file(data, f"{HOSTILE[:40]}.wav")]).run()
        assert_clean(at)
        shown = [e.value for e in at.error]
        assert any(words in e and "still in use" in e for e in shown), (name, shown)
        assert not any(bit in e for e in shown for bit in ("evil", "Session", "<img")), shown  # no file name echoed
        now = live.live_run("pg_live", at.session_state)
        assert now is run and np.array_equal(now.X_train, X_before), name  # never half-loaded, nothing replaced


@pytest.mark.slow
def test_a_recording_goes_through_the_same_path_and_becomes_a_class():
    """AppTest cannot record: it hands st.audio_input the WAV bytes a browser would send."""
    from nnviz.ui import live
    from tests.apptest_utils import assert_clean

    at = _own_page()
    at.audio_input(key="pg_snd_rec0").set_value(("rec.wav", _good(330.0, 2.0), "audio/wav")).run()
    at.audio_input(key="pg_snd_rec1").set_value(("rec.wav", _good(0.0, 2.0), "audio/wav")).run()
    at.audio_input(key="pg_snd_rec2").set_value(("rec.wav", _good(110.0, 2.0), "audio/wav")).run()
    assert_clean(at)
    assert [e.value for e in at.error] == []
    run = live.live_run("pg_live", at.session_state)
    assert run.n_classes == 3 and len(run.X_train) + len(run.X_test) == 3 * 6  # 2 s -> 6 clips of 0.3 s each
    assert any("class A: 6 clips" in c.value for c in at.caption)
    at.audio_input(key="pg_snd_rec2").set_value(("rec.wav", b"RIFF....WAVEjunk", "audio/wav")).run()
    assert any("damaged" in e.value and "6 clips loaded before are still in use" in e.value for e in at.error)
    assert live.live_run("pg_live", at.session_state).n_classes == 3
