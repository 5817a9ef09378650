"""Where the model's traffic comes from: the synthetic generator or a replayed trace, behind one interface.

The model calls a source for everything traffic-shaped (``traffic="synthetic"`` or ``"trace"``):

* ``campaigns`` (:class:`~workbench.model.traffic.Campaign` list) and ``probes`` (sample flows of
  each campaign: ground truth for which campaign a signature covers);
* ``warmup_window()``: the detectors' warm-up window ``(N, W, 4)``, or ``None`` when the detector
  buffers the warm-up steps' own traffic (synthetic);
* ``advance_campaigns(state, t, rng)``: campaigns start and spread (synthetic), or the trace says
  which nodes each labelled category reached (trace); updates ``state.targeted``;
* ``flows(t, targeted)``: the step's flows ``(N, F)`` and a ``valid`` mask (``None``: all valid);
* ``service_prefix``, ``service_port``, ``service_proto``, ``service_weight``: where a forger aims
  fake rules.

Trace time: model step ``t`` (1-based) replays trace step ``t - 1``; warm-up steps ``1..W`` are
trace steps ``0..W-1``, whatever they contain. A campaign's ``start_step`` is the model step at
which its label is first seen, ``kind`` its label. Padding flows (``valid`` False) carry label
``-1``: the counts of ``label == 0`` / ``label > 0`` never include them, and the model masks
flags and blocks with ``valid``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from workbench.flows import Flows
from workbench.model.phases.spread import spread_campaigns
from workbench.model.state import ModelState
from workbench.model.traffic import DIFFICULTY, Campaign, TrafficGenerator

if TYPE_CHECKING:
    from workbench.model.params import ModelParams
    from workbench.traces import TraceTraffic

#: probe flows per campaign (as the synthetic generator's default)
N_PROBES = 256


class SyntheticSource:
    """The synthetic :class:`TrafficGenerator`: campaigns spread along the topology."""

    def __init__(self, p: ModelParams, rng: np.random.Generator) -> None:
        # the order of the draws is part of the model: same seed, same run
        self.generator = g = TrafficGenerator(
            rng,
            p.n_nodes,
            p.flows_per_node,
            p.n_campaigns,
            p.warmup_steps + 1,
            p.campaign_interval_steps,
            p.attack_flows_per_node,
            **{k: getattr(p, k) for k in DIFFICULTY},
            attack_share=p.attack_share,
        )
        self.warmup_steps = p.warmup_steps
        self.campaigns: list[Campaign] = g.campaigns
        self.probes = g.probes()
        self.service_prefix, self.service_port = g.service_prefix, g.service_port
        self.service_proto, self.service_weight = g.service_proto, g.service_weight

    def warmup_window(self) -> np.ndarray | None:
        return None

    def advance_campaigns(self, state: ModelState, t: int, rng: np.random.Generator) -> None:
        spread_campaigns(state, t, rng)

    def campaign_keys(self, t: int) -> list[np.ndarray]:
        """The flow keys each campaign sends from at step ``t`` (attackers' prefixes rotate)."""
        return self.generator.campaign_keys(t)

    def flows(self, t: int, targeted: np.ndarray) -> tuple[Flows, np.ndarray | None]:
        """Step ``t``'s flows: warm-up traffic (possibly contaminated) during warm-up, then benign traffic
        from drifting baselines, with the campaigns' flows from their current prefixes on top."""
        g = self.generator
        flows = g.warmup() if t <= self.warmup_steps else g.benign()
        g.overlay_attacks(flows, targeted, t)
        return flows, None


class ReplaySource:
    """A :class:`~workbench.traces.TraceTraffic` as the model's traffic (see the module docstring).

    Draws from ``rng`` at setup: the probes, then the warm-up window (``warmup_steps *
    flows_per_node`` flows per node, from its own flows of the first ``warmup_steps`` trace steps);
    at each step: the subsample of nodes with more than ``flows_per_node`` flows.
    """

    def __init__(self, p: ModelParams, rng: np.random.Generator, trace: TraceTraffic) -> None:
        self.trace, self.rng = trace, rng
        keys = trace.campaign_keys()
        first = trace.campaigns["first_step"].to_numpy()
        self.campaigns = [
            Campaign(
                c,
                name,
                int(keys[c]) // 256,
                int(first[c]) + 1,
                0,
                int(keys[c]) % 256,
                np.array([int(keys[c]) // 256], np.int64),
            )
            for c, name in enumerate(trace.campaign_labels)
        ]
        # coverage compares a rule with one key per campaign: probe the campaign's flows with that key
        self.probes = trace.probes(N_PROBES, rng, main_key=True)
        self._window = trace.warmup_features(p.warmup_steps, p.warmup_steps * p.flows_per_node, rng)
        services = trace.benign_services()
        self.service_prefix = services["prefix"].to_numpy(np.int64)
        self.service_port = services["port"].to_numpy(np.int32)
        self.service_proto = services["proto"].to_numpy(np.int16)
        self.service_weight = services["weight"].to_numpy(float)

    def warmup_window(self) -> np.ndarray | None:
        return self._window

    def campaign_keys(self, t: int) -> list[np.ndarray]:
        """One key per campaign, its most common one (a trace's attackers do not rotate on a schedule)."""
        return [np.array([int(k)], np.int64) for k in self.trace.campaign_keys()]

    def advance_campaigns(self, state: ModelState, t: int, rng: np.random.Generator) -> None:
        """A node is targeted by a category from the first step the trace shows it a flow of it."""
        state.targeted |= self.trace.targeted(t - 1)

    def flows(self, t: int, targeted: np.ndarray) -> tuple[Flows, np.ndarray | None]:
        st = self.trace.step(t - 1, self.rng)
        return st.flows, st.valid


TrafficSource = SyntheticSource | ReplaySource


def make_source(p: ModelParams, rng: np.random.Generator, trace: Any = None) -> TrafficSource:
    """The source ``p.traffic`` names (``trace``: the loaded :class:`~workbench.traces.TraceTraffic`)."""
    if p.traffic == "trace":
        if trace is None:
            raise ValueError("traffic='trace' needs the loaded trace (workbench.model.trace_params.load_trace)")
        return ReplaySource(p, rng, trace)
    return SyntheticSource(p, rng)
