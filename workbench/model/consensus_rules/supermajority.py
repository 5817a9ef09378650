"""``consensus="supermajority"``: confirmed when at least a share ``quorum`` of the votes cast approve."""

from __future__ import annotations

import numpy as np

from workbench.model.consensus import Tally


class Supermajority:
    """``votes_for >= ceil(quorum * v)`` of the ``v`` votes cast, ``0.5 < quorum <= 1``."""

    #: decides on vote counts alone: the trust weights of the votes are not computed for it
    counts_only = True

    def approvals_needed(self, votes_cast: np.ndarray, quorum: float) -> np.ndarray:
        """Approving votes needed out of ``votes_cast`` (int64 array) at ``quorum``."""
        if not 0.5 < quorum <= 1:
            raise ValueError(f"quorum={quorum!r} is out of range; expected a number with 0.5 < x <= 1")
        # the small epsilon keeps ceil(2/3 * 3) at 2 despite floating-point error
        return np.ceil(quorum * votes_cast - 1e-9).astype(np.int64)

    def __call__(self, tally: Tally, quorum: float) -> np.ndarray:
        return tally.votes_for >= self.approvals_needed(tally.votes_cast, quorum)
