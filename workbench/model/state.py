"""What the model knows between steps, as one explicit object, and what a step produces.

:class:`ModelState` holds the per-node and per-campaign arrays, the signature table, trust and the
evidence window. The step's phases (``workbench/model/phases/``) read and advance it and return
what they produced as a :class:`StepOutput`: the step's :class:`StepCounts` and its ledger records.
Metrics and agents read this module's objects only, never the Mesa model class.

Shapes: ``N`` nodes, ``C`` campaigns. Steps are Mesa's 1-based step counter ``t``; ``-1`` marks
"not yet" in step-valued arrays.
"""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from workbench.model.consensus import BetaTrust
from workbench.model.flagged_window import FlaggedWindow
from workbench.model.params import ModelParams
from workbench.model.rumor_strikes import RumorStrikes
from workbench.model.signatures import CONFIRMED, COVERAGE_GENUINE, REJECTED, SignatureTable, applied_anywhere
from workbench.model.traffic import Campaign
from workbench.model.voting import EvidenceWindow

LedgerRecord = tuple[int, str, dict[str, Any]]  # (node_id, kind, payload), as Ledger.append_batch takes them


@dataclass(frozen=True)
class StepCounts:
    """One step's counts (flows at honest nodes; signatures, votes and messages network-wide).

    Adding two gives their field-wise sum, so phases each return their part and a run's totals are
    the sum of its steps.
    """

    attack_flows: int = 0
    attack_flagged: int = 0
    benign_flows: int = 0
    benign_flagged: int = 0
    attack_flows_blocked: int = 0
    attack_flows_passed: int = 0
    benign_flows_blocked: int = 0
    signatures_proposed: int = 0
    signatures_confirmed: int = 0
    signatures_rejected: int = 0
    votes_cast: int = 0
    votes_arrived: int = 0
    votes_lost: int = 0
    messages: int = 0
    benign_blocked_forged: int = 0  # benign flows at honest nodes that a forged rule blocks
    bytes: int = 0  # bytes of the messages (workbench.model.message_sizes)

    def __add__(self, other: StepCounts) -> StepCounts:
        # the fields read by one attrgetter (dataclasses.astuple deep-copies: a tenth of a small run's step)
        return StepCounts(*map(operator.add, _count_values(self), _count_values(other)))


COUNTS = tuple(f.name for f in dataclasses.fields(StepCounts))
_count_values = operator.attrgetter(*COUNTS)


@dataclass(frozen=True)
class StepOutput:
    """What a phase (or a whole step) produced: counts and ledger records, in the order written."""

    counts: StepCounts = StepCounts()
    entries: tuple[LedgerRecord, ...] = ()

    def __add__(self, other: StepOutput) -> StepOutput:
        entries = self.entries + other.entries if other.entries else self.entries
        return StepOutput(self.counts + other.counts, entries)


