"""``consensus="majority"``: confirmed when more than half of the votes cast approve."""

from __future__ import annotations

import numpy as np

from workbench.model.consensus import Tally


class Majority:
    """``votes_for >= floor(v / 2) + 1`` of the ``v`` votes cast (a tie rejects)."""

    #: decides on vote counts alone: the trust weights of the votes are not computed for it
    counts_only = True

    def approvals_needed(self, votes_cast: np.ndarray, quorum: float) -> np.ndarray:
        """Approving votes needed out of ``votes_cast`` (int64 array); ``quorum`` does not apply."""
        return votes_cast // 2 + 1

    def __call__(self, tally: Tally, quorum: float) -> np.ndarray:
        return tally.votes_for >= self.approvals_needed(tally.votes_cast, quorum)
