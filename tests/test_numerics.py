"""The machine fingerprint stored runs carry: the bits of a fixed computation, the same every time on one machine."""

from __future__ import annotations

import re

import torch

from nnviz import numerics, threads


def test_the_fingerprint_is_a_digest_of_a_repeatable_computation():
    fp = numerics.fingerprint()
    assert re.fullmatch(r"[0-9a-f]{16}", fp)
    assert numerics.fingerprint.__wrapped__() == fp  # computed afresh: the same bits
    first, again = numerics._canary(torch), numerics._canary(torch)
    assert len(first) == len(again) == len(numerics.SHAPES) * 9
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert all(bool(torch.isfinite(t).all()) for t in first)


def test_only_this_machines_fingerprint_counts_as_this_machine():
    assert numerics.same_machine(numerics.fingerprint())
    assert not numerics.same_machine(None)  # a file stored before fingerprints
    assert not numerics.same_machine("0" * 16)


def test_the_fingerprint_follows_the_thread_count(monkeypatch):
    """The compute threads change how sums are split, so they are part of the fingerprint."""
    monkeypatch.setattr(threads, "THREADS", threads.THREADS + 1)
    try:
        assert numerics.fingerprint.__wrapped__() != numerics.fingerprint()
    finally:
        monkeypatch.undo()
        threads.bound()
    assert torch.get_num_threads() == threads.THREADS
