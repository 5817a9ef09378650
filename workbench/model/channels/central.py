"""``sharing="central"``: nodes report their rules to one aggregator, which decides and broadcasts.

Costs: a report is 1 message (node to aggregator); a confirmation is broadcast to all ``N`` nodes
(``N`` messages); a rejection is not broadcast. Nodes do not vote. The aggregator confirms a rule key
once ``central_quorum`` distinct nodes reported it within ``vote_deadline_steps`` and rejects reports
left alone that long; a ``compromised`` aggregator also confirms whatever malicious nodes send and
files forgeries of its own, a ``down`` one decides nothing from ``aggregator_down_step`` on (see
:mod:`workbench.model.aggregator`).
"""

from __future__ import annotations

import numpy as np

from workbench.model.aggregator import central_decisions
from workbench.model.catch_up import confirmed_rows, every_pair, learn
from workbench.model.channels.base import Channel, Forge
from workbench.model.message_sizes import CONFIRMATION, sent
from workbench.model.params import ModelParams
from workbench.model.reach import note_carrying, note_reached
from workbench.model.signatures import PENDING, NewSignature
from workbench.model.state import ModelState, StepCounts, StepOutput

REPORT_MESSAGES = 1  # a node's report to the aggregator


def broadcast_messages(n_nodes: int) -> int:
    """Messages of one confirmation broadcast to every node."""
    return n_nodes


class CentralAggregator(Channel):
    """One aggregator decides on the reports it receives (see the module docstring)."""

    decided_by = "aggregator"
    announce_message_bytes = CONFIRMATION  # the broadcast carries the confirmed rule

    def on_proposed(self, state: ModelState, t: int, rows: np.ndarray) -> StepOutput:
        state.sigs.cols.messages[rows] += REPORT_MESSAGES
        note_carrying(state.sigs.cols, rows, REPORT_MESSAGES)
        return StepOutput(sent("signature", REPORT_MESSAGES * rows.size))

    def extra_proposals(self, state: ModelState, t: int, rng: np.random.Generator, forge: Forge) -> list[NewSignature]:
        p = state.params
        if p.aggregator == "compromised" and t > p.warmup_steps and p.forge_prob > 0 and rng.random() < p.forge_prob:
            # a compromised aggregator files forgeries of its own, in the name of a node it picks
            return [forge(int(rng.integers(p.n_nodes)))]
        return []

    def files_forgeries(self, params: ModelParams) -> bool:
        return params.aggregator == "compromised" and params.forge_prob > 0

    def catch_up(self, state: ModelState, t: int, joined: np.ndarray, rng: np.random.Generator) -> StepCounts:
        """Each joiner asks the aggregator (a ``pull_request``), which sends it every rule it confirmed so far (a
        ``confirmation`` each); a ``down`` aggregator answers nothing."""
        p = state.params
        request = sent("pull_request", joined.size)
        if p.aggregator == "down" and p.aggregator_down_step is not None and t >= p.aggregator_down_step:
            return request
        rows = confirmed_rows(state)
        learn(state, *every_pair(rows, joined))
        return request + sent("confirmation", rows.size * joined.size)

    def decide(self, state: ModelState, t: int) -> tuple[np.ndarray, np.ndarray]:
        p, s = state.params, state.sigs
        origin = s.view.origin
        confirm, reject = central_decisions(
            s.view.key,
            origin,
            s.view.created_step,
            s.view.outcome == PENDING,
            state.malicious[origin] | s.view.forged,
            t,
            central_quorum=p.effective_central_quorum,
            window=p.vote_deadline_steps,
            mode=p.aggregator,
            down_step=p.aggregator_down_step,
        )
        due = np.flatnonzero(confirm | reject)
        return due, confirm[due]

    def announce(self, state: ModelState, t: int, decided: np.ndarray, confirmed: np.ndarray) -> int:
        s, per_confirmation = state.sigs, broadcast_messages(state.params.n_nodes)
        s.knows.fill(confirmed)
        s.holds.fill(confirmed)
        note_reached(s.cols, confirmed, np.full(confirmed.size, state.params.n_nodes), t)
        s.cols.messages[confirmed] += per_confirmation
        note_carrying(s.cols, confirmed, per_confirmation)
        return per_confirmation * confirmed.size
