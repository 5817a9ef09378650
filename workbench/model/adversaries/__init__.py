"""Adversary behaviours: how malicious nodes vote, propose and relay, given what they can see.

``ModelParams.malicious_behavior`` names a behaviour: a registered name below or an import path
``"package.module:Class"`` of a researcher's own (a class instantiated without arguments, or an
instance). The protocol is :class:`~workbench.model.adversaries.base.Adversary`: which nodes may forge
at a step, how the malicious voters among a step's (signature, voter) pairs vote, and which nodes pass
on others' items. Only malicious nodes' votes are taken from it; honest voters vote by their evidence.

============== ==================================================================== ==============
name           what malicious nodes do                                              module
============== ==================================================================== ==============
``forge``      publish forged rules (``forge_prob`` per step each); vote honestly   ``forge``
``lie``        vote against their evidence (independent validators: always wrongly) ``lie``
``collude``    approve forgeries, reject everything else, and forge                 ``collude``
``betray``     behave honestly for ``betray_after_steps`` steps, then collude       ``betray``
``equivocate`` as an ordering ledger's leader, send different blocks to two halves  ``equivocate``
               of the honest replicas; as a replica, vote for both versions; vote
               honestly on signatures, forge nothing
``censor``     as an ordering ledger's leader, leave honest nodes' entries out of   ``censor``
               its blocks; as a replica, withhold protocol votes; vote honestly on
               signatures, forge nothing
============== ==================================================================== ==============

Relaying is the same for every built-in behaviour: ``malicious_relay="forward"`` passes others'
items on, ``"drop"`` swallows them.
"""

from __future__ import annotations

from typing import Any

from workbench.model.components import Registry, missing_methods

#: What an adversary provides (see ``base.Adversary``).
METHODS = ("forging", "votes", "relays")


def _problem(adversary: Any) -> str | None:
    return missing_methods(adversary, METHODS)


ADVERSARIES = Registry(
    "malicious_behavior",
    "adversary behaviour",
    {
        "forge": "workbench.model.adversaries.forge:Forgers",
        "lie": "workbench.model.adversaries.lie:Liars",
        "collude": "workbench.model.adversaries.collude:Colluders",
        "betray": "workbench.model.adversaries.betray:Betrayers",
        "equivocate": "workbench.model.adversaries.equivocate:Equivocators",
        "censor": "workbench.model.adversaries.censor:Censors",
    },
    protocol="forging(state, t), votes(state, t, sig, voter, honest, independent) and relays(state) "
    "(subclass workbench.model.adversaries.base.Adversary)",
    problem=_problem,
)
