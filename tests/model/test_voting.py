"""Evidence votes over (signature, node) pairs equal a per-pair reference count; behaviour over arrays
equals the per-signature rule with scalars."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.model.signatures import ArrivedVotes, NewSignature, Rule, SignatureTable
from workbench.model.voting import EvidenceWindow, apply_behaviour, evidence_votes_pairs


def _world(seed: int) -> tuple[SignatureTable, EvidenceWindow]:
    rng = np.random.default_rng(seed)
    n, f, w = 12, 9, 3
    window = EvidenceWindow(w, n, f)
    keys = np.array([5 * 256 + 6, 7 * 256 + 17, 9 * 256 + 6])
    for _ in range(4):  # more steps than the window: the oldest is overwritten
        window.push(
            rng.choice(keys, (n, f)),
            rng.integers(20, 25, (n, f)).astype(np.int32),
            rng.normal(8, 1, (n, f)),
            rng.normal(3, 1, (n, f)),
            rng.random((n, f)) < 0.4,
        )
    sigs = SignatureTable(n)
    new = []
    for _ in range(10):
        key = int(rng.choice(keys))
        lo, lb, lp = int(rng.integers(19, 24)), rng.normal(8, 1), rng.normal(3, 1)
        rule = Rule(key // 256, key % 256, lo, lo + int(rng.integers(0, 3)), lb - 1, lb + 1, lp - 1, lp + 1)
        new.append(NewSignature(rule, origin=int(rng.integers(n)), created_step=1, confidence=1.0, threat_type="x"))
    sigs.add(new)
    return sigs, window


def _reference_vote(sigs: SignatureTable, window: EvidenceWindow, row: int, node: int) -> int:
    rule = sigs.rule(row)
    at = window.key[:, node, :] == rule.key
    match = rule.matches(
        window.port[:, node, :][at], window.log_bytes[:, node, :][at], window.log_packets[:, node, :][at]
    )
    matched, flagged = int(match.sum()), int((match & window.flagged[:, node, :][at]).sum())
    return 0 if matched == 0 else (1 if 2 * flagged >= matched else -1)


@pytest.mark.parametrize("seed", range(4))
def test_evidence_votes_over_pairs_equal_a_per_pair_count(seed):
    sigs, window = _world(seed)
    rows, nodes = np.meshgrid(np.arange(len(sigs)), np.arange(sigs.n_nodes), indexing="ij")
    rows, nodes = rows.ravel(), nodes.ravel()
    got = evidence_votes_pairs(sigs, window, rows, nodes)
    want = [_reference_vote(sigs, window, int(r), int(v)) for r, v in zip(rows, nodes)]
    assert got.tolist() == want
    assert {-1, 0, 1} <= set(want)  # the world exercises approvals, rejections and abstentions


def test_behaviour_over_arrays_equals_the_scalar_rule():
    rng = np.random.default_rng(0)
    honest = rng.integers(-1, 2, 200).astype(np.int8)
    lying, colluding = rng.random(200) < 0.3, rng.random(200) < 0.3
    forged, genuine = rng.random(200) < 0.5, rng.random(200) < 0.5
    for independent in (False, True):
        got = apply_behaviour(
            honest, lying=lying, colluding=colluding, forged=forged, genuine=genuine, independent=independent
        )
        for j in range(200):
            one = apply_behaviour(
                honest[j : j + 1],
                lying=lying[j : j + 1],
                colluding=colluding[j : j + 1],
                forged=bool(forged[j]),
                genuine=bool(genuine[j]),
                independent=independent,
            )
            assert got[j] == one[0]
        assert got[colluding & forged].tolist() == [1] * int((colluding & forged).sum())
        assert got[colluding & ~forged].tolist() == [-1] * int((colluding & ~forged).sum())


@pytest.mark.parametrize("seed", range(3))
def test_arrived_votes_log_equals_a_dense_matrix(seed):
    rng = np.random.default_rng(seed)
    n, rows = 15, 9
    dense = np.zeros((rows, n), np.int8)
    arrived = ArrivedVotes(n)
    pairs = rng.permutation(rows * n)[:60]  # each (row, node) pair arrives at most once, in any order
    for chunk in np.array_split(pairs, 4):  # in several steps
        row, node = np.divmod(chunk, n)
        vote = rng.choice(np.array([-1, 1], np.int8), chunk.size)
        dense[row, node] = vote
        arrived.add(row, node, vote)
    asked = rng.permutation(rows)[:5]
    np.testing.assert_array_equal(arrived.of_rows(asked), dense[asked])
    row, node, vote = arrived.log()
    want_row, want_node = np.nonzero(dense)
    np.testing.assert_array_equal(row, want_row)
    np.testing.assert_array_equal(node, want_node)
    np.testing.assert_array_equal(vote, dense[want_row, want_node])
