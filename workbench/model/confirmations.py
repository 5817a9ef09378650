"""A confirmation's delivery: how long a confirmed signature takes to be applied by every honest node, and
whether honest nodes end up applying the same rules.

A signature confirmed at step ``d`` has a *delivery window* of ``eval_window_steps`` steps, ``d .. d + W - 1``
(the window campaigns are measured over). At the end of every step the model notes, for each confirmed
signature whose window is open and which not every honest node applies yet, how many honest nodes apply it
(their blocklist holds it: :func:`~workbench.model.signatures.applied`), and the first step at which all of
them do (:func:`note_applied`). Only these two counts are kept per signature, not a step per (signature,
node) pair; the count freezes when the window closes. Every channel is observed the same way, a researcher's
own too: the observation reads ``sigs.knows`` (and, with ``local_first``, the nodes' own votes) after the
channel's hooks have run, whatever they are.

From these (:func:`delivery`), with ``H`` honest nodes and ``k_s`` of them applying signature ``s`` when its
window closes:

- the time to every honest node, ``all_applied_step - d`` steps, right-censored at the window's end or at
  the run's last step (whichever comes first) when not every honest node applies it by then;
- the share of honest nodes that never apply it within its window, ``(H - k_s) / H``;
- consistency: whether honest nodes' applied rule sets differ on ``s`` (``0 < k_s < H``), and how far: the
  share of pairs of honest nodes of which one applies it and the other does not,
  ``k_s (H - k_s) / (H (H - 1) / 2)`` (0 when consistent; at most about one half).

The last three are taken over the confirmed signatures whose window ended within the run.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from workbench.model.signatures import CONFIRMED, SignatureTable, applied_pairs
from workbench.model.state import ModelState


def honest_applying(sigs: SignatureTable, rows: np.ndarray, honest: np.ndarray, local_first: bool) -> np.ndarray:
    """``(len(rows),)`` int64: honest nodes (``honest``, ``(N,)`` bools) whose blocklist holds each of the
    confirmed signatures ``rows`` (:func:`~workbench.model.signatures.applied`, counted from its nonzero
    entries, :func:`~workbench.model.signatures.applied_pairs`, without building the rows x N matrix)."""
    if not local_first:  # a confirmed signature is applied exactly where its confirmation is known
        return sigs.knows.counts(rows, where=honest)
    i, node = applied_pairs(sigs, rows, local_first)
    return np.bincount(i[honest[node]], minlength=rows.size).astype(np.int64)


def note_applied(state: ModelState, t: int) -> None:
    """At the end of step ``t``: the honest nodes applying each confirmed signature whose delivery window is
    open and which some honest node does not apply yet; the step at which all of them first do. Reads only."""
    s = state.sigs
    if len(s) == 0:
        return
    view = s.view
    open_rows = np.flatnonzero(
        (view.outcome == CONFIRMED)
        & (view.all_applied_step < 0)
        & (t - view.decided_step < state.params.eval_window_steps)
    )
    if open_rows.size == 0:
        return
    honest = state.present_honest  # the honest nodes present now (all honest nodes without churn)
    counts = honest_applying(s, open_rows, honest, state.params.local_first)
    s.cols.applied_honest[open_rows] = counts
    s.cols.all_applied_step[open_rows[counts >= int(honest.sum())]] = t


class Delivery(NamedTuple):
    """Per confirmed signature (in row order): ``steps`` from confirmation to every honest node applying it,
    or the steps observed when censored; ``reached`` (not censored); ``ended``: its window ended within the
    run; ``missing``: share of honest nodes not applying it when its window closed (or at the run's end);
    ``inconsistent``: some honest nodes apply it and others do not then; ``pair_disagreement``: the share of
    pairs of honest nodes that differ on it then."""

    steps: np.ndarray
    reached: np.ndarray
    ended: np.ndarray
    missing: np.ndarray
    inconsistent: np.ndarray
    pair_disagreement: np.ndarray


def delivery(state: ModelState) -> Delivery:
    """The delivery of every confirmed signature of the run (see the module's docstring)."""
    view = state.sigs.view
    rows = np.flatnonzero(view.outcome == CONFIRMED)
    decided = view.decided_step[rows].astype(np.int64)
    window = state.params.eval_window_steps
    done = view.all_applied_step[rows].astype(np.int64)
    reached = done >= 0
    last_seen = np.minimum(decided + window - 1, state.t_last)
    steps = np.where(reached, done, last_seen) - decided
    n_honest = int(state.present_honest.sum())
    k = np.minimum(view.applied_honest[rows].astype(np.int64), n_honest)  # churn: fewer may be present now
    pairs = n_honest * (n_honest - 1) / 2
    disagreement = k * (n_honest - k) / pairs if pairs else np.zeros(rows.size)
    ended = decided + window - 1 <= state.t_last
    return Delivery(steps, reached, ended, (n_honest - k) / n_honest, (k > 0) & (k < n_honest), disagreement)
