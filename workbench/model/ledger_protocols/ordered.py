"""What the ordering protocols share: a leader per view, blocks of entries, crashes, view changes, forks.

Every signature, vote and decision a node submits is an entry (:mod:`.entries`), sent once to the leader
(one message, its payload) and kept in a pool, oldest first. A step's round (:meth:`OrderedLog.share_round`,
phase 2 of the step, before the vote phase) runs, in order:

1. *crash*: the leader of the moment crashes at ``leader_crash_step`` and, with ``leader_crash_rate`` per
   step, at random (one draw from the model's Generator per step, only when the rate is above 0). A crash
   stops the node's replica for good: it sends nothing and applies no further block (its detector still
   submits entries, through the other replicas);
2. *deliveries*: blocks due at this step are applied by the nodes they reached (a signature entry makes the
   node hold the signature, a confirming decision entry makes it know it, a vote entry reaches the
   signature's origin, which counts it if the signature is still open);
3. *view change*: when the protocol suspects its leader (:meth:`OrderedLog.suspects`), the view moves on;
   the leader of view ``v`` is node ``v mod N`` (round robin; a view whose leader is down passes after
   another timeout);
4. *block*: every ``block_interval_steps`` steps a live leader cuts a block of up to ``block_max_entries``
   pool entries (oldest first) and the protocol (:meth:`OrderedLog.plan`) says who applies it when and what
   it costs; a block that commits nowhere returns its entries to the pool. A malicious leader asks its
   adversary (:mod:`workbench.model.adversaries`): one that :meth:`censors` leaves honest nodes' entries out,
   one that :meth:`equivocates` sends the whole block to one half of the honest replicas (alternating by
   node id, malicious replicas with them) and the block without honest entries to the other half.

Blocks due at once (``ledger_latency_steps = 0``) are applied in the same round. A log position is a block
height and a place in the block; :attr:`OrderState.versions_applied` keeps, per height, the versions honest
nodes applied, from which :func:`conflicting_entries` counts the positions at which two of them differ.
Protocol message counts are per block and exact (the formulas of ``docs/ledger-protocols.md``); each
signature's ``messages`` counts its entries' submissions and the block messages that carried them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from workbench.model import message_sizes
from workbench.model.adversaries.base import adversary_of
from workbench.model.ledger_protocols.base import LedgerProtocol, LedgerStats
from workbench.model.ledger_protocols.entries import DECISION, MESSAGE_KIND, SIGNATURE, VOTE, EntryLog
from workbench.model.params import ModelParams
from workbench.model.reach import note_carrying, note_reached
from workbench.model.signatures import PENDING
from workbench.model.state import ModelState, StepCounts, StepOutput


@dataclass
class Delivery:
    """Version ``version`` (entry ids ``ids``) of block ``serial`` at ``height`` reaches ``nodes`` at ``due``."""

    due: int
    height: int
    version: int
    ids: np.ndarray
    nodes: np.ndarray
    serial: int


@dataclass
class BlockPlan:
    """What a protocol makes of a block: ``applies`` ``(delay steps, version, nodes)``, its ``counts``, whether
    it ``committed`` anywhere, and the steps after the cut at which its leader counts it committed."""

    applies: list[tuple[int, int, np.ndarray]]
    counts: StepCounts
    committed: bool
    leader_commit_delay: int = 0


@dataclass
class InFlight:
    """A committed block not yet applied everywhere: its leader and the step its leader committed it."""

    serial: int
    leader: int
    leader_commit: int
    ids: np.ndarray


@dataclass(eq=False)
class OrderState:
    """An ordering ledger's state in a run (``ModelState.ledger_order``); see the module docstring."""

    n_nodes: int
    interval: int
    entries: EntryLog = field(default_factory=EntryLog)
    pool: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    view: int = 0
    view_start: int = 0
    view_changes: int = 0
    blocks: int = 0
    next_height: int = 0
    next_serial: int = 0
    last_cut: int = 0
    alive: np.ndarray = field(init=False)
    crashed_at: np.ndarray = field(init=False)
    deliveries: list[Delivery] = field(default_factory=list)
    inflight: dict[int, InFlight] = field(default_factory=dict)
    versions_applied: dict[int, dict[int, np.ndarray]] = field(default_factory=dict)
    checked_from: int = 0  # entries below this id are applied or malicious (the entry timer's pointer)

    def __post_init__(self) -> None:
        self.alive = np.ones(self.n_nodes, bool)
        self.crashed_at = np.full(self.n_nodes, -1, np.int64)
        self.last_cut = -self.interval  # the first block may be cut at step 1

    @property
    def leader(self) -> int:
        """The leader of the current view: node ``view mod N``."""
        return self.view % self.n_nodes


