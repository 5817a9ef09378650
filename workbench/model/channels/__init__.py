"""Sharing channels: how signatures, votes and decisions reach other nodes, one module per channel.

``ModelParams.sharing`` names a channel: a registered name below or an import path
``"package.module:Class"`` of a researcher's own (a class called without arguments, or an instance).
The protocol -- the hooks a step calls, in order -- is :class:`~workbench.model.channels.base.Channel`;
phases call it and never look at which channel they have.

=========== ==================================================================== ============
name        what happens                                                         module
=========== ==================================================================== ============
``none``    isolated nodes: a node confirms its own rule at once, no one else    ``none``
            learns of it; no messages
``central`` reports to one aggregator (1 message), which confirms on             ``central``
            corroboration and broadcasts confirmations (``N`` messages)
``ledger``  a replicated log: signatures, votes and decisions are entries,       ``ledger``
            ordered by ``ledger_protocol`` (``ideal``: ``N - 1`` messages each,
            visible after ``ledger_latency_steps``; ``crash_tolerant``, ``bft``:
            blocks cut by a leader, :mod:`workbench.model.ledger_protocols`)
``gossip``  push / push-pull / rumour gossip of signatures and decisions;        ``gossip``
            votes travel hop by hop (one message per hop, lossy)
=========== ==================================================================== ============

This package's ``__init__`` imports nothing of the model, so that parameters can check names cheaply;
a channel's module is imported on first use.
"""

from __future__ import annotations

from typing import Any

from workbench.model.components import Registry, missing_methods

#: The hooks a channel provides, in the order a step calls them (see ``base.Channel``).
HOOKS = (
    "arrive",
    "share_round",
    "vote_losses",
    "send_votes",
    "decide",
    "announce",
    "extra_proposals",
    "on_proposed",
)


def _problem(channel: Any) -> str | None:
    return missing_methods(channel, HOOKS, attributes=("carries_votes",))


CHANNELS = Registry(
    "sharing",
    "sharing channel",
    {
        "none": "workbench.model.channels.none:Isolated",
        "central": "workbench.model.channels.central:CentralAggregator",
        "ledger": "workbench.model.channels.ledger:ReplicatedLedger",
        "gossip": "workbench.model.channels.gossip:GossipChannel",
    },
    protocol="the hooks of workbench.model.channels.base.Channel (subclass it)",
    problem=_problem,
)
