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
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from workbench.model.consensus import BetaTrust
from workbench.model.params import ModelParams
from workbench.model.signatures import SignatureTable
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
    messages: int = 0

    def __add__(self, other: StepCounts) -> StepCounts:
        return StepCounts(*(a + b for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other))))


COUNTS = tuple(f.name for f in dataclasses.fields(StepCounts))


@dataclass(frozen=True)
class StepOutput:
    """What a phase (or a whole step) produced: counts and ledger records, in the order written."""

    counts: StepCounts = StepCounts()
    entries: tuple[LedgerRecord, ...] = ()

    def __add__(self, other: StepOutput) -> StepOutput:
        return StepOutput(self.counts + other.counts, self.entries + other.entries)


@dataclass(eq=False)
class ModelState:
    """The model's state between steps; phases advance it in place.

    ``malicious``/``honest`` ``(N,)``: fixed roles. ``targeted[c, n]``: campaign ``c`` has reached
    node ``n``; ``protected[c, n]``: ``n`` knows a confirmed signature covering ``c``;
    ``hit_unprotected[c, n]``: ``n`` was targeted by ``c`` while unprotected. ``first_detection``,
    ``t50``, ``t90`` ``(C,)``: steps after a campaign's start to its first flagged flow and to 50 % /
    90 % of honest nodes protected. ``detections`` ``(N,)``: flows each node has flagged so far.
    ``probes``/``probe_keys``: sample flows and key of each campaign (ground truth for coverage).
    ``last``/``totals``: the last step's counts and the run's sums; ``t_last``: the last step run.

    Evaluation windows: campaign ``c`` is measured over steps ``start .. start + eval_window_steps - 1``.
    ``hit_unprotected``, ``first_detection``, ``t50``/``t90`` only change inside it;
    ``window_attack_flows``/``window_attack_blocked`` ``(C,)`` count its attack flows at honest nodes
    (received, blocked) inside it; ``targeted_end``/``protected_end`` ``(C, N)`` hold ``targeted`` and
    ``protected`` as they were at the last step of the window seen so far.
    """

    params: ModelParams
    adjacency: np.ndarray
    malicious: np.ndarray
    campaigns: list[Campaign]
    probes: list[dict[str, np.ndarray]]
    sigs: SignatureTable
    trust: BetaTrust
    window: EvidenceWindow
    honest: np.ndarray = field(init=False)
    probe_keys: list[int] = field(init=False)
    targeted: np.ndarray = field(init=False)
    protected: np.ndarray = field(init=False)
    hit_unprotected: np.ndarray = field(init=False)
    first_detection: np.ndarray = field(init=False)
    t50: np.ndarray = field(init=False)
    t90: np.ndarray = field(init=False)
    detections: np.ndarray = field(init=False)
    window_attack_flows: np.ndarray = field(init=False)
    window_attack_blocked: np.ndarray = field(init=False)
    targeted_end: np.ndarray = field(init=False)
    protected_end: np.ndarray = field(init=False)
    t_last: int = field(init=False, default=0)
    last: StepCounts = field(init=False, default_factory=StepCounts)
    totals: StepCounts = field(init=False, default_factory=StepCounts)

    def __post_init__(self) -> None:
        n, n_c = self.params.n_nodes, self.params.n_campaigns
        self.honest = ~self.malicious
        self.probe_keys = [c.prefix * 256 + c.proto for c in self.campaigns]
        self.targeted = np.zeros((n_c, n), bool)
        self.protected = np.zeros((n_c, n), bool)
        self.hit_unprotected = np.zeros((n_c, n), bool)
        self.first_detection = np.full(n_c, -1)
        self.t50 = np.full(n_c, -1)
        self.t90 = np.full(n_c, -1)
        self.detections = np.zeros(n, np.int64)
        self.window_attack_flows = np.zeros(n_c, np.int64)
        self.window_attack_blocked = np.zeros(n_c, np.int64)
        self.targeted_end = np.zeros((n_c, n), bool)
        self.protected_end = np.zeros((n_c, n), bool)

    def in_window(self, t: int) -> np.ndarray:
        """``(C,)``: which campaigns are inside their evaluation window at step ``t``."""
        start = np.array([c.start_step for c in self.campaigns], np.int64)
        return (start <= t) & (t < start + self.params.eval_window_steps)

    # --- who misbehaves when ----------------------------------------------------------------------
    def colluding(self, t: int) -> np.ndarray:
        """Nodes approving forgeries and rejecting everything else at step ``t``."""
        b = self.params.malicious_behavior
        if b == "collude" or (b == "betray" and t > self.params.betray_after_steps):
            return self.malicious
        return np.zeros_like(self.malicious)

    def forging(self, t: int) -> np.ndarray:
        """Nodes that may publish forged signatures at step ``t``."""
        return self.malicious if self.params.malicious_behavior == "forge" else self.colluding(t)

    def lying(self) -> np.ndarray:
        """Nodes voting against their evidence."""
        return self.malicious if self.params.malicious_behavior == "lie" else np.zeros_like(self.malicious)

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


class HasState(Protocol):
    """What metrics' reporters need of a model: its :class:`ModelState`."""

    @property
    def state(self) -> ModelState: ...