@dataclass(eq=False)
class ModelState:
    """The model's state between steps; phases advance it in place.

        ``malicious``/``honest`` ``(N,)``: fixed roles. ``targeted[c, n]``: campaign ``c`` has reached
        node ``n``; ``protected[c, n]``: ``n`` knows a confirmed signature covering ``c``. ``first_detection``,
        ``t50``, ``t90`` ``(C,)``: steps after a campaign's start to its first flagged flow and to 50 % /
        90 % of honest nodes protected. ``detections`` ``(N,)``: flows each node has flagged so far.
        ``probes``/``probe_keys``: sample flows of each campaign and the flow keys it sends from at the
        current step (an array per campaign, refreshed every step: prefixes rotate), the ground truth
        for coverage. ``relays``: nodes that pass on others' items (``None``: all do; set from the adversary
    behaviour when the run starts).
        ``in_transit``: votes and ledger entries on their way (:class:`InTransit`); ``routes``: cache of
        vote routes per origin (see :func:`workbench.model.topology.vote_ball`).
        ``last``/``totals``: the last step's counts and the run's sums.
        ``t_last``: the last step run. ``rumor_strikes``: the counters of ``rumor_stop="counter"`` (:mod:`~workbench.model.rumor_strikes`).
        ``ledger_order``: an ordering ledger protocol's log, views and blocks (``None`` until it first runs;
        :mod:`workbench.model.ledger_protocols.ordered`).
        ``present`` ``(N,)``: the positions a node occupies now (all, without churn; :mod:`workbench.model.churn`);
        ``present_end`` ``(C, N)``: ``present`` at the last step of each campaign's window seen so far;
        ``window_honest_node_steps`` ``(C,)``: the present honest nodes summed over the window's steps (the
        denominator of ``protected_time_frac`` under churn); ``churn``: the run's churn counts (:class:`ChurnLog`).

        Evaluation windows: campaign ``c`` is measured over steps ``start .. start + eval_window_steps - 1``.
        ``first_detection``, ``t50``/``t90`` only change inside it;
        ``window_attack_flows``/``window_attack_blocked``/``window_attack_exposed`` ``(C,)`` count its attack
        flows at honest nodes inside it (received; blocked; received while the node was not protected against
        it); ``targeted_end``/``protected_end`` ``(C, N)`` hold ``targeted`` and
        ``protected`` as they were at the last step of the window seen so far; ``protected_node_steps``
        ``(C,)`` sums, over the window's steps, the honest nodes protected against ``c`` at each (the area
        under its protection curve, in node-steps).

        Protection episodes (time to protection, counting protection lost at rotation): an episode of
        campaign ``c`` starts at its start and again at each step its keys change (a prefix rotation) inside
        its window, and ends the step before the next one starts or at the window's last step. Each honest
        node's time to protection in an episode is the steps from the episode's start to the first step it
        is protected in it. ``episode_start`` ``(C,)`` (``-1``: none open), ``episode_keys`` (the keys it
        started with) and ``episode_pending`` ``(C, N)`` (honest nodes not yet protected in it) follow the
        open episode; ``ttp_events[c, d]`` counts node-episodes protected ``d`` steps after their start and
        ``ttp_censored[c, d]`` those still unprotected when their episode ended ``d`` steps after its start
        (``(C, eval_window_steps)``; an episode open when the run ends is censored when read,
        :func:`workbench.model.metrics.protection_times`).
    """

    params: ModelParams
    adjacency: np.ndarray
    malicious: np.ndarray
    campaigns: list[Campaign]
    probes: list[dict[str, np.ndarray]]
    sigs: SignatureTable
    trust: BetaTrust
    window: EvidenceWindow
    flagged: FlaggedWindow = field(init=False)
    honest: np.ndarray = field(init=False)
    probe_keys: list[np.ndarray] = field(init=False)
    relays: np.ndarray | None = field(init=False)
    in_transit: InTransit = field(init=False)
    routes: RouteCache = field(init=False)
    targeted: np.ndarray = field(init=False)
    protected: np.ndarray = field(init=False)
    first_detection: np.ndarray = field(init=False)
    t50: np.ndarray = field(init=False)
    t90: np.ndarray = field(init=False)
    detections: np.ndarray = field(init=False)
    window_attack_flows: np.ndarray = field(init=False)
    window_attack_blocked: np.ndarray = field(init=False)
    targeted_end: np.ndarray = field(init=False)
    protected_end: np.ndarray = field(init=False)
    protected_node_steps: np.ndarray = field(init=False)
    window_attack_exposed: np.ndarray = field(init=False)
    episode_start: np.ndarray = field(init=False)
    episode_keys: list[np.ndarray | None] = field(init=False)
    episode_pending: np.ndarray = field(init=False)
    ttp_events: np.ndarray = field(init=False)
    ttp_censored: np.ndarray = field(init=False)
    t_last: int = field(init=False, default=0)
    rumor_strikes: RumorStrikes = field(init=False, default_factory=RumorStrikes)
    # an ordering ledger protocol's log, leader and blocks (workbench.model.ledger_protocols.ordered; None before)
    ledger_order: Any = field(init=False, default=None)
    # churn (workbench.model.churn): who is present now, and the run's churn counts
    present: np.ndarray = field(init=False)
    present_end: np.ndarray = field(init=False)
    window_honest_node_steps: np.ndarray = field(init=False)
    churn: ChurnLog = field(init=False)
    last: StepCounts = field(init=False, default_factory=StepCounts)
    totals: StepCounts = field(init=False, default_factory=StepCounts)

    def __post_init__(self) -> None:
        n, n_c = self.params.n_nodes, self.params.n_campaigns
        self.honest = ~self.malicious
        self.flagged = FlaggedWindow(self.params.proposal_window_steps)
        self.probe_keys = [
            np.asarray(c.prefixes if len(c.prefixes) else [c.prefix], np.int64) * 256 + c.proto for c in self.campaigns
        ]
        self.relays = None  # all relay, until the model asks its adversary (Adversary.relays)
        self.in_transit = InTransit()
        self.routes = RouteCache(self.params.n_nodes)
        self.targeted = np.zeros((n_c, n), bool)
        self.protected = np.zeros((n_c, n), bool)
        self.first_detection = np.full(n_c, -1)
        self.t50 = np.full(n_c, -1)
        self.t90 = np.full(n_c, -1)
        self.detections = np.zeros(n, np.int64)
        self.window_attack_flows = np.zeros(n_c, np.int64)
        self.window_attack_blocked = np.zeros(n_c, np.int64)
        self.targeted_end = np.zeros((n_c, n), bool)
        self.protected_end = np.zeros((n_c, n), bool)
        self.protected_node_steps = np.zeros(n_c, np.int64)
        self.window_attack_exposed = np.zeros(n_c, np.int64)
        self.episode_start = np.full(n_c, -1)
        self.episode_keys = [None] * n_c
        self.episode_pending = np.zeros((n_c, n), bool)
        self.ttp_events = np.zeros((n_c, self.params.eval_window_steps), np.int64)
        self.ttp_censored = np.zeros((n_c, self.params.eval_window_steps), np.int64)
        self.present = np.ones(n, bool)
        self.present_end = np.ones((n_c, n), bool)
        self.window_honest_node_steps = np.zeros(n_c, np.int64)
        self.churn = ChurnLog(joined_step=np.zeros(n, np.int64))

    @property
    def present_honest(self) -> np.ndarray:
        """``(N,)``: honest nodes present now (every honest node without churn): the denominators of outcomes."""
        return self.honest & self.present

    def in_window(self, t: int) -> np.ndarray:
        """``(C,)``: which campaigns are inside their evaluation window at step ``t``."""
        start = np.array([c.start_step for c in self.campaigns], np.int64)
        return (start <= t) & (t < start + self.params.eval_window_steps)

    # --- coverage now -------------------------------------------------------------------------------
    def protection(self) -> np.ndarray:
        """``(C, N)``: nodes whose blocklist holds, for every key campaign ``c`` sends from now, a rule on that
        key covering ``c`` (confirmed ones they know of, and with ``local_first`` those they apply on their
        own authority; rules on keys the campaign has left are stale and protect nothing)."""
        s = self.sigs
        out = np.zeros((len(self.campaigns), self.params.n_nodes), bool)
        if len(s) == 0:
            return out
        usable = s.view.outcome != REJECTED if self.params.local_first else s.view.outcome == CONFIRMED
        useful = np.flatnonzero(usable & (s.view.coverage >= COVERAGE_GENUINE))
        campaign, key = s.view.campaign[useful], s.view.key[useful]
        for c, keys in enumerate(self.probe_keys):
            mine = useful[campaign == c]
            if mine.size == 0:
                continue
            covered = np.ones(self.params.n_nodes, bool)
            for k in np.unique(keys):  # a loop over the campaign's prefixes (<= 64)
                rows = mine[key[campaign == c] == k]
                covered &= applied_anywhere(s, rows, self.params.local_first) if rows.size else False
            out[c] = covered
        return out

    # --- views -------------------------------------------------------------------------------------
    def node_state(self, node: int) -> str:
        """``malicious``, ``under_attack`` (targeted by a campaign it is not protected against),
        ``protected`` (protected against some campaign) or ``healthy``."""
        if self.malicious[node]:
            return "malicious"
        if (self.targeted[:, node] & ~self.protected[:, node]).any():
            return "under_attack"
        if self.protected[:, node].any():
            return "protected"
        return "healthy"


