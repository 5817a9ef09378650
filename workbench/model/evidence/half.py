"""``evidence_rule="half"``: approve when at least half of the matching recent flows were flagged.

A node abstains (0) when none of its recent flows match the signature's rule; otherwise it approves
(+1) when its own detector flagged at least half of the matching flows and rejects (-1) when it
flagged fewer.
"""

from __future__ import annotations

import numpy as np

from workbench.model.voting import Evidence


def half(evidence: Evidence) -> np.ndarray:
    """``0`` without matching flows, ``+1`` if ``2 * flagged >= matched``, else ``-1`` (int8, per pair)."""
    matched, flagged = evidence.matched, evidence.flagged
    return np.where(matched == 0, 0, np.where(2 * flagged >= matched, 1, -1)).astype(np.int8)
