"""Replicate statistics and sweep figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import sweep_runners as testing
from scipy import stats

from workbench.analysis.stats import factor_columns, mean_ci, outcome_columns, summarize
from workbench.analysis.sweep_plots import plot_heatmap, plot_outcome
from workbench.experiments import Sweep


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    sweep = Sweep(
        {"n_nodes": 20},
        {"sharing": ["none", "gossip"], "malicious_fraction": [0.0, 0.2, 0.6]},
        replicates=4,
        steps=5,
        seed=2,
        runner=testing.fake_runner,
        allow_partial_windows=True,  # a stand-in runner: no window to cover
    )
    return sweep.run(store=tmp_path_factory.mktemp("store"), quiet=True)


def test_mean_ci_matches_the_t_interval():
    x = np.array([0.2, 0.5, 0.4, 0.9, np.nan])
    mean, low, high = mean_ci(x)
    expected = stats.t.interval(0.95, df=3, loc=np.nanmean(x), scale=stats.sem(x[:4]))
    assert mean == pytest.approx(0.5) and (low, high) == pytest.approx(expected)
    assert np.isnan(mean_ci([1.0])[1]) and np.isnan(mean_ci([])[0])
    with pytest.raises(ValueError, match="confidence=1.5"):
        mean_ci(x, 1.5)


def test_summarize_one_row_per_cell_and_outcome(results):
    assert factor_columns(results) == ["sharing", "malicious_fraction"]
    assert "recall" in outcome_columns(results) and "seed" not in outcome_columns(results)
    table = summarize(results, ["recall", "ttd_steps_mean"])
    assert len(table) == 6 * 2
    assert list(table.columns) == [
        "sharing",
        "malicious_fraction",
        "outcome",
        "n",
        "mean",
        "std",
        "ci_low",
        "ci_high",
        "structural",
    ]
    cell = results[(results.sharing == "gossip") & (results.malicious_fraction == 0.2)]
    row = table[(table.sharing == "gossip") & (table.malicious_fraction == 0.2) & (table.outcome == "recall")].iloc[0]
    assert row.n == 4 and row["mean"] == pytest.approx(cell.recall.mean())
    assert row.ci_low < row["mean"] < row.ci_high
    nan_cell = table[(table.malicious_fraction == 0.6) & (table.outcome == "ttd_steps_mean")]
    assert (nan_cell.n == 0).all() and nan_cell["mean"].isna().all()
    with pytest.raises(ValueError, match="not in the frame"):
        summarize(results, "no_such_outcome")


def test_figures(results):
    fig = plot_outcome(results, "recall", x="malicious_fraction", hue="sharing")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["none", "gossip"]
    assert len(ax.collections) == 2  # one confidence band per line
    fig = plot_heatmap(results, "recall", x="malicious_fraction", y="sharing")
    image = fig.axes[0].get_images()[0].get_array()
    assert image.shape == (2, 3)
    expected = results.groupby(["sharing", "malicious_fraction"], sort=False).recall.mean().unstack()
    np.testing.assert_allclose(image, expected.loc[["none", "gossip"]].to_numpy())
    import matplotlib.pyplot as plt

    plt.close("all")
