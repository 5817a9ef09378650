"""``malicious_behavior="censor"``: a malicious ledger leader leaves honest entries out; malicious replicas
withhold their votes.

On an ordering ledger (``ledger_protocol`` ``crash_tolerant`` or ``bft``), a malicious node that leads a
view puts only malicious nodes' entries into its blocks: honest signatures, votes and decisions wait until a
view change brings an honest leader (``bft``: after ``leader_timeout_steps`` without their commit;
``crash_tolerant`` has no such timer, so they wait as long as the leader reigns). Malicious replicas send no
acknowledgements, prepares or commits, which stalls the log once honest live replicas are fewer than a
quorum. The delay shows in ``entry_commit_delay_steps`` and ``view_changes``. Malicious nodes vote on
signatures by their evidence and forge nothing; on the ideal ledger and the other channels they behave
honestly.
"""

from __future__ import annotations

import numpy as np

from workbench.model.adversaries.base import Adversary
from workbench.model.state import ModelState


class Censors(Adversary):
    """Malicious leaders censor honest entries; malicious replicas withhold protocol votes."""

    may_forge = False

    def forging(self, state: ModelState, t: int) -> np.ndarray:
        return np.zeros_like(state.malicious)

    def censors(self, state: ModelState, t: int) -> bool:
        return True

    def withholds_votes(self, state: ModelState, t: int) -> bool:
        return True
