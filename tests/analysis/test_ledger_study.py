"""Study 12 (the ledger under attack): its design covers every window with common seeds and puts the
malicious nodes at and above the BFT fault bound; its analysis pairs every design with the ideal ledger,
reports values fixed by the design as such and ledger outcomes of channels without a ledger as undefined;
its prose and headline take their numbers from the findings. Analysis tests run on constructed frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.analysis.studies import ledger as study
from workbench.model.ledger_protocols.bft import fault_bound
from workbench.model.params import ModelParams

OUTCOMES = [o.column for o in study.PRIMARY]


@pytest.mark.parametrize("n", [4, 10, 13, 31, 50])
def test_fractions_sit_at_the_fault_bound_and_one_node_above_in_whole_nodes(n):
    below, above = study.fractions_around_bound(n)
    p_below = ModelParams(n_nodes=n, malicious_fraction=below)
    p_above = ModelParams(n_nodes=n, malicious_fraction=above)
    f = fault_bound(n)
    assert p_below.n_malicious == f and 3 * f < n  # tolerated: f < N/3
    assert p_above.n_malicious == f + 1 and 3 * (f + 1) >= n  # not tolerated


@pytest.mark.parametrize("size", ["small", "full"])
def test_design_covers_every_window_with_common_seeds_and_counts_its_runs(size):
    d = study.design(size, seed=7)
    n = d.base.n_nodes
    cells = sum(len(next(iter(study.scenario_levels(s, n).values()))) for s in study.SCENARIOS)
    assert cells == sum(2 if sc.malicious or sc.levels else 1 for sc in study.SCENARIOS.values())
    reps = study.SIZES[size]["replicates"]
    assert d.runs == len(study.DESIGNS) * cells * reps
    seeds = {tuple(r.seed for r in s.runs if r.point == 0) for s in d.sweeps}
    assert len(seeds) == 1  # replicate r has the same seed in every block
    for sweep in d.sweeps:
        assert sweep.steps >= sweep.base.steps_covering_windows
        assert sweep.base.vote_deadline_steps >= 8 and sweep.base.ledger_latency_steps == 1
    labels = {(lab["scenario"], lab["design"]) for lab in d.labels}
    assert labels == {(s, n) for s in study.SCENARIOS for n in study.DESIGNS}
    crash = {lab["design"]: s.base for s, lab in zip(d.sweeps, d.labels) if lab["scenario"] == "leader_crash"}
    assert crash["bft"].leader_crash_step == study.crash_step(crash["bft"])
    assert (
        crash["central"].aggregator == "down"
        and crash["central"].aggregator_down_step == crash["bft"].leader_crash_step
    )
    churn = [s.base for s, lab in zip(d.sweeps, d.labels) if lab["scenario"] == "churn"]
    assert len(churn) == len(study.DESIGNS)
    assert all(b.churn_join_rate == study.CHURN_JOIN_RATE and b.malicious_fraction == 0 for b in churn)
    for s, lab in zip(d.sweeps, d.labels):
        if lab["scenario"] == "churn":
            assert sorted({r.params["churn_leave_rate"] for r in s.runs}) == sorted(study.CHURN_LEAVE_RATES)
    with pytest.raises(ValueError, match="names no scenario"):
        study.design("small", scenarios=["meteor"])


def _results(shift: dict[str, float], reps: int = 6, seed: int = 0) -> pd.DataFrame:
    """A constructed results frame: every design in one equivocation cell (below N/3) and one crash cell;
    protection is the ideal ledger's plus ``shift[design]`` plus small noise, per replicate."""
    rng = np.random.default_rng(seed)
    rows = []
    for scenario, fraction, behavior in (("equivocate", 0.3, "equivocate"), ("leader_crash", 0.0, "collude")):
        base = rng.uniform(0.3, 0.6, reps)
        for design, fields in study.DESIGNS.items():
            ledger = fields["sharing"] == "ledger"
            for r in range(reps):
                row = dict(status="ok", replicate=r, scenario=scenario, design=design, malicious_fraction=fraction)
                row |= dict(fields, malicious_behavior=behavior, sybil_identities=0, aggregator="honest")
                row |= {o: rng.uniform(0.1, 0.2) for o in OUTCOMES}
                row["protected_time_frac_mean"] = base[r] + shift.get(design, 0.0) + rng.normal(0, 0.005)
                row["forged_benign_blocked_frac"] = 0.0  # neither behaviour forges
                row["conflicting_entries"] = (0.0 if design == "ideal" else float(r % 2)) if ledger else np.nan
                row["entry_commit_delay_max_steps"] = 1.0 + r if ledger else np.nan
                rows.append(row)
    return pd.DataFrame(rows)


