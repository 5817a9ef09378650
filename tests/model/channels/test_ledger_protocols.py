"""``ledger_protocol``: the ordering protocols through ``run_model`` -- safety below and above N/3, crash
recovery, censorship, and their message complexity."""

from __future__ import annotations

import numpy as np
import pytest

from workbench import ModelParams, ThreatIntelModel, run_model
from workbench.model import message_sizes as ms
from workbench.model.ledger_protocols import LEDGER_PROTOCOLS
from workbench.model.ledger_protocols.bft import block_messages as bft_block_messages
from workbench.model.ledger_protocols.bft import fault_bound, quorum, view_change_messages
from workbench.model.ledger_protocols.crash_tolerant import block_messages as raft_block_messages
from workbench.model.ledger_protocols.crash_tolerant import election_messages

WORLD = dict(flows_per_node=30, warmup_steps=3, n_campaigns=3, campaign_interval_steps=5)
STEPS = 30


def params(**kw) -> ModelParams:
    values = dict(WORLD, sharing="ledger", ledger_latency_steps=0, zscore_threshold=2.5, min_flagged=2)
    return ModelParams.preset("easy", **{**values, **kw})


def leader_is_malicious(p: ModelParams, seed: int) -> bool:
    """Whether view 0's leader (node 0) is malicious in the run of ``p`` from ``seed``."""
    return bool(ThreatIntelModel(p, rng=seed).state.malicious[0])


def test_the_protocols_are_registered_and_ideal_is_the_default():
    assert LEDGER_PROTOCOLS.names() == ("ideal", "crash_tolerant", "bft")
    assert ModelParams().ledger_protocol == "ideal"


def test_quorums_intersect_in_an_honest_replica_exactly_while_f_is_below_n_over_3():
    for n in range(4, 60):
        f, q = fault_bound(n), quorum(n)
        assert 3 * f < n <= 3 * f + 3
        assert 2 * q - n >= f + 1  # two quorums share f + 1 replicas: one honest while at most f are faulty
        assert n - f >= q  # the honest replicas alone make a quorum (liveness with f silent)


# --- safety under equivocation ---------------------------------------------------------------------
N_BFT = 31  # f = 10


def test_bft_keeps_every_honest_log_consistent_over_20_seeds_with_f_equivocating_replicas():
    f = fault_bound(N_BFT)
    p = params(ledger_protocol="bft", n_nodes=N_BFT, malicious_behavior="equivocate", malicious_fraction=f / N_BFT)
    assert p.n_malicious == f
    conflicts = [run_model(p, seed=seed, steps=STEPS).summary["conflicting_entries"] for seed in range(20)]
    assert conflicts == [0.0] * 20
    # the same equivocating leaders fork the crash-tolerant log: the attack took place
    ct = p.replace(ledger_protocol="crash_tolerant")
    forked = [s for s in range(20) if leader_is_malicious(p, s)]
    assert len(forked) >= 3
    assert all(run_model(ct, seed=s, steps=STEPS).summary["conflicting_entries"] > 0 for s in forked[:3])


def test_bft_with_faulty_replicas_above_n_over_3_lets_an_equivocating_leader_fork_the_honest_logs():
    f = fault_bound(N_BFT)
    p = params(
        ledger_protocol="bft", n_nodes=N_BFT, malicious_behavior="equivocate", malicious_fraction=(f + 1) / N_BFT
    )
    assert p.n_malicious == f + 1
    conflicts = {seed: run_model(p, seed=seed, steps=STEPS).summary["conflicting_entries"] for seed in range(20)}
    assert any(c > 0 for c in conflicts.values())
    # only where an equivocating node led
    assert all(leader_is_malicious(p, s) for s, c in conflicts.items() if c > 0)


def test_the_ideal_ledger_is_consistent_by_definition_and_other_channels_keep_no_log():
    ideal = run_model(params(), seed=1, steps=20).summary
    assert ideal["conflicting_entries"] == 0 and ideal["view_changes"] == 0 and ideal["ledger_blocks"] == 0
    assert ideal["entry_commit_delay_steps"] == 0  # its latency
    gossip = run_model(params(sharing="gossip"), seed=1, steps=20).summary
    assert np.isnan(gossip["conflicting_entries"]) and np.isnan(gossip["entry_commit_delay_steps"])


