"""The sharing-channel protocol: everything a step asks of the way signatures, votes and decisions travel.

A step calls its channel at fixed points, in this order (``t`` is the 1-based step; before any step,
:meth:`Channel.check_params` refuses parameters the channel cannot work with):

0. :meth:`Channel.arrive` -- what the channel had on its way and is due now arrives (ledger entries);
   :meth:`Channel.admission` -- what its admission control costs now (a membership list's certificates);
2. :meth:`Channel.share_round` -- one round of spreading (gossip), drawing from the model's Generator;
3. votes, if :attr:`Channel.carries_votes`: the vote phase asks :meth:`Channel.vote_losses` where each
   vote would be lost, then hands the cast votes to :meth:`Channel.send_votes` (delay, cost, loss);
4. :meth:`Channel.decide` -- which pending signatures are decided now, and which of them confirmed;
   :meth:`Channel.announce` -- how the decisions reach nodes, and its messages;
6. :meth:`Channel.extra_proposals` -- signatures the channel itself files (a compromised aggregator's
   forgeries); :meth:`Channel.on_proposed` -- what happens when rules are proposed.

With churn (:mod:`workbench.model.churn`), :meth:`Channel.catch_up` runs before phase 0 for the nodes that just
joined: what a new node learns from the channel, and its messages.

A channel owns its message costs: every hook that sends something adds each signature's messages to
``sigs.cols.messages`` and returns the step's total in its counts. Channels keep no state of their
own (one instance serves every run of a process): what changes lives in the
:class:`~workbench.model.state.ModelState` they are given. Phases call these hooks and never look at
which channel they have.

:class:`Channel` is a base whose hooks do nothing (an isolated node's world); :class:`VotingChannel`
adds peer votes decided by the consensus rule at the vote deadline. A researcher's channel subclasses
either (or any built-in channel) and overrides what differs; see ``docs/extending.md``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from workbench.model.channels import CHANNELS
from workbench.model.consensus import decide, reads_weights
from workbench.model.message_sizes import DECISION, sent
from workbench.model.params import ModelParams
from workbench.model.signatures import PENDING, NewSignature
from workbench.model.state import ModelState, StepCounts, StepOutput
from workbench.model.sybils import sybil_votes

Forge = Callable[[int], NewSignature]  # a forged signature in the name of a node (the proposal phase's forger)
_NONE = np.zeros(0, np.int64)


class Channel:
    """A channel where nothing travels: every hook does nothing (override what your channel does)."""

    #: whether nodes vote on the signatures they hold (votes then travel by :meth:`send_votes`)
    carries_votes: bool = False
    #: who decides, for labels of studies (``"isolated"``: each node for itself)
    decided_by: str = "isolated"
    #: bytes of each message :meth:`announce` returns (:mod:`workbench.model.message_sizes`); the other hooks
    #: return :class:`StepCounts` whose ``bytes`` they fill themselves (``message_sizes.sent``)
    announce_message_bytes: int = DECISION
    # Facts that hold by construction, declared so that outcomes zero or one by definition are reported as
    # such (:attr:`workbench.model.outcomes.Outcome.structural`). The defaults declare nothing; a channel
    # that sets one and a subclass that changes that behaviour must say so (reset it).
    #: no hook ever sends a message (the message outcomes are 0 by definition)
    sends_no_messages: bool = False
    #: a rule is only ever known to (and applied by) the node that proposed it
    rules_stay_at_origin: bool = False
    #: every proposal is confirmed the moment it is made (none is rejected, none stays pending)
    confirms_every_proposal: bool = False

    def files_forgeries(self, params: ModelParams) -> bool:
        """Whether the channel itself may file forgeries in a run of ``params`` (:meth:`extra_proposals`);
        ``True`` unless a channel declares otherwise (the base, whose :meth:`extra_proposals` files none)."""
        return type(self).extra_proposals is not Channel.extra_proposals

    def admits_identities(self, params: ModelParams) -> bool:
        """Whether the votes of identities beyond the ``N`` nodes (a malicious node's ``sybil_identities``,
        :mod:`workbench.model.sybils`) count in a run of ``params``. The base counts no votes, so admits none;
        :class:`VotingChannel` admits them unless ``admission_control="membership"``."""
        return False

    def admission(self, state: ModelState, t: int) -> StepCounts:
        """Phase 0: the messages the channel's admission control costs at ``t`` (none in the base)."""
        return StepCounts()

    def check_params(self, params: ModelParams) -> None:
        """Refuse parameters under which this channel cannot work as designed (``ValueError`` naming the
        fields and the closest valid value); called when the parameters are built, before anything runs."""

    def catch_up(self, state: ModelState, t: int, joined: np.ndarray, rng: np.random.Generator) -> StepCounts:
        """New nodes ``joined`` (node ids; they hold and know nothing) catch up at ``t``, before phase 0: what the
        channel tells them (``sigs.knows``, ``sigs.holds``) and its counts (messages, bytes). The base tells them
        nothing (an isolated node has nobody to ask)."""
        return StepCounts()

    def arrive(self, state: ModelState, t: int) -> None:
        """Phase 0: apply what is due at ``t`` (before anything votes or decides). Draws nothing."""

    def share_round(self, state: ModelState, t: int, rng: np.random.Generator) -> StepCounts:
        """Phase 2: one round of spreading signatures and decisions; returns its counts (messages)."""
        return StepCounts()

    def vote_losses(self, state: ModelState, rng: np.random.Generator, n: int) -> np.ndarray | None:
        """The hop on which each of ``n`` votes about to be sent would be lost (drawn from ``rng``), or
        ``None`` when votes are not lost on the way. Called by the vote phase, which decides when."""
        return None

    def send_votes(
        self,
        state: ModelState,
        t: int,
        sig: np.ndarray,
        voter: np.ndarray,
        value: np.ndarray,
        first_lost: np.ndarray | None,
    ) -> StepCounts:
        """Phase 3: the cast votes ``value`` of ``voter`` on signature rows ``sig`` (sorted) leave at ``t``;
        ``first_lost`` is :meth:`vote_losses`' draw for them. Returns ``votes_arrived`` (at once),
        ``votes_lost`` and ``messages``."""
        return StepCounts()

    def decide(self, state: ModelState, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Phase 4: ``(due, confirmed)``, the rows decided at ``t`` and, for each, whether it is confirmed."""
        return _NONE, np.zeros(0, bool)

    def announce(self, state: ModelState, t: int, decided: np.ndarray, confirmed: np.ndarray) -> int:
        """Decisions on rows ``decided`` were recorded (``confirmed``: the confirmed rows among them): let
        the nodes learn of them (``sigs.knows``, ``sigs.holds``). Returns the messages sent."""
        return 0

    def extra_proposals(self, state: ModelState, t: int, rng: np.random.Generator, forge: Forge) -> list[NewSignature]:
        """Phase 6: signatures the channel files itself at ``t`` (``forge(node)`` makes a forgery in a
        node's name), after the nodes' own proposals and forgeries."""
        return []

    def on_proposed(self, state: ModelState, t: int, rows: np.ndarray) -> StepOutput:
        """Phase 6: new signature rows ``rows`` (held by their origins) enter the channel."""
        return StepOutput()


class VotingChannel(Channel):
    """Peers vote; a signature is decided at its vote deadline over the votes that arrived by then.

    Its origin cannot know that every vote is in (votes travel), so it decides at the deadline: the
    consensus rule over the arrived votes, with the turnout floor ``min_participation`` of the nodes that
    held it (every holder but the origin could vote) and at least ``min_votes`` votes; then trust is
    updated from agreement with the outcome (:class:`~workbench.model.consensus.BetaTrust`).
    """

    carries_votes = True
    decided_by = "consensus"

    def admits_identities(self, params: ModelParams) -> bool:
        return params.admission_control == "none"

    def admission(self, state: ModelState, t: int) -> StepCounts:
        """A membership list (``admission_control="membership"``): each of the ``N`` enrolled nodes sends its
        certificate to the ``N - 1`` others when the run starts (step 1), ``N (N - 1)`` messages of
        ``message_sizes.MEMBERSHIP`` bytes; a vote from an identity not on the list is refused, so none is."""
        n = state.params.n_nodes
        return (
            sent("membership", n * (n - 1))
            if state.params.admission_control == "membership" and t == 1
            else StepCounts()
        )

    def decide(self, state: ModelState, t: int) -> tuple[np.ndarray, np.ndarray]:
        p, s = state.params, state.sigs
        due = np.flatnonzero((s.view.outcome == PENDING) & (t - s.view.created_step >= p.vote_deadline_steps))
        if due.size == 0:
            return due, np.zeros(0, bool)
        votes_for, votes_against = s.arrived.tally(due)
        weight_for = weight_against = None
        if reads_weights(p.consensus):  # a dense pass over the due rows' votes: only for rules that read it
            weight_for, weight_against = s.arrived.weights(due, state.trust.trust)
        eligible = s.holds.counts(due) - 1  # every holder but the origin could vote
        if p.sybil_identities and self.admits_identities(p):  # a malicious node's identities vote with it
            sybil = sybil_votes(s, due, state.malicious, state.trust.trust, p.sybil_identities)
            votes_for, votes_against = votes_for + sybil.votes_for, votes_against + sybil.votes_against
            if weight_for is not None and weight_against is not None:
                weight_for, weight_against = weight_for + sybil.weight_for, weight_against + sybil.weight_against
            eligible = eligible + sybil.eligible
        confirmed = decide(
            votes_for,
            votes_against,
            p.consensus,
            p.quorum,
            p.min_votes,
            weight_for=weight_for,
            weight_against=weight_against,
            eligible=eligible,
            min_participation=p.min_participation,
        )
        state.trust.update_counts(*s.arrived.agreement(due, confirmed))
        return due, confirmed


def channel_of(params: ModelParams) -> Channel:
    """The channel ``params.sharing`` names (imported on first use, then cached for the process)."""
    channel: Channel = CHANNELS.get(params.sharing)
    return channel
