"""Study 10 (``workbench.analysis.studies.sharing``): paired differences, structural zeros, protection over
time from kept frames, cells of a one-factor-at-a-time design, and the prose and headline computed from
frames with known answers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.analysis.protection_time import protected_time_by_campaign, protected_time_by_run, with_protected_time
from workbench.analysis.studies import sharing as study
from workbench.model.params import ModelParams
from workbench.model.run import run_model

OUTCOMES = study.primary_outcomes(["forged_benign_blocked_frac"])
PROTECTION, BLOCKED, HARM, BENIGN, MESSAGES = OUTCOMES


def cell_rows(
    block: str, level: object, values: dict[str, dict[str, list[float]]], malicious: float = 0.0
) -> list[dict]:
    """Rows of one cell: ``values[sharing][outcome]`` is the outcome per replicate."""
    rows = []
    for sharing, outcomes in values.items():
        n = len(next(iter(outcomes.values())))
        for r in range(n):
            row = {"block": block, "factor": block, "level": level, "sharing": sharing, "replicate": r}
            row["malicious_fraction"] = malicious
            row.update({o.column: 0.0 for o in OUTCOMES})
            row.update({k: v[r] for k, v in outcomes.items()})
            if sharing == "none":
                row["messages_per_node_step"] = 0.0
            rows.append(row)
    return rows


def test_paired_difference_is_the_t_interval_of_per_replicate_differences():
    gossip, none = [0.5, 0.6, 0.7, 0.65], [0.1, 0.3, 0.2, 0.1]
    cells = pd.DataFrame(cell_rows("b", 1, {"none": {PROTECTION.column: none}, "gossip": {PROTECTION.column: gossip}}))
    diffs = study.paired_differences(cells, [PROTECTION], "none", designs=["gossip"])
    row = diffs.iloc[0]
    d = np.subtract(gossip, none)
    half = stats.t.ppf(0.975, df=3) * d.std(ddof=1) / 2
    assert row["diff"] == pytest.approx(d.mean())
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((d.mean() - half, d.mean() + half))
    assert row["significant"] and row["verdict"] == "better" and row["n_pairs"] == 4
    # pairing matters: the same values unpaired-shuffled give a different (wider) interval
    shuffled = cells.copy()
    mask = shuffled["sharing"] == "none"
    shuffled.loc[mask, "replicate"] = [3, 0, 1, 2]
    other = study.paired_differences(shuffled, [PROTECTION], "none", designs=["gossip"]).iloc[0]
    assert other["diff"] == pytest.approx(row["diff"]) and other["ci_high"] - other["ci_low"] != pytest.approx(
        row["ci_high"] - row["ci_low"]
    )


def test_direction_decides_better_or_worse_and_overlap_is_no_difference():
    cells = pd.DataFrame(
        cell_rows(
            "b",
            1,
            {
                "none": {BENIGN.column: [0.01, 0.02, 0.01], PROTECTION.column: [0.2, 0.3, 0.4]},
                "central": {BENIGN.column: [0.05, 0.06, 0.055], PROTECTION.column: [0.5, 0.1, 0.35]},
            },
        )
    )
    diffs = study.paired_differences(cells, [PROTECTION, BENIGN], "none", designs=["central"]).set_index("outcome")
    assert diffs.loc[BENIGN.column, "verdict"] == "worse"  # more benign flows blocked, interval above zero
    assert diffs.loc[PROTECTION.column, "verdict"] == "no difference shown"
    assert not diffs.loc[PROTECTION.column, "significant"]


def test_structural_zeros_have_no_interval_and_never_count_as_better():
    values = {"none": {PROTECTION.column: [0.1, 0.1, 0.1]}, "central": {PROTECTION.column: [0.1, 0.2, 0.15]}}
    cells = pd.DataFrame(cell_rows("b", 1, values, malicious=0.0))
    diffs = study.paired_differences(cells, OUTCOMES, "central", designs=["none"]).set_index("outcome")
    harm = diffs.loc[HARM.column]  # no malicious node: forged harm is zero by definition in both arms
    assert harm["status"] == "structural zero" and np.isnan(harm["ci_low"]) and not harm["significant"]
    # the messages of none are a structural zero; central's are not: no difference, no verdict
    assert diffs.loc[MESSAGES.column, "status"] == "against structural zero"
    levels = study.level_table(cells, [o.column for o in OUTCOMES]).set_index(["sharing", "outcome"])
    assert levels.loc[("none", MESSAGES.column), "structural"]
    assert np.isnan(levels.loc[("none", MESSAGES.column), "ci_low"])
    assert not levels.loc[("central", MESSAGES.column), "structural"]
    # with malicious nodes forged harm is measured, even when it is zero in every replicate
    values["ledger"] = values["central"]
    malicious = pd.DataFrame(cell_rows("b", 1, values, malicious=0.2))
    measured = study.paired_differences(malicious, [HARM], "central", designs=["ledger"]).iloc[0]
    assert measured["status"] == "estimate"


def test_protected_time_is_the_window_mean_of_the_steps_series():
    steps = pd.DataFrame(
        {
            "run_id": ["a"] * 6,
            "step": [1, 2, 3, 4, 5, 6],
            "protected_frac_c0": [0.0, 0.5, 1.0, 1.0, 0.0, 0.0],
            "protected_frac_c1": [0.0, 0.0, 0.0, 0.2, 0.4, 0.6],
        }
    )
    campaigns = pd.DataFrame({"run_id": ["a", "a"], "campaign": [0, 1], "start_step": [2, 4], "window_steps": [3, 3]})
    per = protected_time_by_campaign(steps, campaigns)
    assert per["protected_time_frac"].tolist() == pytest.approx([2.5 / 3, 1.2 / 3])
    assert protected_time_by_run(steps, campaigns)["a"] == pytest.approx((2.5 / 3 + 1.2 / 3) / 2)


def test_protected_time_from_kept_frames_of_a_run_matches_its_series():
    result = run_model({"n_nodes": 12, "flows_per_node": 20, "n_campaigns": 2, "sharing": "central"}, seed=3, steps=45)
    per = protected_time_by_campaign(result.steps, result.campaigns)
    for c, camp in result.campaigns.iterrows():
        window = result.steps[
            (result.steps.step >= camp.start_step) & (result.steps.step < camp.start_step + camp.window_steps)
        ]
        assert per.loc[c, "protected_time_frac"] == pytest.approx(window[f"protected_frac_c{c}"].mean())
    results = pd.DataFrame({"run_id": ["run"]})
    assert with_protected_time(results, result.steps, result.campaigns)["protected_time_frac_mean"].iloc[
        0
    ] == pytest.approx(per["protected_time_frac"].mean())


def test_steps_covering_completes_every_window_and_one_fewer_cuts_the_last():
    params = ModelParams.from_dict({"n_nodes": 10, "flows_per_node": 10, "n_campaigns": 2, "eval_window_steps": 8})
    steps = study.steps_covering(params)
    full = run_model(params, seed=1, steps=steps).campaigns
    assert (full["window_steps"] == 8).all() and len(full) == 2
    cut = run_model(params, seed=1, steps=steps - 1).campaigns
    assert cut["window_steps"].iloc[-1] == 7


def test_design_shares_base_runs_and_cells_put_them_in_every_panel():
    design = study.design("small", seed=1, only=["attacker_prefixes", "malicious_behavior"])
    assert [lab["block"] for lab in study.factor_labels(design)] == ["attacker_prefixes", "malicious_behavior"]
    main = [s for s, lab in zip(design.sweeps, design.labels) if lab.get("arm") is None]
    assert list(main[1].factors["attacker_prefixes"]) == [1]  # the base level 4 is the base block's
    assert study.base_level(design, "attacker_prefixes") == 4
    assert study.base_level(design, "malicious_behavior") is None  # its block runs at 20% malicious nodes
    assert all(s.steps == study.steps_covering(s.base) for s in design.sweeps)
    rows = []
    for block, extra in (
        ("base", {}),
        ("attacker_prefixes", {"attacker_prefixes": 1.0}),
        ("malicious_behavior", {"malicious_behavior": "forge"}),
    ):
        for sharing in study.SHARING:
            rows.append({"block": block, "sharing": sharing, "replicate": 0, "status": "ok", **extra})
    results = pd.DataFrame(rows)
    cells = study.cells_frame(design, results)
    prefixes = cells[cells["block"] == "attacker_prefixes"]
    assert sorted(prefixes["level"].unique()) == [1, 4] and prefixes["level"].map(type).eq(int).all()
    assert set(cells[cells["block"] == "malicious_behavior"]["level"]) == {"forge"}
    assert (cells[cells["block"] == "malicious_behavior"]["malicious_fraction"] == 0.2).all()
    assert (cells[cells["block"] == "attacker_prefixes"]["malicious_fraction"] == 0.0).all()


def findings_from(cells: pd.DataFrame, blocks: list[str], base_levels: dict[str, object]) -> study.SharingFindings:
    columns = [o.column for o in OUTCOMES]
    has_tuned = bool((cells["sharing"] == study.TUNED).any())

    def vs(reference: str) -> pd.DataFrame:
        return study.paired_differences(cells, OUTCOMES, reference, study.SHARING, base_levels=base_levels)

    return study.SharingFindings(
        cells=cells,
        levels=study.level_table(cells, columns),
        vs_none=vs("none"),
        vs_central=vs("central"),
        outcomes=OUTCOMES,
        blocks=blocks,
        base_levels=base_levels,
        placeholder=[],
        **({"vs_tuned": vs(study.TUNED)} if has_tuned else {}),
    )


def constructed_findings(gossip_at_one_prefix: list[float]) -> study.SharingFindings:
    p = PROTECTION.column
    low = {"none": {p: [0.01, 0.02, 0.01]}, "central": {p: [0.4, 0.45, 0.5]}, "ledger": {p: [0.3, 0.35, 0.3]}}
    base = cell_rows("attacker_prefixes", 4, {**low, "gossip": {p: [0.3, 0.32, 0.31]}})
    one = cell_rows(
        "attacker_prefixes",
        1,
        {
            "none": {p: [0.6, 0.62, 0.61]},
            "central": {p: [0.9, 0.92, 0.91]},
            "ledger": {p: [0.6, 0.6, 0.62]},
            "gossip": {p: gossip_at_one_prefix},
        },
    )
    nothing = cell_rows("attack_separation", 3.0, {k: {p: [0.0, 0.0, 0.0]} for k in study.SHARING})
    base_sep = [dict(r, block="attack_separation", factor="attack_separation", level=4.5) for r in base]
    cells = pd.DataFrame(base + one + nothing + base_sep)
    return findings_from(
        cells, ["attacker_prefixes", "attack_separation"], {"attacker_prefixes": 4, "attack_separation": 4.5}
    )


@pytest.mark.slow
def test_prose_names_where_each_design_pays_and_where_not_from_the_frames():
    found = constructed_findings([0.6, 0.61, 0.6])  # gossip no better than isolated nodes with one prefix
    text = study.prose(found, "none")
    gossip = text.split("**gossip against none.**")[1].split("\n\n")[0]
    assert "At the base point it pays" in gossip
    assert "none protects as well: attacker_prefixes = 1 (gossip 0.60 vs none 0.61)" in gossip
    assert (
        "Neither it nor none protects 5% of honest nodes over time or blocks 5% of attack flows with "
        "attack_separation = 3 " in gossip
    )
    assert "better on protection over time in 1 and worse in 0" in gossip
    assert "Structural zeros" in text and "`messages_per_node_step` of none" in text
    assert study.headline(found).values["gossip_pays"] == "1 of 3 / 0 of 3"  # no tuned arm: against none
    # the same study where gossip gains with one prefix says so instead
    paying = constructed_findings([0.9, 0.95, 0.92])
    gossip = study.prose(paying, "none").split("**gossip against none.**")[1].split("\n\n")[0]
    assert "Off the base point it pays with attacker_prefixes = 1 (protection 0.92 vs 0.61" in gossip
    assert study.headline(paying).values["gossip_pays"] == "2 of 3 / 0 of 3"
    assert study.pays_count(paying, "gossip", "central") == (0, 3)


def test_base_table_and_figure_mark_significance():
    found = constructed_findings([0.6, 0.61, 0.6])
    table = study.base_table(found)
    assert set(table["comparison"]) == {
        "central - none",
        "ledger - none",
        "gossip - none",
        "none - central",
        "ledger - central",
        "gossip - central",
    }
    structural = table[(table["comparison"] == "gossip - none") & (table["outcome"] == HARM.label)]
    assert structural["paired difference (95%)"].iloc[0].startswith("0 (structural zero")
    fig = study.plot_differences(found, "none")
    assert len(fig.axes) == len(OUTCOMES) * 2
    first = fig.axes[0]  # protection, attacker_prefixes: gossip at 1 prefix is hollow, at the base filled
    faces = [line.get_markerfacecolor() for line in first.lines if line.get_marker() == "o"]
    assert "white" in faces and any(f != "white" for f in faces)


def test_the_run_counts_notebook_10_states_are_its_designs():
    text = (Path(__file__).resolve().parents[2] / "notebooks" / "10_when_sharing_pays.py").read_text()
    for size in ("small", "full"):
        assert f"({study.design(size).runs:,} runs" in text, size


def test_holm_adjusts_within_a_family_and_counts_the_base_cell_once():
    assert study.holm([0.01, 0.04, 0.03, np.nan]) == pytest.approx([0.03, 0.06, 0.06, np.nan], nan_ok=True)
    p = PROTECTION.column
    gain = {"none": {p: [0.1, 0.1, 0.1]}, "gossip": {p: [0.3, 0.4, 0.5]}}  # paired t p = 0.035
    alone = pd.DataFrame(cell_rows("a", 1, gain))
    one = study.paired_differences(alone, [PROTECTION], "none", ["gossip"]).iloc[0]
    assert one["p_value"] == pytest.approx(stats.ttest_1samp([0.2, 0.3, 0.4], 0.0).pvalue)
    assert one["p_holm"] == pytest.approx(one["p_value"]) and one["verdict"] == "better"
    # the same gain in two distinct cells: each adjusted p doubles past 5%, no verdict
    two = pd.DataFrame(cell_rows("a", 1, gain) + cell_rows("b", 2, gain))
    diffs = study.paired_differences(two, [PROTECTION], "none", ["gossip"])
    assert diffs["p_holm"].tolist() == pytest.approx([2 * one["p_value"]] * 2)
    assert (diffs["verdict"] == "no difference shown").all() and not diffs["significant"].any()
    # the base cell repeated in two blocks is one member of the family
    shared = study.paired_differences(two, [PROTECTION], "none", ["gossip"], base_levels={"a": 1, "b": 2})
    assert shared["p_holm"].tolist() == pytest.approx([one["p_value"]] * 2)


def test_a_value_against_a_structural_zero_is_reported_as_its_own_value_without_verdict():
    m = MESSAGES.column
    values = {"none": {m: [0.0, 0.0, 0.0]}, "gossip": {m: [1.0, 1.1, 1.2]}, "central": {m: [0.5, 0.6, 0.7]}}
    cells = pd.DataFrame(cell_rows("b", 1, values))
    for row in cells.itertuples():
        if row.sharing != "none":
            cells.loc[row.Index, m] = values[row.sharing][m][row.replicate]
    row = study.paired_differences(cells, [MESSAGES], "none", ["gossip"]).iloc[0]
    assert row["status"] == "against structural zero" and row["verdict"] == "against structural zero"
    assert row["diff"] == pytest.approx(1.1) and row["design_mean"] == pytest.approx(1.1)
    assert not row["significant"] and row["ci_low"] < 1.1 < row["ci_high"]
    assert "own value" in study.diff_text(row)
    # forged harm of none is zero by definition with malicious nodes (a forgery blocks only at its forger);
    # a compromised aggregator forges without malicious nodes, so central's harm is then measured
    h = HARM.column
    harmed = {"none": {h: [0.0] * 3}, "central": {h: [0.01, 0.02, 0.03]}, "gossip": {h: [0.0, 0.01, 0.0]}}
    malicious = pd.DataFrame(cell_rows("b", 1, harmed, malicious=0.2))
    assert study.structural_mask(malicious, h).tolist() == [s == "none" for s in malicious["sharing"]]
    assert (
        study.paired_differences(malicious, [HARM], "none", ["gossip"])["status"] == "against structural zero"
    ).all()
    honest = pd.DataFrame(cell_rows("b", 1, harmed, malicious=0.0))
    assert study.structural_mask(honest, h).all()
    compromised = honest.assign(aggregator="compromised")
    assert study.structural_mask(compromised, h).tolist() == [s != "central" for s in compromised["sharing"]]


def two_outcome_findings() -> study.SharingFindings:
    """Base: gossip better than none on both outcomes. One prefix: gossip better on protection, worse on
    attack flows blocked (the isolated node contains the spread). Separation 3: nothing protects."""
    p, b = PROTECTION.column, BLOCKED.column
    base = cell_rows(
        "attacker_prefixes",
        4,
        {
            "none": {p: [0.10, 0.12, 0.11], b: [0.30, 0.32, 0.31]},
            "none (tuned)": {p: [0.20, 0.22, 0.21], b: [0.50, 0.52, 0.51]},
            "central": {p: [0.5, 0.52, 0.51], b: [0.8, 0.81, 0.82]},
            "ledger": {p: [0.4, 0.42, 0.41], b: [0.7, 0.71, 0.72]},
            "gossip": {p: [0.4, 0.41, 0.42], b: [0.7, 0.72, 0.71]},
        },
    )
    one = cell_rows(
        "attacker_prefixes",
        1,
        {
            "none": {p: [0.20, 0.22, 0.21], b: [0.90, 0.91, 0.92]},
            "none (tuned)": {p: [0.20, 0.22, 0.21], b: [0.90, 0.91, 0.92]},
            "central": {p: [0.6, 0.62, 0.61], b: [0.9, 0.91, 0.92]},
            "ledger": {p: [0.6, 0.61, 0.62], b: [0.9, 0.91, 0.92]},
            "gossip": {p: [0.62, 0.60, 0.61], b: [0.80, 0.80, 0.81]},
        },
    )
    arms = [*study.SHARING, study.TUNED]
    nothing = cell_rows("attack_separation", 3.0, {k: {p: [0.0, 0.01, 0.0], b: [0.0, 0.01, 0.0]} for k in arms})
    base_sep = [dict(r, block="attack_separation", factor="attack_separation", level=4.5) for r in base]
    cells = pd.DataFrame(base + one + nothing + base_sep)
    return findings_from(
        cells, ["attacker_prefixes", "attack_separation"], {"attacker_prefixes": 4, "attack_separation": 4.5}
    )


def test_verdicts_use_both_primary_outcomes_and_say_where_they_disagree():
    found = two_outcome_findings()
    cells = study.both_primaries(found, found.vs_none, "gossip").set_index(["block", "level"])
    assert cells.loc[("attacker_prefixes", 4), "combined"] == "pays"
    assert cells.loc[("attacker_prefixes", 1), ["pt_verdict", "ab_verdict"]].tolist() == ["better", "worse"]
    assert cells.loc[("attacker_prefixes", 1), "combined"] == "disagree"
    text = study.prose(found, "none")
    gossip = text.split("**gossip against none.**")[1].split("\n\n")[0]
    assert "The two outcomes disagree with attacker_prefixes = 1 (protection 0.61 vs 0.21" in gossip
    assert "nodes the campaign never reached" in gossip
    assert (
        "better on protection over time in 2 and worse in 0; better on attack flows blocked in 1 and worse in 1"
        in gossip
    )
    assert (
        "Neither it nor none protects 5% of honest nodes over time or blocks 5% of attack flows with attack_separation = 3"
        in gossip
    )
    # the headline: one item per design, both outcomes, against the tuned isolated arm
    assert study.headline_reference(found) == study.TUNED
    card = study.headline(found)
    assert len(card.values) == 3
    assert card.values["gossip_pays"] == "2 of 3 / 1 of 3"  # worse on flows blocked with one prefix
    assert "none (tuned)" in card.labels["gossip_pays"] and "Holm" in card.labels["gossip_pays"]
    tuned = study.prose(found, study.TUNED)
    assert "**none against none (tuned).**" in tuned and "min_flagged = 2" in tuned


def test_caveats_are_computed_from_the_findings():
    found = two_outcome_findings()
    text = study.caveats(found)
    assert "3 replicate(s); at this size the verdicts are illustrative" in text
    assert "Holm" in text and "by seed" in text and "not identical traffic" in text
    assert "all honest nodes" in text
    assert study.nothing_to_share(found) == ["attack_separation = 3"]
    assert "With attack_separation = 3 every design protects less than 5%" in text
    assert "sharing cannot pay there" in text
    many = dataclasses.replace(found, cells=found.cells.assign(replicate=np.arange(len(found.cells)) % 20))
    assert "illustrative" not in study.caveats(many)


def test_design_has_the_tuned_arm_pinned_ledger_failing_aggregator_and_no_duplicate_cell():
    design = study.design("full", seed=1)
    labels = design.labels
    tuned = [(s, lab) for s, lab in zip(design.sweeps, labels) if lab.get("arm") == study.TUNED]
    blocks = {lab["block"] for lab in labels}
    assert {lab["block"] for _, lab in tuned} == blocks - set(study.TUNED_SKIPS)
    for sweep, _ in tuned:
        assert sweep.base.sharing == "none" and "sharing" not in sweep.factors
        assert {k: getattr(sweep.base, k) for k in study.TUNED_SETTINGS} == study.TUNED_SETTINGS
    main = {lab["block"]: s for s, lab in zip(design.sweeps, labels) if lab.get("arm") is None}
    assert all(s.base.ledger_protocol == "ideal" for s in main.values())  # pinned, not a default
    assert set(main["aggregator"].factors["aggregator"]) == {"down", "compromised"}
    assert main["base"].base.aggregator_down_step < main["base"].steps  # a 'down' aggregator fails in the run
    ledger = main["ledger_protocol"]
    assert "crash_tolerant" in ledger.factors["ledger_protocol"] and ledger.base.vote_deadline_steps >= 8
    # no cell run twice: each (malicious fraction, behaviour) pair once over the malice blocks
    pairs = [
        (f, main["malicious_fraction"].base.malicious_behavior)
        for f in main["malicious_fraction"].factors["malicious_fraction"]
    ]
    pairs += [
        (main["malicious_behavior"].base.malicious_fraction, b)
        for b in main["malicious_behavior"].factors["malicious_behavior"]
    ]
    assert len(pairs) == len(set(pairs))
    # the tuned runs are cells of sharing "none (tuned)", not of none, and min_flagged's panel has none
    rows = [{"block": "base", "sharing": "none", "replicate": 0, "status": "ok", "arm": a} for a in (None, study.TUNED)]
    small = study.design("small", seed=1, only=["min_flagged", "attacker_prefixes"])
    cells = study.cells_frame(small, pd.DataFrame(rows))
    assert set(cells[cells["block"] == "attacker_prefixes"]["sharing"]) == {"none", study.TUNED}
    assert set(cells[cells["block"] == "min_flagged"]["sharing"]) == {"none"}


def test_a_significant_difference_where_nothing_protects_is_not_paying_or_losing():
    """Below the floor (neither arm protects 5% nor blocks 5%), a difference the test finds (0.001 against
    0.004, every replicate) joins "nothing to share" instead of "does worse"."""
    p, b = PROTECTION.column, BLOCKED.column
    found = two_outcome_findings()
    cells = found.cells.copy()
    tiny = (cells["block"] == "attack_separation") & (cells["level"] == 3.0)
    gossip, none = tiny & (cells["sharing"] == "gossip"), tiny & (cells["sharing"] == "none")
    cells.loc[gossip, [p, b]] = [[0.001, 0.002], [0.0011, 0.0021], [0.0012, 0.0022]]
    cells.loc[none, [p, b]] = [[0.004, 0.010], [0.0041, 0.0101], [0.0042, 0.0102]]
    found = findings_from(
        cells, ["attacker_prefixes", "attack_separation"], {"attacker_prefixes": 4, "attack_separation": 4.5}
    )
    rows = study.both_primaries(found, found.vs_none, "gossip").set_index(["block", "level"])
    assert rows.loc[("attack_separation", 3.0), "combined"] == "loses"  # the tests do find it
    gossip_text = study.prose(found, "none").split("**gossip against none.**")[1].split("\n\n")[0]
    assert (
        "It does worse with" not in gossip_text
        or "attack_separation = 3" not in gossip_text.split("It does worse with")[1].split(".")[0]
    )
    assert "Neither it nor none protects 5%" in gossip_text and "attack_separation = 3 (gossip 0.00 vs none 0.00)" in (
        gossip_text
    )
    assert "a difference the test finds there is not counted as paying or losing" in gossip_text


def test_a_level_that_changes_neither_arm_repeats_the_base_point_and_is_not_counted_again():
    """The aggregator's levels do not act on the ledger or on isolated nodes: their runs repeat the base
    point's seed for seed. Such a cell is not a cell of its own (not in the counts, one member of the Holm
    family with the base cell); a level that changes one arm (central, with its aggregator down) is."""
    p = PROTECTION.column
    base_values = {
        "none": {p: [0.10, 0.12, 0.11]},
        "ledger": {p: [0.30, 0.36, 0.33]},
        "central": {p: [0.50, 0.55, 0.52]},
        "gossip": {p: [0.30, 0.32, 0.31]},
    }
    down = {**base_values, "central": {p: [0.05, 0.06, 0.04]}}  # only central changes
    cells = pd.DataFrame(
        cell_rows("aggregator", "honest", base_values)
        + cell_rows("aggregator", "down", down)
        + cell_rows("aggregator", "compromised", {**base_values, "central": {p: [0.2, 0.25, 0.22]}})
    )
    columns = [o.column for o in OUTCOMES]
    inert = study.inert_cells(cells, columns, {"aggregator": "honest"})
    assert ("aggregator", "down", "ledger") in inert and ("aggregator", "down", "none") in inert
    assert ("aggregator", "down", "central") not in inert and ("aggregator", "honest", "ledger") not in inert

    def vs(reference: str, base_levels: dict, inert_set: dict) -> pd.DataFrame:
        return study.paired_differences(
            cells, OUTCOMES, reference, study.SHARING, base_levels=base_levels, inert=inert_set
        )

    with_inert = vs("none", {"aggregator": "honest"}, inert)
    rows = with_inert[with_inert["outcome"] == p].set_index(["design", "level"])
    assert rows.loc[("ledger", "down"), "repeats_base"] and rows.loc[("ledger", "compromised"), "repeats_base"]
    assert not rows.loc[("central", "down"), "repeats_base"] and not rows.loc[("ledger", "honest"), "repeats_base"]
    # one family member with the base cell: the same adjusted p as the base, which a family of one gives
    assert rows.loc[("ledger", "down"), "p_holm"] == pytest.approx(rows.loc[("ledger", "honest"), "p_holm"])
    assert rows.loc[("ledger", "honest"), "p_holm"] == pytest.approx(rows.loc[("ledger", "honest"), "p_value"])
    without = vs("none", {"aggregator": "honest"}, {}).set_index(["design", "level", "outcome"])
    assert without.loc[("ledger", "honest", p), "p_holm"] > rows.loc[("ledger", "honest"), "p_holm"]

    found = study.SharingFindings(
        cells=cells,
        levels=study.level_table(cells, columns),
        vs_none=with_inert,
        vs_central=vs("central", {"aggregator": "honest"}, inert),
        outcomes=OUTCOMES,
        blocks=["aggregator"],
        base_levels={"aggregator": "honest"},
        placeholder=[],
    )
    assert study.pays_count(found, "ledger", "none") == (1, 1)  # the base cell only
    assert study.pays_count(found, "central", "none")[1] == 3  # central's levels are cells of their own
    ledger_text = study.prose(found, "none").split("**ledger against none.**")[1].split("\n\n")[0]
    assert "Over all 1 cells" in ledger_text
    assert (
        "Not counted as cells of their own: aggregator = down (repeats the base point) and aggregator = compromised "
        "(repeats the base point)"
    ) in ledger_text
    # against central the aggregator's levels change the reference: the ledger's cells count
    vs_central = study.both_primaries(found, found.vs_central, "ledger")
    assert len(vs_central) == 3


def test_two_levels_of_a_block_without_the_base_point_that_repeat_each_other_count_once():
    """The ledger's ordering does not act on central or isolated nodes: in a block off the base point (its
    own base, a longer vote deadline), its two levels give the same runs for them and are one cell."""
    p = PROTECTION.column
    ideal = {"none": {p: [0.10, 0.12, 0.11]}, "central": {p: [0.50, 0.55, 0.52]}, "ledger": {p: [0.40, 0.44, 0.41]}}
    crash = {**ideal, "ledger": {p: [0.30, 0.31, 0.33]}}
    cells = pd.DataFrame(cell_rows("ledger_protocol", "ideal", ideal) + cell_rows("ledger_protocol", "crash", crash))
    inert = study.inert_cells(cells, [o.column for o in OUTCOMES], {"ledger_protocol": None})
    assert inert == {("ledger_protocol", "crash", "none"): "ideal", ("ledger_protocol", "crash", "central"): "ideal"}
    diffs = study.paired_differences(cells, [PROTECTION], "none", ["central", "ledger"], inert=inert)
    rows = diffs.set_index(["design", "level"])
    assert rows.loc[("central", "crash"), "repeats_level"] == "ideal" and rows.loc[("central", "crash"), "repeats_base"]
    assert not rows.loc[("ledger", "crash"), "repeats_base"]  # the ordering acts on the ledger
    # one Holm family member: the repeat has the adjusted p of the cell it repeats, a family of one
    assert rows.loc[("central", "crash"), "p_holm"] == pytest.approx(rows.loc[("central", "ideal"), "p_value"])
