"""Ledger ordering protocols: how ``sharing="ledger"`` orders its entries into one log.

``ModelParams.ledger_protocol`` names a protocol: a registered name below or an import path
``"package.module:Class"`` of a researcher's own (a class called without arguments, or an instance).
The protocol is :class:`~workbench.model.ledger_protocols.base.LedgerProtocol`; the ledger channel
(:mod:`workbench.model.channels.ledger`) calls it and never looks at which protocol it has. Every
protocol carries the same entries (signatures, votes and decisions; the votes are decided by the
channel's consensus rule, :class:`~workbench.model.channels.base.VotingChannel`); what differs is
how and when an entry reaches each node, what that costs, and what can go wrong. See
``docs/ledger-protocols.md``.

================== ===================================================================== ==================
name               what orders the entries                                               module
================== ===================================================================== ==================
``ideal``          nothing: an idealised replicated log, every entry reaches every node  ``ideal``
                   ``ledger_latency_steps`` after it is appended (``N - 1`` messages),
                   no leader, no blocks, cannot fail
``crash_tolerant`` a Raft-like leader cuts blocks every ``block_interval_steps``;        ``crash_tolerant``
                   ``3 (N - 1)`` messages per block; a new leader after
                   ``leader_timeout_steps`` when it crashes; no defence against a
                   Byzantine leader
``bft``            a PBFT-like primary: pre-prepare / prepare / commit, ``2 N (N - 1)``  ``bft``
                   messages per block, view change on timeout; safe while faulty
                   replicas ``f < N / 3``
================== ===================================================================== ==================

This package's ``__init__`` imports nothing of the model, so that parameters can check names cheaply;
a protocol's module is imported on first use.
"""

from __future__ import annotations

from typing import Any

from workbench.model.components import Registry, missing_methods

#: What a protocol provides (see ``base.LedgerProtocol``), in the order a step calls the channel hooks.
METHODS = ("check_params", "arrive", "share_round", "send_votes", "announce", "on_proposed", "stats")


def _problem(protocol: Any) -> str | None:
    return missing_methods(protocol, METHODS, attributes=("consistent_by_construction",))


LEDGER_PROTOCOLS = Registry(
    "ledger_protocol",
    "ledger ordering protocol",
    {
        "ideal": "workbench.model.ledger_protocols.ideal:IdealLog",
        "crash_tolerant": "workbench.model.ledger_protocols.crash_tolerant:CrashTolerantLog",
        "bft": "workbench.model.ledger_protocols.bft:ByzantineTolerantLog",
    },
    protocol="the methods of workbench.model.ledger_protocols.base.LedgerProtocol (subclass it)",
    problem=_problem,
)
