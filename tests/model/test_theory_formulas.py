"""Exact gossip theory: the Markov chains agree with hand calculations and with a direct simulation of the chain."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench.model import theory


def test_push_chain_matches_hand_calculations():
    assert theory.push_spreading_time(2).mean == pytest.approx(1.0)
    assert theory.push_spreading_time(2, loss=0.25).mean == pytest.approx(1 / 0.75)  # geometric
    # N = 3, fanout 1: round 1 informs one more surely; then 2 messages miss the last node w.p. 1/4 each round
    three = theory.push_spreading_time(3)
    assert three.mean == pytest.approx(1 + 4 / 3)
    assert three.var == pytest.approx(0.25 / 0.75**2)


@pytest.mark.parametrize("chain", [theory.push_transitions, theory.push_pull_transitions])
def test_transition_rows_are_distributions_and_never_go_down(chain):
    P = chain(40, 2, 0.1)
    assert np.allclose(P[1:].sum(axis=1), 1.0)
    assert np.allclose(np.tril(P, -1), 0.0) and (P >= -1e-15).all()


def test_pmf_and_moments_agree():
    P = theory.push_transitions(60, 1, 0.2)
    pmf = theory.spreading_time_pmf(P)
    t = np.arange(pmf.size)
    mean, var = theory.absorption_time(P)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-9)
    assert (t * pmf).sum() == pytest.approx(mean, rel=1e-9)
    assert (t**2 * pmf).sum() - mean**2 == pytest.approx(var, rel=1e-7)


def _simulate_push_chain(n, fanout, loss, reps, rng, pull=False):
    """Rounds to inform all n nodes, simulated message by message (independent of the DP)."""
    informed = np.zeros((reps, n), bool)
    informed[:, 0] = True
    rounds = np.zeros(reps, int)
    running = np.ones(reps, bool)
    while running.any():
        r = np.flatnonzero(running)
        new = informed[r].copy()
        for rep_index, rep in enumerate(r):
            senders = np.repeat(np.flatnonzero(informed[rep]), fanout)
            targets = (senders + 1 + rng.integers(0, n - 1, senders.size)) % n  # uniform over the others
            ok = rng.random(senders.size) >= loss
            new[rep_index, targets[ok]] = True
            if pull:
                callers = np.repeat(np.flatnonzero(~informed[rep]), fanout)
                callees = (callers + 1 + rng.integers(0, n - 1, callers.size)) % n
                got = informed[rep, callees] & (rng.random(callers.size) >= loss) & (rng.random(callers.size) >= loss)
                new[rep_index, callers[got]] = True
        informed[r] = new
        rounds[r] += 1
        running = ~informed.all(axis=1)
    return rounds


@pytest.mark.parametrize("fanout, loss, pull", [(1, 0.0, False), (2, 0.3, False), (1, 0.2, True)])
def test_chain_matches_direct_monte_carlo(fanout, loss, pull):
    n, reps = 12, 3000
    rounds = _simulate_push_chain(n, fanout, loss, reps, np.random.default_rng(11), pull=pull)
    exact = (theory.push_pull_spreading_time if pull else theory.push_spreading_time)(n, fanout, loss)
    low, high = exact.mean_interval(reps)
    assert low <= rounds.mean() <= high, (rounds.mean(), exact)
    assert rounds.var(ddof=1) == pytest.approx(exact.var, rel=0.1)


def test_push_matches_frieze_grimmett_offset_at_moderate_n():
    # log2 N + ln N + c with c about 1.1-1.2 (Frieze-Grimmett 1985, Pittel 1987): an outside check of the chain
    n = 400
    offset = theory.push_spreading_time(n).mean - math.log2(n) - math.log(n)
    assert 1.0 < offset < 1.25


def test_push_pull_is_faster_and_grows_like_log3_n():
    small, large = 64, 512
    pp = {n: theory.push_pull_spreading_time(n).mean for n in (small, large)}
    push = {n: theory.push_spreading_time(n).mean for n in (small, large)}
    assert pp[small] < push[small] and pp[large] < push[large]
    log3_growth = math.log(large / small, 3)
    # Karp et al. 2000: log3 N + O(log log N) rounds; between these sizes the log log term adds under
    # a third, while push grows by log2 + ln (2.68 times log3)
    assert 1.0 <= (pp[large] - pp[small]) / log3_growth <= 1.35
    assert (push[large] - push[small]) / log3_growth > 2.3


@pytest.mark.parametrize("k, known", [(1, 0.2032), (2, 0.0595)])
def test_rumor_residue_solves_its_equation(k, known):
    s = theory.rumor_residue(k)
    assert s == pytest.approx(math.exp(-(k + 1) * (1 - s)), abs=1e-12)
    assert 0 < s < 1 and s == pytest.approx(known, abs=1e-4)
    assert theory.rumor_residue(k + 1) < s


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="loss=1.0 is out of range"):
        theory.push_spreading_time(10, 1, 1.0)
    with pytest.raises(ValueError, match="k=0.5 is out of range"):
        theory.rumor_residue(0.5)