def _found(shift: dict[str, float], **kw) -> study.LedgerFindings:
    return study.findings_of(
        _results(shift, **kw), {"n_nodes": 10, "vote_deadline_steps": 8}, study.PRIMARY, fault_bound(10)
    )


def test_paired_differences_recover_the_shift_and_their_verdict_follows_the_direction():
    found = _found({"bft": -0.2, "central": 0.15, "crash_tolerant": 0.0})
    d = found.vs_ideal[found.vs_ideal["outcome"] == "protected_time_frac_mean"].set_index(["scenario", "design"])
    for scenario in ("equivocate", "leader_crash"):
        bft, central, ct = (d.loc[(scenario, x)] for x in ("bft", "central", "crash_tolerant"))
        assert bft["ci_low"] <= -0.2 <= bft["ci_high"] and bft["verdict"] == "worse" and bft["n_pairs"] == 6
        assert central["ci_low"] <= 0.15 <= central["ci_high"] and central["verdict"] == "better"
        assert ct["ci_low"] <= 0.0 <= ct["ci_high"]
    assert set(found.vs_ideal["design"]) == {"crash_tolerant", "bft", "central", "gossip"}


def test_values_fixed_by_the_design_are_said_as_such_and_ledger_outcomes_without_a_ledger_are_undefined():
    found = _found({})
    lv = found.levels.set_index(["scenario", "design", "outcome"])
    assert lv.loc[("equivocate", "ideal", "conflicting_entries"), "structural"] == 0.0  # the ideal log cannot fork
    assert np.isnan(lv.loc[("equivocate", "bft", "conflicting_entries"), "structural"])  # measured
    assert lv.loc[("equivocate", "gossip", "forged_benign_blocked_frac"), "structural"] == 0.0  # nobody forges
    assert not lv.loc[("equivocate", "central", "conflicting_entries"), "defined"]
    d = found.vs_ideal.set_index(["scenario", "design", "outcome"])
    assert d.loc[("equivocate", "bft", "forged_benign_blocked_frac"), "status"] == "by definition"
    assert not d.loc[("equivocate", "bft", "forged_benign_blocked_frac"), "significant"]
    assert d.loc[("equivocate", "bft", "conflicting_entries"), "status"] == "estimate"  # 0 by definition vs measured
    assert d.loc[("equivocate", "gossip", "conflicting_entries"), "status"] == "not defined"
    assert study.value_text(found, "equivocate", 0.3, "ideal", "conflicting_entries") == "0 (by definition)"
    assert study.value_text(found, "equivocate", 0.3, "central", "conflicting_entries") == "not defined"


def test_prose_and_table_take_their_numbers_from_the_findings():
    found = _found({"bft": -0.2})
    text = study.prose(found)
    row = found.vs_ideal[
        (found.vs_ideal["scenario"] == "equivocate")
        & (found.vs_ideal["design"] == "bft")
        & (found.vs_ideal["outcome"] == "protected_time_frac_mean")
    ].iloc[0]
    assert study.diff_text(row) in text and "3 of 10 malicious (f, below N/3)" in text
    counts = study.verdict_counts(found)
    assert counts["bft"]["worse"] == 2
    assert "bft better in 0, worse in 2" in text
    table = study.table(found)
    assert len(table) == 2 * len(study.DESIGNS)
    ideal = table[(table["scenario"] == "equivocate") & (table["design"] == "ideal")].iloc[0]
    assert ideal["conflicting log entries"] == "0 (by definition)"


