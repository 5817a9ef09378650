"""Threat signatures: matching rules derived from flagged flows, held in a growable columnar table.

A rule matches a flow when the flow's source /16 prefix and protocol equal the rule's, its
destination port lies in ``[port_lo, port_hi]`` and its log bytes and log packets lie in the rule's
ranges. Every rule has one key ``(prefix, protocol)`` (see :func:`~workbench.flows.flow_key`),
which lets matching look only at flows with that key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

import numpy as np

from workbench.model.grouped import concat_ranges
from workbench.model.node_rows import NodeRows, sorted_unique

PENDING, CONFIRMED, REJECTED = 0, 1, 2
OUTCOME_NAMES = {PENDING: "pending", CONFIRMED: "confirmed", REJECTED: "rejected"}
RANGE_MARGIN = 1.5  # log units added around the flagged flows' range (a factor of about 4.5)
COVERAGE_GENUINE = 0.5  # a rule covers a campaign when it matches at least this share of its flows

_MATRICES = {"holds": bool, "knows": bool, "cast": np.int8, "relaying": bool}
_GROWTH = 1.5  # growth factor of the table's capacity
_VOTE_BUDGET = 1 << 24  # elements of the dense votes of a chunk of signatures (ArrivedVotes.weights)


def _column(dtype: type, *, frame: bool = True, new: float | None = None) -> dict[str, Any]:
    """A column of :class:`SignatureColumns` (its field's metadata): its ``dtype``, whether the signatures
    frame copies it as it is (``frame``), and the value a new row gets when :meth:`SignatureTable.add` does
    not set it from the signature (``new``; ``None``: left as the column's zero)."""
    return {"dtype": dtype, "frame": frame, "new": new}


@dataclass
class SignatureColumns:
    """The signature table's columns, one array per attribute, all of one length (a row per signature).

    The fields' order is the order in which the signatures frame
    (:func:`~workbench.model.metrics.signatures_frame`) shows the ones it copies (``frame`` in the
    field's metadata); the frame adds derived columns around them.
    """

    origin: np.ndarray = field(metadata=_column(np.int32))  # proposing node
    created_step: np.ndarray = field(metadata=_column(np.int32))
    confidence: np.ndarray = field(metadata=_column(np.float64))
    genuine: np.ndarray = field(metadata=_column(bool))  # ground truth: covers a campaign
    forged: np.ndarray = field(metadata=_column(bool))
    campaign: np.ndarray = field(metadata=_column(np.int16))  # the campaign it covers, -1 for none
    coverage: np.ndarray = field(metadata=_column(np.float64))  # share 0..1 of that campaign's flows it matches
    outcome: np.ndarray = field(metadata=_column(np.int8, new=PENDING))  # PENDING, CONFIRMED or REJECTED
    decided_step: np.ndarray = field(metadata=_column(np.int32, new=-1))
    votes_for: np.ndarray = field(metadata=_column(np.int32))
    votes_against: np.ndarray = field(metadata=_column(np.int32))
    # share of nodes the signature never reached once no node is interested any more (gossip; NaN before)
    residue: np.ndarray = field(metadata=_column(np.float64, new=np.nan))
    messages: np.ndarray = field(metadata=_column(np.int64))  # messages its sharing cost so far
    # the rule (see :class:`Rule`)
    prefix: np.ndarray = field(metadata=_column(np.int64))
    proto: np.ndarray = field(metadata=_column(np.int16))
    port_lo: np.ndarray = field(metadata=_column(np.int32))
    port_hi: np.ndarray = field(metadata=_column(np.int32))
    lb_lo: np.ndarray = field(metadata=_column(np.float64))
    lb_hi: np.ndarray = field(metadata=_column(np.float64))
    lp_lo: np.ndarray = field(metadata=_column(np.float64))
    lp_hi: np.ndarray = field(metadata=_column(np.float64))
    key: np.ndarray = field(metadata=_column(np.int64, frame=False))  # the rule's flow key, prefix * 256 + proto
    spread_done_step: np.ndarray = field(
        metadata=_column(np.int32, frame=False, new=-1)
    )  # step it had reached every node
    # delivery observations (workbench.model.reach): nodes holding it as last noted (its origin from the
    # start), the sum of their arrival rounds, the last arrival round, the messages that carried it
    reached: np.ndarray = field(metadata=_column(np.int32, frame=False, new=1))
    reach_round_sum: np.ndarray = field(metadata=_column(np.int64, frame=False))
    last_reach_round: np.ndarray = field(metadata=_column(np.int32, frame=False))
    carrying_messages: np.ndarray = field(metadata=_column(np.int64, frame=False))
    # a confirmation's delivery (workbench.model.confirmations): honest nodes applying it as last noted (frozen
    # at the end of its delivery window), and the step every honest node did (-1: not within the window)
    applied_honest: np.ndarray = field(metadata=_column(np.int32, frame=False))
    all_applied_step: np.ndarray = field(metadata=_column(np.int32, frame=False, new=-1))
    # gossip bookkeeping: the signature / its confirmation still has an interested node
    sig_live: np.ndarray = field(metadata=_column(bool, frame=False))
    conf_live: np.ndarray = field(metadata=_column(bool, frame=False))

    @classmethod
    def zeros(cls, capacity: int) -> SignatureColumns:
        return cls(**{f.name: np.zeros(capacity, f.metadata["dtype"]) for f in fields(cls)})

    def grown(self, capacity: int) -> SignatureColumns:
        """A copy with room for ``capacity`` rows (the new rows zero)."""
        out = SignatureColumns.zeros(capacity)
        for f in fields(self):
            old = getattr(self, f.name)
            getattr(out, f.name)[: old.size] = old
        return out

    def head(self, n: int) -> SignatureColumns:
        """Views of the first ``n`` rows."""
        return SignatureColumns(*[getattr(self, name)[:n] for name in _COLUMN_NAMES])


_COLUMN_NAMES = tuple(f.name for f in fields(SignatureColumns))


FRAME_COLUMNS = tuple(f.name for f in fields(SignatureColumns) if f.metadata["frame"])


@dataclass(frozen=True)
class Rule:
    """A matching rule: source /16 ``prefix`` and ``proto`` equal, destination port in
    ``[port_lo, port_hi]``, log bytes in ``[lb_lo, lb_hi]`` and log packets in ``[lp_lo, lp_hi]``
    (natural-log units, bounds included)."""

    prefix: int
    proto: int
    port_lo: int
    port_hi: int
    lb_lo: float
    lb_hi: float
    lp_lo: float
    lp_hi: float

    @property
    def key(self) -> int:
        """The flow key ``prefix * 256 + proto`` (see :func:`~workbench.flows.flow_key`)."""
        return self.prefix * 256 + self.proto

    def matches(self, port: np.ndarray, log_bytes: np.ndarray, log_packets: np.ndarray) -> np.ndarray:
        """Range part of the rule applied to flows that already share its key (arrays of equal shape)."""
        return (
            (port >= self.port_lo)
            & (port <= self.port_hi)
            & (log_bytes >= self.lb_lo)
            & (log_bytes <= self.lb_hi)
            & (log_packets >= self.lp_lo)
            & (log_packets <= self.lp_hi)
        )

    def payload(self) -> dict[str, int | float]:
        """The rule as ledger payload: integers, and log sizes rounded to 6 decimals."""
        return {
            f.name: round(float(v), 6) if isinstance(v, float) else int(v)
            for f in fields(self)
            for v in (getattr(self, f.name),)
        }


def content_id(rule: Rule, origin: int, step: int) -> str:
    """Content-derived signature id: SHA-256 (first 16 hex digits) of the rule, origin and step."""
    text = "|".join(f"{f.name}={getattr(rule, f.name)!r}" for f in fields(rule))
    return hashlib.sha256(f"{text}|{origin}|{step}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class NewSignature:
    """A signature about to enter the table: its rule, who proposed it when, and the ground truth
    (``campaign`` it covers, -1 for none; ``coverage`` 0..1 of that campaign's flows it matches)."""

    rule: Rule
    origin: int
    created_step: int
    confidence: float
    threat_type: str
    forged: bool = False
    campaign: int = -1
    coverage: float = 0.0

    @property
    def genuine(self) -> bool:
        return self.campaign >= 0


@dataclass(frozen=True)
class FlaggedGroup:
    """One node's flagged flows of one key in a step, summarised as a rule; ``n_flows`` flows."""

    origin: int
    rule: Rule
    n_flows: int


class ArrivedVotes:
    """The votes that reached their signature's origin in time, an append-only log of (row, node, vote).

    A node casts at most one vote per signature, so a (row, node) pair appears at most once. Kept as a
    log rather than a signatures x nodes matrix: few nodes vote on each signature, and the matrix was
    a sixth of the signature table's per-node memory.
    """

    def __init__(self, n_nodes: int) -> None:
        self.n_nodes = n_nodes
        # the log sorted by key = row * N + node, with pending arrivals merged in on the next read
        self._key, self._vote = np.zeros(0, np.int64), np.zeros(0, np.int8)
        self._chunks: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, row: np.ndarray, node: np.ndarray, vote: np.ndarray) -> None:
        """Votes ``vote`` (+1 approve, -1 reject) of ``node`` on signatures ``row`` arrived."""
        if row.size:
            key = np.asarray(row, np.int64) * self.n_nodes + np.asarray(node, np.int64)
            self._chunks.append((key, np.asarray(vote, np.int8)))

    def _merged(self) -> tuple[np.ndarray, np.ndarray]:
        if self._chunks:
            key, vote = (np.concatenate(a) for a in zip(*self._chunks))
            order = np.argsort(key, kind="stable")
            key, vote = key[order], vote[order]
            at = np.searchsorted(self._key, key)  # merge the new votes into the sorted log: one copy, no re-sort
            self._key, self._vote = np.insert(self._key, at, key), np.insert(self._vote, at, vote)
            self._chunks = []
        return self._key, self._vote

    def log(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(row, node, vote)`` of every arrived vote, sorted by row, then node."""
        key, vote = self._merged()
        row, node = np.divmod(key, self.n_nodes)
        return row, node, vote

    def of_rows_entries(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(i, node, vote)`` of the arrived votes on signatures ``rows``: ``i`` indexes ``rows``; by row, then node."""
        rows = np.asarray(rows, np.int64)
        key, vote = self._merged()
        lo = np.searchsorted(key, rows * self.n_nodes, "left")
        counts = np.searchsorted(key, (rows + 1) * self.n_nodes, "left") - lo
        at = concat_ranges(lo, counts)
        return np.repeat(np.arange(rows.size), counts), key[at] % self.n_nodes, vote[at]

    def tally(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(approvals, rejections)`` int64 ``(len(rows),)``: the arrived votes on signatures ``rows``."""
        i, _, vote = self.of_rows_entries(rows)
        size = np.asarray(rows).size
        return np.bincount(i[vote > 0], minlength=size), np.bincount(i[vote < 0], minlength=size)

    def weights(self, rows: np.ndarray, trust: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Trust-weighted ``(approvals, rejections)`` float ``(len(rows),)`` of the arrived votes on signatures
        ``rows`` (``trust``: ``(N,)``), as ``approve @ trust`` over the dense votes, a chunk of
        ``_VOTE_BUDGET // N`` rows at a time (a run with up to that many votes due at once sums as before)."""
        rows = np.asarray(rows, np.int64)
        wf, wa = np.zeros(rows.size), np.zeros(rows.size)
        take = max(1, _VOTE_BUDGET // self.n_nodes)
        for start in range(0, rows.size, take):
            v = self.of_rows(rows[start : start + take])
            wf[start : start + take], wa[start : start + take] = (v > 0) @ trust, (v < 0) @ trust
        return wf, wa

    def agreement(self, rows: np.ndarray, confirmed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per node, ``(agreed, disagreed)`` int64 ``(N,)``: its arrived votes on signatures ``rows`` that
        agreed with their outcome (``confirmed``: ``(len(rows),)`` bools), and those that did not."""
        i, node, vote = self.of_rows_entries(rows)
        outcome = np.where(np.asarray(confirmed, bool), 1, -1)[i]
        agreed = np.bincount(node[vote == outcome], minlength=self.n_nodes)
        return agreed, np.bincount(node[(vote != 0) & (vote != outcome)], minlength=self.n_nodes)

    def of_rows(self, rows: np.ndarray) -> np.ndarray:
        """``(len(rows), N)`` int8: the votes on signatures ``rows`` as they reached the origin (0: none)."""
        rows = np.asarray(rows, np.int64)
        out = np.zeros((rows.size, self.n_nodes), np.int8)
        key, vote = self._merged()
        lo = np.searchsorted(key, rows * self.n_nodes, "left")  # row i's votes: one slice of the log
        counts = np.searchsorted(key, (rows + 1) * self.n_nodes, "left") - lo
        at = concat_ranges(lo, counts)
        out[np.repeat(np.arange(rows.size), counts), key[at] % self.n_nodes] = vote[at]
        return out


class SignatureTable:
    """Append-only columnar table of signatures plus per-node state, sparse (:class:`NodeRows`: a row per
    signature, holding only the nodes where it is set).

    ``holds[s, n]``: node ``n`` has received signature ``s``; ``knows[s, n]``: node ``n`` knows the
    decision on ``s``; ``cast[s, n]``: the vote ``n`` cast (``+1``/``-1``, ``0`` none; it may
    still be on its way, or lost); ``arrived``: the votes as they reached the origin
    (:class:`ArrivedVotes`). Gossip activity (:mod:`workbench.model.gossip`): ``relaying[s, n]``: ``n``
    still passes ``s`` on -- the signature while it is pending, its confirmation once it is confirmed
    (a signature stops spreading when it is decided, before its confirmation starts).
    With ``local_first`` a node applies ``s`` on its own authority, until ``s`` is rejected, when it
    proposed ``s`` or cast an approving vote (see :func:`applied`).
    """

    holds: NodeRows
    knows: NodeRows
    cast: NodeRows
    relaying: NodeRows

    def __init__(self, n_nodes: int, capacity: int = 64) -> None:
        self.n_nodes, self.size = n_nodes, 0
        self.cols = SignatureColumns.zeros(capacity)  # room for ``capacity`` rows; the first ``size`` are used
        for attr, dt in _MATRICES.items():
            setattr(self, attr, NodeRows(n_nodes, dt, capacity))
        self.arrived = ArrivedVotes(n_nodes)
        self._view: tuple[SignatureColumns, int, SignatureColumns] | None = None  # (cols, size, their head)
        self.sig_ids: list[str] = []
        self.kinds: list[str] = []

    def __len__(self) -> int:
        return self.size

    @property
    def view(self) -> SignatureColumns:
        """The columns of the rows in use (views, ``len(self)`` long; the same object until rows are added)."""
        cached = self._view
        if cached is not None and cached[0] is self.cols and cached[1] == self.size:
            return cached[2]
        view = self.cols.head(self.size)
        self._view = (self.cols, self.size, view)
        return view

    def _grow(self, needed: int) -> None:
        cap = self.cols.key.size
        if needed <= cap:
            return
        new = max(needed, int(_GROWTH * cap))
        self.cols = self.cols.grown(new)
        for attr in _MATRICES:
            getattr(self, attr).grow(new)

    def add(self, new: list[NewSignature]) -> np.ndarray:
        """Append signatures (pending, undecided); returns their row indices."""
        start = self.size
        self._grow(start + len(new))
        rows = np.arange(start, start + len(new))
        c = self.cols
        for f in fields(Rule):
            getattr(c, f.name)[rows] = [getattr(sig.rule, f.name) for sig in new]
        c.key[rows] = [sig.rule.key for sig in new]
        c.origin[rows] = [sig.origin for sig in new]
        c.created_step[rows] = [sig.created_step for sig in new]
        c.forged[rows] = [sig.forged for sig in new]
        c.genuine[rows] = [sig.genuine for sig in new]
        c.campaign[rows] = [sig.campaign for sig in new]
        c.coverage[rows] = [sig.coverage for sig in new]
        c.confidence[rows] = [sig.confidence for sig in new]
        for f in fields(c):
            if f.metadata["new"] is not None:
                getattr(c, f.name)[rows] = f.metadata["new"]
        for sig in new:
            self.sig_ids.append(content_id(sig.rule, sig.origin, sig.created_step))
            self.kinds.append(sig.threat_type)
        self.size += len(new)
        return rows

    def held_per_node(self) -> float:
        """Mean over nodes of the signatures a node holds in the per-node state (what its memory grows with)."""
        return self.holds.pairs_stored() / self.n_nodes

    def rule(self, s: int | np.integer) -> Rule:
        """Row ``s``'s rule (plain Python numbers)."""
        return Rule(*(getattr(self.cols, f.name)[s].item() for f in fields(Rule)))


class GroupArrays(NamedTuple):
    """Flagged groups as arrays, one entry per group: its ``origin`` node, flow ``key``, ``n_flows`` and its
    rule's bounds (as :class:`Rule` names them)."""

    origin: np.ndarray
    key: np.ndarray
    n_flows: np.ndarray
    port_lo: np.ndarray
    port_hi: np.ndarray
    lb_lo: np.ndarray
    lb_hi: np.ndarray
    lp_lo: np.ndarray
    lp_hi: np.ndarray

    def take(self, which: np.ndarray) -> GroupArrays:
        return GroupArrays(*(a[which] for a in self))

    def groups(self) -> list[FlaggedGroup]:
        """The groups as :class:`FlaggedGroup` objects, in order."""
        return [
            FlaggedGroup(
                origin=origin,
                n_flows=n_flows,
                rule=Rule(key // 256, key % 256, port_lo, port_hi, lb_lo, lb_hi, lp_lo, lp_hi),
            )
            for origin, key, n_flows, port_lo, port_hi, lb_lo, lb_hi, lp_lo, lp_hi in zip(
                *(column.tolist() for column in self)
            )
        ]


def flagged_group_arrays(
    node: np.ndarray,
    key: np.ndarray,
    port: np.ndarray,
    log_bytes: np.ndarray,
    log_packets: np.ndarray,
    min_flagged: int,
) -> GroupArrays:
    """:func:`groups_from_flagged` as arrays (no Python object per group)."""
    if node.size == 0:
        return GroupArrays(*(np.zeros(0, dt) for dt in (np.int64,) * 5 + (np.float64,) * 4))
    order = np.lexsort((key, node))
    node, key, port, lb, lp = node[order], key[order], port[order], log_bytes[order], log_packets[order]
    boundary = np.flatnonzero((np.diff(node) != 0) | (np.diff(key) != 0)) + 1
    starts = np.concatenate([[0], boundary])
    counts = np.diff(np.concatenate([starts, [node.size]]))
    keep = counts >= min_flagged
    starts, counts = starts[keep], counts[keep]

    def reduce(f: np.ufunc, a: np.ndarray) -> np.ndarray:
        return f.reduceat(a, np.concatenate([[0], boundary]))[keep]

    port_lo, port_hi = reduce(np.minimum, port), reduce(np.maximum, port)
    wildcard = port_lo != port_hi
    port_lo, port_hi = np.where(wildcard, 0, port_lo), np.where(wildcard, 65535, port_hi)
    lb_lo, lb_hi = reduce(np.minimum, lb) - RANGE_MARGIN, reduce(np.maximum, lb) + RANGE_MARGIN
    lp_lo, lp_hi = reduce(np.minimum, lp) - RANGE_MARGIN, reduce(np.maximum, lp) + RANGE_MARGIN
    as_int = [np.asarray(a, np.int64) for a in (node[starts], key[starts], counts, port_lo, port_hi)]
    as_float = [np.asarray(a, np.float64) for a in (lb_lo, lb_hi, lp_lo, lp_hi)]
    return GroupArrays(*as_int, *as_float)


def groups_from_flagged(
    node: np.ndarray,
    key: np.ndarray,
    port: np.ndarray,
    log_bytes: np.ndarray,
    log_packets: np.ndarray,
    min_flagged: int,
) -> list[FlaggedGroup]:
    """Group one step's flagged flows by (node, key) and turn groups of ``min_flagged`` or more into rules.

    All inputs are 1-D arrays over the flagged flows. A group hitting several destination ports gets
    a port wildcard (a scan); otherwise the rule pins the port.
    """
    return flagged_group_arrays(node, key, port, log_bytes, log_packets, min_flagged).groups()


def forged_rule(prefix: int, port: int, proto: int) -> Rule:
    """A forgery: a rule that matches all traffic of a popular benign service."""
    return Rule(prefix=prefix, proto=proto, port_lo=port, port_hi=port, lb_lo=-1.0, lb_hi=40.0, lp_lo=-1.0, lp_hi=40.0)


def campaign_coverage(rule: Rule, probes: list[dict[str, np.ndarray]], probe_keys: list) -> np.ndarray:
    """Share of each campaign's probe flows the rule matches, 0 where the rule's key is not one of the
    campaign's keys (``probe_keys[c]``: one key, or an array of the keys it sends from now). A campaign
    sending from several prefixes has the same flow shapes on each, so a rule on one of its keys
    covers the flows carrying that key."""
    cover = np.zeros(len(probes))
    for c, (probe, keys) in enumerate(zip(probes, probe_keys)):
        if rule.key in np.atleast_1d(keys):
            cover[c] = rule.matches(probe["dst_port"], probe["log_bytes"], probe["log_packets"]).mean()
    return cover


def rows_match(
    sigs: SignatureTable, rows: np.ndarray, port: np.ndarray, log_bytes: np.ndarray, log_packets: np.ndarray
) -> np.ndarray:
    """:meth:`Rule.matches` of the table's rules ``rows`` against flows that share their keys (destination
    port, natural-log bytes and packets), read from the columns: pairwise for arrays of one shape, rules x
    flows for ``rows[:, None]``."""
    c = sigs.cols
    ok = (port >= c.port_lo[rows]) & (port <= c.port_hi[rows])
    ok &= (log_bytes >= c.lb_lo[rows]) & (log_bytes <= c.lb_hi[rows])
    ok &= (log_packets >= c.lp_lo[rows]) & (log_packets <= c.lp_hi[rows])
    return ok


def applied(sigs: SignatureTable, rows: np.ndarray, local_first: bool) -> np.ndarray:
    """``(len(rows), N)``: which nodes block with signatures ``rows`` (an index array). A node's blocklist
    holds the confirmed signatures it knows of and, with ``local_first``, the signatures not rejected that
    it proposed itself or approved with its own vote (its own evidence)."""
    outcome = sigs.cols.outcome[rows]
    out = sigs.knows.dense(rows)
    out[outcome != CONFIRMED] = False
    if local_first:
        live = outcome != REJECTED
        own = sigs.cast.dense(rows) > 0
        own[~live] = False
        out |= own
        out[np.flatnonzero(live), sigs.cols.origin[rows][live]] = True
    return out


def applied_pairs(sigs: SignatureTable, rows: np.ndarray, local_first: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(i, node)`` int64: the nonzero entries of :func:`applied` (``i`` indexes ``rows``), by ``i``, then
    node, read from the sparse per-node state without building the ``(len(rows), N)`` matrix."""
    rows = np.asarray(rows, np.int64)
    outcome = sigs.cols.outcome[rows]
    conf = np.flatnonzero(outcome == CONFIRMED)
    i, node = sigs.knows.pairs(rows[conf])
    i = conf[i]
    if not local_first:
        return i, node
    n = sigs.n_nodes
    live = np.flatnonzero(outcome != REJECTED)
    own_i, own_node = sigs.cast.pairs(rows[live], positive=True)
    keys = np.concatenate([i * n + node, live[own_i] * n + own_node, live * n + sigs.cols.origin[rows[live]]])
    return np.divmod(sorted_unique(keys), n)


def applied_anywhere(sigs: SignatureTable, rows: np.ndarray, local_first: bool) -> np.ndarray:
    """``(N,)``: nodes whose blocklist holds at least one of signatures ``rows`` (``applied(...).any(0)``,
    without building the rows x N matrix)."""
    outcome = sigs.cols.outcome[rows]
    out = sigs.knows.any_of(rows[outcome == CONFIRMED])
    if local_first:
        live = rows[outcome != REJECTED]
        out |= sigs.cast.any_of(live, positive=True)
        out[sigs.cols.origin[live]] = True
    return out
