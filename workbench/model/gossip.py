"""Gossip without oracles: push, push-pull and rumour mongering, vectorised over many items at once.

State of ``I`` items on ``N`` nodes is two boolean arrays of shape ``(I, N)``, updated in place:

* ``holds[i, v]``: node ``v`` has item ``i``;
* ``active[i, v]``: node ``v`` still passes item ``i`` on (pushes it, answers pulls for it);
  ``active`` implies ``holds`` (callers that set ``active`` must set ``holds`` too).

The same functions run on the sparse stand-ins of these arrays, :class:`~workbench.model.node_rows.PairSet`
for ``holds`` / ``active`` and :class:`~workbench.model.node_rows.PairCounts` for rumour mongering's
``strikes`` (memory and work proportional to the pairs set, not to items x ``N``), with the same random
draws in the same order and the same result: the model's channels use those.

Nothing here looks at the whole network to decide anything: an item spreads only through messages,
and a node stops passing it on only by a protocol rule (rumour mongering's coin, the blind coin of
``stop_prob``) or because the caller deactivates it for a local reason (its vote deadline passed,
it was decided, it expired). A caller knows an item is finished when ``active[i].any()`` is False,
which a deployed system learns only by silence; the caller must not use ``holds[i].all()``.

Activation rule (every mode): a node that receives an item it did not hold becomes active for it,
unless it is a dropping relay (``relays[v]`` False): dropping relays still receive, but never pass
on others' items. The caller activates an item's origin itself, so a dropping origin still pushes
its own items.

Messages: every function returns the messages it sent that carry an item; lost messages count (they
were sent). Each message is lost independently with probability ``loss``.

Neighbours: ``adjacency`` is a CSR matrix (rows in node order); ``None`` means the complete graph on
``N`` nodes, sampled without building it (each pick uniform over the ``N - 1`` others). Targets are
drawn uniformly with replacement from the sender's neighbours.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse

from workbench.model.node_rows import PairCounts, PairSet
from workbench.options import FEEDBACK_TIMES, GOSSIP_MODES, RUMOR_STOPS

Pairs = np.ndarray | PairSet  # (I, N) bools, dense or sparse
Counts = np.ndarray | PairCounts  # (I, N) integers, dense or sparse


def random_neighbours(
    nodes: np.ndarray, adjacency: sparse.csr_matrix | None, n_nodes: int, rng: np.random.Generator
) -> np.ndarray:
    """One uniformly random neighbour of each entry of ``nodes`` (``-1`` for an isolated node)."""
    if adjacency is None:
        pick = (rng.random(nodes.size) * (n_nodes - 1)).astype(np.int64)
        return pick + (pick >= nodes)  # skip the node itself
    degree = np.diff(adjacency.indptr)[nodes]
    pick = adjacency.indptr[nodes] + (rng.random(nodes.size) * degree).astype(np.int64)
    out = np.full(nodes.size, -1, np.int64)
    has = degree > 0
    out[has] = adjacency.indices[pick[has]]
    return out


def _deliver(
    holds: Pairs, active: Pairs, item: np.ndarray, target: np.ndarray, relays: np.ndarray | None
) -> np.ndarray:
    """Give ``item[j]`` to ``target[j]``; activate first-time receivers that relay. Returns, per message,
    whether the target held the item before this delivery (the sender's feedback)."""
    had = holds[item, target]
    new_item, new_target = item[~had], target[~had]
    holds[new_item, new_target] = True
    if relays is None:
        active[new_item, new_target] = True
    else:
        keep = relays[new_target]
        active[new_item[keep], new_target[keep]] = True
    return had


def _count(per_item: np.ndarray | None, item: np.ndarray) -> None:
    """Add one message per entry of ``item`` to the caller's per-item counts, if it asked for them."""
    if per_item is not None and item.size:
        per_item += np.bincount(item, minlength=per_item.size)


def _pairs(mask: Pairs) -> tuple[np.ndarray, np.ndarray]:
    """(item, node) indices of the True entries of an ``(I, N)`` mask, by item, then node (1-D search: much
    faster than 2-D nonzero)."""
    if isinstance(mask, PairSet):
        return mask.pairs()
    return np.divmod(np.flatnonzero(mask), mask.shape[1])


def _add_one(strikes: Counts, item: np.ndarray, node: np.ndarray) -> None:
    """One more strike per entry of the pairs ``(item, node)`` (repeats add up)."""
    if isinstance(strikes, PairCounts):
        strikes.add_at(item, node, 1)
    else:
        np.add.at(strikes, (item, node), 1)


def _senders(active: Pairs, fanout: int) -> tuple[np.ndarray, np.ndarray]:
    item, node = _pairs(active)
    return np.repeat(item, fanout), np.repeat(node, fanout)


def push(
    holds: Pairs,
    active: Pairs,
    adjacency: sparse.csr_matrix | None,
    fanout: int,
    rng: np.random.Generator,
    *,
    loss: float = 0.0,
    relays: np.ndarray | None = None,
    stop_prob: float = 0.0,
    per_item: np.ndarray | None = None,
) -> int:
    """One synchronous push round, in place: every active holder sends each item to ``fanout`` random neighbours.

    Rule for stopping: a node pushes an item every round while it is active for it. With
    ``stop_prob = 0`` it stays active until the caller deactivates it (e.g. the item is decided or
    expired: "push while the item is relevant"); with ``stop_prob > 0`` each pushing node loses
    interest after a round with that probability (Demers et al.'s blind coin; on average
    ``1 / stop_prob`` rounds of pushing per node). Returns the push messages sent (``fanout`` per
    active holder).
    """
    item, node = _senders(active, fanout)
    if item.size == 0:
        return 0
    target = random_neighbours(node, adjacency, holds.shape[1], rng)
    ok = target >= 0
    if loss > 0:
        ok &= rng.random(item.size) >= loss
    if stop_prob > 0:
        stop = rng.random(item.size // fanout) < stop_prob
        active[item[::fanout][stop], node[::fanout][stop]] = False
    _deliver(holds, active, item[ok], target[ok], relays)
    _count(per_item, item)
    return int(item.size)


def rumor(
    holds: Pairs,
    active: Pairs,
    adjacency: sparse.csr_matrix | None,
    fanout: int,
    k: float,
    rng: np.random.Generator,
    *,
    loss: float = 0.0,
    relays: np.ndarray | None = None,
    per_item: np.ndarray | None = None,
    feedback: bool = True,
    stop: str = "coin",
    strikes: Counts | None = None,
    feedback_at: str = "arrival",
) -> int:
    """One synchronous round of push rumour mongering (Demers et al. 1987), in place.

    Every interested (active) holder pushes each item to ``fanout`` random neighbours. A push is
    *unnecessary* for its sender when

    * ``feedback=True`` (feedback): it was delivered to a receiver that already held the item at the
      start of the round or, with ``feedback_at="arrival"`` (the default), that another message of the
      round reached first (messages arrive one after another; the receiver says so on the same
      exchange); with ``feedback_at="round_start"`` only the start-of-round state counts, so every
      sender that hit the same fresh node in one round hears "new" (the convention under which Demers
      et al.'s Table 1 is reproduced, see :mod:`workbench.analysis.theory_check`); a lost message brings
      no feedback and is not unnecessary;
    * ``feedback=False`` (blind): always, whatever became of it (the sender learns nothing).

    The sender loses interest by ``stop``:

    * ``"coin"``: with probability ``1 / k`` on each unnecessary push (``k >= 1``);
    * ``"counter"``: once it has made ``k`` unnecessary pushes of the item in a row (``k`` a whole number
      >= 1), counted in ``strikes`` (``(I, N)`` integers, updated in place; required). With feedback a
      necessary push restarts the count: the reading under which the paper's bound
      ``(k + 1) m - 1 <= traffic <= k (2m - 1)`` (``m`` nodes reached) holds and its Table 1 is
      reproduced; blind, every push counts (a node pushes ``k`` times).

    Feedback and coin is the default. With feedback and coin the residue (nodes never reached, once no
    node is interested) is ``s = exp(-(k + 1)(1 - s))`` on a large complete graph
    (:func:`workbench.model.theory.rumor_residue`). Returns the push messages sent.
    """
    if stop not in RUMOR_STOPS:
        raise ValueError(f"stop={stop!r} is not allowed; choose one of {', '.join(map(repr, RUMOR_STOPS))}")
    if feedback_at not in FEEDBACK_TIMES:
        raise ValueError(
            f"feedback_at={feedback_at!r} is not allowed; choose one of {', '.join(map(repr, FEEDBACK_TIMES))}"
        )
    if stop == "counter" and strikes is None:
        raise ValueError("stop='counter' needs strikes, an (I, N) integer array of unnecessary pushes so far")
    item, node = _senders(active, fanout)
    if item.size == 0:
        return 0
    target = random_neighbours(node, adjacency, holds.shape[1], rng)
    ok = target >= 0
    if loss > 0:
        ok &= rng.random(item.size) >= loss
    item_ok, target_ok, node_ok = item[ok], target[ok], node[ok]
    if feedback:
        had = holds[item_ok, target_ok]
        if feedback_at == "arrival":
            # Messages of one round reach a receiver one after another in a random order: only the
            # first to reach a node that lacked the item brings it; the others hear "already known".
            # (Feedback about the start-of-round state only, ``feedback_at="round_start"``, spares every
            # sender that hit the same fresh node in one round, so items reach more nodes.)
            pair = item_ok.astype(np.int64) * holds.shape[1] + target_ok
            order = np.lexsort((rng.random(pair.size), pair))
            repeat = np.zeros(pair.size, bool)
            repeat[order[1:]] = pair[order[1:]] == pair[order[:-1]]
            had |= repeat
        sender_item, sender_node, unnecessary = item_ok, node_ok, had
        if stop == "counter":
            assert strikes is not None
            strikes[item_ok[~had], node_ok[~had]] = 0  # a necessary push restarts the count
    else:
        sender_item, sender_node, unnecessary = item, node, np.ones(item.size, bool)
    if stop == "coin":
        bored = unnecessary & (rng.random(unnecessary.size) < 1.0 / k)
        stop_item, stop_node = sender_item[bored], sender_node[bored]
    else:
        assert strikes is not None
        hit_item, hit_node = sender_item[unnecessary], sender_node[unnecessary]
        _add_one(strikes, hit_item, hit_node)
        bored = strikes[hit_item, hit_node] >= k
        stop_item, stop_node = hit_item[bored], hit_node[bored]
    _deliver(holds, active, item_ok, target_ok, relays)
    active[stop_item, stop_node] = False
    _count(per_item, item)
    return int(item.size)


def push_pull(
    holds: Pairs,
    active: Pairs,
    adjacency: sparse.csr_matrix | None,
    fanout: int,
    rng: np.random.Generator,
    *,
    loss: float = 0.0,
    relays: np.ndarray | None = None,
    per_item: np.ndarray | None = None,
) -> int:
    """One synchronous push-pull round, in place (Karp et al. 2000).

    Every node contacts ``fanout`` random neighbours (one draw per node and round, shared by all
    items, as one exchange carries every item). Over a contact ``u -> v``: if ``u`` is an active
    holder it pushes the item to ``v`` (one message, lost with probability ``loss``); if ``u`` lacks
    the item and ``v`` is an active holder, ``u``'s request reaches ``v`` with probability
    ``1 - loss`` and ``v`` replies with the item (one message, lost with probability ``loss``).
    Holdings are those at the start of the round. Returns the item-carrying messages (pushes and
    replies). The requests themselves are digests shared by all items, ``N * fanout`` per round;
    the caller counts them once per round (:func:`pull_requests`). Work is proportional to the
    active (item, node) pairs times their contacts, plus ``O(N fanout log N)`` per round.
    """
    n = holds.shape[1]
    item, node = _pairs(active)
    if item.size == 0:
        return 0
    callee = random_neighbours(np.repeat(np.arange(n), fanout), adjacency, n, rng)  # contact c is made by c // fanout
    # pushes: each active holder over its own contacts
    push_item = np.repeat(item, fanout)
    push_target = callee[(node[:, None] * fanout + np.arange(fanout)).ravel()]
    has_target = push_target >= 0
    push_item, push_target = push_item[has_target], push_target[has_target]
    # pulls: the contacts that reached an active holder, from callers lacking the item
    order = np.argsort(callee, kind="stable")
    # where each node's incoming contacts start in ``order`` (isolated callers' -1 sort first): a
    # counting pass instead of two binary searches per active pair
    incoming = np.bincount(callee[callee >= 0], minlength=n)
    starts = int((callee < 0).sum()) + np.cumsum(incoming) - incoming
    lo, count = starts[node], incoming[node]
    first = np.cumsum(count) - count
    slot = np.repeat(lo - first, count) + np.arange(int(count.sum()))
    pull_item = np.repeat(item, count)
    requester = order[slot] // fanout
    need = ~holds[pull_item, requester]
    pull_item, requester = pull_item[need], requester[need]
    if loss > 0:
        arrived = rng.random(pull_item.size) >= loss  # the request
        pull_item, requester = pull_item[arrived], requester[arrived]
    sent = push_item.size + pull_item.size
    _count(per_item, push_item)
    _count(per_item, pull_item)
    if loss > 0:
        push_ok = rng.random(push_item.size) >= loss
        reply_ok = rng.random(pull_item.size) >= loss
        push_item, push_target = push_item[push_ok], push_target[push_ok]
        pull_item, requester = pull_item[reply_ok], requester[reply_ok]
    _deliver(holds, active, np.concatenate([push_item, pull_item]), np.concatenate([push_target, requester]), relays)
    return int(sent)


def pull_requests(n_nodes: int, fanout: int) -> int:
    """Request messages of one push-pull round: every node contacts ``fanout`` neighbours."""
    return n_nodes * fanout


def gossip_round(
    mode: str,
    holds: Pairs,
    active: Pairs,
    adjacency: sparse.csr_matrix | None,
    fanout: int,
    rng: np.random.Generator,
    *,
    loss: float = 0.0,
    relays: np.ndarray | None = None,
    rumor_k: float = 1.0,
    per_item: np.ndarray | None = None,
    rumor_feedback: bool = True,
    rumor_stop: str = "coin",
    strikes: Counts | None = None,
    rumor_feedback_at: str = "arrival",
) -> int:
    """One round of ``mode`` (one of :data:`GOSSIP_MODES`); returns the item-carrying messages sent.

    ``per_item``: optional ``(I,)`` int array to which each item's messages are added. ``rumor_feedback``,
    ``rumor_stop``, ``strikes`` and ``rumor_feedback_at``: the variant of ``rumor`` (:func:`rumor`'s
    ``feedback``, ``stop``, ``strikes``, ``feedback_at``)."""
    if mode == "push":
        return push(holds, active, adjacency, fanout, rng, loss=loss, relays=relays, per_item=per_item)
    if mode == "push_pull":
        return push_pull(holds, active, adjacency, fanout, rng, loss=loss, relays=relays, per_item=per_item)
    if mode == "rumor":
        return rumor(
            holds,
            active,
            adjacency,
            fanout,
            rumor_k,
            rng,
            loss=loss,
            relays=relays,
            per_item=per_item,
            feedback=rumor_feedback,
            stop=rumor_stop,
            strikes=strikes,
            feedback_at=rumor_feedback_at,
        )
    raise ValueError(f"mode={mode!r} is not allowed; choose one of {', '.join(map(repr, GOSSIP_MODES))}")


def start(n_items: int, n_nodes: int, origins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``holds`` and ``active`` for items that start at ``origins`` (one origin per item, active there)."""
    holds = np.zeros((n_items, n_nodes), bool)
    holds[np.arange(n_items), origins] = True
    return holds, holds.copy()


# --- the first version's closed form --------------------------------------------------------------


def expected_push_rounds(n_nodes: int) -> float:
    """Frieze-Grimmett (1985) / Pittel (1987): push gossip (fanout 1) on the complete graph informs
    all ``n`` nodes in ``log2 n + ln n + O(1)`` rounds. The exact expectation for any ``n``, fanout
    and loss is :func:`workbench.model.theory.push_spreading_time`."""
    return math.log2(n_nodes) + math.log(n_nodes)
