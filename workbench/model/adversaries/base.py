"""The adversary protocol: what malicious nodes do at the three points where the model asks them.

* :meth:`Adversary.forging` -- which nodes may publish a forged signature at step ``t`` (each then does
  with probability ``forge_prob``; the proposal phase draws it);
* :meth:`Adversary.votes` -- how the malicious voters among a step's (signature, voter) pairs vote,
  given the honest vote each would have cast (their own evidence, or an independent validator's vote);
* :meth:`Adversary.relays` -- which nodes pass on others' items (gossip, votes and decisions on their way);
* on an ordering ledger (``ledger_protocol`` ``crash_tolerant`` or ``bft``), what a malicious leader and
  replica do: :meth:`Adversary.censors`, :meth:`Adversary.equivocates`, :meth:`Adversary.withholds_votes`
  (all ``False`` by default: the protocol asks them only of malicious nodes, and an adversary without them
  behaves as the base does).

What an adversary can see is the :class:`~workbench.model.state.ModelState`: who is malicious (they
know each other), the signatures with their ground truth (a forger knows its forgeries), the votes cast
(``sigs.cast``) and arrived (``sigs.arrived``), trust, and the parameters. It keeps no state of its own
(one instance serves every run of a process). Votes are ``+1`` approve, ``-1`` reject, ``0`` abstain
(int8).

:class:`Adversary` is a base whose malicious nodes behave honestly and relay as ``malicious_relay``
says; its :meth:`~Adversary.votes` applies two masks, :meth:`~Adversary.lying` and
:meth:`~Adversary.colluding`, which the built-in behaviours set. A researcher's behaviour subclasses it
(or a built-in one) and overrides what differs; see ``docs/extending.md``.
"""

from __future__ import annotations

import numpy as np

from workbench.model.adversaries import ADVERSARIES
from workbench.model.params import ModelParams
from workbench.model.state import ModelState
from workbench.model.voting import apply_behaviour


class Adversary:
    """Malicious nodes that behave honestly (override what your adversary does)."""

    #: whether malicious nodes may publish forgeries (:meth:`forging`); ``False`` is a declaration that
    #: they never do, so forged outcomes are zero by definition (a subclass that forges must reset it)
    may_forge: bool = True

    def lying(self, state: ModelState, t: int) -> np.ndarray:
        """``(N,)``: nodes voting against their evidence at step ``t``."""
        return np.zeros_like(state.malicious)

    def colluding(self, state: ModelState, t: int) -> np.ndarray:
        """``(N,)``: nodes approving forgeries and rejecting everything else at step ``t``."""
        return np.zeros_like(state.malicious)

    def forging(self, state: ModelState, t: int) -> np.ndarray:
        """``(N,)``: nodes that may publish forged signatures at step ``t`` (the colluders)."""
        return self.colluding(state, t)

    def votes(
        self, state: ModelState, t: int, sig: np.ndarray, voter: np.ndarray, honest: np.ndarray, independent: bool
    ) -> np.ndarray:
        """Votes of the malicious voters ``voter`` on signature rows ``sig`` (pairs, sorted by signature),
        whose honest votes would be ``honest``; ``independent``: voters are independent validators
        (``validation="independent"``), whose honest vote is not their evidence."""
        s = state.sigs
        return apply_behaviour(
            honest,
            lying=self.lying(state, t)[voter],
            colluding=self.colluding(state, t)[voter],
            forged=s.cols.forged[sig],
            genuine=s.cols.genuine[sig],
            independent=independent,
        )

    # --- on an ordering ledger (workbench.model.ledger_protocols): what a malicious leader and replica do ---
    def censors(self, state: ModelState, t: int) -> bool:
        """Whether a malicious ledger leader leaves honest nodes' entries out of the blocks it cuts at ``t``."""
        return False

    def equivocates(self, state: ModelState, t: int) -> bool:
        """Whether a malicious ledger leader sends different blocks to two halves of the honest replicas at
        ``t`` (and malicious replicas vote for both)."""
        return False

    def withholds_votes(self, state: ModelState, t: int) -> bool:
        """Whether malicious ledger replicas withhold their protocol votes at ``t`` (acknowledgements,
        prepares, commits)."""
        return False

    def relays(self, state: ModelState) -> np.ndarray | None:
        """``(N,)``: nodes that pass on others' items, ``None`` for all (``malicious_relay``: ``"forward"``
        all, ``"drop"`` the honest ones only). Asked once, when the run starts."""
        return None if state.params.malicious_relay == "forward" else state.honest


def adversary_of(params: ModelParams) -> Adversary:
    """The behaviour ``params.malicious_behavior`` names (imported on first use, then cached)."""
    adversary: Adversary = ADVERSARIES.get(params.malicious_behavior)
    return adversary