def test_headline_holds_at_most_three_items_from_the_equivocation_cells():
    found = _found({})
    h = study.headline(found)
    assert 1 <= len(h.values) <= 3 and set(h.outcomes.values()) == {"conflicting_entries"}
    mean = found.levels.set_index(["scenario", "design", "outcome"]).loc[
        ("equivocate", "bft", "conflicting_entries"), "mean"
    ]
    assert h.values["bft_conflicts_below"][0] == pytest.approx(mean)


def test_the_figure_draws_a_row_per_primary_outcome():
    import matplotlib

    matplotlib.use("Agg")
    fig = study.plot_differences(_found({"bft": -0.2}))
    assert len(fig.axes) == len(study.PRIMARY)


def test_churn_cells_take_their_level_from_the_leave_rate_and_report_catch_up():
    rows = []
    rng = np.random.default_rng(1)
    for rate in study.CHURN_LEAVE_RATES:
        for design, fields in study.DESIGNS.items():
            ledger = fields["sharing"] == "ledger"
            for r in range(4):
                row = dict(status="ok", replicate=r, scenario="churn", design=design, churn_leave_rate=rate)
                row |= dict(fields, malicious_behavior="collude", sybil_identities=0, aggregator="honest")
                row |= {o: rng.uniform(0.1, 0.2) for o in OUTCOMES}
                row["conflicting_entries"] = 0.0 if ledger else np.nan
                row["entry_commit_delay_max_steps"] = 1.0 if ledger else np.nan
                row |= dict(churn_joins=3, catch_up_messages=10 + r, nodes_present_mean=8.0)
                rows.append(row)
    found = study.findings_of(
        pd.DataFrame(rows), {"n_nodes": 10, "vote_deadline_steps": 8}, study.PRIMARY, fault_bound(10)
    )
    assert sorted(set(found.cells["level"])) == sorted(study.CHURN_LEAVE_RATES)
    text = study.prose(found)
    low = study.CHURN_LEAVE_RATES[0]
    assert study.level_name(found, low, "churn") in text and f"nodes leaving at {low:g} per step" in text
    assert "catch-up messages per run" in text and "ideal 12 (8.0 nodes present)" in text


def _churn_found(reps: int = 4) -> study.LedgerFindings:
    """Both churn cells, every design; the BFT ledger confirms nothing in replicate 0 of each cell."""
    rows = []
    rng = np.random.default_rng(2)
    for rate in study.CHURN_LEAVE_RATES:
        for design, fields in study.DESIGNS.items():
            ledger = fields["sharing"] == "ledger"
            for r in range(reps):
                row = dict(status="ok", replicate=r, scenario="churn", design=design, churn_leave_rate=rate)
                row |= dict(fields, malicious_behavior="collude", sybil_identities=0, aggregator="honest")
                row |= {o: rng.uniform(0.1, 0.2) for o in OUTCOMES}
                row["conflicting_entries"] = 0.0 if ledger else np.nan
                row["entry_commit_delay_max_steps"] = 1.0 if design == "ideal" else (2.0 + r if ledger else np.nan)
                row["signatures_confirmed"] = 0 if (design == "bft" and r == 0) else 5
                row |= dict(churn_joins=3, catch_up_messages=10 + r, nodes_present_mean=8.0)
                rows.append(row)
    return study.findings_of(
        pd.DataFrame(rows), {"n_nodes": 31, "vote_deadline_steps": 8}, study.PRIMARY, fault_bound(31)
    )


def test_the_figure_labels_churn_cells_by_their_leave_rate_not_as_malicious_nodes():
    import matplotlib

    matplotlib.use("Agg")
    found = _churn_found()
    fig = study.plot_differences(found)
    ticks = [t.get_text() for t in fig.axes[-1].get_xticklabels()]
    assert ticks == [f"churn\nleave {r:g}" for r in study.CHURN_LEAVE_RATES]
    assert not any("mal." in t for t in ticks)  # 0.1 x 31 nodes is no "3 mal."
    assert study.cell_label(found, "censor", 10 / 31) == "censor\n10 mal."


