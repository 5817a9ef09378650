"""An honest evidence voter's rule turns its matching and flagged recent flows into a vote."""

from __future__ import annotations

import numpy as np
import pytest

from workbench import ModelParams, run_model
from workbench.model.evidence import EVIDENCE_RULES
from workbench.model.voting import Evidence, EvidenceWindow

SMALL = dict(n_nodes=20, flows_per_node=30, warmup_steps=3, n_campaigns=3, campaign_interval_steps=5)


def _evidence(matched, flagged) -> Evidence:
    n = len(matched)
    window = EvidenceWindow(1, 1, 1)
    return Evidence(np.zeros(n, np.int64), np.zeros(n, np.int64), np.array(matched), np.array(flagged), window)


def test_half_is_the_default_and_approves_at_half_the_matching_flows_flagged():
    assert EVIDENCE_RULES.names() == ("half",) and ModelParams().evidence_rule == "half"
    votes = EVIDENCE_RULES.get("half")(_evidence([0, 4, 4, 5, 3], [0, 2, 1, 2, 3]))
    assert votes.dtype == np.int8 and votes.tolist() == [0, 1, -1, -1, 1]


def test_a_rule_by_import_path_votes_for_every_honest_evidence_voter():
    strict = EVIDENCE_RULES.get("user_components:all_flagged")
    assert strict(_evidence([0, 4, 4], [0, 4, 3])).tolist() == [0, 1, -1]
    world = ModelParams.preset("realistic", **SMALL)  # detectors that err, so evidence is mixed
    half, all_flagged = (
        run_model(world.replace(evidence_rule=rule), seed=6, steps=30).votes
        for rule in ("half", "user_components:all_flagged")
    )
    assert len(half) and len(all_flagged)
    reject_share = [(v.vote < 0).mean() for v in (half, all_flagged)]
    assert reject_share[1] > reject_share[0]  # the stricter rule rejects more


def test_a_rule_that_is_not_callable_is_refused():
    with pytest.raises(ValueError, match=r"evidence_rule='user_components:SMALL_QUORUM': .* is not callable"):
        ModelParams(evidence_rule="user_components:SMALL_QUORUM")
    with pytest.raises(ValueError, match=r"evidence_rule='halve' is not allowed; .*\(closest: 'half'\)"):
        ModelParams(evidence_rule="halve")
