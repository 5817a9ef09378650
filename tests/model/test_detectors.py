"""Behaviour tests of the per-node detector banks (workbench.model.detectors)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from workbench.model.detectors import (
    BatchedIsolationForest,
    DetectorBank,
    IsolationForestBank,
    RobustZScore,
    RobustZScoreBank,
    make_detector_bank,
)
from workbench.model.forests import average_path_length


def _planted(rng: np.random.Generator, n_nodes: int, n_benign: int, n_outliers: int, d: int = 5, shift: float = 3.0):
    """Benign N(mu_node, 1) flows plus outliers shifted by ``shift`` in one random feature."""
    mu = rng.normal(0.0, 2.0, size=(n_nodes, 1, d))
    X = mu + rng.normal(size=(n_nodes, n_benign + n_outliers, d))
    cols = rng.integers(d, size=(n_nodes, n_outliers))
    signs = rng.choice([-1.0, 1.0], size=(n_nodes, n_outliers))
    for n in range(n_nodes):
        X[n, n_benign + np.arange(n_outliers), cols[n]] += signs[n] * shift
    y = np.zeros((n_nodes, n_benign + n_outliers), dtype=int)
    y[:, n_benign:] = 1
    return X, y


# ------------------------------------------------------------------------------------------
# isolation forest: compiled sklearn forests
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("W", [200, 300])  # max_samples = W (no subsampling) and 256 < W
def test_compiled_sklearn_forests_score_exactly_like_sklearn(W: int) -> None:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(3, W, 5)) * rng.uniform(0.5, 3.0, size=(3, 1, 5))
    X_new = rng.normal(size=(3, 60, 5)) * 2.5
    bank = IsolationForestBank(n_trees=30, contamination=0.05, fit_backend="sklearn", rng=np.random.default_rng(5))
    bank.fit(X)
    scores = bank.score_samples(X_new)
    assert scores.shape == (3, 60)

    seeds = np.random.default_rng(5)  # the bank draws one random_state per node, in node order
    for n in range(3):
        ref = IsolationForest(
            n_estimators=30,
            max_samples=min(256, W),
            contamination=0.05,
            random_state=int(seeds.integers(2**31 - 1)),
        ).fit(X[n])
        np.testing.assert_allclose(scores[n], ref.score_samples(X_new[n]), rtol=0, atol=1e-12)
        assert bank.threshold_[n] == pytest.approx(ref.offset_, abs=1e-12)
        flagged = bank.predict_flags(X_new)[1][n]
        np.testing.assert_array_equal(flagged, ref.predict(X_new[n]) == -1)
    assert bank.forest_.depth <= math.ceil(math.log2(min(256, W)))


def test_single_forest_wrapper_matches_sklearn() -> None:
    rng = np.random.default_rng(3)
    X, X_new = rng.normal(size=(150, 4)), rng.normal(size=(40, 4)) * 3
    det = BatchedIsolationForest(n_trees=20, fit_backend="sklearn", rng=np.random.default_rng(9)).fit(X)
    ref = IsolationForest(
        n_estimators=20,
        max_samples=150,
        contamination=0.01,
        random_state=int(np.random.default_rng(9).integers(2**31 - 1)),
    ).fit(X)
    np.testing.assert_allclose(det.score_samples(X_new), ref.score_samples(X_new), atol=1e-12)
    np.testing.assert_array_equal(det.predict(X_new), ref.predict(X_new))
    assert det.offset_ == pytest.approx(ref.offset_)


# ------------------------------------------------------------------------------------------
# isolation forest: numpy-built forests
# ------------------------------------------------------------------------------------------


def test_numpy_forest_structure() -> None:
    rng = np.random.default_rng(0)
    N, W, d, T = 3, 100, 4, 7
    X = rng.normal(size=(N, W, d))
    X[1, :, 2] = 1.0  # a constant feature: never split on
    bank = IsolationForestBank(n_trees=T, rng=rng).fit(X)
    f = bank.forest_
    M = f.n_tree_nodes
    ids = np.arange(M)
    leaf = (f.children[:, 0] == ids) & (f.children[:, 1] == ids)
    internal = ~leaf

    assert f.roots.shape == (N, T) and len(np.unique(f.roots)) == N * T
    assert f.depth <= math.ceil(math.log2(W))
    assert np.all(np.isinf(f.threshold[leaf])) and np.all(np.isfinite(f.threshold[internal]))
    assert np.all(f.children[internal] > ids[internal, None])  # built level by level
    assert np.all((f.feature >= 0) & (f.feature < d))
    # every non-root node has exactly one parent, and every tree is a binary tree
    parents = np.bincount(f.children[internal].ravel(), minlength=M)
    assert np.all(parents[np.setdiff1d(ids, f.roots.ravel())] == 1)
    assert leaf.sum() == internal.sum() + N * T

    # node 1's trees never test its constant feature
    node_of = np.full(M, -1)
    frontier = {int(r): n for n in range(N) for r in f.roots[n]}
    while frontier:
        nxt = {}
        for i, n in frontier.items():
            node_of[i] = n
            if internal[i]:
                nxt[int(f.children[i, 0])] = n
                nxt[int(f.children[i, 1])] = n
        frontier = nxt
    assert np.all(node_of >= 0)
    assert not np.any(internal & (node_of == 1) & (f.feature == 2))

    # W <= 256, so every tree is grown on all W rows: each leaf's value must be its depth plus
    # c(number of training rows that reach it), and the rows of a tree must reach its leaves
    h_training = bank.mean_path_length(X)
    for n in range(N):
        for t in range(T):
            hits: dict[int, list[int]] = {}
            for w in range(W):
                i, depth = int(f.roots[n, t]), 0
                while internal[i]:
                    i = int(f.children[i, int(X[n, w, f.feature[i]] > f.threshold[i])])
                    depth += 1
                hits.setdefault(i, [depth, 0])[1] += 1
            for i, (depth, count) in hits.items():
                assert f.leaf_value[i] == pytest.approx(depth + float(average_path_length(count)))
            assert sum(count for _, count in hits.values()) == W
    assert np.all(h_training > 0)


def test_numpy_forest_scores_distributed_like_sklearn() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(1, 256, 5))
    X_new = rng.normal(size=(1, 300, 5)) * 1.5
    ours = IsolationForestBank(n_trees=400, rng=np.random.default_rng(2)).fit(X).score_samples(X_new)
    ref = (
        IsolationForestBank(n_trees=400, fit_backend="sklearn", rng=np.random.default_rng(3))
        .fit(X)
        .score_samples(X_new)
    )
    # seed-to-seed noise of 400-tree sklearn forests is ~0.007 mean |diff|; an off-by-one depth
    # or a wrong split range shifts scores by > 0.03
    assert np.abs(ours - ref).mean() < 0.015
    assert abs((ours - ref).mean()) < 0.01
    assert np.corrcoef(ours.ravel(), ref.ravel())[0, 1] > 0.97


def test_numpy_forest_ranks_anomalies_like_sklearn() -> None:
    X, y = _planted(np.random.default_rng(4), 4, 256 + 300, 30, shift=3.0)
    X_fit, X_test, y_test = X[:, :256], X[:, 256:], y[:, 256:]  # fit on benign flows only
    aucs = {}
    for backend in ("numpy", "sklearn"):
        bank = IsolationForestBank(n_trees=100, fit_backend=backend, rng=np.random.default_rng(8)).fit(X_fit)
        aucs[backend] = roc_auc_score(y_test.ravel(), -bank.score_samples(X_test).ravel())
    assert 0.8 < aucs["sklearn"] < 0.999, aucs  # a non-trivial problem
    assert abs(aucs["numpy"] - aucs["sklearn"]) < 0.02, aucs


@pytest.mark.parametrize("backend", ["numpy", "sklearn"])
def test_iforest_same_seed_same_scores_different_seed_different(backend: str) -> None:
    X = np.random.default_rng(0).normal(size=(3, 120, 4))

    def scores(seed: int) -> np.ndarray:
        bank = IsolationForestBank(n_trees=15, fit_backend=backend, rng=np.random.default_rng(seed))
        return bank.fit(X).score_samples(X)

    np.testing.assert_array_equal(scores(1), scores(1))
    assert not np.allclose(scores(1), scores(2))


def test_iforest_threshold_flags_contamination_share_of_warmup() -> None:
    X = np.random.default_rng(2).normal(size=(5, 250, 5))
    bank = IsolationForestBank(n_trees=50, contamination=0.05, rng=np.random.default_rng(0)).fit(X)
    _, flagged = bank.predict_flags(X)
    assert flagged.shape == (5, 250)
    np.testing.assert_allclose(flagged.mean(axis=1), 0.05, atol=0.01)
    before = bank.score_samples(X)
    bank.update(X, flagged)  # no-op
    np.testing.assert_array_equal(before, bank.score_samples(X))


# ------------------------------------------------------------------------------------------
# robust z-score
# ------------------------------------------------------------------------------------------


def test_zscore_matches_per_node_reference() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_t(3, size=(4, 101, 3)) * rng.uniform(0.2, 5, size=(4, 1, 3)) + rng.normal(size=(4, 1, 3))
    X_new = rng.normal(size=(4, 20, 3)) * 4
    bank = RobustZScoreBank(threshold=3.5).fit(X)
    got = bank.score_samples(X_new)
    for n in range(4):
        for j in range(3):
            med = np.median(X[n, :, j])
            mad = np.median(np.abs(X[n, :, j] - med))
            assert bank.median_[n, j] == pytest.approx(med)
            assert bank.scale_[n, j] == pytest.approx(1.4826 * mad)
        ref = -np.max([np.abs(X_new[n, :, j] - np.median(X[n, :, j])) / bank.scale_[n, j] for j in range(3)], axis=0)
        np.testing.assert_allclose(got[n], ref)
    np.testing.assert_array_equal(bank.threshold_, np.full(4, -3.5))
    scores, flagged = bank.predict_flags(X_new)
    np.testing.assert_array_equal(flagged, -scores > 3.5)
    single = RobustZScore(threshold=3.5).fit(X[2])
    np.testing.assert_allclose(single.score_samples(X_new[2]), got[2])
    np.testing.assert_array_equal(single.predict(X_new[2]) == -1, flagged[2])


def test_zscore_mad_zero_guard() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 100, 3))
    X[0, :, 1] = 7.0  # constant feature: MAD = 0 and mean |dev| = 0 -> floor
    X[1, :, 2] = 0.0
    X[1, :10, 2] = 5.0  # mostly-zero counter: MAD = 0, mean |dev| = 0.5 -> fallback scale
    with np.errstate(all="raise"):
        bank = RobustZScoreBank(threshold=4.0).fit(X)
        X_new = np.zeros((2, 3, 3))
        X_new[0, :, 1] = [7.0, 7.0 + 1e-3, 7.0]
        X_new[1, :, 2] = [0.0, 1.0, 5.0]
        scores = bank.score_samples(X_new)
    assert np.all(np.isfinite(scores))
    assert bank.scale_[0, 1] == RobustZScoreBank.MAD_FLOOR
    assert bank.scale_[1, 2] == pytest.approx(1.253314 * 0.5)
    flags = scores < bank.threshold_[:, None]
    assert not flags[0, 0] and flags[0, 1]  # any departure from a constant is flagged
    assert not flags[1, 0] and not flags[1, 1]  # within the counter's usual spread
    assert flags[1, 2]  # 5 / 0.63 ~ 8 sigma


def test_zscore_update_tracks_benign_drift_and_ignores_flagged() -> None:
    rng = np.random.default_rng(0)
    N, W, F, d = 3, 200, 20, 2
    bank = RobustZScoreBank(threshold=4.0, refit_steps=5).fit(rng.normal(size=(N, W, d)))
    med0 = bank.median_.copy()

    # attacks (flagged) do not move the baseline
    for _ in range(10):
        bank.update(rng.normal(50.0, 1.0, size=(N, F, d)), np.ones((N, F), dtype=bool))
    np.testing.assert_allclose(bank.median_, med0, atol=0.15)
    assert np.all(bank.scale_ > 0.5)

    # benign drift to mean 3: nothing changes before refit_steps calls, then the median follows
    for _ in range(4):
        bank.update(rng.normal(3.0, 1.0, size=(N, F, d)), np.zeros((N, F), dtype=bool))
    baseline_before_refit = bank.median_.copy()
    bank.update(rng.normal(3.0, 1.0, size=(N, F, d)), np.zeros((N, F), dtype=bool))
    assert np.all(bank.median_ > baseline_before_refit + 0.5)
    for _ in range(10):
        bank.update(rng.normal(3.0, 1.0, size=(N, F, d)), np.zeros((N, F), dtype=bool))
    np.testing.assert_allclose(bank.median_, 3.0, atol=0.3)  # the window now holds only new traffic
    assert bank.buffer_.shape == (N, W, d)


def test_zscore_update_writes_only_accepted_flows_per_node() -> None:
    rng = np.random.default_rng(1)
    N, W, F, d = 3, 10, 4, 2
    bank = RobustZScoreBank(refit_steps=1).fit(rng.normal(size=(N, W, d)))
    before = bank.buffer_.copy()
    X = rng.normal(10.0, 1.0, size=(N, F, d))
    flagged = np.array([[True] * 4, [False] * 4, [True, False, True, False]])
    bank.update(X, flagged)
    np.testing.assert_array_equal(bank.buffer_[0], before[0])  # all flagged: baseline untouched
    np.testing.assert_array_equal(bank.buffer_[1, :4], X[1])  # oldest rows replaced, in order
    np.testing.assert_array_equal(bank.buffer_[1, 4:], before[1, 4:])
    np.testing.assert_array_equal(bank.buffer_[2, :2], X[2, [1, 3]])
    np.testing.assert_array_equal(bank.buffer_[2, 2:], before[2, 2:])
    # more accepted flows than the window holds: only the newest W survive, as a ring
    big = rng.normal(size=(N, 25, d))
    bank.update(big, np.zeros((N, 25), dtype=bool))
    for n in range(N):
        np.testing.assert_array_equal(np.sort(bank.buffer_[n], axis=0), np.sort(big[n, -W:], axis=0))


# ------------------------------------------------------------------------------------------
# real data: Shuttle (shipped inside the river wheel)
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shuttle() -> tuple[np.ndarray, np.ndarray]:
    river_datasets = pytest.importorskip("river.datasets")
    data = np.loadtxt(river_datasets.Shuttle().path, delimiter=",", skiprows=1)
    return data[:, :9], data[:, 9].astype(int)  # river: anomaly = 1 for the rare classes


@pytest.mark.parametrize("name, backend", [("zscore", "numpy"), ("iforest", "numpy"), ("iforest", "sklearn")])
def test_shuttle_roc_auc(shuttle, name: str, backend: str) -> None:
    X, y = shuttle
    n_nodes, n_fit, n_test = 4, 500, 2500
    order = np.random.default_rng(0).permutation(len(y))
    fit_rows = order[: n_nodes * n_fit].reshape(n_nodes, n_fit)  # ~7% anomalies: mostly normal
    test_rows = order[n_nodes * n_fit : n_nodes * (n_fit + n_test)].reshape(n_nodes, n_test)
    bank = make_detector_bank(name, rng=np.random.default_rng(1), iforest_backend=backend)
    scores = bank.fit(X[fit_rows]).score_samples(X[test_rows])
    auc = roc_auc_score(y[test_rows].ravel(), -scores.ravel())
    assert auc >= 0.90, f"{name}/{backend}: ROC AUC {auc:.3f}"


# ------------------------------------------------------------------------------------------
# interface and validation
# ------------------------------------------------------------------------------------------


def test_factory_builds_both_banks_with_one_interface() -> None:
    z = make_detector_bank("zscore", zscore_threshold=3.0, zscore_refit_steps=2)
    f = make_detector_bank("iforest", rng=np.random.default_rng(0), iforest_trees=5, iforest_contamination=0.02)
    assert isinstance(z, RobustZScoreBank) and (z.threshold, z.refit_steps) == (3.0, 2)
    assert isinstance(f, IsolationForestBank) and (f.n_trees, f.contamination) == (5, 0.02)
    X = np.random.default_rng(0).normal(size=(2, 50, 3))
    for bank in (z, f):
        scores, flagged = bank.fit(X).predict_flags(X[:, :7])
        assert isinstance(bank, DetectorBank)
        assert scores.shape == flagged.shape == (2, 7) and flagged.dtype == bool
        bank.update(X[:, :7], flagged)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: make_detector_bank("lof"), r"name='lof'.*'iforest', 'zscore'"),
        (lambda: IsolationForestBank(n_trees=0), r"n_trees=0.*1 <= x"),
        (lambda: IsolationForestBank(n_trees=2.5), r"n_trees=2.5.*integer"),
        (lambda: IsolationForestBank(contamination=0.7), r"contamination=0.7.*<= 0.5"),
        (lambda: IsolationForestBank(fit_backend="torch"), r"fit_backend='torch'.*'numpy', 'sklearn'"),
        (lambda: RobustZScoreBank(threshold=0), r"threshold=0.*0.0 < x"),
        (lambda: RobustZScoreBank(refit_steps=0), r"refit_steps=0.*1 <= x"),
        (lambda: BatchedIsolationForest(n_trees=-1), r"n_trees=-1"),
    ],
)
def test_invalid_parameters_raise(make, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_wrong_array_shapes_raise() -> None:
    X = np.zeros((2, 30, 3))
    for bank in (RobustZScoreBank(), IsolationForestBank(n_trees=2, rng=np.random.default_rng(0))):
        with pytest.raises(ValueError, match=r"X must be a 3-D array of shape \(N, W, d\); got ndim=2"):
            bank.fit(X[0])
        bank.fit(X)
        with pytest.raises(ValueError, match=r"X must be a 3-D array of shape \(N, F, d\); got ndim=4"):
            bank.score_samples(X[None])
        with pytest.raises(ValueError, match=r"X has 3 nodes .* N=2"):
            bank.score_samples(np.zeros((3, 5, 3)))
        with pytest.raises(ValueError, match=r"X has 4 features .* d=3"):
            bank.score_samples(np.zeros((2, 5, 4)))
        with pytest.raises(ValueError, match=r"X must hold finite numbers"):
            bank.score_samples(np.full((2, 5, 3), np.nan))
    with pytest.raises(ValueError, match=r"X must be a 2-D array"):
        RobustZScore().fit(X)
    with pytest.raises(ValueError, match=r"flagged must have shape"):
        RobustZScoreBank().fit(X).update(X[:, :4], np.zeros((2, 5), dtype=bool))


def test_compile_maps_subsampled_features_like_sklearn() -> None:
    # With max_features < 1, bagging gives each tree its own feature subset and order
    # (estimators_features_); the compiled trees must test the original columns.
    from workbench.model.forests import compile_sklearn_forests, mean_path_length

    rng = np.random.default_rng(6)
    X, X_new = rng.normal(size=(200, 6)) * np.arange(1, 7), rng.normal(size=(50, 6)) * 8
    ref = IsolationForest(n_estimators=25, max_features=0.5, random_state=3).fit(X)
    assert any(list(f) != sorted(f) or len(f) < 6 for f in ref.estimators_features_)
    flat = compile_sklearn_forests([ref], n_features=6)
    h = mean_path_length(flat, X_new.astype(np.float32).astype(np.float64)[None])[0]
    np.testing.assert_allclose(-(2.0 ** (-h / average_path_length(200))), ref.score_samples(X_new), atol=1e-12)


def test_zscore_bank_in_node_chunks_and_on_an_owned_buffer_equals_one_pass(monkeypatch) -> None:
    # the model hands its warm-up buffer over (fit_owned) and the bank refits and scores a chunk of
    # nodes at a time: the same medians, scales, scores and ring buffer as fit on a copy in one pass
    import workbench.model.detectors as detectors

    rng = np.random.default_rng(2)
    X = rng.standard_normal((37, 40, 4))
    X[:, :25, 1] = 0.0  # MAD 0: the mean absolute deviation fallback
    X[:, :, 2] = 1.5  # a constant feature: the floor
    steps = [(rng.standard_normal((37, 9, 4)) * 2, rng.random((37, 9)) < 0.3) for _ in range(4)]
    one = RobustZScoreBank(refit_steps=2).fit(X)
    monkeypatch.setattr(detectors, "_REFIT_BUDGET", 300)
    owned = X.copy()
    chunked = RobustZScoreBank(refit_steps=2).fit_owned(owned)
    assert chunked.buffer_ is owned
    for Y, flagged in steps:
        np.testing.assert_array_equal(one.score_samples(Y), chunked.score_samples(Y))
        one.update(Y, flagged)
        chunked.update(Y, flagged)
        for name in ("buffer_", "median_", "scale_"):
            np.testing.assert_array_equal(getattr(one, name), getattr(chunked, name))
