"""``malicious_behavior="lie"``: malicious nodes vote against their evidence and forge nothing.

An evidence voter that lies approves what its evidence rejects and rejects what it approves (and
abstains where it has none); an independent validator that lies always votes wrongly.
"""

from __future__ import annotations

import numpy as np

from workbench.model.adversaries.base import Adversary
from workbench.model.state import ModelState


class Liars(Adversary):
    """Malicious voters invert their honest vote (see the module docstring)."""

    may_forge = False

    def lying(self, state: ModelState, t: int) -> np.ndarray:
        return state.malicious

    def forging(self, state: ModelState, t: int) -> np.ndarray:
        return np.zeros_like(state.malicious)
