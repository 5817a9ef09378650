"""An evidence rule with known vote rates, for checking the voter model's formula through ``run_model``.

Each honest (signature row, voter) pair gets a fixed pseudo-random number ``u`` in [0, 1) from a hash of
the pair: it approves when ``u < APPROVE``, rejects when ``APPROVE <= u < APPROVE + REJECT`` and abstains
otherwise, at every step it is asked (so a pair that abstains once always abstains). Honest voters then
vote independently across pairs with exactly these rates, whatever their traffic.
"""

from __future__ import annotations

import numpy as np

from workbench.model.voting import Evidence

APPROVE, REJECT = 0.05, 0.35


def _uniform(sig: np.ndarray, node: np.ndarray) -> np.ndarray:
    """SplitMix64 of ``sig * 2^20 + node``, as a float in [0, 1)."""
    with np.errstate(over="ignore"):
        z = sig.astype(np.uint64) * np.uint64(1 << 20) + node.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def fixed_rates(evidence: Evidence) -> np.ndarray:
    u = _uniform(evidence.sig, evidence.node)
    return np.where(u < APPROVE, 1, np.where(u < APPROVE + REJECT, -1, 0)).astype(np.int8)


def abstain(evidence: Evidence) -> np.ndarray:
    """Every honest voter abstains: colluders decide alone."""
    return np.zeros(evidence.sig.size, np.int8)
