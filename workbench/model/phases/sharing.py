"""Phase 2: one push-gossip round for pending signatures and for confirmations (``sharing="gossip"``)."""

from __future__ import annotations

import numpy as np

from workbench.model.gossip import push_round
from workbench.model.signatures import CONFIRMED, PENDING
from workbench.model.state import ModelState, StepCounts


def gossip_round(state: ModelState, t: int, rng: np.random.Generator) -> StepCounts:
    """Every holder pushes each unfinished item to ``gossip_fanout`` neighbours; returns the messages sent.

    A confirmation carries its signature with it; a signature's ``spread_done_step`` is set when every
    node holds it.
    """
    s, fanout = state.sigs, state.params.gossip_fanout
    pend = np.flatnonzero((s["outcome"] == PENDING) & ~s.holds[: len(s)].all(axis=1))
    conf = np.flatnonzero((s["outcome"] == CONFIRMED) & ~s.knows[: len(s)].all(axis=1))
    messages = 0
    for rows, matrix in ((pend, s.holds), (conf, s.knows)):
        if rows.size == 0:
            continue
        block = matrix[rows]
        per_item = block.sum(axis=1) * fanout
        push_round(block, state.adjacency, fanout, rng)
        matrix[rows] = block
        s.cols["messages"][rows] += per_item
        messages += int(per_item.sum())
    s.holds[conf] |= s.knows[conf]
    moved = np.concatenate([pend, conf])
    done = moved[(s.cols["spread_done_step"][moved] < 0) & s.holds[moved].all(axis=1)]
    s.cols["spread_done_step"][done] = t
    return StepCounts(messages=messages)
