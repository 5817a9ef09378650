"""Model parameters: one validated, immutable object.

Every field has a documented unit and range. Invalid values raise ``ValueError`` naming the field,
the value and the allowed range, before anything runs; a value of the wrong type raises
:class:`~workbench.validation.ParameterTypeError`; an unknown field name (from the constructor,
:meth:`ModelParams.replace` or :meth:`ModelParams.from_dict`) raises
:class:`~workbench.validation.UnknownNameError` with the closest field names.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.model.adversaries import ADVERSARIES
from workbench.model.channels import CHANNELS
from workbench.model.components import IMPORT_PATH, Registry
from workbench.model.consensus_rules import CONSENSUS_RULES
from workbench.model.detectors import REFIT_GUARD_Z
from workbench.model.display import params_html, params_repr, unit_of
from workbench.model.evidence import EVIDENCE_RULES
from workbench.model.evidence.binomial import DEFAULT_MIN_MATCHED, DEFAULT_RECALL
from workbench.model.ledger_protocols import LEDGER_PROTOCOLS
from workbench.model.novelty import DETECTORS
from workbench.model.outcomes import OUTCOMES, check_outcome_names
from workbench.model.presets import PRESET_NAMES, PRESETS
from workbench.model.trace_params import check_trace_fields
from workbench.model.traffic import DIFFICULTY
from workbench.options import (
    ADMISSION_MODES,
    AGGREGATOR_MODES,
    FEEDBACK_TIMES,
    GOSSIP_MODES,
    LEDGER_BACKENDS,
    RELAY_MODES,
    RUMOR_STOPS,
    TRAFFIC_SOURCES,
)
from workbench.trace_config import FLOWS_PER_NODE_RANGE, model_field, normalise_pairs, pairs_as_lists
from workbench.validation import Range, check_bool, check_choice, check_known, check_number

#: Default share of the nodes whose corroborating reports the central aggregator needs (see
#: :attr:`ModelParams.effective_central_quorum`). Calibration (``python benchmarks/bench_central_quorum.py
#: --nodes 20 50 100 200 400 --quorums 2 3 5 8 12 20 --fracs 0.05 0.1``: realistic world with the default
#: proposal window of 3 steps, honest aggregator, 20% forgers, 60 steps, seeds 0-4): a fixed quorum lets
#: forged harm grow with N (quorum 2: forged_benign_blocked_frac 0.11, 0.19, 0.26, 0.29, 0.31 at N = 20, 50,
#: 100, 200, 400; forged reach 0.33 to 0.97), because forgers and their reports on the same popular services
#: grow with N while the quorum does not. Genuine reports grow with N too (campaigns reach most nodes), so a
#: share of the nodes holds both: 10% (quorum 2, 5, 10, 20, 40) gives forged_benign_blocked_frac 0.11, 0.06,
#: 0.04, 0.03, 0.05 at protected_time_frac_mean 0.73, 0.71, 0.65, 0.57, 0.49 (quorum 2: 0.73, 0.65, 0.73,
#: 0.73, 0.65). Its protection minus forged harm is the best of the quorums tried, or within 0.01 of it, at
#: every N >= 50 (5% is 0.06-0.08 below the best at N = 50-100); at N = 20 quorum 3 would be 0.09 better,
#: the floor of 2 is kept so that no share below 10% gives one node's report the last word.
CENTRAL_QUORUM_FRAC = 0.1

TOPOLOGIES = ("complete", "small_world", "scale_free", "random", "ring")
VALIDATION_MODES = ("evidence", "independent")


def _num(default, low=None, high=None, *, low_open=False, high_open=False, integer=False, doc="", unit=""):
    metadata = {"range": Range(low, high, low_open, high_open, integer), "doc": doc}
    return field(default=default, metadata={**metadata, "unit": unit} if unit else metadata)


def _choice(default: str, choices: tuple[str, ...], doc: str = ""):
    return field(default=default, metadata={"choices": choices, "doc": doc})


def _component(default: str, registry: Registry, doc: str = ""):
    """A component (see :mod:`workbench.model.components`): a name of ``registry`` or an import path."""
    return field(default=default, metadata={"component": registry, "doc": doc})


def _flag(default: bool, doc: str = ""):
    return field(default=default, metadata={"bool": True, "doc": doc})


if TYPE_CHECKING:
    import pandas as pd

_REALISTIC = PRESETS["realistic"]


def _knob(name: str):
    """A traffic-difficulty field: range and documentation from :data:`workbench.model.traffic.DIFFICULTY`,
    default from the ``"realistic"`` preset."""
    knob = DIFFICULTY[name]
    return field(default=_REALISTIC[name], metadata={"range": knob.range, "doc": knob.doc})


@dataclass(frozen=True, repr=False)
class ModelParams:
    """Parameters of :class:`~workbench.model.model.ThreatIntelModel`.

    Time is measured in model steps; traffic in flow records. Defaults describe a 50-node
    small-world network sharing signatures by gossip, validated by evidence, with no adversaries.
    """

    # --- network --------------------------------------------------------------------------
    n_nodes: int = _num(50, 2, 1_000_000, integer=True, doc="number of network nodes")
    topology: str = _choice("small_world", TOPOLOGIES, "graph family, built with networkx from the model RNG")
    mean_degree: int = _num(
        6, 2, None, integer=True, doc="target mean degree (small_world, random, scale_free); capped at n_nodes - 1"
    )
    rewire_prob: float = _num(0.1, 0.0, 1.0, doc="Watts-Strogatz rewiring probability (small_world)")

    # --- traffic and attacks --------------------------------------------------------------
    flows_per_node: int = field(
        default=50, metadata={"range": FLOWS_PER_NODE_RANGE, "doc": "flow records each node sees per step"}
    )
    warmup_steps: int = _num(5, 1, 1_000, integer=True, doc="steps of attack-free traffic the detectors are fitted on")
    n_campaigns: int = _num(3, 0, 50, integer=True, doc="attack campaigns; types cycle ddos, port_scan, exfiltration")
    campaign_interval_steps: int = _num(
        10, 0, 10_000, integer=True, doc="steps between the starts of successive campaigns"
    )
    campaign_seed_nodes: int = _num(2, 1, None, integer=True, doc="nodes each campaign hits first")
    attack_flows_per_node: int = _num(
        5,
        1,
        None,
        integer=True,
        doc="attack flows a targeted node receives per step and campaign (<= flows_per_node; unused when "
        "attack_share is given)",
    )
    attack_share: float | None = field(
        default=None,
        metadata={
            "range": Range(0.0, 1.0, low_open=True),
            "optional": True,
            "unit": "share of a targeted node's flows per step",
            "doc": "expected share of a targeted node's flows per step that are one campaign's attack flows: "
            "each targeted node's count is Binomial(flows_per_node, attack_share), drawn from the model's "
            "Generator (a rate, so shares below 1 / flows_per_node work); None: exactly attack_flows_per_node",
        },
    )
    spread_prob: float = _num(
        0.15, 0.0, 1.0, doc="per step, chance a targeted node spreads the campaign to each neighbour"
    )
    containment: bool = _flag(True, "a node protected against a campaign no longer relays it to its neighbours")
    eval_window_steps: int = _num(
        30, 1, 10_000, integer=True, doc="steps after each campaign's start over which its outcomes are measured"
    )

    # --- how hard the world is (defaults: the "realistic" preset; see ModelParams.preset) ---
    attack_separation: float = _knob("attack_separation")
    attacker_prefixes: int = _knob("attacker_prefixes")
    prefix_rotation_steps: int = _knob("prefix_rotation_steps")
    attacker_cloud_share: float = _knob("attacker_cloud_share")
    benign_drift: float = _knob("benign_drift")
    warmup_contamination: float = _knob("warmup_contamination")
    benign_tail_share: float = _knob("benign_tail_share")
    benign_tail_index: float = _knob("benign_tail_index")

    # --- detection ------------------------------------------------------------------------
    detector: str = _component(
        "zscore",
        DETECTORS,
        "local anomaly detector: a batched bank, or a scikit-learn-style novelty detector fitted per node "
        "(workbench.model.novelty)",
    )
    zscore_threshold: float = _num(
        4.0, 0.0, None, low_open=True, doc="robust z (median/MAD units) above which a flow is flagged (zscore)"
    )
    zscore_refit_steps: int = _num(
        10, 1, None, integer=True, doc="steps between baseline updates of the streaming z-score detector"
    )
    # Calibration of the refit guard (realistic world, 40 nodes, 90 steps, seeds 0-2; per-flow recall
    # over steps 61-90 / steps 10-25, and the late FPR): without sharing, where few rules block the attack,
    # margin 0 (flags only) gives 0.07-0.11 (the baseline learns the attack), 0.5 gives 0.83-1.00, 1.0
    # gives 1.04-1.13 at FPR 1.8-2.0%, 2.0 gives 1.16-1.20 but FPR 3.0-3.1%, above the realistic band
    # (0.5-3%); without campaigns margin 1.0 moves FPR from 1.7% to 1.8% over 200 steps. 1.0 holds recall
    # at the smallest cost in false positives.
    zscore_refit_guard: float = _num(
        REFIT_GUARD_Z,
        0.0,
        None,
        doc="robust-z margin below zscore_threshold: an unflagged flow above threshold - margin is kept out of "
        "the baseline update (zscore; 0 = flagged flows only)",
    )
    iforest_trees: int = _num(100, 1, 1_000, integer=True, doc="trees per node (iforest)")
    iforest_contamination: float = _num(
        0.01, 0.0, 0.5, low_open=True, doc="fraction of warm-up flows the iforest threshold flags"
    )
    detector_contamination: float = _num(
        0.01,
        0.0,
        0.5,
        low_open=True,
        doc="fraction of its warm-up flows a per-node detector's threshold flags (detector by import path)",
    )
    min_flagged: int = _num(
        3,
        1,
        None,
        integer=True,
        doc="flagged flows from one source prefix needed within proposal_window_steps to propose a signature",
    )
    # Calibration (benchmarks/bench_proposal_window.py: realistic world, 60 nodes x 60 steps, seeds 0-2, no
    # malice, central_quorum 2). Isolated nodes' protected_time_frac_mean by window 1, 2, 3, 4, 6:
    # 0.014, 0.167, 0.271, 0.301, 0.327 (a campaign's 5 attack flows per node-step over 4 prefixes give
    # each prefix about 0.9 flagged flows a step, short of min_flagged=3 in one); the ledger's 0.477,
    # 0.524, 0.511, 0.498, 0.498 and gossip's 0.440, 0.473, 0.491, 0.522, 0.482 (seed ranges about
    # +-0.04: flat beyond 1). Honest false-positive rules per run (isolated) 2.3, 5.7, 9.7, 15, 26; benign
    # flows blocked stay 0.015-0.020 isolated and 0.005-0.014 on ledger and gossip, while central's rise
    # from 0.020 to 0.05-0.06 at any window > 1. 3 is the knee for the isolated node (83% of what 6
    # gives, at 37% of its false rules) and the horizon the evidence vote already looks back over
    # (evidence_window_steps). One prefix without rotation: isolated protection is 0.14-0.15 at every
    # window (5 flows on one prefix pass min_flagged in one step) and its attack flows blocked 0.95.
    proposal_window_steps: int = _num(
        3,
        1,
        100,
        integer=True,
        doc="steps over which a node counts its flagged flows per source prefix towards min_flagged "
        "(every node, isolated or not; workbench.model.flagged_window)",
    )

    # --- sharing, validation, consensus ---------------------------------------------------
    sharing: str = _component(
        "gossip", CHANNELS, "how signatures, votes and decisions reach other nodes (workbench.model.channels)"
    )
    local_first: bool = _flag(
        True,
        "a node blocks at once what its own detector caught, and pending rules its own evidence approves, "
        "until they are decided (as an isolated node does); False: it waits for the decision",
    )
    gossip_fanout: int = _num(
        2, 1, None, integer=True, doc="neighbours each holder pushes an item to per step (gossip)"
    )
    gossip_mode: str = _choice(
        _REALISTIC["gossip_mode"],
        GOSSIP_MODES,
        "push; push_pull (contacts exchange items both ways); rumor (rumour mongering with feedback and coin)",
    )
    rumor_k: float = _num(
        _REALISTIC["rumor_k"],
        1.0,
        None,
        doc="rumor: the coin's 1/rumor_k chance of losing interest per unnecessary push, or the counter's "
        "unnecessary pushes (a whole number; see rumor_stop)",
    )
    rumor_feedback: bool = _flag(
        True,
        "rumor: True (feedback): a push is unnecessary when its receiver already knew; False (blind): every push "
        "is (Demers et al. 1987)",
    )
    rumor_stop: str = _choice(
        "coin",
        RUMOR_STOPS,
        "rumor: how a node loses interest: coin (chance 1/rumor_k per unnecessary push) or counter (after "
        "rumor_k unnecessary pushes in a row; blind: after rumor_k pushes)",
    )
    rumor_feedback_at: str = _choice(
        "arrival",
        FEEDBACK_TIMES,
        "rumor with feedback: arrival (of several pushes reaching a fresh node in one round only the first is "
        "news) or round_start (all are: the convention of Demers et al.'s simulations)",
    )
    message_loss: float = _num(
        _REALISTIC["message_loss"],
        0.0,
        1.0,
        high_open=True,
        doc="chance each message (signature, vote, decision) is lost",
    )
    admission_control: str = _choice(
        "none",
        ADMISSION_MODES,
        "who may vote in a channel that counts votes (gossip, ledger): none (any identity, so a malicious node's "
        "sybil_identities vote too) or membership (a list of the N enrolled nodes' keys, each node's certificate "
        "sent to the N - 1 others when the run starts: N (N - 1) messages of 101 B; other identities are refused)",
    )
    ledger_latency_steps: int = _num(
        _REALISTIC["ledger_latency_steps"],
        0,
        1_000,
        integer=True,
        doc="steps before a ledger entry reaches the other nodes (ledger, ledger_protocol='ideal'); with an "
        "ordering protocol, the steps one protocol message takes (a block commits after 2 or 3 of them)",
    )
    ledger_protocol: str = _component(
        "ideal",
        LEDGER_PROTOCOLS,
        "how the ledger orders its entries (ledger; workbench.model.ledger_protocols, docs/ledger-protocols.md): "
        "ideal (an idealised log that cannot fail), crash_tolerant (Raft-like leader) or bft (PBFT-like)",
    )
    block_interval_steps: int = _num(
        1,
        1,
        1_000,
        integer=True,
        doc="steps between the blocks a ledger leader cuts (ledger_protocol crash_tolerant or bft)",
    )
    block_max_entries: int = _num(
        5_000,
        1,
        10_000_000,
        integer=True,
        doc="entries a block holds at most; the rest wait for the next block (crash_tolerant, bft)",
        unit="entries",
    )
    leader_timeout_steps: int = _num(
        5,
        1,
        1_000,
        integer=True,
        doc="steps without progress after which replicas replace the leader (crash_tolerant: after its crash; "
        "bft: an honest entry waiting that long); at least block_interval_steps + 3 ledger_latency_steps + 1",
    )
    leader_crash_step: int | None = field(
        default=None,
        metadata={
            "range": Range(1, None, integer=True),
            "optional": True,
            "unit": "step",
            "doc": "step at which the ledger leader of the moment crashes (its replica stops for good; "
            "crash_tolerant, bft); None: no scheduled crash",
        },
    )
    leader_crash_rate: float = _num(
        0.0,
        0.0,
        1.0,
        doc="per step, chance that the ledger leader of the moment crashes, drawn from the model's Generator "
        "(crash_tolerant, bft)",
        unit="probability per step",
    )
    central_quorum_frac: float = field(
        default=CENTRAL_QUORUM_FRAC,
        metadata={
            "range": Range(0.0, 1.0, low_open=True),
            "unit": "share of nodes",
            "doc": "share of the nodes that must report a matching rule before the aggregator confirms it: "
            "the quorum is max(2, ceil(central_quorum_frac * n_nodes)), capped at n_nodes (central; "
            "central_quorum overrides it)",
        },
    )
    central_quorum: int | None = field(
        default=None,
        metadata={
            "range": Range(1, None, integer=True),
            "optional": True,
            "doc": "distinct nodes that must report a matching rule before the aggregator confirms it (central); "
            "None: derived from central_quorum_frac",
        },
    )
    aggregator: str = _choice(
        "honest",
        AGGREGATOR_MODES,
        "central aggregator: honest, compromised (confirms what malicious nodes send, and forges) or down",
    )
    aggregator_down_step: int = _num(
        30, 1, None, integer=True, doc="step from which a 'down' aggregator decides nothing (central)"
    )
    validation: str = _choice("evidence", VALIDATION_MODES, "how a node decides its vote")
    evidence_rule: str = _component(
        "binomial",
        EVIDENCE_RULES,
        "how an evidence voter turns its matching and flagged recent flows into a vote (workbench.model.evidence)",
    )
    # Calibrated in workbench.model.evidence.binomial (benchmarks/bench_evidence_rule.py).
    evidence_recall: float = _num(
        DEFAULT_RECALL,
        0.0,
        1.0,
        low_open=True,
        high_open=True,
        doc="share of attack flows the detector is taken to flag, against which the binomial evidence rule tests "
        "a voter's flagged matching flows (evidence_rule='binomial')",
    )
    evidence_min_matched: int = _num(
        DEFAULT_MIN_MATCHED,
        1,
        None,
        integer=True,
        doc="matching recent flows below which a binomial evidence voter abstains (evidence_rule='binomial')",
    )
    validator_accuracy: float = _num(
        0.9, 0.0, 1.0, doc="chance an independent vote is correct (validation='independent')"
    )
    evidence_window_steps: int = _num(
        3, 1, 100, integer=True, doc="steps of a node's own recent traffic checked when voting (evidence)"
    )
    vote_deadline_steps: int = _num(4, 1, 1_000, integer=True, doc="steps after creation by which votes must be cast")
    min_votes: int = _num(1, 1, None, integer=True, doc="votes that must be cast for a signature to be confirmed")
    consensus: str = _component(
        "majority", CONSENSUS_RULES, "decision rule over the votes cast (workbench.model.consensus_rules)"
    )
    quorum: float = _num(2 / 3, 0.5, 1.0, low_open=True, doc="approving share of votes needed (supermajority)")
    min_participation: float = _num(
        0.1,
        0.0,
        1.0,
        doc="share of eligible voters (nodes holding the signature, origin excluded) that must vote before it can be confirmed",
    )
    trust_decay: float = _num(
        0.0,
        0.0,
        1.0,
        high_open=True,
        doc="forgetting factor of Beta trust: past evidence is multiplied by 1 - trust_decay at every decision round",
    )

    # --- adversaries ----------------------------------------------------------------------
    malicious_fraction: float = _num(0.0, 0.0, 1.0, high_open=True, doc="fraction of nodes that are malicious")
    malicious_behavior: str = _component(
        "collude", ADVERSARIES, "what malicious nodes do (workbench.model.adversaries)"
    )
    forge_prob: float = _num(0.1, 0.0, 1.0, doc="per step, chance a forging node publishes a forged signature")
    betray_after_steps: int = _num(
        30, 0, None, integer=True, doc="steps a 'betray' node behaves honestly before colluding"
    )
    malicious_relay: str = _choice(
        _REALISTIC["malicious_relay"],
        RELAY_MODES,
        "forward: malicious nodes relay others' items; drop: they pass on nothing of others'",
    )
    sybil_identities: int = _num(
        0,
        0,
        1_000,
        integer=True,
        doc="extra identities each malicious node controls: each casts its node's vote and counts toward quorums "
        "and turnout in a channel that admits them (admission_control='none'); 0: one identity per node",
        unit="identities per malicious node",
    )

    # --- churn (workbench.model.churn, docs/churn.md) ---------------------------------------
    # Each of the N positions is an independent two-state chain, from full occupancy at step 0: a present node
    # leaves with probability l = churn_leave_rate per step, an empty position is taken by a new node (a new
    # identity, no rules, catching up from its channel) with probability j = churn_join_rate. The present count
    # after step t is exactly Binomial(N, p_t), p_t = j/(j+l) + (l/(j+l)) (1 - l - j)^t (p_t = 1 when l = 0),
    # whose limit is j/(j+l): equal rates keep N/2 present in the long run (capacity is N and the network starts
    # full, so no process with leaves can keep the expected size at N); j >> l keeps it near N.
    churn_leave_rate: float = _num(
        0.0,
        0.0,
        1.0,
        doc="per step, chance a present node leaves (stops detecting, voting, relaying, receiving); 0: none leaves",
        unit="probability per node and step",
    )
    churn_join_rate: float = _num(
        0.0,
        0.0,
        1.0,
        doc="per step, chance an empty position is taken by a new node that catches up from its sharing channel; "
        "0: none joins",
        unit="probability per empty position and step",
    )

    # --- record keeping -------------------------------------------------------------------
    ledger: str = _choice("memory", LEDGER_BACKENDS, "ledger backend")
    ledger_path: str | None = field(default=None, metadata={"doc": "SQLite file for ledger='sqlite'"})

    # --- what runs are measured on -------------------------------------------------------
    outcomes: tuple[str, ...] = field(
        default=(),
        metadata={
            "component": OUTCOMES,
            "many": True,
            "doc": "a researcher's own outcomes (workbench.model.outcomes.Outcome), added to the summary after "
            "the built-in ones",
        },
    )

    # --- replaying a trace (traffic="trace"; see docs/traces.md) --------------------------
    # With a trace, n_nodes and n_campaigns are taken from the trace (the values given are ignored;
    # the model's params hold the effective ones), flows_per_node caps each node's flows per step
    # and the campaign fields (start, interval, seed nodes, spread_prob) do not apply.
    traffic: str = _choice(
        "synthetic", TRAFFIC_SOURCES, "synthetic: generated traffic; trace: replay the flow records of trace_path"
    )
    trace_path: str | None = model_field("path", None)
    trace_format: str = model_field("format")
    trace_columns: tuple[tuple[str, str], ...] = model_field("columns")
    trace_options: tuple[tuple[str, Any], ...] = model_field("options")
    step_seconds: float = model_field("step_seconds")
    max_nodes: int = model_field("max_nodes")
    node_rule: str = model_field("node_rule")
    rows_per_step: int = model_field("rows_per_step")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if "choices" in f.metadata:
                check_choice(f.name, value, f.metadata["choices"])
            elif "many" in f.metadata:
                object.__setattr__(self, f.name, check_outcome_names(value))
            elif "component" in f.metadata:
                f.metadata["component"].check(value)
            elif "pairs" in f.metadata:
                object.__setattr__(self, f.name, normalise_pairs(f.name, value))
            elif "bool" in f.metadata:
                object.__setattr__(self, f.name, check_bool(f.name, value))
            elif "range" in f.metadata and not (value is None and f.metadata.get("optional")):
                # numpy scalars -> plain Python numbers
                object.__setattr__(self, f.name, check_number(f.name, value, f.metadata["range"]))
        self._check_relations()

    def _check_relations(self) -> None:
        synthetic = self.traffic == "synthetic"  # a trace has its own attack flows and campaigns
        if synthetic and self.attack_share is None and self.attack_flows_per_node > self.flows_per_node:
            raise ValueError(
                f"attack_flows_per_node={self.attack_flows_per_node} is out of range; expected an integer "
                f"with 1 <= x <= flows_per_node ({self.flows_per_node})"
            )
        if synthetic and self.campaign_seed_nodes > self.n_nodes:
            raise ValueError(
                f"campaign_seed_nodes={self.campaign_seed_nodes} is out of range; expected an integer "
                f"with 1 <= x <= n_nodes ({self.n_nodes})"
            )
        if self.central_quorum is not None and self.central_quorum > self.n_nodes:
            raise ValueError(
                f"central_quorum={self.central_quorum} is out of range; expected an integer "
                f"with 1 <= x <= n_nodes ({self.n_nodes})"
            )
        if self.rumor_stop == "counter" and self.rumor_k != int(self.rumor_k):
            raise ValueError(
                f"rumor_k={self.rumor_k!r} is out of range with rumor_stop='counter'; expected a whole number "
                f"with 1 <= x (closest: {max(1, round(self.rumor_k))})"
            )
        check = getattr(CHANNELS.get(self.sharing), "check_params", None)
        if callable(check):  # the channel's own constraints (a ledger's deadline vs its latency)
            check(self)
        if self.ledger == "sqlite" and not self.ledger_path:
            raise ValueError("ledger_path=None is not allowed with ledger='sqlite'; give a file path")
        check_trace_fields(self)

    # --- conveniences ---------------------------------------------------------------------
    @property
    def n_malicious(self) -> int:
        """Number of malicious nodes: ``round(malicious_fraction * n_nodes)``."""
        return round(self.malicious_fraction * self.n_nodes)

    @property
    def effective_attack_share(self) -> float:
        """The expected share of a targeted node's flows per step that are one campaign's:
        ``attack_share`` if given, else ``attack_flows_per_node / flows_per_node`` (0.1 by default)."""
        if self.attack_share is not None:
            return self.attack_share
        return min(self.attack_flows_per_node, self.flows_per_node) / self.flows_per_node

    @property
    def churn(self) -> bool:
        """Whether nodes leave or join (a churn rate above 0); without, no churn randomness is drawn."""
        return self.churn_leave_rate > 0 or self.churn_join_rate > 0

    @property
    def effective_central_quorum(self) -> int:
        """Distinct reporters the central aggregator needs: ``central_quorum`` if given, else
        ``min(n_nodes, max(2, ceil(central_quorum_frac * n_nodes)))`` (see :data:`CENTRAL_QUORUM_FRAC`)."""
        if self.central_quorum is not None:
            return self.central_quorum
        return quorum_of_share(self.central_quorum_frac, self.n_nodes)

    @property
    def last_campaign_start(self) -> int | None:
        """The step the last synthetic campaign starts at, ``warmup_steps + 1 + (n_campaigns - 1) *
        campaign_interval_steps``; ``None`` without campaigns or with a trace (its campaigns start where
        the trace's attack flows do)."""
        if self.traffic != "synthetic" or self.n_campaigns == 0:
            return None
        return self.warmup_steps + 1 + (self.n_campaigns - 1) * self.campaign_interval_steps

    @property
    def steps_covering_windows(self) -> int | None:
        """The fewest steps of a run in which every campaign's evaluation window is complete,
        ``last_campaign_start + eval_window_steps - 1`` (``None`` where :attr:`last_campaign_start` is)."""
        last = self.last_campaign_start
        return None if last is None else last + self.eval_window_steps - 1

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of all fields (JSON-serialisable; pairs fields as lists of ``[name, value]``, so
        the dict equals its own JSON round trip)."""
        values = dataclasses.asdict(self)
        for f in dataclasses.fields(self):
            if "pairs" in f.metadata:
                values[f.name] = pairs_as_lists(values[f.name])
            elif "many" in f.metadata:
                values[f.name] = list(values[f.name])
        return values

    def replace(self, **changes: Any) -> ModelParams:
        """A copy with some fields changed (validated)."""
        check_known("parameter", changes, field_names())
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> ModelParams:
        """Build from a mapping, rejecting unknown keys with a clear error."""
        check_known("parameter", values, field_names())
        return cls(**dict(values))

    @classmethod
    def preset(cls, name: str, **overrides: Any) -> ModelParams:
        """Parameters of a named world (``"easy"``, ``"realistic"``, ``"hard"``; see
        :mod:`workbench.model.presets`), with any field overridden."""
        check_choice("preset", name, PRESET_NAMES)
        return cls.from_dict({**PRESETS[name], **overrides})

    def __repr__(self) -> str:
        return params_repr(self)

    def _repr_html_(self) -> str:
        return params_html(self)

    @classmethod
    def describe(cls) -> pd.DataFrame:
        """One row per field: ``name``, ``default``, ``allowed`` (values or range), ``unit`` and ``doc``
        (iterate rows with ``.to_dict("records")``)."""
        import pandas as pd

        rows = []
        defaults = cls()
        for f in dataclasses.fields(cls):
            allowed = (
                ", ".join(f.metadata["choices"])
                if "choices" in f.metadata
                else f"a list of {IMPORT_PATH} naming Outcome objects"
                if "many" in f.metadata
                else f.metadata["component"].describe()
                if "component" in f.metadata
                else "True, False"
                if "bool" in f.metadata
                else f.metadata["range"].describe()
                if "range" in f.metadata
                else "(name, value) pairs, a dict or a JSON object"
                if "pairs" in f.metadata
                else "any"
            )
            rows.append(
                {
                    "name": f.name,
                    "default": getattr(defaults, f.name),
                    "allowed": allowed,
                    "unit": unit_of(f),
                    "doc": f.metadata.get("doc", ""),
                }
            )
        return pd.DataFrame(rows, columns=["name", "default", "allowed", "unit", "doc"])


def quorum_of_share(share: float, n_nodes: int) -> int:
    """``min(n_nodes, max(2, ceil(share * n_nodes)))``: a quorum of ``share`` of ``n_nodes`` nodes, never one
    node alone (a single forger's report would confirm itself; ``n_nodes >= 2``)."""
    return min(n_nodes, max(2, math.ceil(share * n_nodes - 1e-9)))


def field_names() -> tuple[str, ...]:
    """Names of all :class:`ModelParams` fields."""
    return _FIELD_NAMES


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(ModelParams))
_dataclass_init = ModelParams.__init__


@functools.wraps(_dataclass_init)
def _init_checking_names(self: ModelParams, *args: Any, **kwargs: Any) -> None:
    # Python's own error for ModelParams(n_node=100) names no alternative; this one does
    check_known("parameter", kwargs, _FIELD_NAMES)
    _dataclass_init(self, *args, **kwargs)


ModelParams.__init__ = _init_checking_names  # type: ignore[method-assign]


def allowed_names(name: str) -> tuple[str, ...]:
    """The named values a field allows: a component's registered names (an import path is allowed too) or a
    choice field's choices; ``()`` for other fields."""
    f = {f.name: f for f in dataclasses.fields(ModelParams)}[name]
    if "component" in f.metadata:
        return f.metadata["component"].names()
    return tuple(f.metadata.get("choices", ()))
