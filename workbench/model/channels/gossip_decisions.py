"""How a gossip channel's decisions travel: back from the origin to the holders, then on by gossip.

When a signature is confirmed its origin knows at once and sends the decision back to every node
holding the signature along the vote routes (:mod:`workbench.model.routes`: one message per hop,
``hops`` steps, lossy, swallowed by dropping relays); every holder it reaches passes it on too
(dropping relays excepted), so a decision spreads from all the holders, not from the origin alone.
A node passes a confirmation on only if it is news for its key (it knew no confirmed rule on that key
before): duplicate suppression, so the many rules proposed for one attacker prefix do not each travel
to every node.
"""

from __future__ import annotations

import numpy as np

from workbench.model.routes import grouped_paths, lose, paths
from workbench.model.signatures import CONFIRMED
from workbench.model.state import ModelState


def known_keys(state: ModelState, keys: np.ndarray) -> dict[int, np.ndarray]:
    """Per key, the nodes that know a confirmed rule on it (``(N,)`` bools), from ``sigs.knows`` as it is."""
    s = state.sigs
    confirmed = s.view.outcome == CONFIRMED
    return {int(key): s.knows.any_of(np.flatnonzero(confirmed & (s.view.key == key))) for key in np.unique(keys)}


def relay_news_only_pairs(state: ModelState, conf: np.ndarray, item: np.ndarray, node: np.ndarray) -> np.ndarray:
    """Nodes that learned confirmations ``conf`` this round pass one on only if it is news for its key:
    a node that already knew a confirmed rule on that key keeps the new one but does not relay it (a
    local rule, the duplicate suppression of flooding protocols; without it every one of the many rules
    proposed for the same attacker prefix would be pushed to every node). For the active pairs
    (confirmation ``conf[item[j]]``, node ``node[j]``) after the round, returns which stay active: those
    whose node knew that confirmation before the round (``sigs.knows`` still holds the start of the
    round) or knew no confirmed rule on its key."""
    s = state.sigs
    keep = s.knows.get(conf[item], node)
    keys = s.cols.key[conf]
    known = known_keys(state, keys)
    pair_keys = keys[item]
    for key in np.unique(pair_keys):  # a loop over keys; each is vectorised over its pairs
        at = np.flatnonzero(pair_keys == key)
        keep[at] |= ~known[int(key)][node[at]]
    return keep


def send_back(state: ModelState, t: int, confirmed: np.ndarray) -> None:
    """The origin of each ``confirmed`` row knows at once and starts passing the confirmation on; it sends
    the decision back to every other holder of the signature, due after its route's hops (at least 1)."""
    s = state.sigs
    origin = s.cols.origin[confirmed]
    s.knows.set(confirmed, origin)
    here = state.present[origin]  # a departed origin (churn) tells nobody
    confirmed, origin = confirmed[here], origin[here]
    s.relaying.set(confirmed, origin)  # its own signature: a dropping origin spreads it too
    s.cols.conf_live[confirmed] = True
    queued = [state.in_transit.decisions]
    for row, o in zip(confirmed, origin):  # a loop over confirmations; each is vectorised over holders
        holders = s.holds.nodes(row)
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
    known = known_keys(state, s.cols.key[np.unique(row)])  # before these arrivals
    hops, travel = grouped_paths(state, row, node)
    loss = state.params.message_loss
    sent, ok = lose(hops, travel, rng.geometric(loss, row.size) if loss > 0 else None)
    np.add.at(s.cols.messages, row, sent)
    row, node = row[ok], node[ok]
    s.knows.set(row, node)
    s.holds.set(row, node)
    keys = s.cols.key[row]
    spread = np.zeros(row.size, bool)
    for key in np.unique(keys):  # a loop over keys
        at = keys == key
        spread[at] = ~known[int(key)][node[at]]
    if state.relays is not None:
        spread &= state.relays[node]
    s.relaying.set(row[spread], node[spread])
    s.cols.conf_live[row[spread]] = True
    return int(sent.sum())
