"""The Mesa 3 model: AI-powered nodes detect anomalies, share signatures, vote, and block what is confirmed.

A step (``t`` is Mesa's 1-based step counter) runs the phases of :mod:`workbench.model.phases` in
order over the explicit :class:`~workbench.model.state.ModelState`:

0. churn (with a churn rate above 0): nodes leave, new ones join and catch up from the channel
   (:mod:`~workbench.model.churn`); what the sharing channel carries and votes due at ``t`` arrive;
1. campaigns start at a few nodes and spread along the topology from every targeted node;
2. sharing: the channel's round (a gossip round of pending signatures and confirmations, lossy,
   through relays that may drop; nothing for the other built-in channels);
3. nodes vote on the signatures they hold (their own evidence, or independently), if the channel
   carries votes; votes leave;
4. the channel decides the signatures that are due (by consensus over the votes that arrived, or
   by its aggregator); confirmations reach nodes the channel's way;
5. traffic (warm-up traffic, possibly contaminated, during warm-up): benign flows from drifting
   per-node baselines plus campaign flows from their current prefixes; every node's detector scores
   the whole step in one vectorised call; flows matching a known confirmed signature are blocked;
6. flagged flows become signatures (plus forgeries by malicious nodes), enter the channel and the ledger;
   the honest nodes applying each confirmed signature are counted (:mod:`~workbench.model.confirmations`).

The sharing channel is a component (:mod:`workbench.model.channels`): the phases call it and never
look at which one it is.

Each phase returns what it produced (:class:`~workbench.model.state.StepOutput`); the step appends
the ledger records and keeps the counts. Agents are thin views over the state's per-node arrays:
the work of a step is vectorised across nodes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from workbench.ledger import open_ledger
from workbench.model import metrics
from workbench.model.adversaries.base import adversary_of
from workbench.model.agents import NodeAgent
from workbench.model.churn import churn_step
from workbench.model.confirmations import note_applied
from workbench.model.consensus import BetaTrust
from workbench.model.novelty import build_bank
from workbench.model.params import ModelParams
from workbench.model.phases.blocking import blocked_flows
from workbench.model.phases.decision import decide_due, update_protection
from workbench.model.phases.delivery import deliver
from workbench.model.phases.detection import WarmupDetector
from workbench.model.phases.proposal import propose
from workbench.model.phases.sharing import share
from workbench.model.phases.traffic_counts import count_traffic
from workbench.model.phases.vote import cast_votes
from workbench.model.signatures import SignatureTable
from workbench.model.sources import make_source
from workbench.model.state import ModelState, StepOutput
from workbench.model.topology import adjacency, build_graph
from workbench.model.trace_params import load_trace, with_trace
from workbench.model.voting import EvidenceWindow


class ThreatIntelModel(mesa.Model):
    """Collaborative threat detection on a network of AI-powered nodes.

    Args:
        params: validated parameters; ``None`` means the defaults.
        rng: seed or numpy Generator; all randomness flows from it.
        **overrides: field names of :class:`ModelParams` (so SolaraViz can pass keyword parameters).

    ``state`` holds everything that changes from step to step; ``traffic``, ``detector`` and ``ledger``
    are the flow source, the nodes' detectors and the record; ``graph``/``grid`` the topology.
    """

    def __init__(self, params: ModelParams | None = None, *, rng: Any = None, **overrides: Any) -> None:
        params = (
            ModelParams.from_dict(overrides) if params is None else params.replace(**overrides) if overrides else params
        )
        if params.ledger == "sqlite" and Path(str(params.ledger_path)).exists():
            raise ValueError(
                f"ledger_path={params.ledger_path!r} already exists; a run never appends to or overwrites "
                "an earlier ledger: give a new path or remove the file"
            )
        # a trace is read (any bad row raised) before anything runs or is written; it sets n_nodes and n_campaigns
        trace = load_trace(params) if params.traffic == "trace" else None
        if trace is not None:
            params = with_trace(params, trace)
        super().__init__(rng=rng)
        self.params = p = params
        n, f = p.n_nodes, p.flows_per_node
        # the order of the draws from self.rng below is part of the model: same seed, same run
        self.graph = build_graph(p.topology, n, p.mean_degree, p.rewire_prob, self.rng)
        self.grid = Network(self.graph, capacity=1, random=self.random, layout=None)
        malicious = np.zeros(n, bool)
        malicious[self.rng.choice(n, min(p.n_malicious, n - 1), replace=False)] = True
        self.traffic = make_source(p, self.rng, trace)
        bank = build_bank(p, self.rng)
        self.detector = WarmupDetector(bank, p.warmup_steps, n, f, window=self.traffic.warmup_window())
        self.state = ModelState(
            params=p,
            adjacency=adjacency(self.graph),
            malicious=malicious,
            campaigns=self.traffic.campaigns,
            probes=self.traffic.probes,
            sigs=SignatureTable(n),
            trust=BetaTrust(n, decay=p.trust_decay),
            window=EvidenceWindow(p.evidence_window_steps, n, f),
        )
        self.state.relays = self.state.churn.role_relays = adversary_of(p).relays(self.state)
        self.ledger = open_ledger(p.ledger, p.ledger_path, n_nodes=n, key_seed=int(self.rng.integers(2**31 - 1)))
        for node in range(n):
            NodeAgent(self, node, self.grid[node], self.state)
        self.datacollector = mesa.DataCollector(model_reporters=metrics.model_reporters(p.n_campaigns))

    def step(self) -> None:
        self.advance(self.steps)
        self.datacollector.collect(self)

    def advance(self, t: int) -> StepOutput:
        """Run step ``t``'s phases; append its ledger records; return what it produced."""
        state, rng = self.state, self.rng
        state.probe_keys = self.traffic.campaign_keys(t)
        out = StepOutput(churn_step(state, t, rng) + deliver(state, t))  # churn draws only with a churn rate > 0
        self.traffic.advance_campaigns(state, t, rng)
        out += StepOutput(share(state, t, rng))
        out += cast_votes(state, t, rng)
        out += decide_due(state, t)
        update_protection(state, t)
        flows, valid = self.traffic.flows(t, state.targeted)
        if self.params.churn:  # a departed node receives no flows: they are flagged, blocked and counted nowhere
            here = np.broadcast_to(state.present[:, None], flows.label.shape)
            valid = here if valid is None else valid & here
        blocked = blocked_flows(state.sigs, flows, self.params.local_first)
        forged = state.sigs.view.forged
        # the harm forgeries do: the flows forged rules block (none without forgeries; a subset of ``blocked``)
        by_forged = blocked_flows(state.sigs, flows, self.params.local_first, only=forged) if forged.any() else None
        if valid is not None:  # padding of a replayed trace is never blocked (nor flagged, nor counted)
            blocked &= valid
            by_forged = None if by_forged is None else by_forged & valid
        flagged = self.detector.flag(t, flows.features(), valid, blocked)
        state.window.push(flows.key, flows.dst_port, flows.log_bytes, flows.log_packets, flagged)
        out += propose(state, t, flows, flagged, self.traffic, rng)
        out += StepOutput(count_traffic(state, t, flows, flagged, blocked, by_forged))
        note_applied(state, t)  # a confirmation's delivery, observed after every hook of the step (reads only)
        if out.entries:
            self.ledger.append_batch(t, out.entries)
        state.last, state.totals = out.counts, state.totals + out.counts
        return out