def order_of(state: ModelState) -> OrderState:
    """The run's :class:`OrderState` (made on first use)."""
    if state.ledger_order is None:
        state.ledger_order = OrderState(state.params.n_nodes, state.params.block_interval_steps)
    order: OrderState = state.ledger_order
    return order


def _follow_churn(state: ModelState, order: OrderState, t: int) -> None:
    """Churn (:mod:`workbench.model.churn`): to the protocol a departed replica is a crashed one (it acknowledges,
    votes and applies nothing; a departed leader is replaced after the protocol's timeout), and a node that joined
    at ``t`` is a new replica, up whatever its position's predecessor did."""
    joined = state.churn.joined_step == t
    order.alive[joined], order.crashed_at[joined] = True, -1
    gone = order.alive & ~state.present
    order.alive[gone], order.crashed_at[gone] = False, t


def conflicting_entries(order: OrderState) -> int:
    """Log positions (height, place in the block) at which two versions applied by honest nodes differ (a
    position one version has and the other lacks counts too)."""
    total = 0
    for versions in order.versions_applied.values():
        if len(versions) < 2:
            continue
        parts = list(versions.values())
        width = max(v.size for v in parts)
        table = np.full((len(parts), width), -1, np.int64)
        for i, v in enumerate(parts):
            table[i, : v.size] = v
        total += int((table != table[0]).any(axis=0).sum())
    return total


def _conduct(state: ModelState, name: str, t: int) -> bool:
    """The adversary's answer to ``censors`` / ``equivocates`` / ``withholds_votes`` (``False`` without the hook)."""
    hook = getattr(adversary_of(state.params), name, None)
    return bool(hook(state, t)) if callable(hook) else False


