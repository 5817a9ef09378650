"""``ledger_protocol="crash_tolerant"``: a Raft-like leader-based log (Ongaro and Ousterhout 2014).

The leader of term (view) ``v`` is node ``v mod N``. Every ``block_interval_steps`` it cuts a block of up to
``block_max_entries`` pending entries and appends it to every follower (``N - 1`` messages, each a block
header with the entries); each live follower acknowledges (one message each); once a majority of the ``N``
replicas (``floor(N / 2) + 1``, the leader included) holds the block, the leader commits and applies it
and sends a commit notice to every follower (``N - 1`` messages; Raft piggybacks the commit index on the
next append or heartbeat, the model sends it at once so that followers need not wait for the next block),
which apply it on receipt. With ``L = ledger_latency_steps`` per message: appended at ``t + L``,
committed and applied by the leader at ``t + 2 L``, applied by the followers at ``t + 3 L``. Messages per
block without faults: ``3 (N - 1)`` (:func:`block_messages`), O(N).

A leader crash is noticed ``leader_timeout_steps`` after it (no heartbeat); then the next term's candidate,
if it is up, asks every other replica for its vote (``N - 1`` requests, one reply per live replica,
:func:`election_messages`) and leads; a candidate that is down costs another timeout. A block the leader
had not committed when it crashed is aborted and its entries return to the pool (Raft's new leader
re-replicates or its clients resubmit): no committed entry is lost. Heartbeats are not counted.

Not defended against a Byzantine leader: followers apply what their leader sends and trust its commit
index, so an equivocating leader forks the honest logs (``conflicting_entries`` > 0) and a censoring leader
delays honest entries for as long as it leads (no timer watches client requests).
"""

from __future__ import annotations

import numpy as np

from workbench.model import message_sizes
from workbench.model.ledger_protocols.ordered import BlockPlan, OrderedLog, OrderState
from workbench.model.state import ModelState, StepCounts


def block_messages(n_nodes: int) -> int:
    """Messages of one block with every replica up and honest: appends, acknowledgements and commit notices,
    ``3 (N - 1)``."""
    return 3 * (n_nodes - 1)


def election_messages(n_nodes: int, live: int) -> int:
    """Messages of an election won by a live candidate with ``live`` replicas up (itself included): ``N - 1``
    vote requests and ``live - 1`` replies."""
    return (n_nodes - 1) + (live - 1)


def majority(n_nodes: int) -> int:
    """Replicas that must hold a block for it to commit, ``floor(N / 2) + 1``."""
    return n_nodes // 2 + 1


class CrashTolerantLog(OrderedLog):
    """A Raft-like log (see the module docstring)."""

    def plan(
        self,
        state: ModelState,
        order: OrderState,
        t: int,
        versions: list[np.ndarray],
        receivers: list[np.ndarray],
        withhold: bool,
    ) -> BlockPlan:
        p, leader, entries = state.params, order.leader, order.entries
        latency = p.ledger_latency_steps
        followers = [nodes[nodes != leader] for nodes in receivers]
        acking = [f[order.alive[f] & ~(withhold & state.malicious[f])] for f in followers]
        acks = sum(a.size for a in acking)
        sent = sum(f.size for f in followers)
        counts = StepCounts()
        for ids, f in zip(versions, followers):
            counts += message_sizes.blocks(f.size, f.size * entries.payload_bytes(ids))
        counts += message_sizes.sent("block_vote", acks)
        # an equivocating leader declares both versions committed: its followers trust its commit index
        committed = acks + 1 >= majority(p.n_nodes) or len(versions) > 1
        if not committed:
            return BlockPlan([], counts, False)
        counts += message_sizes.sent("block_vote", sent)  # commit notices
        applies = [(2 * latency, 0, np.array([leader]))]
        applies += [(3 * latency, version, f) for version, f in enumerate(followers)]
        return BlockPlan(applies, counts, True, leader_commit_delay=2 * latency)

    def suspects(self, state: ModelState, order: OrderState, t: int) -> bool:
        leader = order.leader
        if order.alive[leader]:
            return False
        silent_since = max(int(order.crashed_at[leader]), order.view_start)
        return t - silent_since >= state.params.leader_timeout_steps

    def view_change_counts(self, state: ModelState, order: OrderState) -> StepCounts:
        if not order.alive[order.leader]:
            return StepCounts()  # a candidate that is down asks nobody; the term passes after another timeout
        return message_sizes.sent("view_change", election_messages(state.params.n_nodes, int(order.alive.sum())))

    def on_leader_crash(self, state: ModelState, order: OrderState, t: int, leader: int) -> None:
        aborted = [f for f in order.inflight.values() if f.leader == leader and f.leader_commit >= t]
        if not aborted:
            return
        serials = {f.serial for f in aborted}
        order.deliveries = [d for d in order.deliveries if d.serial not in serials]
        for f in aborted:
            del order.inflight[f.serial]
            order.pool = np.union1d(order.pool, f.ids)
