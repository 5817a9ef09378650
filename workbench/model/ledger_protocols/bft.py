"""``ledger_protocol="bft"``: a PBFT-like Byzantine-tolerant log (Castro and Liskov 1999).

The primary of view ``v`` is node ``v mod N``. Every ``block_interval_steps`` it cuts a block of up to
``block_max_entries`` pending entries and sends it to every backup (pre-prepare, ``N - 1`` messages); each
backup that received it multicasts a prepare (``(N - 1)^2``); a replica is *prepared* once the pre-prepare
and ``Q - 1`` matching prepares are in, and then multicasts a commit (``N (N - 1)`` with the primary's); it
applies the block once ``Q`` matching commits are in. ``Q = ceil((N + f + 1) / 2)`` with ``f = floor((N -
1) / 3)`` (``2 f + 1`` when ``N = 3 f + 1``): two quorums share at least ``f + 1`` replicas, one of them
honest while at most ``f`` are faulty, and an honest replica prepares one version per height. A replica
that sees a quorum commit a version it did not prepare fetches it (state transfer). With ``L =
ledger_latency_steps`` per message, every replica applies at ``t + 3 L``. Messages per block without
faults: ``(N - 1) + (N - 1)^2 + N (N - 1) = 2 N (N - 1)`` (:func:`block_messages`), O(N^2).

View change: a replica that has waited ``leader_timeout_steps`` in the current view for an honest entry to
be applied (the request timer; it covers a crashed primary, a block that gathered no quorum and a primary
that censors) moves to view ``v + 1``: every live replica sends a view-change message to the others
(``N - 1`` each) and the new primary, if up, a new-view message to every backup (``N - 1``;
:func:`view_change_messages`, ``N^2 - 1`` with every replica up). The new-view certificate is counted by
its digest only, and a view whose primary is down passes after another timeout.

Faults: a crashed replica sends nothing. An equivocating primary sends two versions to two halves of the
honest replicas while malicious replicas vote for both: both versions reach a commit quorum only when the
faulty replicas are ``f + 1`` or more (``f >= N / 3``), which forks the honest logs. Replicas that withhold
their votes stall the log when the honest live ones are fewer than ``Q``; blocks then return their entries
to the pool and the timer moves the view on.
"""

from __future__ import annotations

import numpy as np

from workbench.model import message_sizes
from workbench.model.ledger_protocols.ordered import BlockPlan, OrderedLog, OrderState
from workbench.model.state import ModelState, StepCounts


def fault_bound(n_nodes: int) -> int:
    """Faulty replicas the protocol tolerates, ``f = floor((N - 1) / 3)``: safe while at most ``f`` (``f < N / 3``)."""
    return (n_nodes - 1) // 3


def quorum(n_nodes: int) -> int:
    """Matching prepares (with the pre-prepare) or commits a replica waits for, ``ceil((N + f + 1) / 2)``."""
    return (n_nodes + fault_bound(n_nodes) + 2) // 2


def block_messages(n_nodes: int) -> int:
    """Messages of one block with every replica up and honest: pre-prepares, prepares and commits, ``2 N (N - 1)``."""
    return 2 * n_nodes * (n_nodes - 1)


def view_change_messages(n_nodes: int, live: int, primary_up: bool = True) -> int:
    """Messages of a view change with ``live`` replicas up: ``live (N - 1)`` view-change messages and ``N - 1``
    new-view messages from the new primary if it is up."""
    return live * (n_nodes - 1) + (n_nodes - 1 if primary_up else 0)


class ByzantineTolerantLog(OrderedLog):
    """A PBFT-like log (see the module docstring)."""

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
        n, q, k = p.n_nodes, quorum(p.n_nodes), len(versions)
        voting = state.malicious & order.alive & (not withhold)  # faulty replicas that vote (for every version)
        backups_voting = int(voting.sum()) - int(voting[leader])
        primary_honest = not state.malicious[leader]
        honest_backups = [r[state.honest[r] & order.alive[r] & (r != leader)] for r in receivers]
        counts = StepCounts()
        committed = []
        prepared_honest = 0
        for ids, nodes, honest in zip(versions, receivers, honest_backups):
            backups = int(nodes.size - np.count_nonzero(nodes == leader))
            counts += message_sizes.blocks(backups, backups * entries.payload_bytes(ids))  # pre-prepares
            prepared = honest.size + backups_voting + 1 >= q
            committers = (honest.size + primary_honest if prepared else 0) + int(voting.sum())
            prepared_honest += (honest.size + primary_honest) if prepared else 0
            committed.append(prepared and committers >= q)
        prepares = sum(h.size for h in honest_backups) + backups_voting * k
        commits = prepared_honest + int(voting.sum()) * k
        counts += message_sizes.sent("block_vote", (prepares + commits) * (n - 1))
        if not any(committed):
            return BlockPlan([], counts, False)
        delay = self.hops_to_apply * p.ledger_latency_steps
        assigned = np.zeros(n, bool)
        applies = []
        for version, honest in enumerate(honest_backups):
            if committed[version]:
                assigned[honest] = True
                applies.append((delay, version, honest))
        first = committed.index(True)
        rest = np.flatnonzero(order.alive & ~assigned)  # the primary, faulty replicas, and state transfer
        applies.append((delay, first, rest))
        return BlockPlan(applies, counts, True, leader_commit_delay=delay)

    def suspects(self, state: ModelState, order: OrderState, t: int) -> bool:
        since = self.oldest_waiting_honest(state, order)
        if since < 0:
            return False
        return t - max(since, order.view_start) >= state.params.leader_timeout_steps

    def view_change_counts(self, state: ModelState, order: OrderState) -> StepCounts:
        n, live = state.params.n_nodes, int(order.alive.sum())
        return message_sizes.sent("view_change", view_change_messages(n, live, bool(order.alive[order.leader])))
