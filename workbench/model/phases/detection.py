"""Phase 5a: every node's detector scores the step's flows (after fitting on warm-up traffic).

The refit guard: a baseline update (:meth:`DetectorBank.update`) learns only from flows that look
benign by everything the node knows at that step. :func:`kept_out` leaves out

* flows the node's detector flagged, and flows its blocklist blocked (a rule the node applies
  matched them: whatever the detector said, the node treats them as attack traffic);
* the unflagged tail of an attack: unflagged flows scoring below the bank's ``guard_threshold_``
  (for the z-score bank, a robust z above ``zscore_threshold - zscore_refit_guard``);
* padding of a replayed trace.

Why a score margin, not a rule on keys. Under a campaign the attack flows a detector misses are not
spread over the benign range: they sit just inside the threshold (attack flows are shifted along one
feature, so their robust z is a bump around the campaign's separation, cut by the threshold). Folding
them in drags the median toward the attack and widens the MAD, which lowers recall, which folds in
more: in the realistic world per-flow recall fell from 0.60 (steps 10-25) to 0.02 (steps 61-90) with
flags alone as the guard (40 nodes, 4 seeds). A margin below the threshold catches that tail whatever
prefix, key or campaign it comes from (cloud-hidden prefixes, the first step after a rotation), costs
one comparison per flow, and removes few benign flows (about 1% more at a 1-z margin, from the far
tail of a normal body, where the median and MAD barely move). A guard on keys or prefixes with
recent flags would instead freeze the baseline for every popular benign key, since at 1-3% per-flow
false positives nearly every busy key has a flagged flow in any few steps.
"""

from __future__ import annotations

import numpy as np

from workbench.flows import N_FEATURES
from workbench.model.detectors import DetectorBank


def kept_out(
    bank: DetectorBank,
    scores: np.ndarray,
    flagged: np.ndarray,
    blocked: np.ndarray | None = None,
    valid: np.ndarray | None = None,
) -> np.ndarray:
    """The flows ``(N, F)`` the baseline update must not learn from (see the module docstring).

    ``scores``/``flagged``: the bank's ``predict_flags`` of the step; ``blocked``: flows the node's
    blocklist blocked (``None``: none); ``valid``: real flows (``None``: all)."""
    out = np.array(flagged, dtype=bool, copy=True)
    guard = getattr(bank, "guard_threshold_", None)
    if guard is not None:
        out |= scores < np.asarray(guard)[:, None]
    if blocked is not None:
        out |= blocked
    if valid is not None:
        out |= ~valid
    return out


class WarmupDetector:
    """A bank of per-node detectors that first collects ``warmup_steps`` of traffic, then flags.

    Steps ``1 .. warmup_steps`` are buffered (nothing is flagged); the bank is fitted at the end of the
    warm-up and from then on flags each step's flows in one vectorised call and updates its baseline
    from the flows :func:`kept_out` leaves in. ``window`` ``(N, W, d)``: fit on it now instead of
    buffering (a replayed trace, whose steps are padded); nothing is flagged during the warm-up steps
    either way.
    """

    def __init__(
        self, bank: DetectorBank, warmup_steps: int, n_nodes: int, flows_per_node: int, window: np.ndarray | None = None
    ) -> None:
        self.bank = bank
        self.warmup_steps, self.flows_per_node = warmup_steps, flows_per_node
        self._warmup: np.ndarray | None = None
        if window is None:
            self._warmup = np.empty((n_nodes, warmup_steps * flows_per_node, N_FEATURES))
        else:
            self.bank.fit(window)

    def flag(
        self, t: int, features: np.ndarray, valid: np.ndarray | None = None, blocked: np.ndarray | None = None
    ) -> np.ndarray:
        """Flags ``(N, F)`` for step ``t``'s features ``(N, F, d)``; ``valid`` ``(N, F)`` marks real
        flows (padding is never flagged and never enters a baseline); ``blocked`` ``(N, F)``: flows the
        nodes' blocklists blocked this step (never enter a baseline)."""
        f = self.flows_per_node
        if t <= self.warmup_steps and self._warmup is None:
            return np.zeros(features.shape[:2], bool)
        if self._warmup is not None:
            self._warmup[:, (t - 1) * f : t * f] = features
            if t == self.warmup_steps:
                # a bank that can take the buffer over (``fit_owned``) is spared a copy of it
                getattr(self.bank, "fit_owned", self.bank.fit)(self._warmup)
                self._warmup = None
            return np.zeros(features.shape[:2], bool)
        scores, flagged = self.bank.predict_flags(features)
        if valid is not None:
            flagged &= valid
        self.bank.update(features, kept_out(self.bank, scores, flagged, blocked, valid))
        return flagged
