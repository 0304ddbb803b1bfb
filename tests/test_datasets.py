"""The playground's data sets, the train/test split and the CSV loader (good files and bad ones)."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz import datasets as D
from nnviz import features

ALL_SETS = list(D.CLASSIFICATION_SETS) + list(D.REGRESSION_SETS)


def test_single_neuron_sets_are_unchanged():
    p = D.logic_gate("XOR")
    assert p.X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and p.y.tolist() == [0, 1, 1, 0]
    b = D.two_blobs(40, seed=3)
    assert b.X.shape == (40, 2) and set(b.y) == {0, 1}


@pytest.mark.parametrize("n", [1, 2, 7, 40, 301])
@pytest.mark.parametrize("seed", [0, 3, 2**31 - 1])
def test_numpy_blobs_and_moons_are_scikit_learns_point_for_point(n, seed):
    from sklearn.datasets import make_blobs, make_moons

    X, y = make_blobs(n_samples=n, centers=[[-1.5, -1.5], [1.5, 1.5]], cluster_std=0.7, random_state=seed)
    b = D.two_blobs(n, spread=0.7, seed=seed)
    assert np.array_equal(b.X, X) and np.array_equal(b.y, y)
    X, y = make_moons(n_samples=n, noise=None, random_state=seed)
    mX, my = D._moons(n, seed)
    assert np.array_equal(mX, X) and np.array_equal(my, y)


@pytest.mark.parametrize("name", ALL_SETS)
def test_every_set_has_the_right_shape_range_and_seed(name):
    p = D.playground_set(name, 301, 0.2, seed=4)
    assert p.X.shape == (301, 2) and p.y.shape == (301,)
    assert np.abs(p.X).max() <= 2 * D.DOMAIN
    if name in D.REGRESSION_SETS:
        assert np.all(np.abs(p.y) <= 1.0)
    else:
        k = 3 if name.endswith("3") else 2
        assert set(np.unique(p.y)) == set(range(k))
    again = D.playground_set(name, 301, 0.2, seed=4)
    other = D.playground_set(name, 301, 0.2, seed=5)
    assert np.array_equal(p.X, again.X) and np.array_equal(p.y, again.y)
    assert not np.array_equal(p.X, other.X)


def test_noise_free_labels_follow_the_rule():
    c = D.playground_set("circle", 400, 0.0, seed=0)
    assert np.array_equal(c.y == 1, np.hypot(*c.X.T) < 2.5)
    x = D.playground_set("xor", 400, 0.0, seed=0)
    assert np.array_equal(x.y == 1, x.X[:, 0] * x.X[:, 1] >= 0)
    assert np.min(np.abs(x.X)) >= 0.3  # the padding keeps points off the axes
    s = D.playground_set("sine", 100, 0.0, seed=0)
    np.testing.assert_allclose(s.y, np.sin(s.X[:, 0]))
    # the bump at (4, 2.5) has sign +1 and height 1 at its centre, 0 two units away
    np.testing.assert_allclose(D.regression_target("multi_gauss", np.array([[4, 2.5], [0, -2.5], [6.5, 2.5]])),
                               [1.0, 1.0, 0.0])
    np.testing.assert_allclose(D.regression_target("plane", np.array([[3.0, 2.0]])), [0.5])


def test_noise_moves_labels_or_points():
    clean = D.playground_set("circle", 500, 0.0, seed=0)
    noisy = D.playground_set("circle", 500, 0.5, seed=0)
    inside = np.hypot(*noisy.X.T) < 2.5
    assert np.mean(noisy.y == inside) < 1.0 == np.mean(clean.y == (np.hypot(*clean.X.T) < 2.5))
    g0, g1 = D.playground_set("gauss", 500, 0.0, seed=0), D.playground_set("gauss", 500, 0.5, seed=0)
    assert g1.X[g1.y == 1].std() > 2 * g0.X[g0.y == 1].std()


def test_spiral_arms_are_interleaved():
    s = D.playground_set("spiral", 200, 0.0, seed=0)
    assert np.sum(s.y == 0) == np.sum(s.y == 1) == 100
    np.testing.assert_allclose(s.X[s.y == 1], -s.X[s.y == 0], atol=1e-12)  # arm 2 is arm 1 turned by pi


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_split_sizes_and_disjointness(fraction):
    p = D.playground_set("moons", 500, 0.1, seed=0)
    sp = D.train_test_split(p, fraction, seed=3)
    assert len(sp.X_train) == round(500 * fraction) and len(sp.X_train) + len(sp.X_test) == 500
    rows = {tuple(r) for r in sp.X_train} | {tuple(r) for r in sp.X_test}
    assert len(rows) == 500 and sp.n_classes == 2 and sp.task == "classification"
    assert D.train_test_split(D.playground_set("sine", 50), 0.5, regression=True).n_classes == 0


def test_features_transform_in_canonical_order():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    F = features.transform(X, ["sinx2", "x1", "x1x2"])
    np.testing.assert_allclose(F, [[1.0, 2.0, np.sin(2.0)], [-0.5, -1.5, np.sin(3.0)]])
    with pytest.raises(ValueError, match="at least one"):
        features.transform(X, [])


def test_good_csv_is_read_and_scaled():
    rows = "x1,x2,label\n" + "\n".join(f"{i},{2 * i},{'cat' if i % 2 else 'dog'}" for i in range(20))
    with pytest.raises(ValueError, match="not a number"):
        D.load_csv(rows.encode(), "classification")
    rows = "x1;x2;label\n" + "\n".join(f"{i};{10 * i};{7 if i % 2 else 3}" for i in range(20))
    data = D.load_csv(rows.encode(), "classification")
    assert data.points.X.shape == (20, 2) and set(data.points.y) == {0, 1}
    assert data.points.y[1] == 1 and data.points.y[0] == 0  # 3 -> 0, 7 -> 1
    assert np.abs(data.points.X).max() == pytest.approx(5.0)
    reg = D.load_csv(("\n".join(f"{i}\t{i % 3}\t{i * 0.5}" for i in range(15))).encode(), "regression")
    assert reg.points.y.min() == -1.0 and reg.points.y.max() == 1.0


@pytest.mark.parametrize(("content", "task", "words"), [
    (b"", "classification", "empty"),
    (b"\xff\xfe\x00\x81" * 10, "classification", "not a text file"),
    (b"1,2\n" * 20, "classification", "exactly three"),
    (b"1,2,3\n" * 5, "classification", "at least 10"),
    ("\n".join(f"{i},{i},{i}" for i in range(20)).encode(), "classification", "at most 6 classes"),
    ("\n".join(f"{i},{i},1" for i in range(20)).encode(), "classification", "same label"),
    ("\n".join(f"{i},{i},nan" for i in range(20)).encode(), "regression", "missing"),
    (b"1,1,0\n" * 20, "classification", "same place"),
    (b"1,2,0\n" * 100_000, "classification", "limit"),
    ("\n".join(f"{i},{i},{i % 2}" for i in range(D.CSV_MAX_ROWS + 5)).encode(), "classification", "rows"),
    (("1,2,x\n" * 20).encode(), "regression", "not a number"),
])
def test_bad_csv_gets_a_plain_message(content, task, words):
    with pytest.raises(ValueError, match=words):
        D.load_csv(content, task)
