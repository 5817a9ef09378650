"""``malicious_behavior="betray"``: malicious nodes behave honestly, then turn colluders.

Up to step ``betray_after_steps`` they vote by their evidence and forge nothing (earning trust); from
the next step on they collude (approve forgeries, reject everything else) and forge.
"""

from __future__ import annotations

import numpy as np

from workbench.model.adversaries.base import Adversary
from workbench.model.state import ModelState


class Betrayers(Adversary):
    """Honest until ``betray_after_steps``, colluders after."""

    def colluding(self, state: ModelState, t: int) -> np.ndarray:
        if t > state.params.betray_after_steps:
            return state.malicious
        return np.zeros_like(state.malicious)