# --- leader crashes --------------------------------------------------------------------------------
@pytest.mark.parametrize("latency", [0, 1])
def test_the_crash_tolerant_log_elects_a_new_leader_after_its_timeout_and_loses_no_committed_entry(latency):
    crash, timeout = 10, 4 + 3 * latency
    p = params(
        ledger_protocol="crash_tolerant",
        n_nodes=20,
        ledger_latency_steps=latency,
        vote_deadline_steps=4 + 6 * latency,
        leader_crash_step=crash,
        leader_timeout_steps=timeout,
    )
    model = ThreatIntelModel(p, rng=1)
    blocks_at: dict[int, int] = {}
    for t in range(1, STEPS + 1):
        model.step()
        blocks_at[t] = model.state.ledger_order.blocks
    order, sigs = model.state.ledger_order, model.state.sigs
    assert order.view_changes == 1 and order.leader == 1 and not order.alive[0] and order.alive[1:].all()
    # no block while no leader leads; blocks again from the step the new leader is elected
    assert blocks_at[crash + timeout - 1] == blocks_at[crash - 1]
    assert blocks_at[STEPS] > blocks_at[crash + timeout]
    entries = order.entries
    # every entry submitted before the last commit could reach everyone was applied: none was lost
    settled = entries.submitted < STEPS - 1 - 3 * latency
    assert settled.sum() > 100 and (entries.applied[settled] >= 0).all()
    # and every live replica holds every signature whose entry was applied (the leader applies L steps before
    # its followers)
    done = (entries.applied >= 0) & (entries.applied <= STEPS - latency)
    applied_sigs = np.unique(entries.row[(entries.kind == 0) & done])
    live = np.flatnonzero(order.alive)
    assert applied_sigs.size > 10 and sigs.holds[applied_sigs][:, live].all()
    summary = run_model(p, seed=1, steps=STEPS).summary
    assert summary["view_changes"] == 1 and summary["conflicting_entries"] == 0


def test_a_leader_crash_rate_is_drawn_from_the_generator_and_reproducible():
    p = params(ledger_protocol="bft", n_nodes=13, leader_crash_rate=0.15, leader_timeout_steps=3)
    a, b = (run_model(p, seed=4, steps=STEPS).summary for _ in range(2))
    assert a == b or all(a[k] == b[k] or (np.isnan(a[k]) and np.isnan(b[k])) for k in a)
    changes = [run_model(p, seed=s, steps=STEPS).summary["view_changes"] for s in range(3)]
    assert all(c >= 1 for c in changes)


# --- censorship ------------------------------------------------------------------------------------
def test_a_censoring_bft_leader_delays_honest_entries_until_a_view_change_and_the_delay_is_counted():
    f = fault_bound(N_BFT)
    p = params(ledger_protocol="bft", n_nodes=N_BFT, malicious_behavior="censor", malicious_fraction=f / N_BFT)
    honest_leader = p.replace(malicious_behavior="forge", forge_prob=0.0)  # same malicious nodes, no censorship
    seeds = [s for s in range(12) if leader_is_malicious(p, s)][:3]
    assert len(seeds) == 3
    for seed in seeds:
        censored, plain = run_model(p, seed=seed, steps=STEPS).summary, run_model(honest_leader, seed=seed, steps=STEPS)
        assert censored["view_changes"] >= 1 and plain.summary["view_changes"] == 0
        # honest entries waited for the view change: at least the timeout (an honest leader applies every
        # entry within block_interval_steps + 3 L steps, here 1)
        assert censored["entry_commit_delay_max_steps"] >= p.leader_timeout_steps
        assert plain.summary["entry_commit_delay_max_steps"] <= p.block_interval_steps
        assert censored["conflicting_entries"] == 0
        # the crash-tolerant log has no timer on requests: the censor leads on and the delay grows with the run
        ct = run_model(p.replace(ledger_protocol="crash_tolerant"), seed=seed, steps=STEPS).summary
        assert ct["view_changes"] == 0 and ct["entry_commit_delay_max_steps"] >= STEPS // 2
        assert ct["entry_commit_delay_steps"] > 3 * censored["entry_commit_delay_steps"]


def test_honest_entries_a_censoring_leader_left_out_are_applied_only_after_the_view_change():
    f = fault_bound(N_BFT)
    p = params(ledger_protocol="bft", n_nodes=N_BFT, malicious_behavior="censor", malicious_fraction=f / N_BFT)
    seed = next(s for s in range(12) if leader_is_malicious(p, s))
    model = ThreatIntelModel(p, rng=seed)
    change = None
    for t in range(1, STEPS + 1):
        model.step()
        if change is None and model.state.ledger_order.view_changes:
            change = t
    assert change is not None
    e, honest = model.state.ledger_order.entries, model.state.honest
    before = honest[e.submitter] & (e.submitted < change - 1)
    assert before.sum() > 0 and (e.applied[before] >= change).all()
    assert (e.applied[~honest[e.submitter] & (e.submitted < change - 1)] < change).all()  # the censor's own


