"""Exposure and time to protection, checked against oracles computed here from what each step showed: the
share of a campaign's attack flows that reached honest nodes not protected against it, and the Kaplan-Meier
median over (node, campaign, protection episode) of the steps to protection, a prefix rotation opening a new
episode and every episode's end censoring the nodes still unprotected."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench import ModelParams, run_model
from workbench.model.model import ThreatIntelModel
from workbench.model.survival import km_median, km_median_counts

SMALL = dict(n_nodes=24, flows_per_node=30, warmup_steps=3, campaign_interval_steps=5, n_campaigns=3)


def test_km_median_of_counts_matches_a_hand_built_series():
    # times 1 (protected), 2 (censored), 3 and 4 (protected): S(1) = 3/4, S(3) = 3/4 * 1/2 = 3/8 -> median 3
    assert km_median_counts([0, 1, 0, 1, 1], [0, 0, 1, 0, 0]) == 3.0
    assert km_median(np.array([1.0, 2, 3, 4]), np.array([True, False, True, True])) == 3.0
    assert math.isnan(km_median_counts([0, 1, 0], [0, 2, 5]))  # never falls to one half: censored, NaN
    assert math.isnan(km_median_counts([0, 0], [0, 0]))
    rng = np.random.default_rng(0)
    for _ in range(200):
        width, n = int(rng.integers(1, 12)), int(rng.integers(1, 40))
        times, reached = rng.integers(0, width, n), rng.random(n) < rng.random()
        expected = km_median(times.astype(float), reached)
        got = km_median_counts(
            np.bincount(times[reached], minlength=width), np.bincount(times[~reached], minlength=width)
        )
        assert got == pytest.approx(expected, nan_ok=True)


class _Recorder:
    """Steps a model and keeps what each step showed: flows, protection and the campaigns' keys."""

    def __init__(self, params: ModelParams, seed: int, steps: int) -> None:
        self.model = model = ThreatIntelModel(params, rng=seed)
        self.flows, self.protected, self.keys = [], [], []
        flows_of = model.traffic.flows

        def flows(t, targeted):
            out = flows_of(t, targeted)
            self.flows.append(out[0])
            return out

        model.traffic.flows = flows
        for _ in range(steps):
            model.step()
            self.protected.append(model.state.protected.copy())
            self.keys.append([np.array(k) for k in model.state.probe_keys])


def _oracles(rec: _Recorder, steps: int):
    state, p = rec.model.state, rec.model.params
    honest = state.honest
    exposed, received, ttp = {}, {}, {}
    for camp in state.campaigns:
        c, start = camp.index, camp.start_step
        if start > steps:
            continue
        end = min(steps, start + p.eval_window_steps - 1)
        n_exposed = n_received = 0
        times, reached = [], []
        episode_start, pending = None, None
        for t in range(start, end + 1):
            flows, protected = rec.flows[t - 1], rec.protected[t - 1][c]
            mine = (flows.label == c + 1) & honest[:, None]
            n_received += int(mine.sum())
            n_exposed += int((mine & ~protected[:, None]).sum())
            if episode_start is None or not np.array_equal(rec.keys[t - 1][c], rec.keys[t - 2][c]):
                if episode_start is not None:
                    times += [t - 1 - episode_start] * int(pending.sum())
                    reached += [False] * int(pending.sum())
                episode_start, pending = t, honest.copy()
            now = pending & protected
            times += [t - episode_start] * int(now.sum())
            reached += [True] * int(now.sum())
            pending &= ~protected
        times += [end - episode_start] * int(pending.sum())
        reached += [False] * int(pending.sum())
        exposed[c], received[c], ttp[c] = n_exposed, n_received, (np.array(times, float), np.array(reached, bool))
    return exposed, received, ttp


@pytest.mark.parametrize(
    ("extra", "steps"),
    [
        (dict(sharing="gossip"), 40),
        (dict(sharing="central", prefix_rotation_steps=6), 40),
        (dict(sharing="ledger", prefix_rotation_steps=4, attacker_prefixes=2), 24),  # the last window cut
        (dict(sharing="none", attacker_prefixes=1, min_flagged=1), 40),
    ],
)
def test_exposure_and_time_to_protection_match_oracles_from_every_step(extra, steps):
    params = ModelParams.preset("realistic", **SMALL, **extra)
    rec = _Recorder(params, seed=3, steps=steps)
    result = run_model(params, seed=3, steps=steps)  # the same run, through run_model's frames
    exposed, received, ttp = _oracles(rec, steps)
    c = result.campaigns.set_index("campaign")
    assert len(c) >= 2
    for camp, row in c.iterrows():
        assert row.attack_flows == received[camp] and row.attack_flows_exposed == exposed[camp]
        assert row.exposed_attack_frac == pytest.approx(exposed[camp] / received[camp])
        times, reached = ttp[camp]
        assert row.ttp_episodes == len(times)
        assert row.ttp_median_steps == pytest.approx(km_median(times, reached), nan_ok=True)
        assert row.ttp_reached_frac == pytest.approx(reached.mean())
        # a node protected when a flow arrives blocks it: every unblocked flow was exposed
        assert row.attack_flows - row.attack_flows_blocked <= row.attack_flows_exposed
    all_times = np.concatenate([ttp[k][0] for k in ttp])
    all_reached = np.concatenate([ttp[k][1] for k in ttp])
    s = result.summary
    assert s["ttp_median_steps"] == pytest.approx(km_median(all_times, all_reached), nan_ok=True)
    assert s["ttp_reached_frac"] == pytest.approx(all_reached.mean())
    assert s["exposed_attack_frac"] == pytest.approx(np.mean([exposed[k] / received[k] for k in exposed]))


def test_rotation_opens_new_episodes():
    params = ModelParams.preset("realistic", **SMALL, sharing="central", prefix_rotation_steps=6)
    c = run_model(params, seed=3, steps=40).campaigns
    honest = params.n_nodes - params.n_malicious
    # a 30-step window with a rotation every 6 steps: 5 episodes per honest node
    assert (c.ttp_episodes == honest * 5).all()
    still = run_model(params.replace(prefix_rotation_steps=0), seed=3, steps=40).campaigns
    assert (still.ttp_episodes == honest).all()


@pytest.mark.parametrize("sharing", ["none", "central", "ledger", "gossip"])
def test_every_design_gets_a_time_to_protection_finite_or_censored(sharing):
    params = ModelParams.preset("realistic", **SMALL, sharing=sharing, attacker_prefixes=1, min_flagged=1)
    result = run_model(params, seed=2, steps=params.steps_covering_windows)
    s, c = result.summary, result.campaigns
    assert (c.ttp_episodes > 0).all()
    assert 0 <= s["ttp_reached_frac"] <= 1
    if math.isnan(s["ttp_median_steps"]):
        assert s["ttp_reached_frac"] < 0.5  # NaN only when fewer than half were ever protected: censored
    else:
        assert 0 <= s["ttp_median_steps"] < params.eval_window_steps
    if sharing == "none":  # isolated nodes protect themselves, and their times are measured
        assert s["ttp_reached_frac"] > 0
