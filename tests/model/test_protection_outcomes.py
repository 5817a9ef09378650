"""Protection and harm over time: ``protected_time_frac`` is the window mean of the per-step protection series;
the forged harm is measured in benign flows blocked by forged rules."""

from __future__ import annotations

import numpy as np
import pytest

from workbench import ModelParams, run_model

SMALL = dict(n_nodes=24, flows_per_node=30, warmup_steps=3, campaign_interval_steps=5, n_campaigns=3)


def _window_means(result) -> list[float]:
    """The oracle: for each campaign, the mean of ``protected_frac_c<c>`` of the steps frame over its window."""
    steps = result.steps
    out = []
    for row in result.campaigns.itertuples():
        inside = steps[(steps.step >= row.start_step) & (steps.step < row.start_step + row.window_steps)]
        assert len(inside) == row.window_steps
        out.append(float(inside[f"protected_frac_c{row.campaign}"].mean()))
    return out


@pytest.mark.parametrize(
    ("world", "extra", "steps"),
    [
        ("easy", dict(sharing="gossip"), 40),
        ("realistic", dict(sharing="central", prefix_rotation_steps=6), 40),
        ("realistic", dict(sharing="none"), 40),
        ("easy", dict(sharing="ledger", malicious_fraction=0.2, malicious_behavior="forge"), 22),  # windows cut
    ],
)
def test_protected_time_frac_is_the_window_mean_of_the_steps_series(world, extra, steps):
    result = run_model(ModelParams.preset(world, **SMALL, **extra), seed=5, steps=steps)
    c = result.campaigns
    assert len(c) >= 2
    assert c["protected_time_frac"].tolist() == pytest.approx(_window_means(result), abs=1e-12)
    assert result.summary["protected_time_frac_mean"] == pytest.approx(float(np.mean(_window_means(result))))


def test_protection_over_time_is_not_the_window_end_snapshot():
    # a campaign protected late in its window: the snapshot says more than the average over the window
    result = run_model(ModelParams.preset("easy", **SMALL, sharing="gossip"), seed=2, steps=40)
    c = result.campaigns
    assert (c["protected_time_frac"] <= c["protected_frac"] + 1e-12).all()
    assert (c["protected_time_frac"] < c["protected_frac"]).any()


@pytest.mark.parametrize("sharing", ["none", "central", "ledger", "gossip"])
def test_forged_benign_blocked_frac_is_zero_without_forgers(sharing):
    result = run_model(ModelParams.preset("realistic", **SMALL, sharing=sharing), seed=4, steps=30)
    assert result.summary["signatures_forged"] == 0
    assert result.summary["forged_benign_blocked_frac"] == 0.0
    assert result.summary["benign_flows_blocked"] >= 0


@pytest.mark.parametrize("sharing", ["central", "ledger", "gossip"])
def test_forged_benign_blocked_frac_is_the_forged_part_of_the_benign_flows_blocked(sharing):
    params = ModelParams.preset(
        "easy", **SMALL, sharing=sharing, malicious_fraction=0.3, malicious_behavior="collude", forge_prob=0.5
    )
    harm = []
    for seed in (1, 2, 3):
        result = run_model(params, seed=seed, steps=30)
        s, steps = result.summary, result.steps
        assert s["forged_benign_blocked_frac"] == pytest.approx(
            steps["benign_blocked_forged"].sum() / steps["benign_flows"].sum()
        )
        assert s["forged_benign_blocked_frac"] <= s["benign_blocked_frac"] + 1e-12
        harm.append(s["forged_benign_blocked_frac"])
    assert max(harm) > 0  # colluding forgers do harm somewhere
