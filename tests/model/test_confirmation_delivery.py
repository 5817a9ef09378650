"""A confirmation's delivery (issue 19): time until every honest node applies a confirmed signature, the share
that never does within its window, and whether honest nodes' applied rule sets agree, in every channel."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench import ModelParams, run_model
from workbench.model.channels.central import CentralAggregator
from workbench.model.confirmations import delivery
from workbench.model.metrics import honest_blocklists
from workbench.model.model import ThreatIntelModel
from workbench.model.state import ModelState

SMALL = dict(n_nodes=20, flows_per_node=30, warmup_steps=3, n_campaigns=3, campaign_interval_steps=5)
SEEDS = (1, 2, 3)
NAMES = (
    "confirmed_all_median_steps",
    "confirmed_all_reached_frac",
    "confirmed_never_applied_frac",
    "confirmed_inconsistent_frac",
    "confirmed_pair_disagreement_frac",
)


class EvenNodesOnly(CentralAggregator):
    """A researcher's channel: the aggregator's broadcast reaches the even-numbered nodes only."""

    def announce(self, state: ModelState, t: int, decided: np.ndarray, confirmed: np.ndarray) -> int:
        even = np.arange(0, state.params.n_nodes, 2)
        state.sigs.knows.set(np.repeat(confirmed, even.size), np.tile(even, confirmed.size))
        return even.size * confirmed.size


def _summary(seed: int, **params) -> dict:
    return run_model(ModelParams.preset("easy", **SMALL, **params), seed=seed, steps=40).summary


def test_every_channel_reports_the_delivery_outcomes():
    for sharing in ("none", "central", "ledger", "gossip"):
        s = _summary(1, sharing=sharing)
        assert s["signatures_confirmed"] > 0, sharing
        for name in NAMES[1:]:
            assert 0.0 <= s[name] <= 1.0, (sharing, name, s[name])


def test_a_broadcast_reaches_every_honest_node_at_once_and_leaves_no_inconsistency():
    for seed in SEEDS:
        s = _summary(seed, sharing="central", malicious_fraction=0.1)
        assert s["confirmed_all_median_steps"] == 0
        assert s["confirmed_all_reached_frac"] == 1
        assert s["confirmed_never_applied_frac"] == 0
        assert s["confirmed_inconsistent_frac"] == 0 and s["confirmed_pair_disagreement_frac"] == 0


@pytest.mark.parametrize("latency", [1, 3])
def test_the_ideal_ledger_delivers_a_confirmation_after_its_latency(latency):
    for seed in SEEDS:
        s = _summary(seed, sharing="ledger", ledger_latency_steps=latency, vote_deadline_steps=2 * latency + 1)
        assert s["confirmed_all_median_steps"] == latency
        assert s["confirmed_never_applied_frac"] == 0 and s["confirmed_inconsistent_frac"] == 0


def test_isolated_nodes_never_deliver_a_confirmation_and_every_rule_splits_the_honest_nodes():
    honest = SMALL["n_nodes"]  # no malicious node: every confirmed rule is its honest origin's alone
    for seed in SEEDS:
        s = _summary(seed, sharing="none")
        assert s["confirmed_all_reached_frac"] == 0 and math.isnan(s["confirmed_all_median_steps"])
        assert s["confirmed_never_applied_frac"] == pytest.approx((honest - 1) / honest)
        assert s["confirmed_inconsistent_frac"] == 1
        assert s["confirmed_pair_disagreement_frac"] == pytest.approx((honest - 1) / (honest * (honest - 1) / 2))


def test_a_researchers_channel_is_observed_through_its_own_hooks():
    path = f"{__name__}:EvenNodesOnly"
    for seed in SEEDS:
        s = _summary(seed, sharing=path, local_first=False)
        assert s["signatures_confirmed"] > 0
        assert s["confirmed_all_reached_frac"] == 0
        # the odd-numbered half never learns a confirmation (without local_first a node applies only the
        # confirmations it knows, not even its own rule before)
        assert s["confirmed_never_applied_frac"] == pytest.approx(0.5)
        assert s["confirmed_inconsistent_frac"] == 1
        assert s["confirmed_pair_disagreement_frac"] == pytest.approx(10 * 10 / (20 * 19 / 2))


@pytest.mark.parametrize("sharing", ["gossip", "ledger", "none"])
def test_the_counts_agree_with_the_blocklists_and_stop_at_the_window(sharing):
    for seed in SEEDS:
        params = ModelParams.preset("realistic", **SMALL, sharing=sharing, malicious_fraction=0.1, eval_window_steps=8)
        model = ThreatIntelModel(params, rng=seed)
        for _ in range(40):
            model.step()
        state = model.state
        view, n_honest = state.sigs.view, int(state.honest.sum())
        rows = np.flatnonzero(view.outcome == 1)
        final = honest_blocklists(state)[rows]
        noted = view.applied_honest[rows]
        done = view.all_applied_step[rows] >= 0
        assert (noted <= final).all()  # noted within the window; blocklists only grow
        assert (final[done] == n_honest).all() and (noted[done] == n_honest).all()
        d = delivery(state)
        assert (d.steps >= 0).all() and (d.steps <= params.eval_window_steps - 1).all()
        open_now = ~d.ended & ~d.reached  # still observed at the last step: its count is the final one
        assert (noted[open_now] == final[open_now]).all()