def test_a_value_the_same_in_every_run_is_said_so_without_a_zero_width_interval():
    found = _churn_found()
    lv = found.levels.set_index(["scenario", "level", "design", "outcome"])
    low = study.CHURN_LEAVE_RATES[0]
    assert lv.loc[("churn", low, "bft", "conflicting_entries"), "constant"]  # measured, 0 in every run
    assert not lv.loc[("churn", low, "ideal", "conflicting_entries"), "constant"]  # by definition instead
    assert not lv.loc[("churn", low, "bft", "entry_commit_delay_max_steps"), "constant"]
    assert study.value_text(found, "churn", low, "bft", "conflicting_entries") == "0 in all 4 runs"
    assert study.value_text(found, "churn", low, "ideal", "entry_commit_delay_max_steps") == "1 in all 4 runs"
    assert "0.00 (0.00 to 0.00)" not in study.prose(found)
    eq = _found({})  # the headline: bft's conflicts there vary (r % 2), so they keep their interval
    assert isinstance(study.headline(eq).values["bft_conflicts_below"], tuple)


def test_prose_counts_the_runs_that_forked_and_that_confirmed_nothing_and_bounds_the_wait():
    found = _found({})  # bft and crash_tolerant conflict in the odd replicates: 3 of 6
    c = study.run_counts(found.cells, "equivocate", 0.3, "bft")
    assert (c["runs"], c["forked"], c["forked_mean"], c["stalled"]) == (6, 3, 1.0, 0)
    text = study.prose(found)
    assert "[forked in 3 of 6 runs, 1 on average in those]" in text
    assert "forked in 3 of 6 runs" in study.headline(found).labels["bft_conflicts_below"]
    churn = _churn_found()
    text = study.prose(churn)
    assert "bft 3.5 (" in text and "[no signature confirmed in 1 of 4 runs]" in text
    p = ModelParams(n_nodes=31)
    bound = study.steps_covering(p) - p.warmup_steps - 1
    assert churn.steps == study.steps_covering(p) and f"at most {bound} steps here" in text


def test_quorum_presence_follows_the_churn_law_and_the_prose_reports_it():
    n, leave, join, first, last = 31, 0.1, 0.1, 6, 50
    shares = study.quorum_presence(n, leave, join, first, last)
    assert study.ordered_quorums(n) == {"crash_tolerant": 16, "bft": 21}
    rng = np.random.default_rng(3)  # the two-state chain per position, simulated
    present = np.ones((4000, n), bool)
    hits = {"crash_tolerant": 0, "bft": 0}
    for t in range(1, last + 1):
        u = rng.random(present.shape)
        present = present & ~(u < leave) | (~present & (u < join))
        if t >= first:
            k = present.sum(axis=1)
            hits["crash_tolerant"] += int((k >= 16).sum())
            hits["bft"] += int((k >= 21).sum())
    for name, q in hits.items():
        assert shares[name] == pytest.approx(q / (4000 * (last - first + 1)), abs=0.01)
    assert study.quorum_presence(n, 0.0, 0.1, first, last) == {"crash_tolerant": 1.0, "bft": 1.0}
    text = study.prose(_churn_found())
    assert f"bft 21 at {shares['bft']:.0%}" in text and "a departed replica counts as crashed" in text


def test_the_censor_cell_above_the_bound_says_the_honest_replicas_make_no_bft_quorum():
    rows = _results({}).assign(scenario="censor", malicious_behavior="censor")
    rows["malicious_fraction"] = np.where(rows["malicious_fraction"] > 0, 11 / 31, 10 / 31)
    found = study.findings_of(rows, {"n_nodes": 31, "vote_deadline_steps": 8}, study.PRIMARY, fault_bound(31))
    above = study.bound_text(found, "censor", round(11 / 31, 6))
    assert "20 honest replicas are fewer than the BFT quorum 21" in above
    assert study.bound_text(found, "censor", round(10 / 31, 6)) == ""
