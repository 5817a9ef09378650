"""Phase 2: one gossip round for signatures and confirmations (``sharing="gossip"``), without oracles.

Two kinds of item travel by :func:`workbench.model.gossip.gossip_round` in ``gossip_mode``
(``push``, ``push_pull`` or ``rumor``), in one round whose contacts carry both:

* a pending signature, held in ``sigs.holds``: its origin starts passing it on when it proposes it,
  every node that receives it becomes active for it (unless it is a dropping relay), and every
  node stops when the signature is decided (its vote deadline: a local clock) or, for ``rumor``,
  by the protocol's coin;
* a confirmation, held in ``sigs.knows``: when a signature is confirmed its origin knows and sends
  the decision back to every node holding the signature along the vote routes (hop by hop, lossy,
  through relays that may drop); every holder it reaches starts passing it on too (dropping relays
  excepted), so a decision spreads from all the holders, not from the origin alone.
  With ``push``/``push_pull`` each active node loses interest after each round with probability
  ``1 / vote_deadline_steps`` (Demers et al.'s blind coin: about ``gossip_fanout * vote_deadline_steps``
  pushes per node); with ``rumor`` the feedback coin stops it. A confirmation carries its signature.
  A node passes a confirmation on only if it is news for its key (it knew no confirmed rule on that
  key before): duplicate suppression, so the many rules proposed for one attacker prefix do not each
  travel to every node.

Nothing stops because every node holds an item: the round looks only at the active pairs. Every
item-carrying message is counted (lost ones too), plus ``push_pull``'s request digests once per
round. ``spread_done_step`` (every node holds the signature) is an observation for the frames
only; ``residue`` is the share of nodes a signature never reached once no node passes it on.
"""

from __future__ import annotations

import numpy as np

from workbench.model.gossip import gossip_round as gossip_step
from workbench.model.gossip import pull_requests
from workbench.model.phases.delivery import grouped_paths, lose, paths
from workbench.model.signatures import CONFIRMED
from workbench.model.state import ModelState, StepCounts


def gossip_round(state: ModelState, t: int, rng: np.random.Generator) -> StepCounts:
    """One round for every live signature and confirmation; returns the messages sent."""
    p, s = state.params, state.sigs
    n = len(s)
    if n == 0:
        return StepCounts()
    decision_messages = receive_decisions(state, t, rng)
    pend = np.flatnonzero(s["sig_live"])
    conf = np.flatnonzero(s["conf_live"])
    if pend.size + conf.size == 0:
        return StepCounts(messages=decision_messages)
    holds = np.concatenate([s.holds[pend], s.knows[conf]])
    active = s.relaying[np.concatenate([pend, conf])]
    per_item = np.zeros(holds.shape[0], np.int64)
    # a complete graph is sampled without its N^2 adjacency
    adjacency = None if p.topology == "complete" else state.adjacency
    coin = p.gossip_mode != "rumor" and conf.size > 0
    was_active = active[pend.size :].copy() if coin else None
    messages = gossip_step(
        p.gossip_mode,
        holds,
        active,
        adjacency,
        p.gossip_fanout,
        rng,
        loss=p.message_loss,
        relays=state.relays,
        rumor_k=p.rumor_k,
        per_item=per_item,
    )
    if p.gossip_mode == "push_pull":
        messages += pull_requests(p.n_nodes, p.gossip_fanout)
    if was_active is not None:
        item, node = np.divmod(np.flatnonzero(was_active), p.n_nodes)
        bored = rng.random(item.size) < 1.0 / p.vote_deadline_steps
        active[pend.size + item[bored], node[bored]] = False
    k = pend.size
    if conf.size:
        _relay_news_only(state, conf, holds[k:], active[k:])
    s.holds[pend], s.knows[conf] = holds[:k], holds[k:]
    s.relaying[pend], s.relaying[conf] = active[:k], active[k:]
    held_conf = s.holds[conf] | holds[k:]  # a confirmation carries its signature
    s.holds[conf] = held_conf
    s.cols["messages"][pend] += per_item[:k]
    s.cols["messages"][conf] += per_item[k:]
    s.cols["conf_live"][conf] = active[k:].any(axis=1)
    still = active[:k].any(axis=1)
    stop_signature_gossip(state, pend[~still])
    moved = np.concatenate([pend, conf])
    everywhere = np.concatenate([holds[:k].all(axis=1), held_conf.all(axis=1)])
    done = moved[(s.cols["spread_done_step"][moved] < 0) & everywhere]  # observation only
    s.cols["spread_done_step"][done] = t
    return StepCounts(messages=messages + decision_messages)


