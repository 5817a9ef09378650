"""``malicious_behavior="forge"``: malicious nodes publish forged rules and otherwise vote honestly."""

from __future__ import annotations

import numpy as np

from workbench.model.adversaries.base import Adversary
from workbench.model.state import ModelState


class Forgers(Adversary):
    """Every malicious node may forge at every step; their votes are honest."""

    def forging(self, state: ModelState, t: int) -> np.ndarray:
        return state.malicious
