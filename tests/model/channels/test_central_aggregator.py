"""The central aggregator's rule as a pure function: corroboration, honest, compromised and down."""

from __future__ import annotations

import numpy as np

from workbench.model.aggregator import central_decisions, corroborating_origins


def test_corroboration_counts_distinct_origins_per_key_in_the_window():
    key = np.array([7, 7, 7, 9, 7])
    origin = np.array([1, 1, 2, 3, 4])
    created = np.array([10, 11, 11, 11, 2])
    # at t=12 with window 2: key 7 reported by origins 1 and 2 (origin 4 is too old), key 9 by origin 3
    assert corroborating_origins(key, origin, created, 12, 2).tolist() == [2, 2, 2, 1, 2]


def _decide(mode="honest", t=12, quorum=2, window=2, down_step=None, malicious=(False,) * 4):
    key = np.array([7, 7, 9, 5])
    origin = np.array([1, 2, 3, 4])
    created = np.array([10, 11, 9, 11])
    pending = np.ones(4, bool)
    return central_decisions(
        key,
        origin,
        created,
        pending,
        np.array(malicious),
        t,
        central_quorum=quorum,
        window=window,
        mode=mode,
        down_step=down_step,
    )


def test_honest_aggregator_confirms_corroborated_rules_and_rejects_lone_ones_at_the_deadline():
    confirm, reject = _decide()
    assert confirm.tolist() == [True, True, False, False]
    assert reject.tolist() == [False, False, True, False]  # key 9 waited 3 >= 2 steps alone; key 5 still waits


def test_compromised_aggregator_confirms_what_malicious_nodes_send():
    confirm, _ = _decide(mode="compromised", malicious=(False, False, False, True))
    assert confirm.tolist() == [True, True, False, True]


def test_aggregator_that_is_down_decides_nothing():
    confirm, reject = _decide(mode="down", down_step=12)
    assert not confirm.any() and not reject.any()
    confirm, _ = _decide(mode="down", down_step=13)
    assert confirm.any()