class OrderedLog(LedgerProtocol):
    """The round shared by the ordering protocols; a protocol fills in :meth:`plan`, :meth:`suspects` and
    :meth:`view_change_counts` (see the module docstring)."""

    #: one-way message delays from a block's cut until the replicas apply it
    hops_to_apply: int = 3

    # --- what a protocol fills in -------------------------------------------------------------------
    def plan(
        self,
        state: ModelState,
        order: OrderState,
        t: int,
        versions: list[np.ndarray],
        receivers: list[np.ndarray],
        withhold: bool,
    ) -> BlockPlan:
        """Who applies which version of the leader's block cut at ``t`` and when; its messages."""
        raise NotImplementedError

    def suspects(self, state: ModelState, order: OrderState, t: int) -> bool:
        """Whether the replicas replace the leader at ``t``."""
        raise NotImplementedError

    def view_change_counts(self, state: ModelState, order: OrderState) -> StepCounts:
        """The messages of the view change that just made ``order.leader`` the leader."""
        raise NotImplementedError

    def on_leader_crash(self, state: ModelState, order: OrderState, t: int, leader: int) -> None:
        """The leader crashed at ``t`` (its replica is already down)."""

    # --- parameters ------------------------------------------------------------------------------
    def min_vote_deadline(self, params: ModelParams) -> int:
        """The shortest ``vote_deadline_steps`` at which a vote can reach its signature's origin in time: the
        signature's block is cut the step after it (at the soonest) and applied ``h L`` steps later
        (``h = hops_to_apply``, ``L = ledger_latency_steps``); the voters' entries wait for the next block, at
        least one step and ``block_interval_steps`` after the first, and are applied ``h L`` later:
        ``max(2 + h L, 1 + B) + h L``."""
        hl = self.hops_to_apply * params.ledger_latency_steps
        return max(2 + hl, 1 + params.block_interval_steps) + hl

    def min_leader_timeout(self, params: ModelParams) -> int:
        """The shortest ``leader_timeout_steps`` an honest leader always beats (without full blocks): an entry
        waits up to ``block_interval_steps`` for its block and ``h L`` for its application, plus a step."""
        return params.block_interval_steps + self.hops_to_apply * params.ledger_latency_steps + 1

    def check_params(self, params: ModelParams) -> None:
        name, latency = params.ledger_protocol, params.ledger_latency_steps
        deadline, needed = params.vote_deadline_steps, self.min_vote_deadline(params)
        if deadline < needed:
            raise ValueError(
                f"vote_deadline_steps={deadline} is out of range for ledger_protocol={name!r} with "
                f"ledger_latency_steps={latency} and block_interval_steps={params.block_interval_steps}: a "
                f"signature's block and then its votes' block each take {self.hops_to_apply} message delays to "
                f"apply, so no vote would reach the origin before the decision; expected an integer with "
                f"{needed} <= x <= 1000"
            )
        timeout, least = params.leader_timeout_steps, self.min_leader_timeout(params)
        if timeout < least:
            raise ValueError(
                f"leader_timeout_steps={timeout} is out of range for ledger_protocol={name!r}: an honest leader "
                f"needs up to block_interval_steps ({params.block_interval_steps}) + {self.hops_to_apply} x "
                f"ledger_latency_steps ({latency}) steps to apply an entry, and would be replaced; expected an "
                f"integer with {least} <= x <= 1000"
            )

    # --- entries submitted ------------------------------------------------------------------------
    def on_proposed(self, state: ModelState, t: int, rows: np.ndarray) -> StepOutput:
        origin = state.sigs.cols.origin[rows]
        return StepOutput(self._submit(state, t, SIGNATURE, rows, origin))

    def send_votes(
        self, state: ModelState, t: int, sig: np.ndarray, voter: np.ndarray, value: np.ndarray
    ) -> StepCounts:
        return self._submit(state, t, VOTE, sig, voter, voter, value)

    def announce(self, state: ModelState, t: int, decided: np.ndarray, confirmed: np.ndarray) -> int:
        # each decision goes to the leader as an entry (priced by announce_bytes: a decision each)
        value = np.isin(decided, confirmed).astype(np.int8)
        return self._submit(state, t, DECISION, decided, state.sigs.cols.origin[decided], None, value).messages

    def _submit(
        self,
        state: ModelState,
        t: int,
        kind: int,
        rows: np.ndarray,
        submitter: np.ndarray,
        voter: np.ndarray | None = None,
        value: np.ndarray | None = None,
    ) -> StepCounts:
        order = order_of(state)
        ids = order.entries.add(kind, rows, submitter, t, voter, value)
        order.pool = np.concatenate([order.pool, ids])  # ids ascend: the pool stays oldest first
        np.add.at(state.sigs.cols.messages, rows, 1)  # one message to the leader each
        return message_sizes.sent(MESSAGE_KIND[kind], ids.size)

    # --- the round ------------------------------------------------------------------------------
    def share_round(self, state: ModelState, t: int, rng: np.random.Generator) -> StepCounts:
        order = order_of(state)
        if state.params.churn:
            _follow_churn(state, order, t)
        self._crash(state, order, t, rng)
        counts = self._deliver(state, order, t)
        if self.suspects(state, order, t):
            order.view += 1
            order.view_start, order.view_changes = t, order.view_changes + 1
            counts += self.view_change_counts(state, order)
        counts += self._cut(state, order, t)
        return counts + self._deliver(state, order, t)

    def _crash(self, state: ModelState, order: OrderState, t: int, rng: np.random.Generator) -> None:
        p = state.params
        crash = p.leader_crash_step == t
        if p.leader_crash_rate > 0:
            crash = bool(rng.random() < p.leader_crash_rate) or crash
        leader = order.leader
        if crash and order.alive[leader]:
            order.alive[leader], order.crashed_at[leader] = False, t
            self.on_leader_crash(state, order, t, leader)

    def _cut(self, state: ModelState, order: OrderState, t: int) -> StepCounts:
        p, entries, leader = state.params, order.entries, order.leader
        if not order.alive[leader] or order.pool.size == 0 or t - order.last_cut < p.block_interval_steps:
            return StepCounts()
        bad = bool(state.malicious[leader])
        candidates = order.pool
        if bad and _conduct(state, "censors", t):
            candidates = candidates[state.malicious[entries.submitter[candidates]]]
        block = candidates[: p.block_max_entries]
        if block.size == 0:
            return StepCounts()
        order.pool = np.setdiff1d(order.pool, block, assume_unique=True)
        order.last_cut, order.blocks = t, order.blocks + 1
        everyone = np.arange(p.n_nodes)
        versions, receivers = [block], [everyone]
        if bad and _conduct(state, "equivocates", t):
            honest = everyone[state.honest & (everyone != leader)]
            versions = [block, block[state.malicious[entries.submitter[block]]]]
            receivers = [np.union1d(honest[0::2], np.flatnonzero(state.malicious)), honest[1::2]]
        plan = self.plan(state, order, t, versions, receivers, _conduct(state, "withholds_votes", t))
        self._note_carried(state, order, versions, receivers, leader)
        if not plan.committed:
            order.pool = np.union1d(order.pool, block)  # the next leader (or the next try) proposes them again
            return plan.counts
        serial, height = order.next_serial, order.next_height
        order.next_serial, order.next_height = serial + 1, height + 1
        order.inflight[serial] = InFlight(serial, leader, t + plan.leader_commit_delay, block)
        for delay, version, nodes in plan.applies:
            order.deliveries.append(Delivery(t + delay, height, version, versions[version], nodes, serial))
        return plan.counts

    def _note_carried(
        self, state: ModelState, order: OrderState, versions: list[np.ndarray], receivers: list[np.ndarray], leader: int
    ) -> None:
        """Each version's entries travelled to its receivers but the leader: their signatures' messages, and
        the messages carrying a signature (its own entry, a confirming decision)."""
        cols, entries = state.sigs.cols, order.entries
        for ids, nodes in zip(versions, receivers):
            sent = int(nodes.size - np.count_nonzero(nodes == leader))
            rows, kind, value = entries.row[ids], entries.kind[ids], entries.value[ids]
            np.add.at(cols.messages, rows, sent)
            carrying, times = np.unique(
                rows[(kind == SIGNATURE) | ((kind == DECISION) & (value == 1))], return_counts=True
            )
            note_carrying(cols, carrying, times * sent)

    def _deliver(self, state: ModelState, order: OrderState, t: int) -> StepCounts:
        due = [d for d in order.deliveries if d.due <= t]
        if not due:
            return StepCounts()
        order.deliveries = [d for d in order.deliveries if d.due > t]
        arrived = 0
        for d in sorted(due, key=lambda d: (d.due, d.height, d.version)):
            arrived += self._apply(state, order, t, d)
        pending = {d.serial for d in order.deliveries}
        for serial in [s for s in order.inflight if s not in pending]:
            del order.inflight[serial]
        return StepCounts(votes_arrived=arrived)

    def _apply(self, state: ModelState, order: OrderState, t: int, d: Delivery) -> int:
        """Nodes ``d.nodes`` still up apply version ``d.version`` of a block; returns the votes that arrived in time."""
        s, entries, n = state.sigs, order.entries, state.params.n_nodes
        nodes = d.nodes[order.alive[d.nodes]]
        if nodes.size == 0:
            return 0
        if state.honest[nodes].any():
            entries.mark_applied(d.ids, t)
            order.versions_applied.setdefault(d.height, {})[d.version] = d.ids
        kind, rows, value = entries.kind[d.ids], entries.row[d.ids], entries.value[d.ids]
        confirms = (kind == DECISION) & (value == 1)
        held, known = np.unique(rows[(kind == SIGNATURE) | confirms]), np.unique(rows[confirms])
        if nodes.size == n:
            s.holds.fill(held)
            s.knows.fill(known)
        else:
            s.holds.set(np.repeat(held, nodes.size), np.tile(nodes, held.size))
            s.knows.set(np.repeat(known, nodes.size), np.tile(nodes, known.size))
        if held.size:
            note_reached(s.cols, held, s.holds.counts(held), t)
        votes = np.flatnonzero(kind == VOTE)
        if votes.size == 0:
            return 0
        ids, sig = d.ids[votes], rows[votes]
        here = np.zeros(n, bool)
        here[nodes] = True
        in_time = here[s.cols.origin[sig]] & (s.cols.outcome[sig] == PENDING)
        s.arrived.add(sig[in_time], entries.voter[ids][in_time].astype(np.int64), entries.value[ids][in_time])
        return int(in_time.sum())

    # --- what the summary reads ------------------------------------------------------------------
    def stats(self, state: ModelState) -> LedgerStats:
        order = state.ledger_order
        if order is None:
            return LedgerStats()
        e = order.entries
        honest = state.honest[e.submitter]
        waited = np.where(e.applied >= 0, e.applied, state.t_last) - e.submitted
        delay = float(waited[honest].mean()) if honest.any() else math.nan
        longest = float(waited[honest].max()) if honest.any() else math.nan
        return LedgerStats(
            conflicting_entries=float(conflicting_entries(order)),
            entry_delay_steps=delay,
            entry_delay_max_steps=longest,
            view_changes=float(order.view_changes),
            blocks=float(order.blocks),
        )

    # --- helpers for the protocols ---------------------------------------------------------------
    def oldest_waiting_honest(self, state: ModelState, order: OrderState) -> int:
        """The submission step of the oldest honest entry no honest node applied yet, ``-1`` for none."""
        e = order.entries
        lo = order.checked_from
        waiting = (e.applied[lo:] < 0) & state.honest[e.submitter[lo:]]
        if not waiting.any():
            order.checked_from = len(e)
            return -1
        first = lo + int(np.argmax(waiting))
        order.checked_from = first
        return int(e.submitted[first])
