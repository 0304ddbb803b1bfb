"""Cached views of the playground's sound set: the synthesised sounds (in blocks), their split on the plane for a
pair of features, a student's own clips from WAV bytes, and the WAV of any one sound. Settings in, frozen out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz import audio, datasets
from nnviz.topics import timbre
from nnviz.ui.cache import view


@view(max_entries=64)
def block(b: int, noise: float, seed: int) -> timbre.SoundSet:
    """Sounds BLOCK b .. of the synthesised set (``timbre.sound_block``): a change of n measures only new blocks."""
    return timbre.sound_block(b, noise, seed)


def sound_set(n: int, noise: float, seed: int) -> timbre.SoundSet:
    """The first n synthesised sounds, from cached blocks."""
    return timbre.join([block(b, noise, seed) for b in range(-(-n // timbre.BLOCK))], n)


@dataclass(frozen=True)
class SoundSplit:
    """Sounds placed on the plane by a feature pair and cut into training and test points; ``train_index`` and
    ``test_index`` give each point's sound (so a point can be heard)."""

    split: datasets.Split
    train_index: np.ndarray
    test_index: np.ndarray


def _split(values: np.ndarray, y: np.ndarray, pair: tuple[str, str], ratio: float, seed: int,
           name: str) -> SoundSplit:
    X = timbre.to_plane(values, pair)
    sp = datasets.train_test_split(datasets.Points(X, y, name), ratio, seed)
    index = np.arange(len(y), dtype=float)
    order = datasets.train_test_split(datasets.Points(np.stack([index, index], axis=1), y, name), ratio, seed)
    return SoundSplit(sp, order.X_train[:, 0].astype(int), order.X_test[:, 0].astype(int))


@view(max_entries=32)
def synth_split(pair: tuple[str, str], n: int, noise: float, ratio: float, seed: int) -> SoundSplit:
    """The synthesised set on the plane for ``pair`` (x1, x2)."""
    s = sound_set(n, noise, seed)
    return _split(s.values, s.y, timbre.check_pair(pair), ratio, seed, "sounds")


def own_split(values: np.ndarray, y: np.ndarray, pair: tuple[str, str], ratio: float, seed: int) -> SoundSplit:
    """A student's own clips (features (m, 5), classes (m,)) on the plane (cheap: not cached)."""
    return _split(values, y, timbre.check_pair(pair), ratio, seed, "your sounds")


@dataclass(frozen=True)
class OwnClips:
    """A WAV file after checking: its clips (None if refused) and the reason in words when refused."""

    clips: timbre.Clips | None
    error: str


@view(max_entries=32)
def own_clips(data: bytes) -> OwnClips:
    """WAV bytes (an upload or a recording) -> clips and features, or a plain-words refusal."""
    try:
        return OwnClips(timbre.clips_from_wav(data), "")
    except ValueError as err:
        return OwnClips(None, str(err))


@view(max_entries=64)
def synth_wav(i: int, n: int, noise: float, seed: int) -> bytes:
    """Sound i of the synthesised set as 16-bit WAV (its level kept)."""
    return audio.wav_bytes(sound_set(n, noise, seed).clip(i))


@dataclass(frozen=True)
class PlaneSound:
    """The sound a plane point describes (``timbre.synth_from_features``) as WAV, its measured features (5,) and
    the sentence; ``wav`` is empty when the pair cannot be synthesised."""

    wav: bytes
    measured: np.ndarray
    sentence: str


@view(max_entries=64)
def plane_sound(pair: tuple[str, str], x1: float, x2: float) -> PlaneSound:
    s = timbre.synth_from_features(pair, (x1, x2))
    if s is None:
        return PlaneSound(b"", np.full(len(timbre.FEATURES), np.nan), timbre.unsynthesisable_sentence(pair))
    return PlaneSound(audio.wav_bytes(s.clip), s.measured, s.sentence)
