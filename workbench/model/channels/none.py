"""``sharing="none"``: isolated nodes. Nothing travels and nothing costs a message.

A node confirms its own rule the moment it proposes it, and only it knows of it: it blocks what its
own detector caught, no one else does. A forgery therefore blocks only at its forger.
"""

from __future__ import annotations

import numpy as np

from workbench.model.channels.base import Channel
from workbench.model.decisions import settle
from workbench.model.state import ModelState, StepOutput


class Isolated(Channel):
    """No sharing: every proposal is confirmed at once, known to its origin only."""

    sends_no_messages = True
    rules_stay_at_origin = True
    confirms_every_proposal = True

    def on_proposed(self, state: ModelState, t: int, rows: np.ndarray) -> StepOutput:
        return settle(state, self, t, rows, np.ones(rows.size, bool))

    def announce(self, state: ModelState, t: int, decided: np.ndarray, confirmed: np.ndarray) -> int:
        s = state.sigs
        s.knows.set(confirmed, s.cols.origin[confirmed])
        return 0