def _known_keys(state: ModelState, keys: np.ndarray) -> dict[int, np.ndarray]:
    """Per key, the nodes that know a confirmed rule on it (``(N,)`` bools), from ``sigs.knows`` as it is."""
    s = state.sigs
    confirmed = s["outcome"] == CONFIRMED
    return {int(key): s.knows[np.flatnonzero(confirmed & (s["key"] == key))].any(axis=0) for key in np.unique(keys)}


def _relay_news_only(state: ModelState, conf: np.ndarray, knows_after: np.ndarray, active_after: np.ndarray) -> None:
    """Nodes that learned confirmations ``conf`` this round pass one on only if it is news for its key:
    a node that already knew a confirmed rule on that key keeps the new one but does not relay it (a
    local rule, the duplicate suppression of flooding protocols; without it every one of the many rules
    proposed for the same attacker prefix would be pushed to every node). ``sigs.knows`` still holds
    the start of the round."""
    s = state.sigs
    keys = s.cols["key"][conf]
    known = _known_keys(state, keys)
    for key in np.unique(keys):  # a loop over keys; each is vectorised over its confirmations and the nodes
        j = np.flatnonzero(keys == key)
        # a node active for a confirmation it did not know before stops if it knew one for the key already
        active_after[j] &= s.knows[conf[j]] | ~known[int(key)]


def stop_signature_gossip(state: ModelState, rows: np.ndarray) -> None:
    """No node passes signatures ``rows`` on any more (decided, or the protocol stopped): note their residue."""
    s = state.sigs
    if rows.size == 0:
        return
    s.relaying[rows] = False
    live = rows[s.cols["sig_live"][rows]]
    s.cols["sig_live"][rows] = False
    s.cols["residue"][live] = 1.0 - s.holds[live].mean(axis=1)


def start_signature_gossip(state: ModelState, rows: np.ndarray) -> None:
    """New signatures ``rows``: their origins start passing them on (a dropping origin too: they are its own)."""
    s = state.sigs
    s.relaying[rows, s.cols["origin"][rows]] = True
    s.cols["sig_live"][rows] = True


def share_decisions(state: ModelState, t: int, decided: np.ndarray, confirmed: np.ndarray) -> None:
    """Signatures ``decided`` stop spreading. The origin of each ``confirmed`` one knows at once and starts
    passing the confirmation on; it also sends the decision back to every node holding the signature,
    along the vote routes (one message per hop, ``hops`` steps, lossy, swallowed by dropping relays),
    and each holder it reaches passes it on too (:func:`receive_decisions`)."""
    s = state.sigs
    stop_signature_gossip(state, decided)
    if confirmed.size == 0:
        return
    origin = s.cols["origin"][confirmed]
    s.knows[confirmed, origin] = True
    s.relaying[confirmed, origin] = True  # its own signature: a dropping origin spreads it too
    s.cols["conf_live"][confirmed] = True
    queued = [state.in_transit.decisions]
    for row, o in zip(confirmed, origin):  # a loop over confirmations; each is vectorised over holders
        holders = np.flatnonzero(s.holds[row])
        holders = holders[holders != o]
        hops, _ = paths(state, int(o), holders)
        queued.append(np.stack([np.full(holders.size, row), holders, t + np.maximum(hops, 1)], axis=1))
    state.in_transit.decisions = np.concatenate(queued)


def receive_decisions(state: ModelState, t: int, rng: np.random.Generator) -> int:
    """Confirmations due at ``t`` reach the holders they were sent to (unless lost or swallowed on the
    way); a holder that learns one passes it on if it relays and the rule is news for its key. Returns
    the messages the delivered and lost decisions made (counted at their due step)."""
    s = state.sigs
    due = state.in_transit.take_decisions(t)
    if due.size == 0:
        return 0
    due = due[np.argsort(due[:, 0], kind="stable")]  # by confirmation; each one's holders in the order sent
    row, node = due[:, 0], due[:, 1]
    known = _known_keys(state, s.cols["key"][np.unique(row)])  # before these arrivals
    hops, travel = grouped_paths(state, row, node)
    loss = state.params.message_loss
    sent, ok = lose(hops, travel, rng.geometric(loss, row.size) if loss > 0 else None)
    np.add.at(s.cols["messages"], row, sent)
    row, node = row[ok], node[ok]
    s.knows[row, node] = True
    s.holds[row, node] = True
    keys = s.cols["key"][row]
    spread = np.zeros(row.size, bool)
    for key in np.unique(keys):  # a loop over keys
        at = keys == key
        spread[at] = ~known[int(key)][node[at]]
    if state.relays is not None:
        spread &= state.relays[node]
    s.relaying[row[spread], node[spread]] = True
    s.cols["conf_live"][row[spread]] = True
    return int(sent.sum())
