"""Phase 1: campaigns start at a few honest nodes and spread along the topology."""

from __future__ import annotations

import numpy as np

from workbench.model.state import ModelState


def spread_campaigns(state: ModelState, t: int, rng: np.random.Generator) -> np.ndarray:
    """Start the campaigns due at ``t`` and spread running ones; returns the nodes newly targeted ``(C, N)``.

    A targeted node passes the campaign to each neighbour with probability ``spread_prob`` per step.
    With ``containment`` a node protected against the campaign no longer passes it on (its blocklist
    stops the attacker using it as a stepping stone); without, attackers move on regardless.
    """
    p = state.params
    before = state.targeted.copy()
    for camp in state.campaigns:
        c = camp.index
        if t == camp.start_step:
            pool = np.flatnonzero(state.present_honest)
            state.targeted[c, rng.choice(pool, min(p.campaign_seed_nodes, pool.size), replace=False)] = True
        elif t > camp.start_step and p.spread_prob > 0:
            relaying = state.targeted[c] & ~state.protected[c] if p.containment else state.targeted[c]
            relaying = relaying & state.present  # a departed node is no stepping stone
            exposure = state.adjacency @ relaying.astype(np.int32)
            infect = rng.random(p.n_nodes) < 1.0 - (1.0 - p.spread_prob) ** exposure
            state.targeted[c] |= infect & state.present
    return state.targeted & ~before
