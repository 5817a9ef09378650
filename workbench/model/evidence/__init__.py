"""Evidence rules: how an honest evidence voter turns what it saw into a vote.

With ``validation="evidence"`` a node votes on a signature from its own recent traffic: the flows of
its last ``evidence_window_steps`` steps that match the signature's rule, and how many of them its own
detector flagged (:class:`~workbench.model.voting.Evidence`). ``ModelParams.evidence_rule`` names the
rule that makes the vote: a registered name below or an import path ``"package.module:attr"`` of a
researcher's own. A rule is any callable ``rule(evidence) -> (P,) int8`` votes (``+1`` approve, ``-1``
reject, ``0`` abstain: a node that abstains may vote at a later step, while the signature is open); a
class is instantiated without arguments.

============ ===================================================================== ============
name         vote                                                                  module
============ ===================================================================== ============
``binomial`` abstain below ``evidence_min_matched`` matching flows; else approve   ``binomial``
             when the binomial log-likelihood ratio of ``k`` flagged of ``n``
             matching flows, attack (recall ``r = evidence_recall``) against
             benign (the voter's own flag rate ``f``),
             ``k ln(r/f) + (n-k) ln((1-r)/(1-f))``, is ``>= 0``, reject when it is
             below (the default)
``half``     abstain without matching flows; approve when at least half of the     ``half``
             matching flows were flagged, reject when fewer
============ ===================================================================== ============

Adding a rule is one module with one callable, and its line in the table below.
"""

from __future__ import annotations

from typing import Any

from workbench.model.components import Registry, describe_object


def _problem(rule: Any) -> str | None:
    return None if callable(rule) else f"{describe_object(rule)} is not callable"


EVIDENCE_RULES = Registry(
    "evidence_rule",
    "evidence rule",
    {
        "binomial": "workbench.model.evidence.binomial:binomial",
        "half": "workbench.model.evidence.half:half",
    },
    protocol="to be callable as rule(evidence) -> int8 votes (workbench.model.voting.Evidence)",
    problem=_problem,
)
