"""The central aggregator: a baseline that can say no.

Nodes report the rules they derive to one aggregator. An honest aggregator confirms a rule key (source
/16 prefix and protocol) once ``central_quorum`` distinct nodes have reported a rule with that key within
the last ``window`` steps, and rejects a report that has waited ``window`` steps without such
corroboration. It then broadcasts each decision to every node.

Two failure modes make the baseline falsifiable:

- ``compromised``: the aggregator is in the attackers' hands. It confirms every report a malicious node
  sends, and every forgery (its own included: it forges rules and files them as reports), the step after
  they arrive; honest reports are still judged by the quorum rule, so that it keeps up appearances.
- ``down``: from ``aggregator_down_step`` on, nothing is decided (reports still arrive and cost messages).

The decision is a pure, vectorised function of the report table, like
:func:`workbench.model.consensus.decide`.
"""

from __future__ import annotations

import numpy as np


def corroborating_origins(
    key: np.ndarray, origin: np.ndarray, created_step: np.ndarray, t: int, window: int
) -> np.ndarray:
    """For each report, the number of distinct origins that reported its key within the last ``window``
    steps (``t - created_step <= window``), itself included if recent."""
    key, origin, created_step = np.asarray(key), np.asarray(origin), np.asarray(created_step)
    recent = (t - created_step) <= window
    counts = np.zeros(key.size, np.int64)
    if not recent.any():
        return counts
    pairs = np.unique(np.stack([key[recent], origin[recent]], axis=1), axis=0)  # one per (key, origin)
    keys, per_key = np.unique(pairs[:, 0], return_counts=True)
    pos = np.searchsorted(keys, key)
    found = (pos < keys.size) & (keys[np.minimum(pos, keys.size - 1)] == key)
    counts[found] = per_key[pos[found]]
    return counts


def central_decisions(
    key: np.ndarray,
    origin: np.ndarray,
    created_step: np.ndarray,
    pending: np.ndarray,
    favoured: np.ndarray,
    t: int,
    *,
    central_quorum: int,
    window: int,
    mode: str = "honest",
    down_step: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Which reports the aggregator confirms and which it rejects at step ``t``.

    All arrays run over every report so far (one row per signature). A report is decided the step after
    it arrives at the earliest (``created_step < t``). ``favoured`` marks the reports a compromised
    aggregator confirms regardless (those of malicious nodes, and forgeries). Returns two boolean masks
    ``(confirm, reject)``, both False for rows that are not pending or stay pending.
    """
    pending = np.asarray(pending, bool) & (np.asarray(created_step) < t)
    if mode == "down" and down_step is not None and t >= down_step:
        nothing = np.zeros(pending.size, bool)
        return nothing, nothing
    support = corroborating_origins(key, origin, created_step, t, window)
    confirm = pending & (support >= central_quorum)
    if mode == "compromised":
        confirm |= pending & np.asarray(favoured, bool)
    expired = pending & ~confirm & ((t - np.asarray(created_step)) >= window)
    return confirm, expired
