"""Consensus rules: which due signatures a vote confirms, as a pure function of the votes, weights and quorum.

``ModelParams.consensus`` names a rule: a registered name below or an import path
``"package.module:attr"`` of a researcher's own. A rule is any callable
``rule(tally, quorum) -> (S,) bools`` (a class is instantiated without arguments) over a
:class:`~workbench.model.consensus.Tally` of ``S`` signatures' arrived votes; it decides among the
signatures that already passed the turnout floor (``min_votes``, ``min_participation``), which is the
same for every rule (:func:`workbench.model.consensus.decide`). A rule with a vote-count threshold may
also give ``approvals_needed(votes_cast, quorum)``, which the analytic checks use; a rule that decides on vote
counts alone may declare ``counts_only = True``, so that the trust weights are not computed for it.

================== =================================================================== ==================
name               confirms when                                                       module
================== =================================================================== ==================
``majority``       more than half of the votes cast approve (``floor(v / 2) + 1``)     ``majority``
``supermajority``  at least ``ceil(quorum * v)`` of the ``v`` votes cast approve        ``supermajority``
``trust_weighted`` the trust-weighted approving weight exceeds half of all votes'        ``trust_weighted``
================== =================================================================== ==================

Adding a rule is one module with one callable, and its line in the table below.
"""

from __future__ import annotations

from typing import Any

from workbench.model.components import Registry, describe_object


def _problem(rule: Any) -> str | None:
    return None if callable(rule) else f"{describe_object(rule)} is not callable"


CONSENSUS_RULES = Registry(
    "consensus",
    "consensus rule",
    {
        "majority": "workbench.model.consensus_rules.majority:Majority",
        "supermajority": "workbench.model.consensus_rules.supermajority:Supermajority",
        "trust_weighted": "workbench.model.consensus_rules.trust_weighted:TrustWeighted",
    },
    protocol="to be callable as rule(tally, quorum) -> array of bools (workbench.model.consensus.Tally)",
    problem=_problem,
)
