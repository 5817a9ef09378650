"""The frontier's Pareto directions, the ranking of designs and the headline cards read the declared outcomes."""

from __future__ import annotations

import pytest

from workbench.analysis.headline import format_item, headline_payload
from workbench.analysis.studies.frontier.analysis import OBJECTIVES
from workbench.model.outcomes import INFO
from workbench.model.outcomes.catalog import directions, outcome
from workbench.report_site import render_card


def test_pareto_directions_come_from_the_declarations():
    assert directions(OBJECTIVES) == {
        "minimize": ["benign_blocked", "forged_harm", "msgs_node_step"],
        "maximize": ["protection"],
    }
    assert directions(["protected_frac_mean", "forged_reach_frac"]) == {
        "minimize": ["forged_reach_frac"],
        "maximize": ["protected_frac_mean"],
    }
    assert outcome("signatures_proposed").direction == INFO
    with pytest.raises(ValueError, match="no direction"):
        directions(["signatures_proposed"])
    with pytest.raises(KeyError, match="not a declared outcome"):
        directions(["no_such_outcome"])


def test_a_headline_card_takes_the_outcomes_unit_and_direction():
    payload = headline_payload(
        {"t50": (4.0, 3.0, 6.0), "runs": 12}, labels={"t50": "fastest t50"}, outcomes={"t50": "t50_median_steps"}
    )
    t50, runs = payload["items"]
    assert t50["unit"] == "steps" and t50["better"] == "lower" and "better" not in runs
    assert format_item(t50) == "4 [3, 6] steps (lower is better)"
    card = render_card({"status": "ok", "name": "05_frontier", "title": "t", "headline": [t50]})
    assert "lower is better" in card and "steps" in card
