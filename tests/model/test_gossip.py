"""Oracle-free gossip against exact theory on the complete graph, and its behaviour on rings."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from workbench.model import gossip, theory
from workbench.model.topology import adjacency, hop_counts, vote_routes


def _spreading_rounds(mode, n, n_items, fanout, rng, *, loss=0.0, complete_csr=False, max_rounds=500):
    """Rounds until each item is held by every node: the test observes, the protocol does not."""
    A = adjacency(nx.complete_graph(n)) if complete_csr else None
    holds, active = gossip.start(n_items, n, rng.integers(0, n, n_items))
    done = np.full(n_items, -1)
    for r in range(1, max_rounds + 1):
        gossip.gossip_round(mode, holds, active, A, fanout, rng, loss=loss)
        finished = (done < 0) & holds.all(axis=1)
        done[finished] = r
        if (done > 0).all():
            return done
    raise AssertionError("censored: some items did not reach every node")  # pragma: no cover


@pytest.mark.parametrize("fanout, loss, complete_csr", [(1, 0.0, False), (2, 0.0, True), (1, 0.2, False)])
def test_push_spreading_time_matches_the_exact_chain(fanout, loss, complete_csr):
    n, items = 100, 600
    rounds = _spreading_rounds(
        "push",
        n,
        items,
        fanout,
        np.random.default_rng(fanout * 10 + int(loss * 10)),
        loss=loss,
        complete_csr=complete_csr,
    )
    exact = theory.push_spreading_time(n, fanout, loss)
    low, high = exact.mean_interval(items)
    assert low <= rounds.mean() <= high, (rounds.mean(), exact.mean, (low, high))


def test_push_pull_matches_its_chain_and_beats_push():
    n, items = 100, 600
    rng = np.random.default_rng(5)
    pp = _spreading_rounds("push_pull", n, items, 1, rng)
    exact = theory.push_pull_spreading_time(n, 1)
    low, high = exact.mean_interval(items)
    assert low <= pp.mean() <= high, (pp.mean(), exact.mean)
    push = _spreading_rounds("push", n, items, 1, rng)
    assert pp.mean() < push.mean()


def _residue(n, items, k, rng, loss=0.0, relays=None):
    holds, active = gossip.start(items, n, rng.integers(0, n, items))
    messages = 0
    while active.any():  # the protocol's own stop: nobody is interested any more
        messages += gossip.rumor(holds, active, None, 1, k, rng, loss=loss, relays=relays)
    return 1.0 - holds.mean(axis=1), messages


@pytest.mark.parametrize("k", [1, 2])
def test_rumor_residue_matches_demers_formula(k):
    residue, _ = _residue(2000, 200, k, np.random.default_rng(k))
    half = 2.576 * residue.std(ddof=1) / math.sqrt(residue.size)
    expected = theory.rumor_residue(k)
    assert abs(residue.mean() - expected) <= half, (residue.mean(), expected, half)


def test_message_loss_costs_rumor_messages_not_reach():
    # a lost push brings no feedback, so it changes neither who knows nor who is interested: the
    # process is the lossless one with idle messages, residue unchanged, messages times 1 / (1 - d)
    loss = 0.5
    clean, clean_sent = _residue(1000, 100, 2, np.random.default_rng(3))
    lossy, lossy_sent = _residue(1000, 100, 2, np.random.default_rng(4), loss=loss)
    se = math.sqrt(clean.var(ddof=1) / clean.size + lossy.var(ddof=1) / lossy.size)
    assert abs(lossy.mean() - clean.mean()) <= 2.576 * se
    assert lossy_sent / clean_sent == pytest.approx(1 / (1 - loss), rel=0.1)


def test_message_loss_slows_push_reach_after_a_fixed_number_of_rounds():
    for seed in range(3):
        reach = []
        for loss in (0.0, 0.5):
            rng = np.random.default_rng(seed)
            holds, active = gossip.start(50, 300, rng.integers(0, 300, 50))
            for _ in range(6):
                gossip.push(holds, active, None, 1, rng, loss=loss)
            reach.append(holds.mean())
        assert reach[1] < reach[0], (seed, reach)


@pytest.mark.parametrize("mode", gossip.GOSSIP_MODES)
def test_a_node_between_two_dropping_relays_never_receives(mode):
    n = 20
    A = adjacency(nx.cycle_graph(n))
    relays = np.ones(n, bool)
    relays[[4, 6]] = False
    rng = np.random.default_rng(0)
    origins = rng.choice(np.setdiff1d(np.arange(n), [4, 5, 6]), 40)
    holds, active = gossip.start(40, n, origins)
    for _ in range(300):
        gossip.gossip_round(mode, holds, active, A, 1, rng, relays=relays, rumor_k=50)
    assert not holds[:, 5].any()
    if mode != "rumor":  # push and push-pull keep going, so everybody else is reached
        assert holds[:, np.setdiff1d(np.arange(n), [5])].all()
    # a dropping origin still pushes its own item
    holds, active = gossip.start(1, n, np.array([4]))
    for _ in range(200):
        gossip.gossip_round(mode, holds, active, A, 1, rng, relays=relays, rumor_k=50)
    assert holds[0, 5]


def test_messages_are_counted_lost_or_not():
    rng = np.random.default_rng(1)
    holds, active = gossip.start(30, 50, rng.integers(0, 50, 30))
    holds[:, :10] = True
    active[:, :10] = True
    senders = int((holds & active).sum())
    assert gossip.push(holds.copy(), active.copy(), None, 3, rng, loss=0.9) == 3 * senders
    assert gossip.rumor(holds.copy(), active.copy(), None, 2, 2.0, rng, loss=0.9) == 2 * senders
    active[:] = False
    assert gossip.push(holds, active, None, 3, rng) == 0


def test_push_with_a_blind_coin_stops_by_itself():
    rng = np.random.default_rng(2)
    holds, active = gossip.start(20, 200, rng.integers(0, 200, 20))
    for _ in range(200):
        gossip.push(holds, active, None, 1, rng, stop_prob=0.3)
    assert not active.any()


@pytest.mark.parametrize("mode", gossip.GOSSIP_MODES)
def test_same_seed_same_spread(mode):
    A = adjacency(nx.connected_watts_strogatz_graph(200, 6, 0.1, seed=1))
    runs = []
    for _ in range(2):
        rng = np.random.default_rng(9)
        holds, active = gossip.start(10, 200, np.arange(10))
        sent = sum(gossip.gossip_round(mode, holds, active, A, 2, rng, loss=0.1) for _ in range(5))
        runs.append((holds, active, sent))
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])
    assert runs[0][2] == runs[1][2]


def test_unknown_mode_is_rejected():
    holds, active = gossip.start(1, 5, np.array([0]))
    with pytest.raises(ValueError, match="mode='flood' is not allowed"):
        gossip.gossip_round("flood", holds, active, None, 1, np.random.default_rng(0))


def test_hop_counts_on_a_ring_and_votes_blocked_behind_droppers():
    n = 15
    A = adjacency(nx.cycle_graph(n))
    sources = np.array([0, 7])
    hops = hop_counts(A, sources)
    gap = np.abs(np.arange(n)[None, :] - sources[:, None])
    expected = np.minimum(gap, n - gap)
    assert np.array_equal(hops, expected)
    relays = np.ones(n, bool)
    relays[2] = False
    h, blocked = vote_routes(A, np.array([0]), relays)
    assert np.array_equal(h, expected[:1])
    assert blocked[0, 3:8].all() and not blocked[0, :3].any() and not blocked[0, 8:].any()


def test_rumor_reaches_fewer_nodes_as_more_relays_drop():
    for seed in range(3):
        means = []
        for drop_fraction in (0.0, 0.2, 0.4):
            rng = np.random.default_rng(seed)
            relays = rng.random(500) >= drop_fraction
            residue, _ = _residue(500, 60, 2, np.random.default_rng(seed + 100), relays=relays)
            means.append(residue.mean())
        assert means[0] < means[1] < means[2], (seed, means)


def _rumours(n, items, k, rng, **variant):
    """Rumours run to their end with a :func:`gossip.rumor` variant: per item, nodes reached and pushes sent."""
    holds, active = gossip.start(items, n, rng.integers(0, n, items))
    strikes = np.zeros((items, n), np.int32)
    per_item = np.zeros(items, np.int64)
    while active.any():
        gossip.rumor(holds, active, None, 1, k, rng, per_item=per_item, strikes=strikes, **variant)
    return holds.sum(axis=1), per_item


@pytest.mark.parametrize("k", [1, 2, 4])
def test_feedback_counter_traffic_respects_demers_bounds(k):
    # every reached node but the origin took one necessary push; each of the m nodes stopped after k
    # unnecessary pushes in a row; an unnecessary push follows a necessary one or a discovery within k rounds
    m, traffic = _rumours(500, 100, k, np.random.default_rng(k), stop="counter")
    assert ((k + 1) * m - 1 <= traffic).all() and (traffic <= k * (2 * m - 1)).all()
    if k == 1:  # one unnecessary push ends a node: exactly the lower bound
        assert (traffic == 2 * m - 1).all()


def test_start_of_round_feedback_makes_more_pushes_necessary_than_nodes_reached():
    # several senders that hit one fresh node in a round all hear "new": the lower bound still holds, but
    # the upper bound k (2m - 1) assumes one necessary push per node reached, and at k = 1 it fails (as
    # Demers et al.'s own Table 1 does at k = 1: traffic 1.7 > 2 (1 - 0.18) = 1.64)
    m, traffic = _rumours(500, 100, 1, np.random.default_rng(5), stop="counter", feedback_at="round_start")
    assert (2 * m - 1 <= traffic).all()
    assert (traffic > 2 * m - 1).mean() > 0.9


@pytest.mark.parametrize("k", [1, 3])
def test_blind_counter_pushes_k_times_per_node_reached(k):
    m, traffic = _rumours(400, 60, k, np.random.default_rng(10 + k), feedback=False, stop="counter")
    assert (traffic == k * m).all()


def test_blind_coin_with_k_1_is_a_chain_of_single_pushes():
    # each node pushes once and stops: one new node per round until a push hits a node that knew
    m, traffic = _rumours(1000, 200, 1, np.random.default_rng(3), feedback=False, stop="coin")
    assert (traffic == m).all()
    assert 25 < m.mean() < 55  # about sqrt(pi N / 2) = 40 nodes: the birthday bound


def test_the_counter_beats_the_coin_and_feedback_beats_blind():
    rng = np.random.default_rng(8)
    residue = {
        variant: 1 - _rumours(1000, 80, 2, rng, **dict(zip(("feedback", "stop"), variant)))[0].mean() / 1000
        for variant in [(True, "coin"), (True, "counter"), (False, "coin")]
    }
    assert residue[(True, "counter")] < residue[(True, "coin")] < residue[(False, "coin")], residue


def test_bad_rumour_variants_are_refused():
    holds, active = gossip.start(1, 5, np.array([0]))
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="stop='dice' is not allowed; choose one of 'coin', 'counter'"):
        gossip.rumor(holds, active, None, 1, 2, rng, stop="dice")
    with pytest.raises(ValueError, match="feedback_at='never' is not allowed"):
        gossip.rumor(holds, active, None, 1, 2, rng, feedback_at="never")
    with pytest.raises(ValueError, match="stop='counter' needs strikes"):
        gossip.rumor(holds, active, None, 1, 2, rng, stop="counter")


def _pair_set(mask: np.ndarray):
    from workbench.model.node_rows import PairSet

    return PairSet(*mask.shape, np.flatnonzero(mask))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_round_on_sparse_pairs_equals_the_dense_round(seed):
    # the model's channels run rounds on PairSet / PairCounts: same draws, same holds, active, strikes, messages
    from scipy import sparse

    from workbench.model.node_rows import PairCounts

    setup = np.random.default_rng(seed)
    for trial in range(60):
        n_items, n = int(setup.integers(1, 6)), int(setup.integers(2, 40))
        A = None if trial % 4 == 0 else sparse.csr_matrix(setup.random((n, n)) < 0.2)
        holds = setup.random((n_items, n)) < 0.3
        active = holds & (setup.random((n_items, n)) < 0.6)
        mode = ("push", "push_pull", "rumor")[trial % 3]
        stop = ("coin", "counter")[trial % 2]
        strikes = (setup.integers(0, 3, holds.shape) * active).astype(np.int32) if stop == "counter" else None
        kw = dict(
            loss=float(setup.choice([0.0, 0.2])),
            relays=None if trial % 5 else setup.random(n) < 0.7,
            rumor_k=2.0,
            rumor_feedback=bool(setup.integers(2)),
            rumor_stop=stop,
            rumor_feedback_at=("arrival", "round_start")[int(setup.integers(2))],
        )
        draw = int(setup.integers(2**31))
        fanout = int(setup.integers(1, 3))
        dense_h, dense_a, per_dense = holds.copy(), active.copy(), np.zeros(n_items, np.int64)
        sparse_h, sparse_a, per_sparse = _pair_set(holds), _pair_set(active), np.zeros(n_items, np.int64)
        sparse_s = None
        if strikes is not None:
            flat = np.flatnonzero(strikes)
            sparse_s = PairCounts(n_items, n, flat, strikes.ravel()[flat])
        sent = gossip.gossip_round(
            mode, dense_h, dense_a, A, fanout, np.random.default_rng(draw), per_item=per_dense, strikes=strikes, **kw
        )
        sent_sparse = gossip.gossip_round(
            mode,
            sparse_h,
            sparse_a,
            A,
            fanout,
            np.random.default_rng(draw),
            per_item=per_sparse,
            strikes=sparse_s,
            **kw,
        )
        assert sent == sent_sparse and (per_dense == per_sparse).all()
        assert (np.flatnonzero(dense_h) == sparse_h.keys).all() and (np.flatnonzero(dense_a) == sparse_a.keys).all()
        if strikes is not None:
            assert sparse_s is not None
            again = np.zeros_like(strikes)
            again.ravel()[sparse_s.keys] = sparse_s.values
            assert (again == strikes).all()