@dataclass(eq=False)
class ChurnLog:
    """A run's churn (:mod:`workbench.model.churn`): ``joined_step`` ``(N,)``, the step the node now at each position
    joined (0: there from the start); ``present_node_steps``: present nodes summed over the steps run; ``leaves`` and
    ``joins``: the transitions; ``catch_up_messages``/``catch_up_bytes``: what the joiners' catch-up cost (also
    counted in the steps' ``messages``/``bytes``); ``role_relays``: the adversary's relays before churn masked them."""

    joined_step: np.ndarray
    present_node_steps: int = 0
    leaves: int = 0
    joins: int = 0
    catch_up_messages: int = 0
    catch_up_bytes: int = 0
    role_relays: np.ndarray | None = None


class InTransit:
    """Votes and ledger entries on their way, each delivered at the start of its due step.

    Votes: flat arrays (signature row, voter, +1/-1, due step). Decisions (gossip): ``(row, node, due)``
    rows of confirmations travelling back from the origin to the holders. Ledger entries: rows of the signature
    table that become held (``"holds"``: a signature entry) or known (``"knows"``: a decision entry)
    by every node at the due step.
    """

    def __init__(self) -> None:
        self.vote_sig = np.zeros(0, np.int64)
        self.vote_node = np.zeros(0, np.int64)
        self.vote_value = np.zeros(0, np.int8)
        self.vote_due = np.zeros(0, np.int64)
        self.ledger: list[tuple[int, str, np.ndarray]] = []
        # confirmations on their way from the origin back to the holders: (row, node, due step)
        self.decisions = np.zeros((0, 3), np.int64)

    def add_votes(self, sig: np.ndarray, node: np.ndarray, value: np.ndarray, due: np.ndarray) -> None:
        self.vote_sig = np.concatenate([self.vote_sig, sig])
        self.vote_node = np.concatenate([self.vote_node, node])
        self.vote_value = np.concatenate([self.vote_value, value.astype(np.int8)])
        self.vote_due = np.concatenate([self.vote_due, due])

    def take_votes(self, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Remove and return the votes due by step ``t``: (signature rows, voters, values)."""
        now = self.vote_due <= t
        out = self.vote_sig[now], self.vote_node[now], self.vote_value[now]
        keep = ~now
        self.vote_sig, self.vote_node = self.vote_sig[keep], self.vote_node[keep]
        self.vote_value, self.vote_due = self.vote_value[keep], self.vote_due[keep]
        return out

    def take_decisions(self, t: int) -> np.ndarray:
        """Remove and return the ``(row, node, due)`` decisions due by step ``t``."""
        now = self.decisions[:, 2] <= t
        out, self.decisions = self.decisions[now], self.decisions[~now]
        return out

    def take_ledger(self, t: int) -> list[tuple[str, np.ndarray]]:
        """Remove and return the ledger entries due by step ``t``, in the order they were appended."""
        due = [(kind, rows) for step, kind, rows in self.ledger if step <= t]
        self.ledger = [e for e in self.ledger if e[0] > t]
        return due


class RouteCache:
    """Vote routes per origin (the ball of :func:`~workbench.model.topology.vote_ball`), computed on
    first use (the graph is static) and kept for the most recent origins within about 256 MiB."""

    def __init__(self, n_nodes: int, budget_bytes: int = 256 * 2**20) -> None:
        self.budget_bytes, self.used_bytes = budget_bytes, 0
        self.rows: dict[int, tuple[np.ndarray, ...]] = {}

    def get(self, origin: int, compute: Any) -> tuple[np.ndarray, ...]:
        if origin in self.rows:
            value = self.rows.pop(origin)  # re-insert: dicts keep insertion order, so the oldest come first
        else:
            value = compute(origin)
            self.used_bytes += sum(a.nbytes for a in value)
            while self.rows and self.used_bytes > self.budget_bytes:
                self.used_bytes -= sum(a.nbytes for a in self.rows.pop(next(iter(self.rows))))
        self.rows[origin] = value
        return value

    def touch(self, origin: int) -> None:
        """Mark ``origin``'s routes (cached) as the most recently used, as :meth:`get` does."""
        self.rows[origin] = self.rows.pop(origin)

    def put(self, origin: int, value: tuple[np.ndarray, ...]) -> None:
        """Replace ``origin``'s routes (a larger ball)."""
        old = self.rows.pop(origin, None)
        self.used_bytes += sum(a.nbytes for a in value) - (sum(a.nbytes for a in old) if old else 0)
        self.rows[origin] = value


class HasState(Protocol):
    """What metrics' reporters need of a model: its :class:`ModelState`."""

    @property
    def state(self) -> ModelState: ...
