"""Sensitivity analysis and scenario discovery on frames built from SALib samples of the Ishigami function
and on synthetic data with a planted box (the engine's sobol/morris designs are not needed here)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from workbench.analysis import sensitivity_plots as splots
from workbench.analysis.prim import prim
from workbench.analysis.sensitivity import feature_scores, morris, point_means, sobol

PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
A, B = 7.0, 0.1


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices() -> tuple[np.ndarray, np.ndarray, float]:
    """Analytic first-order and total indices and S13 (Ishigami & Homma 1990; Sobol' & Levitan 1999)."""
    v1 = 0.5 * (1 + B * np.pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * np.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v, v13 / v


def design_frame(x: np.ndarray, design: str, replicates: int = 1, noise: float = 0.0, **info) -> pd.DataFrame:
    """A sweep frame as the engine writes it: one row per run, ``point`` the row of the sample matrix."""
    y = ishigami(x)
    rows = []
    for replicate in range(replicates):
        # symmetric noise around the exact value, so the replicate mean is exact
        shift = noise * (1 if replicate % 2 == 0 else -1) if replicates % 2 == 0 else 0.0
        part = pd.DataFrame(x, columns=PROBLEM["names"])
        part.insert(0, "replicate", replicate)
        part.insert(0, "point", np.arange(len(x)))
        part["seed"], part["status"], part["y"] = replicate, "ok", y + shift
        rows.append(part)
    frame = pd.concat(rows).sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)
    frame.attrs["design"] = {"design": design, "problem": PROBLEM, **info}
    return frame


def sobol_frame(n: int, seed: int, **kw) -> pd.DataFrame:
    x = sobol_sample.sample(PROBLEM, n, calc_second_order=True, seed=seed)
    return design_frame(x, "sobol", samples=n, calc_second_order=True, **kw)


def morris_frame(trajectories: int, seed: int) -> pd.DataFrame:
    x = morris_sample.sample(PROBLEM, trajectories, num_levels=4, seed=seed)
    return design_frame(x, "morris", samples=trajectories, num_levels=4)


def test_analytic_ishigami_values_match_the_issue():
    s1, st, _ = ishigami_indices()
    assert s1 == pytest.approx([0.314, 0.442, 0.0], abs=5e-4)
    assert st == pytest.approx([0.558, 0.442, 0.244], abs=5e-4)


# 99% intervals: six indices per seed are checked at once, so 95% intervals would miss one in ~1 of 4
# seeds by chance alone. N = 1024 base samples (8192 evaluations) keep each analysis near a second.
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sobol_recovers_the_ishigami_indices_within_their_intervals(seed):
    indices = sobol(sobol_frame(1024, seed), "y", confidence=0.99, seed=seed)
    s1, st, s13 = ishigami_indices()
    assert list(indices.index) == ["x1", "x2", "x3"] and indices.index.name == "factor"
    assert list(indices.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    assert (np.abs(indices["S1"] - s1) <= indices["S1_conf"]).all(), indices
    assert (np.abs(indices["ST"] - st) <= indices["ST_conf"]).all(), indices
    assert (indices[["S1_conf", "ST_conf"]] < 0.15).all().all()  # intervals narrow enough to mean something
    s2 = indices.attrs["S2"].set_index(["factor_i", "factor_j"])
    assert list(s2.index) == [("x1", "x2"), ("x1", "x3"), ("x2", "x3")]
    expected = pd.Series([0.0, s13, 0.0], index=s2.index)
    assert (np.abs(s2["S2"] - expected) <= s2["S2_conf"]).all(), s2


def test_sobol_averages_replicates_per_point_and_ignores_row_order():
    single = sobol(sobol_frame(256, 0), "y")
    replicated = sobol_frame(256, 0, replicates=2, noise=0.5)
    shuffled = replicated.sample(frac=1.0, random_state=3)
    shuffled.attrs = replicated.attrs
    pd.testing.assert_frame_equal(sobol(shuffled, "y"), single)
    assert len(point_means(replicated, ["y"], PROBLEM["names"])) == len(replicated) // 2
    one_failed = replicated.copy()
    one_failed.loc[(one_failed["point"] == 7) & (one_failed["replicate"] == 1), "y"] = np.nan
    means = point_means(one_failed, ["y"], PROBLEM["names"]).set_index("point")["y"]
    assert np.isnan(means[7]) and means.drop(7).notna().all()  # a failed replicate is not averaged away


def test_sobol_bootstrap_is_seeded_without_global_state():
    frame = sobol_frame(256, 0)
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    first, again = sobol(frame, "y", seed=5), sobol(frame, "y", seed=5)
    assert np.array_equal(np.random.get_state()[1], before)  # numpy's global state untouched
    pd.testing.assert_frame_equal(first, again)
    zero = sobol(frame, "y", seed=0)  # SALib would treat seed=0 as unseeded: it must still be reproducible
    pd.testing.assert_frame_equal(zero, sobol(frame, "y", seed=0))
    assert not np.allclose(zero["S1_conf"], first["S1_conf"])
    assert np.allclose(zero["S1"], first["S1"])  # the estimates do not depend on the bootstrap


def test_sobol_without_second_order():
    x = sobol_sample.sample(PROBLEM, 256, calc_second_order=False, seed=0)
    frame = design_frame(x, "sobol", samples=256, calc_second_order=False)
    indices = sobol(frame, "y")
    assert indices.attrs["S2"].empty and len(indices) == 3


def test_sobol_errors_are_clear():
    frame = sobol_frame(64, 0)
    with pytest.raises(ValueError, match=r"outcome\(s\) \['nope'\] not in the frame; columns: .*'x1'"):
        sobol(frame, "nope")
    morris_design = morris_frame(4, 0)
    with pytest.raises(ValueError, match="needs a 'sobol' design.*'morris'"):
        sobol(morris_design, "y")
    plain = frame.copy()
    plain.attrs = {}
    with pytest.raises(ValueError, match="needs a 'sobol' design"):
        sobol(plain, "y")
    assert len(sobol(plain, "y", problem=PROBLEM)) == 3  # an explicit problem is enough
    holes = frame.copy()
    holes.loc[holes["point"].isin([3, 17]), "y"] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite at 2 of 512 design points \(points 3, 17\)"):
        sobol(holes, "y")
    with pytest.raises(ValueError, match="has N\\(2D\\+2\\) = 512 points; the frame has 500"):
        sobol(frame[frame["point"] < 500], "y")
    constant = frame.assign(y=1.0)
    with pytest.raises(ValueError, match="constant"):
        sobol(constant, "y")
    with pytest.raises(ValueError, match="confidence=1.5"):
        sobol(frame, "y", confidence=1.5)
    with pytest.raises(ValueError, match="seed=-1"):
        sobol(frame, "y", seed=-1)


def test_nan_drop_leaves_out_whole_design_units():
    frame = sobol_frame(128, 0)  # blocks of 2D + 2 = 8 points per base sample
    holes = frame.copy()
    holes.loc[holes["point"].isin([3 * 8 + 2, 3 * 8 + 5, 40 * 8]), "y"] = np.nan
    dropped = sobol(holes, "y", nan="drop")
    rest = frame[~(frame["point"] // 8).isin([3, 40])].copy()
    rest.attrs = {"design": {**frame.attrs["design"], "samples": 126}}
    pd.testing.assert_frame_equal(dropped, sobol(rest, "y"), check_like=True)
    assert (dropped.attrs["n_units"], dropped.attrs["n_units_dropped"]) == (128, 2)
    trajectories = morris_frame(12, 0)  # trajectories of D + 1 = 4 points
    holes = trajectories.copy()
    holes.loc[holes["point"] == 4 * 5 + 1, "y"] = np.nan
    rest = trajectories[trajectories["point"] // 4 != 5].copy()
    rest.attrs = {"design": {**trajectories.attrs["design"], "samples": 11}}
    pd.testing.assert_frame_equal(morris(holes, "y", nan="drop"), morris(rest, "y"))
    with pytest.raises(ValueError, match="nan='drop' to drop"):
        morris(holes, "y")
    with pytest.raises(ValueError, match="nan='skip'"):
        morris(holes, "y", nan="skip")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_morris_ranks_x1_and_x2_above_x3(seed):
    indices = morris(morris_frame(50, seed), "y", seed=seed)
    assert list(indices.columns) == ["mu", "mu_star", "sigma", "mu_star_conf"]
    assert min(indices.at["x1", "mu_star"], indices.at["x2", "mu_star"]) > indices.at["x3", "mu_star"]
    assert (indices["mu_star"] >= np.abs(indices["mu"]) - 1e-12).all()
    assert (indices["mu_star_conf"] >= 0).all()


def test_morris_needs_one_factor_moved_per_step():
    frame = morris_frame(10, 0)
    rounded = frame.copy()
    rounded["x1"] = 0.0  # as if a factor's steps vanished (e.g. rounded to an integer)
    with pytest.raises(ValueError, match="trajectory 0 step .* moves 0 factors"):
        morris(rounded, "y")
    with pytest.raises(ValueError, match="needs a 'morris' design.*'sobol'"):
        morris(sobol_frame(64, 0), "y")
    with pytest.raises(ValueError, match="has N\\(D\\+1\\) = 40 points"):
        morris(frame[frame["point"] < 39], "y")


def _factor_frame(seed: int, n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "point": np.arange(n),
            "a": rng.uniform(size=n),
            "b": rng.uniform(size=n),
            "noise": rng.uniform(size=n),
            "mode": rng.choice(["gossip", "ledger", "none"], n),
        }
    )
    frame["y"] = 3 * frame["a"] + np.where(frame["mode"] == "none", 2.0, 0.0) + rng.normal(0, 0.1, n)
    frame["z"] = frame["b"] ** 2 + rng.normal(0, 0.01, n)
    frame.attrs["factors"] = ["a", "b", "noise", "mode"]
    return frame


def test_feature_scores_find_the_drivers_with_one_hot_categoricals():
    frame = _factor_frame(0)
    scores = feature_scores(frame, ["y", "z"], n_estimators=100)
    assert list(scores.index) == ["a", "b", "noise", "mode"] and list(scores.columns) == ["y", "z"]
    assert np.allclose(scores.sum(), 1.0)
    assert set(scores["y"].nlargest(2).index) == {"a", "mode"}
    assert scores["z"].idxmax() == "b" and scores.at["b", "z"] > 0.8
    pd.testing.assert_frame_equal(scores, feature_scores(frame, ["y", "z"], n_estimators=100))  # seeded
    flags = feature_scores(frame.assign(flag=frame["y"] > 2.5), "flag", aggregate=False, n_estimators=50)
    assert set(flags["flag"].nlargest(2).index) == {"a", "mode"}  # a boolean outcome, fitted by a classifier
    forest = feature_scores(frame, "y", factors=["a", "noise"], method="random_forest", n_estimators=50)
    assert forest["y"].idxmax() == "a"
    with pytest.raises(ValueError, match=r"outcome\(s\) \['nope'\] not in the frame"):
        feature_scores(frame, ["nope"])
    with pytest.raises(ValueError, match=r"factor column\(s\) \['missing'\] not in the frame"):
        feature_scores(frame, "y", factors=["a", "missing"])
    with pytest.raises(ValueError, match="method='svm'"):
        feature_scores(frame, "y", method="svm")


def _planted(seed: int, n: int = 1000, flip: float = 0.01) -> pd.DataFrame:
    """Cases of interest inside 0.5 <= a, b <= 0.4, mode != 'none' (13% of the cases); ``flip`` of the labels
    are noise (so at best ~0.93 coverage: ~9 noise cases of interest lie outside the box)."""
    frame = _factor_frame(seed, n)
    inside = (frame["a"] >= 0.5) & (frame["b"] <= 0.4) & (frame["mode"] != "none")
    flips = np.random.default_rng(seed + 100).uniform(size=n) < flip
    frame["failed"] = np.where(inside ^ flips, 1.0, 0.0)
    return frame


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prim_finds_a_planted_box(seed):
    frame = _planted(seed)
    result = prim(frame, "failed", 0.5, min_density=0.9)
    box = result.box
    assert box.coverage > 0.8 and box.density > 0.8
    assert set(box.significant()) == {"a", "b", "mode"}  # the noise factor is not a real restriction
    assert box.limits.at["a", "low"] == pytest.approx(0.5, abs=0.05)
    assert box.limits.at["b", "high"] == pytest.approx(0.4, abs=0.05)
    assert set(box.limits.at["mode", "levels"]) == {"gossip", "ledger"}
    inside = box.contains(frame)
    assert inside.sum() == box.n and frame.loc[inside, "failed"].sum() == box.k
    t = result.trajectory
    assert list(t.columns) == ["step", "coverage", "density", "mass", "n", "k", "res_dim", "pasted"]
    assert t.loc[0, "coverage"] == 1.0 and t.loc[0, "mass"] == 1.0 and t.loc[0, "res_dim"] == 0
    peeled = t[~t["pasted"]]
    assert (np.diff(peeled["mass"]) < 0).all() and (peeled["mass"] >= 0.05 - 1e-12).all()
    assert "a" in box.describe() and "mode in {gossip, ledger}" in box.describe()


def test_prim_below_threshold_selection_and_errors():
    frame = _planted(0)
    below = prim(frame.assign(ok=1.0 - frame["failed"]), "ok", 0.5, direction="below", min_density=0.8)
    above = prim(frame, "failed", 0.5, min_density=0.8)
    assert below.box.n == above.box.n and below.n_of_interest == above.n_of_interest
    last = above.select(-1)
    assert last.box is above.boxes[-1] and last.trajectory is above.trajectory
    with pytest.raises(ValueError, match="index=99"):
        above.select(99)
    with pytest.raises(ValueError, match="no case has failed > 2"):
        prim(frame, "failed", 2)
    with pytest.raises(ValueError, match="alpha=0.7"):
        prim(frame, "failed", 0.5, alpha=0.7)
    with pytest.raises(ValueError, match="direction='up'"):
        prim(frame, "failed", 0.5, direction="up")
    holes = frame.copy()
    holes.loc[:9, "failed"] = np.nan
    assert prim(holes, "failed", 0.5).n_dropped == 10


def test_plots_draw_indices_with_intervals_and_prim_results():
    sob = sobol(sobol_frame(64, 0), "y")
    fig = splots.plot_indices(sob)
    ax = fig.axes[0]
    assert len(ax.patches) == 6 and [t.get_text() for t in ax.get_legend().get_texts()] == ["S1", "ST"]
    assert len(ax.containers) == 4  # two bar containers and two error-bar containers
    mor = morris(morris_frame(10, 0), "y")
    assert len(splots.plot_indices(mor).axes[0].patches) == 3
    assert len(splots.plot_morris_plane(mor).axes[0].texts) == 3
    results = {"y": sob, "y_again": sob}
    assert len(splots.plot_indices_grid(results).axes) == 2
    tidy = splots.tidy_indices(results)
    assert len(tidy) == 2 * 3 * 2 and set(tidy["index"]) == {"S1", "ST"}
    row = tidy[(tidy.outcome == "y") & (tidy.factor == "x2") & (tidy["index"] == "ST")].iloc[0]
    assert row["value"] == sob.at["x2", "ST"] and row["conf"] == sob.at["x2", "ST_conf"]
    scores = feature_scores(_factor_frame(0), ["y", "z"], n_estimators=20)
    assert len(splots.plot_indices(scores).axes[0].patches) == 8
    result = prim(_planted(0), "failed", 0.5, min_density=0.8)
    assert splots.plot_prim_trajectory(result).axes[0].collections
    fig = splots.plot_prim_box(result)
    assert len(fig.axes[0].get_yticklabels()) == len(result.box.restricted)


def test_prose_is_built_from_the_results():
    from workbench.analysis.sensitivity_report import indices_text, prim_text

    sob = sobol(sobol_frame(256, 0), "y")
    text = indices_text({"y": sob})
    # x3 acts only through its interaction with x1: influential by ST, and S1 sums below 1
    assert all(f"`{f}` (ST {sob.at[f, 'ST']:.2f}" in text for f in ["x1", "x2", "x3"])
    assert f"add up to {sob['S1'].sum():.2f}" in text
    mor = morris(morris_frame(20, 0), "y")
    text = indices_text(splots.indices_by_outcome(morris_frame(20, 0), ["y", "nope"], morris, skip_errors=True))
    assert f"mu* {mor.at['x1', 'mu_star']:.3g}" in text and "**nope** was not analysed" in text
    with pytest.raises(ValueError, match="nope"):
        splots.indices_by_outcome(morris_frame(20, 0), ["nope"], morris)
    result = prim(_planted(0), "failed", 0.5, min_density=0.9)
    text = prim_text(result)
    assert f"{result.box.coverage:.0%} of those cases" in text and result.box.describe() in text
