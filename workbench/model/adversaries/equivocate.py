"""``malicious_behavior="equivocate"``: a malicious ledger leader sends different blocks to different replicas.

On an ordering ledger (``ledger_protocol`` ``crash_tolerant`` or ``bft``), a malicious node that leads a
view sends every block it cuts in two versions, one to each half of the honest replicas (the whole block,
and the block without the honest nodes' entries); malicious replicas vote for both versions. Under
``crash_tolerant`` the followers trust their leader and apply what they were sent (a fork: the honest logs
conflict); under ``bft`` both versions can gather a commit quorum only when faulty replicas reach
``N / 3`` (``docs/ledger-protocols.md``). Malicious nodes vote on signatures by their evidence and forge
nothing; on the ideal ledger and the other channels they behave honestly.
"""

from __future__ import annotations

import numpy as np

from workbench.model.adversaries.base import Adversary
from workbench.model.state import ModelState


class Equivocators(Adversary):
    """Malicious leaders equivocate; malicious replicas vote for every version they see."""

    may_forge = False

    def forging(self, state: ModelState, t: int) -> np.ndarray:
        return np.zeros_like(state.malicious)

    def equivocates(self, state: ModelState, t: int) -> bool:
        return True
