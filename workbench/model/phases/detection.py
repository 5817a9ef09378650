"""Phase 5a: every node's detector scores the step's flows (after fitting on warm-up traffic)."""

from __future__ import annotations

import numpy as np

from workbench.flows import N_FEATURES
from workbench.model.detectors import DetectorBank


class WarmupDetector:
    """A bank of per-node detectors that first collects ``warmup_steps`` of traffic, then flags.

    Steps ``1 .. warmup_steps`` are buffered (nothing is flagged); the bank is fitted at the end of the
    warm-up and from then on flags each step's flows in one vectorised call and updates its baseline.
    ``window`` ``(N, W, d)``: fit on it now instead of buffering (a replayed trace, whose steps are
    padded); nothing is flagged during the warm-up steps either way.
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

    def flag(self, t: int, features: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
        """Flags ``(N, F)`` for step ``t``'s features ``(N, F, d)``; ``valid`` ``(N, F)`` marks real
        flows (padding is never flagged and never enters a baseline)."""
        f = self.flows_per_node
        if t <= self.warmup_steps and self._warmup is None:
            return np.zeros(features.shape[:2], bool)
        if self._warmup is not None:
            self._warmup[:, (t - 1) * f : t * f] = features
            if t == self.warmup_steps:
                self.bank.fit(self._warmup)
                self._warmup = None
            return np.zeros(features.shape[:2], bool)
        _, flagged = self.bank.predict_flags(features)
        if valid is None:
            self.bank.update(features, flagged)
            return flagged
        flagged &= valid
        self.bank.update(features, flagged | ~valid)
        return flagged
