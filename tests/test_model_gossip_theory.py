"""Gossip through the model on the complete graph against exact theory (issue 10).

Items are forged signatures: every malicious node (``forge``, ``forge_prob=1``) publishes one per
step after the warm-up, and the model's own sharing phase spreads them (votes travel, nothing is
seeded by hand). Their vote deadline is far away, so a signature is pushed by its holders until it
has reached everyone (push, push-pull) or until nobody is interested (rumour mongering). The runs
step :class:`ThreatIntelModel` directly: ``run_model`` would also sign every vote record of the
ledger, which costs seconds and tests nothing here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench import ModelParams, ThreatIntelModel
from workbench.model import theory
from workbench.model.metrics import signatures_frame

WARMUP = 2


def _forgeries(
    n_nodes: int,
    mode: str,
    *,
    fanout: int = 1,
    loss: float = 0.0,
    rumor_k: float = 2.0,
    forgers: int = 10,
    forging_steps: int = 20,
    tail: int = 25,
    seed: int = 0,
) -> pd.DataFrame:
    """Signatures frame of the forgeries made in the first ``forging_steps`` steps after warm-up,
    each followed for at least ``tail`` more steps (so slow spreads are not cut off)."""
    params = ModelParams.preset(
        "easy",
        n_nodes=n_nodes,
        topology="complete",
        sharing="gossip",
        gossip_mode=mode,
        gossip_fanout=fanout,
        message_loss=loss,
        rumor_k=rumor_k,
        malicious_relay="forward",
        validation="independent",
        validator_accuracy=1.0,
        vote_deadline_steps=1000,
        n_campaigns=0,
        flows_per_node=4,
        attack_flows_per_node=1,
        warmup_steps=WARMUP,
        malicious_fraction=forgers / n_nodes,
        malicious_behavior="forge",
        forge_prob=1.0,
    )
    model = ThreatIntelModel(params, rng=seed)
    last_forging_step = WARMUP + forging_steps
    for _ in range(last_forging_step + tail):
        model.step()
    sigs = signatures_frame(model.state)
    return sigs[sigs.created_step <= last_forging_step]


def _spreading_times(sigs: pd.DataFrame) -> np.ndarray:
    assert sigs.spread_rounds.notna().all(), "censored: a signature did not reach every node within the tail"
    return sigs.spread_rounds.to_numpy()


@pytest.mark.parametrize("fanout, loss", [(1, 0.0), (2, 0.0), (1, 0.2)])
def test_push_spreading_time_through_the_model_matches_the_exact_chain(fanout, loss):
    n = 100
    rounds = _spreading_times(_forgeries(n, "push", fanout=fanout, loss=loss, seed=fanout + int(10 * loss)))
    assert rounds.size >= 200
    exact = theory.push_spreading_time(n, fanout, loss)  # with loss d: the same chain, success 1 - d
    low, high = exact.mean_interval(rounds.size)
    assert low <= rounds.mean() <= high, (rounds.mean(), exact.mean, (low, high))


def test_push_pull_beats_push_and_grows_like_log3_n():
    small, large = 64, 512
    means = {}
    for n in (small, large):
        pp = _spreading_times(
            _forgeries(n, "push_pull", forgers=n // 32 if n > 64 else 4, forging_steps=25 if n == small else 12, seed=n)
        )
        means[n] = pp.mean()
        exact = theory.push_pull_spreading_time(n)
        # signatures of one round share its contacts (one exchange carries every item), so their
        # times are positively correlated: allow twice the independent 99% half-width
        low, high = exact.mean_interval(pp.size)
        half = (high - low) / 2
        assert abs(pp.mean() - exact.mean) <= 2 * half + 0.1, (n, pp.mean(), exact.mean)
    push = _spreading_times(_forgeries(small, "push", forgers=4, forging_steps=25, seed=7)).mean()
    assert means[small] < push - 2, (means[small], push)
    growth = means[large] - means[small]
    exact_growth = theory.push_pull_spreading_time(large).mean - theory.push_pull_spreading_time(small).mean
    assert abs(growth - exact_growth) <= 0.4, (growth, exact_growth)
    # Karp et al.: log3 N (+ O(log log N)); push grows like log2 N + ln N, more than twice as fast
    per_ln = growth / math.log(large / small)
    assert abs(per_ln - 1 / math.log(3)) < abs(per_ln - (1 / math.log(2) + 1)), per_ln


@pytest.mark.parametrize("k", [1, 2])
def test_rumor_residue_through_the_model_matches_demers_formula(k):
    sigs = _forgeries(1000, "rumor", rumor_k=k, forgers=12, forging_steps=10, tail=60, seed=20 + k)
    assert sigs.residue.notna().all(), "censored: a rumour was still spreading at the end"
    residue = sigs.residue.to_numpy()
    assert residue.size >= 100
    half = 2.576 * residue.std(ddof=1) / math.sqrt(residue.size)
    expected = theory.rumor_residue(k)
    assert abs(residue.mean() - expected) <= half, (residue.mean(), expected, half)
