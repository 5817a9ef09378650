"""``sharing="gossip"``: signatures, votes and decisions travel node to node, without oracles.

Two kinds of item travel by :func:`workbench.model.gossip.gossip_round` in ``gossip_mode``
(``push``, ``push_pull`` or ``rumor``), in one round per step whose contacts carry both:

* a pending signature, held in ``sigs.holds``: its origin starts passing it on when it proposes it,
  every node that receives it becomes active for it (unless it is a dropping relay), and every node
  stops when the signature is decided (its vote deadline: a local clock) or, for ``rumor``, by the
  protocol's coin;
* a confirmation, held in ``sigs.knows``, sent back to the holders and spread on from them
  (:mod:`~workbench.model.channels.gossip_decisions`). With ``push``/``push_pull`` each active node
  loses interest after each round with probability ``1 / vote_deadline_steps`` (Demers et al.'s blind
  coin: about ``gossip_fanout * vote_deadline_steps`` pushes per node); with ``rumor`` the feedback coin
  stops it. A confirmation carries its signature.

Votes travel to the signature's origin along a shortest path (:mod:`workbench.model.routes`): one
message per hop, ``hops`` steps, each hop losing it with probability ``message_loss``.

Costs: every item-carrying message (lost ones too), ``push_pull``'s request digests once per round,
every hop of a vote or of a decision sent back. Nothing stops because every node holds an item: the
round looks only at the active pairs. ``spread_done_step`` (every node holds the signature) is an
observation for the frames only; ``residue`` is the share of nodes a signature never reached once no
node passes it on.

A variant overrides :meth:`GossipChannel.contacts` to change whom a node pushes to (for instance only
trusted neighbours, see ``docs/extending.md``).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from workbench.model import message_sizes
from workbench.model.catch_up import confirmed_rows, learn, random_present_neighbour, rows_known_by
from workbench.model.channels.base import VotingChannel
from workbench.model.channels.gossip_decisions import receive_decisions, relay_news_only_pairs, send_back
from workbench.model.gossip import gossip_round as gossip_step
from workbench.model.gossip import pull_requests
from workbench.model.node_rows import PairSet
from workbench.model.reach import note_carrying, note_reached
from workbench.model.routes import grouped_paths, lose
from workbench.model.state import ModelState, StepCounts, StepOutput
from workbench.model.transit import send_votes


class GossipChannel(VotingChannel):
    """Gossip of signatures and decisions, votes hop by hop (see the module docstring)."""

    def contacts(self, state: ModelState, t: int) -> sparse.csr_matrix | None:
        """Whom a node may push to at step ``t``: a CSR adjacency (rows in node order), or ``None`` for
        every other node (the complete graph, sampled without its ``N^2`` adjacency)."""
        return None if state.params.topology == "complete" else state.adjacency

    def share_round(self, state: ModelState, t: int, rng: np.random.Generator) -> StepCounts:
        if len(state.sigs) == 0:
            return StepCounts()
        decision_messages = receive_decisions(state, t, rng)
        return message_sizes.sent("decision", decision_messages) + self._round(state, t, rng)

    def _round(self, state: ModelState, t: int, rng: np.random.Generator) -> StepCounts:
        """One round for every live signature and confirmation; returns its messages and their bytes.

        The round works on the (item, node) pairs that are set (:class:`~workbench.model.node_rows.PairSet`):
        items are the live signatures ``pend``, then the live confirmations ``conf``; memory and work grow
        with the nodes holding and passing them on, not with items x ``N``."""
        p, s = state.params, state.sigs
        n = p.n_nodes
        pend = np.flatnonzero(s.view.sig_live)
        conf = np.flatnonzero(s.view.conf_live)
        if pend.size + conf.size == 0:
            return StepCounts()
        k = pend.size
        items = np.concatenate([pend, conf])
        holds = PairSet.of_rows(n, [(s.holds, pend), (s.knows, conf)])
        active = PairSet.of_rows(n, [(s.relaying, items)])
        per_item = np.zeros(items.size, np.int64)
        coin = p.gossip_mode != "rumor" and conf.size > 0
        was_active = active.items(k, items.size) if coin else None
        counter = p.gossip_mode == "rumor" and p.rumor_stop == "counter"
        item_ids = np.concatenate([2 * pend, 2 * conf + 1]) if counter else None
        strikes = state.rumor_strikes.pairs(item_ids, n) if item_ids is not None else None
        gossip_step(
            p.gossip_mode,
            holds,
            active,
            self.contacts(state, t),
            p.gossip_fanout,
            rng,
            loss=p.message_loss,
            relays=state.relays,
            rumor_k=p.rumor_k,
            per_item=per_item,
            rumor_feedback=p.rumor_feedback,
            rumor_stop=p.rumor_stop,
            strikes=strikes,
            rumor_feedback_at=p.rumor_feedback_at,
        )
        if item_ids is not None and strikes is not None:
            state.rumor_strikes.keep_pairs(item_ids, strikes, active)
        # every item-carrying message is in per_item: the signature's pushes (and pull replies), its
        # confirmation's (which carry the signature); push-pull's request digests once per round
        counts = message_sizes.sent("signature", int(per_item[:k].sum()))
        counts += message_sizes.sent("confirmation", int(per_item[k:].sum()))
        if p.gossip_mode == "push_pull":
            counts += message_sizes.sent("pull_request", pull_requests(n, p.gossip_fanout))
        if was_active is not None:
            item, node = was_active.pairs()
            bored = rng.random(item.size) < 1.0 / p.vote_deadline_steps
            active[k + item[bored], node[bored]] = False
        if conf.size:
            item, node = active.items(k, items.size).pairs()
            stop = ~relay_news_only_pairs(state, conf, item, node)
            active[k + item[stop], node[stop]] = False
        held_pend, known_conf = holds.items(0, k), holds.items(k, items.size)
        s.holds.set_rows(pend, *held_pend.node_lists())
        s.knows.set_rows(conf, *known_conf.node_lists())
        s.relaying.set_rows(items, *active.node_lists())
        # a confirmation carries its signature
        held_conf = PairSet.of_rows(n, [(s.holds, conf)]).union(known_conf)
        s.holds.set_rows(conf, *held_conf.node_lists())
        s.cols.messages[pend] += per_item[:k]
        s.cols.messages[conf] += per_item[k:]
        still_active = active.counts() > 0
        s.cols.conf_live[conf] = still_active[k:]
        holders = np.concatenate([held_pend.counts(), held_conf.counts()])
        note_reached(s.cols, items, holders, t)
        note_carrying(s.cols, items, per_item)
        stop_spreading(state, pend[~still_active[:k]])
        everywhere = holders == n
        done = items[(s.cols.spread_done_step[items] < 0) & everywhere]  # observation only
        s.cols.spread_done_step[done] = t
        return counts

    def catch_up(self, state: ModelState, t: int, joined: np.ndarray, rng: np.random.Generator) -> StepCounts:
        """Each joiner pulls from one present neighbour picked at random (a ``pull_request``), which sends it every
        confirmation it knows (a ``confirmation`` each, carrying the rule); a joiner without a present neighbour
        learns nothing (and sends nothing)."""
        source = random_present_neighbour(state, joined, rng)
        row, node = rows_known_by(state, confirmed_rows(state), source, joined)
        learn(state, row, node)
        return message_sizes.sent("pull_request", int((source >= 0).sum())) + message_sizes.sent(
            "confirmation", row.size
        )

    def vote_losses(self, state: ModelState, rng: np.random.Generator, n: int) -> np.ndarray | None:
        loss = state.params.message_loss
        return rng.geometric(loss, n) if loss > 0 else None

    def send_votes(
        self,
        state: ModelState,
        t: int,
        sig: np.ndarray,
        voter: np.ndarray,
        value: np.ndarray,
        first_lost: np.ndarray | None,
    ) -> StepCounts:
        hops, travel = grouped_paths(state, sig, voter)
        sent, ok = lose(hops, travel, first_lost)
        np.add.at(state.sigs.cols.messages, sig, sent)
        arrived = send_votes(state, t, sig[ok], voter[ok], value[ok], hops[ok])
        return StepCounts(votes_arrived=arrived, votes_lost=int((~ok).sum())) + message_sizes.sent(
            "vote", int(sent.sum())
        )

    def announce(self, state: ModelState, t: int, decided: np.ndarray, confirmed: np.ndarray) -> int:
        # decided signatures stop spreading; confirmations go back to the holders (their hops are
        # counted when they arrive, by receive_decisions)
        stop_spreading(state, decided)
        if confirmed.size:
            send_back(state, t, confirmed)
        return 0

    def on_proposed(self, state: ModelState, t: int, rows: np.ndarray) -> StepOutput:
        """New signatures ``rows``: their origins start passing them on (a dropping origin too: they are its own)."""
        s = state.sigs
        s.relaying.set(rows, s.cols.origin[rows])
        s.cols.sig_live[rows] = True
        return StepOutput()


def stop_spreading(state: ModelState, rows: np.ndarray) -> None:
    """No node passes signatures ``rows`` on any more (decided, or the protocol stopped): note their residue."""
    s = state.sigs
    if rows.size == 0:
        return
    s.relaying.clear(rows)
    live = rows[s.cols.sig_live[rows]]
    s.cols.sig_live[rows] = False
    s.cols.residue[live] = 1.0 - s.holds.counts(live) / s.n_nodes
