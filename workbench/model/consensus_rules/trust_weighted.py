"""``consensus="trust_weighted"``: confirmed when the trust-weighted approving weight exceeds half of all.

Weights are the voters' Beta-reputation trust (:class:`~workbench.model.consensus.BetaTrust`), summed
over the approving and the rejecting votes that arrived. Counted in votes (for the analytic checks)
the rule is a majority.
"""

from __future__ import annotations

import numpy as np

from workbench.model.consensus import Tally


class TrustWeighted:
    """``weight_for > 0.5 * (weight_for + weight_against)``."""

    def approvals_needed(self, votes_cast: np.ndarray, quorum: float) -> np.ndarray:
        """The count threshold of equal weights: a majority, ``floor(v / 2) + 1``."""
        return votes_cast // 2 + 1

    def __call__(self, tally: Tally, quorum: float) -> np.ndarray:
        if tally.weight_for is None or tally.weight_against is None:
            raise ValueError("rule='trust_weighted' needs weight_for and weight_against")
        wf, wa = np.asarray(tally.weight_for, float), np.asarray(tally.weight_against, float)
        return wf > 0.5 * (wf + wa)
