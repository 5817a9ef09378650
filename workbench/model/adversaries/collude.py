"""``malicious_behavior="collude"``: malicious nodes approve forgeries, reject everything else, and forge.

Colluders vote on every signature they hold, evidence or not (they never abstain), so a turnout
floor (``min_participation``) is what keeps a handful of them from deciding signatures honest nodes
know nothing about.
"""

from __future__ import annotations

import numpy as np

from workbench.model.adversaries.base import Adversary
from workbench.model.state import ModelState


class Colluders(Adversary):
    """Every malicious node colludes from the first step (and may forge)."""

    def colluding(self, state: ModelState, t: int) -> np.ndarray:
        return state.malicious