# --- message complexity ----------------------------------------------------------------------------
@pytest.mark.parametrize("protocol, per_block", [("crash_tolerant", raft_block_messages), ("bft", bft_block_messages)])
def test_messages_per_block_follow_the_protocols_formula_over_several_n(protocol, per_block):
    per_node_block = []
    for n in (4, 7, 10, 16):
        r = run_model(params(ledger_protocol=protocol, n_nodes=n), seed=2, steps=20)
        s, sigs = r.summary, r.signatures
        blocks = int(s["ledger_blocks"])
        submitted = len(sigs) + int(s["votes_cast"]) + int((sigs.outcome != "pending").sum())  # one each to the leader
        assert blocks > 10 and s["view_changes"] == 0
        assert int(r.steps.messages.sum()) == submitted + blocks * per_block(n)
        per_node_block.append(per_block(n) / n)
    assert per_block(10) == (3 * 9 if protocol == "crash_tolerant" else 2 * 10 * 9)
    growth = np.diff(per_node_block)
    assert (growth > 0).all() if protocol == "bft" else (np.abs(growth) < 0.5).all()  # O(N^2) vs O(N)


def test_view_change_and_election_messages():
    assert view_change_messages(10, 10) == 10 * 9 + 9 == 10**2 - 1
    assert view_change_messages(10, 9, primary_up=False) == 9 * 9
    assert election_messages(10, 9) == 9 + 8


# --- parameters ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "field, value, message",
    [
        ("block_interval_steps", 0, r"block_interval_steps=0 is out of range; expected an integer with 1 <= x <= 1000"),
        ("block_max_entries", 0, r"block_max_entries=0 is out of range; expected an integer with 1 <= x"),
        ("leader_timeout_steps", 0, r"leader_timeout_steps=0 is out of range; expected an integer with 1 <= x"),
        ("leader_crash_step", 0, r"leader_crash_step=0 is out of range; expected an integer with 1 <= x"),
        ("leader_crash_rate", 1.5, r"leader_crash_rate=1.5 is out of range; expected a number with 0.0 <= x <= 1.0"),
        ("ledger_protocol", "bfts", r"ledger_protocol='bfts' is not allowed; choose one of 'ideal', .*closest: 'bft'"),
    ],
)
def test_bad_values_of_the_new_parameters_are_refused_naming_field_value_and_range(field, value, message):
    with pytest.raises(ValueError, match=message):
        ModelParams(**{field: value})


def test_a_deadline_or_timeout_an_ordering_protocol_cannot_meet_is_refused_with_the_smallest_valid_value():
    with pytest.raises(ValueError, match=r"vote_deadline_steps=4 is out of range for ledger_protocol='bft' .* 8 <= x"):
        ModelParams(sharing="ledger", ledger_protocol="bft", ledger_latency_steps=1, vote_deadline_steps=4)
    with pytest.raises(ValueError, match=r"leader_timeout_steps=3 is out of range .*expected an integer with 4 <= x"):
        ModelParams(
            sharing="ledger",
            ledger_protocol="crash_tolerant",
            ledger_latency_steps=0,
            leader_timeout_steps=3,
            block_interval_steps=3,
            vote_deadline_steps=4,
        )
    ModelParams(sharing="ledger", ledger_protocol="bft", ledger_latency_steps=1, vote_deadline_steps=8)
    ModelParams(sharing="gossip", ledger_protocol="bft", ledger_latency_steps=1)  # not a ledger run: not checked


@pytest.mark.parametrize("protocol", ["crash_tolerant", "bft"])
def test_bytes_are_the_protocols_messages_by_kind_times_their_documented_sizes(protocol):
    n, steps = 7, 20
    r = run_model(params(ledger_protocol=protocol, n_nodes=n), seed=2, steps=steps)
    s, sigs = r.summary, r.signatures
    blocks = int(s["ledger_blocks"])
    decided = sigs.outcome != "pending"
    votes = int(s["votes_cast"])
    submitted = len(sigs) * ms.SIGNATURE + votes * ms.VOTE + int(decided.sum()) * ms.DECISION
    # every entry but those of the last step (its round ran before them) travelled in a block to N - 1 replicas
    last_votes = int(r.steps.votes_cast.iloc[-1])
    carried = (
        int((sigs.created_step < steps).sum()) * ms.SIGNATURE
        + (votes - last_votes) * ms.VOTE
        + int((decided & (sigs.decided_step < steps)).sum()) * ms.DECISION
    )
    votes_per_block = 2 * (n - 1) if protocol == "crash_tolerant" else (n - 1) * (2 * n - 1)
    expected = (
        submitted + blocks * (n - 1) * ms.BLOCK_HEADER + (n - 1) * carried + blocks * votes_per_block * ms.BLOCK_VOTE
    )
    assert blocks > 10 and s["view_changes"] == 0
    assert int(r.steps.bytes.sum()) == expected
