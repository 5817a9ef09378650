"""A researcher's own components, defined outside the package (test helpers, not shipped).

The tests name them by import path (``"user_components:TrustedGossip"``), as a researcher would name a
module of their own. Worker processes import this module by name: process workers through
``sys.path``/``PYTHONPATH`` (``tests/``), Ray workers through the ``runtime_env`` the ``ray_session``
fixture sets (see ``tests/conftest.py``).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from workbench.model.channels.gossip import GossipChannel
from workbench.model.state import ModelState


class PlainGossip(GossipChannel):
    """The built-in gossip channel under another name: runs must equal ``sharing="gossip"`` bit for bit."""


class TrustedGossip(GossipChannel):
    """Gossip that pushes only to neighbours whose Beta trust is at least ``threshold``.

    Trust starts at 1/2 for everyone and moves with agreement with decided outcomes; a neighbour that
    keeps voting against the outcome falls below 1/2 and is no longer pushed to (it still receives
    what others pull, and votes still reach origins along the topology)."""

    threshold = 0.5

    def contacts(self, state: ModelState, t: int) -> sparse.csr_matrix | None:
        trusted = state.trust.trust >= self.threshold
        contacts = state.adjacency.copy()
        contacts.data = contacts.data * trusted[contacts.indices]  # drop the edges to untrusted neighbours
        contacts.eliminate_zeros()
        return contacts


class Mute(GossipChannel):
    """Gossip to nobody: no node has a contact, so signatures never leave their origin."""

    def contacts(self, state: ModelState, t: int) -> sparse.csr_matrix | None:
        n = state.params.n_nodes
        return sparse.csr_matrix((n, n), dtype=np.int8)


class NotAChannel:
    """Lacks every hook of a channel: refused when named."""


class Exploding:
    """A component whose constructor fails: refused when named, with the field and the error."""

    def __init__(self) -> None:
        raise RuntimeError("no such hardware")
