"""Observations of a signature's delivery: how many nodes it reached, in which rounds, with how many messages.

Demers et al. (1987) measure a rumour by its *residue* (share of nodes never reached), its *traffic*
(messages carrying it, per node) and its delivery times: ``t_ave``, the mean round at which the nodes
reached received it, and ``t_last``, the round the last of them did, the round the rumour starts at its
origin being round 0. The channels note every delivery here as it happens (:func:`note_reached`,
:func:`note_carrying`); the signatures frame derives ``traffic_per_node``, ``t_ave_rounds`` and
``t_last_rounds`` from these columns (:func:`workbench.model.metrics.signatures_frame`). A signature created at
step ``c`` and received at step ``t`` arrived in round ``t - c`` (the first sharing round after its
proposal is round 1). Only counts per signature are kept, not a step per (signature, node) pair.
"""

from __future__ import annotations

import numpy as np

from workbench.model.signatures import SignatureColumns


def note_reached(cols: SignatureColumns, rows: np.ndarray, holders: np.ndarray, t: int) -> None:
    """Signatures ``rows`` are held by ``holders`` nodes (per row) after step ``t``: the holders beyond those
    noted before arrived in round ``t - created_step``."""
    new = holders - cols.reached[rows]
    arrived = new > 0
    if not arrived.any():
        return
    rows, new = rows[arrived], new[arrived]
    rounds = t - cols.created_step[rows]
    cols.reach_round_sum[rows] += new * rounds
    cols.last_reach_round[rows] = rounds
    cols.reached[rows] = holders[arrived]


def note_carrying(cols: SignatureColumns, rows: np.ndarray, messages: np.ndarray | int) -> None:
    """``messages`` more messages carried signatures ``rows`` (the signature itself or its confirmation, which
    carries it; not votes, nor decisions sent back to nodes that hold it). ``rows`` distinct."""
    cols.carrying_messages[rows] += messages
