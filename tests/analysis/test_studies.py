"""Study logic of notebooks 04-06 (``workbench.analysis.studies``) on small constructed frames with known answers."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from workbench.analysis.studies import breakdown as bs
from workbench.analysis.studies import design_text, fmt_interval, join_words, kept_frames, run_sweeps
from workbench.analysis.studies import frontier as fs
from workbench.analysis.studies import votes as vs
from workbench.experiments import Sweep


# --- shared helpers ----------------------------------------------------------------------------------
def test_formatting_helpers():
    assert fmt_interval(0.312, 0.27, 0.35) == "0.31 (0.27 to 0.35)"
    assert fmt_interval(0.3, 0.2, math.inf) == "0.30 (0.20 to ∞)"
    assert fmt_interval(math.nan, 0.1, 0.2) == "n/a"
    assert fmt_interval(0.05, 0.01, 0.1, percent=True, digits=1) == "5.0% (1.0% to 10.0%)"
    assert join_words(["a", "b", "c"]) == "a, b and c" and join_words(["a"]) == "a"


def test_run_sweeps_labels_blocks_and_reads_kept_frames(tmp_path):
    base = {"n_nodes": 8, "flows_per_node": 8, "n_campaigns": 1, "warmup_steps": 2}
    sweeps = [
        Sweep(
            {**base, "sharing": s},
            {"malicious_fraction": [0.0]},
            steps=6,
            seed=1,
            keep=["campaigns", "votes"],
            name=f"t_{s}",
            allow_partial_windows=True,  # plumbing: six steps of a 32-step window
        )
        for s in ("ledger", "gossip")
    ]
    labels = [{"block": "a"}, {"block": "b"}]
    runs = run_sweeps(sweeps, backend="local", store=tmp_path, quiet=True, labels=labels)
    assert runs["block"].tolist() == ["a", "b"] and (runs["status"] == "ok").all()
    assert [p.rsplit("/", 1)[-1] for p in runs.attrs["stores"]] == ["t_ledger", "t_gossip"]
    camps = kept_frames(runs, labels, "campaigns")
    assert set(camps["block"]) == {"a", "b"} and "t50_steps" in camps
    votes = kept_frames(runs, labels, "votes")  # "votes" is a keepable frame: one row per vote cast
    assert "run_id" in votes.columns
    with pytest.raises(ValueError, match="one per sweep"):
        run_sweeps(sweeps, backend="local", store=tmp_path, quiet=True, labels=labels[:1])


# --- 04 breakdown --------------------------------------------------------------------------------------
def test_breakdown_design_sizes():
    design = bs.design("small", seed=1)
    assert design.runs == 2 * 2 * 2 * 5 * 3
    # every run covers every campaign's evaluation window
    assert all(s.steps >= s.base.steps_covering_windows for s in design.sweeps)
    assert {(lab["sharing"], lab["rule"]) for lab in design.labels} == {
        (s, r) for s in ("ledger", "gossip") for r in ("majority", "super_0.8")
    }
    full = bs.design("full", seed=1).sweeps
    assert all(s.replicates >= 30 for s in full)
    assert all(s.base.betray_after_steps < s.steps for s in full), "betrayers must turn within the run"
    assert ("none", "isolated") in bs.blocks("full") and ("central", "aggregator") in bs.blocks("full")
    with pytest.raises(ValueError, match="size"):
        bs.design("huge")


def test_voter_model_band_at_twenty_nodes():
    params = bs.design("small").base  # 20 nodes, turnout floor 0.1 of 19 eligible: 2 votes
    # all abstaining: 2 colluding voters (3 malicious with the origin) meet the floor and approve
    assert bs.voter_model_band(params, "majority", 0.1) == pytest.approx((3 / 20, 11 / 20))
    # all rejecting: a supermajority of 0.8 needs ceil(0.8 * 19) = 16 colluding voters, 17 malicious
    assert bs.voter_model_band(params, "super_0.8", 0.1) == pytest.approx((3 / 20, 17 / 20))
    assert all(np.isnan(bs.voter_model_band(params, "trust_weighted", 0.1)))
    # honest errors make forgeries pass earlier
    assert bs.voter_model_f_star(params, "majority", 0.1, reject=0.7, approve=0.3) < 11 / 20


def _synthetic_breakdown_frame(rng: np.random.Generator, reps: int = 30) -> pd.DataFrame:
    """Forged reach: logistic in f crossing 0.1 at f = 0.3 for 'collude'; protection stays at 0.9."""
    rows = []
    fractions = np.round(np.arange(0.0, 0.61, 0.05), 2)
    centre = 0.3 + math.log(9) / 20  # logistic(20 (f - centre)) = 0.1 at f = 0.3
    for f in fractions:
        for r in range(reps):
            made = 40 if f > 0 else 0
            p = 1 / (1 + math.exp(-20 * (f - centre)))
            reached = rng.binomial(made, p) if made else 0
            rows.append(
                {
                    "sharing": "ledger",
                    "rule": "majority",
                    "malicious_behavior": "collude",
                    "malicious_fraction": f,
                    "replicate": r,
                    "status": "ok",
                    "signatures_forged": made,
                    "forged_reach_frac": reached / made if made else np.nan,
                    "protected_time_frac_mean": 0.9 + rng.normal(0, 0.01),
                }
            )
    return pd.DataFrame(rows)


def test_breakdown_table_recovers_a_known_crossing_and_reports_not_reached():
    frame = _synthetic_breakdown_frame(np.random.default_rng(3))
    params = bs.design("small").base
    table = bs.breakdown_table(frame, forged_threshold=0.1, protected_level=0.5, n_boot=400, seed=1, params=params)
    security = table[table.outcome == "security"].iloc[0]
    assert security.reached and security.ci_low <= 0.3 <= security.ci_high
    assert (security.voter_low, security.voter_high) == pytest.approx((0.15, 0.55))
    protection = table[table.outcome == "protection"].iloc[0]
    assert not protection.reached and np.isnan(protection.estimate)
    found = bs.BreakdownFindings(bs.curves(frame), table, forged_threshold=0.1, protected_level=0.5)
    shown = bs.display_table(found)
    assert shown.loc[table.outcome == "protection", "f_star (95% CI)"].iloc[0].startswith("not reached")
    text = bs.prose(found)
    assert f"{security.estimate:.2f}" in text and "Not reached" in text
    assert "1 break down inside that band" in text and "0.15 to 0.55" in shown.iloc[:, -2].tolist()
    headline = bs.headline(found)
    assert headline.values["f_star_security_min"][0] == pytest.approx(security.estimate)
    assert headline.values["f_star_protection_min"] == "not reached"
    assert "ledger / majority / collude" in headline.labels["f_star_security_min"]
    assert headline.units == {"f_star_security_min": "of nodes", "f_star_protection_min": "of nodes"}


def test_curves_pool_counts_with_wilson_intervals():
    frame = pd.DataFrame(
        {
            "sharing": "gossip",
            "rule": "majority",
            "malicious_behavior": "collude",
            "malicious_fraction": 0.2,
            "replicate": [0, 1],
            "status": "ok",
            "signatures_forged": [10, 30],
            "forged_reach_frac": [0.5, 0.0],
            "protected_time_frac_mean": [0.8, 0.6],
        }
    )
    curve = bs.curves(frame).iloc[0]
    assert curve.forged_made == 40 and curve.forged_share == pytest.approx(5 / 40)
    assert curve.forged_low < 5 / 40 < curve.forged_high
    assert curve.protected == pytest.approx(0.7) and curve.runs == 2


# --- 05 frontier ---------------------------------------------------------------------------------------
def _frontier_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five gossip designs and the isolated reference, with replicate effects common to all (common random
    numbers): A protects best; A2 is A under another name (identical results); C is A with 0.1 less
    protection on every replicate (dominated beyond the intervals); W is behind A by 0.01 on average with
    noise of its own (dominated on the point estimate only); L is cheap but protects below the floor;
    ``none`` protects less still and sends nothing (its messages and forged harm are structural zeros)."""
    rng = np.random.default_rng(8)
    shared = rng.normal(0.0, 0.05, 4)
    own = rng.normal(0.0, 0.05, 4)
    designs = {  # (quorum, fanout): protection offset, benign blocked, forged harm, messages
        "A": ((0.6, 3), 0.6, 0.010, 0.004, 10.0),
        "A2": ((0.8, 3), 0.6, 0.010, 0.004, 10.0),
        "C": ((0.6, 1), 0.5, 0.010, 0.004, 10.0),
        "W": ((0.8, 1), 0.59, 0.010, 0.004, 10.0),
        "L": ((0.9, 1), 0.1, 0.010, 0.004, 2.0),
    }
    runs, camps = [], []
    for name, ((quorum, fanout), protection, benign, harm, msgs) in designs.items():
        for r in range(4):
            runs.append(
                {
                    "sharing": "gossip",
                    "quorum": quorum,
                    "gossip_fanout": fanout,
                    "replicate": r,
                    "status": "ok",
                    "signatures_forged": 20,
                    "forged_reach_frac": 0.05,
                    "protected_time_frac_mean": protection + shared[r] + (own[r] if name == "W" else 0.0),
                    "benign_blocked_frac": benign + 0.001 * r,
                    "forged_benign_blocked_frac": harm + 0.001 * r,
                    "messages_per_node_step": msgs + 0.1 * r,
                    "messages_per_signature": 10 * msgs,
                }
            )
            camps += [
                {
                    "sharing": "gossip",
                    "quorum": quorum,
                    "gossip_fanout": fanout,
                    "t50_steps": 5 + c,
                    "t50_reached": True,
                }
                for c in range(3)
            ]
    for r in range(4):
        runs.append(
            {
                "sharing": "none",
                "quorum": np.nan,
                "gossip_fanout": np.nan,
                "replicate": r,
                "status": "ok",
                "signatures_forged": 3,
                "forged_reach_frac": 0.0,
                "protected_time_frac_mean": 0.02 + 0.001 * r,
                "benign_blocked_frac": 0.0,
                "forged_benign_blocked_frac": 0.0,
                "messages_per_node_step": 0.0,
                "messages_per_signature": 0.0,
            }
        )
        camps += [
            {"sharing": "none", "quorum": np.nan, "gossip_fanout": np.nan, "t50_steps": 29.0, "t50_reached": False}
            for _ in range(3)
        ]
    return pd.DataFrame(runs), pd.DataFrame(camps)


def test_frontier_merges_identical_designs_floors_protection_and_dominates_only_beyond_intervals():
    runs, camps = _frontier_frames()
    base = {"malicious_fraction": 0.2, "malicious_behavior": "collude"}
    table = fs.design_table(runs, camps, protection_floor=0.2, base=base).set_index("design")
    merged = "gossip q=0.6 k=3 = gossip q=0.8 k=3"
    assert merged in table.index and table.loc[merged, "same_designs"] == 2 and len(table) == 5
    assert table["pareto"].to_dict() == {
        merged: True,
        "gossip q=0.8 k=1": True,  # behind on the point estimate only
        "gossip q=0.6 k=1": False,  # 0.1 less protection on every replicate
        "gossip q=0.9 k=1": False,  # cheap, but below the floor
        "none": False,
    }
    assert table.loc["gossip q=0.6 k=1", "dominated_by"] == merged  # W is too noisy to dominate it
    assert not table.loc["gossip q=0.9 k=1", "above_floor"] and not table.loc["none", "above_floor"]
    none = table.loc["none"]
    assert none.msgs_node_step_structural and none.forged_harm_structural and not none.protection_structural
    assert np.isnan(none.msgs_node_step_low) and np.isnan(none.forged_share)  # no interval for a structural zero
    found = fs.FrontierFindings(table.reset_index(), forged_target=0.01, protection_floor=0.2)
    listing = fs.listing(found.table).set_index("design")
    assert listing.loc["none", "messages / node / step (t 95%)"] == "0 (structural zero)"
    assert listing.loc["gossip q=0.9 k=1", "front"] == "below the protection floor"
    assert listing.loc["gossip q=0.6 k=1", "front"].startswith("dominated by")
    text = fs.prose(found)
    assert "6 designs were run" in text and f"**{merged}**" in text and "5 designs are compared" in text
    assert "2 protect fewer than 20%" in text and "2 are on the front" in text
    card = fs.headline(found)
    assert card.values["front_designs"] == 2 and card.values["designs"] == 5
    assert card.values["protection_safe"][0] == pytest.approx(table.loc[merged, "protection"])
    assert merged in card.labels["protection_safe"]


def test_structural_zeros_come_from_declared_properties_not_values():
    runs = pd.DataFrame(
        {
            "design": ["none", "gossip a", "gossip b", "central"],
            "sharing": ["none", "gossip", "gossip", "central"],
            "malicious_fraction": [0.2, 0.2, 0.0, 0.2],
            "messages_per_node_step": [0.0, 0.0, 3.0, 1.0],  # a gossip run's 0 is measured, not structural
            "forged_benign_blocked_frac": [0.0, 0.0, 0.0, 0.1],
        }
    )
    zero = fs.structural_zeros(runs, {"malicious_behavior": "collude"})
    assert zero["messages_per_node_step"].tolist() == [True, False, False, False]
    assert zero["forged_benign_blocked_frac"].tolist() == [True, False, True, False]


def test_frontier_design_sizes():
    design = fs.design("small", seed=1)
    assert [lab["sharing"] for lab in design.labels] == ["gossip", "ledger", "central", "none"]
    assert design.runs == (8 + 4 + 4 + 1) * 3
    assert all(s.steps >= s.base.steps_covering_windows for s in design.sweeps)
    assert all(s.replicates >= 30 for s in fs.design("full").sweeps)


# --- 06 correlated votes -------------------------------------------------------------------------------
def _votes(rng: np.random.Generator, n_sigs: int, n_voters: int, p: float, rho: float) -> np.ndarray:
    """Beta-binomial votes (1/0) with mean p and intra-class correlation rho (rho = 0: independent)."""
    if rho == 0:
        probs = np.full(n_sigs, p)
    else:
        s = 1 / rho - 1
        probs = rng.beta(p * s, (1 - p) * s, n_sigs)
    return (rng.random((n_sigs, n_voters)) < probs[:, None]).astype(float)


def test_compare_keeps_independent_votes_and_flags_correlated_ones():
    rng = np.random.default_rng(11)
    independent = vs.compare(_votes(rng, 400, 15, 0.7, 0.0), n_boot=200, seed=1)
    assert independent["verdict"] == "consistent with independence"
    assert abs(independent["rho"]) < 0.03 and independent["n_eff"] == pytest.approx(15, rel=0.4)
    correlated = vs.compare(_votes(rng, 400, 15, 0.7, 0.4), n_boot=200, seed=1)
    assert correlated["verdict"] == "independence fails"
    assert correlated["rho_low"] <= 0.4 <= correlated["rho_high"]
    assert correlated["observed"] < correlated["binomial"] and correlated["bb_limit"] < 0.95
    assert correlated["obs_low"] <= correlated["betabinomial"] <= correlated["obs_high"]
    unanimous = vs.compare(np.ones((20, 5)), n_boot=50)
    assert unanimous["verdict"].startswith("unanimous") and unanimous["observed"] == 1.0
    assert vs.compare(np.ones((2, 5)))["verdict"] == "too few signatures"


def test_vote_matrix_and_cell_table_from_a_votes_frame():
    votes = pd.DataFrame(
        {
            "run_id": ["r1"] * 5 + ["r2"] * 2,
            "sig_id": ["s1", "s1", "s1", "s2", "s2", "s1", "s1"],
            "node": [0, 1, 2, 0, 3, 0, 1],
            "vote": [1, -1, 1, 1, 1, -1, -1],
            "node_malicious": [False, False, False, False, True, False, False],
            "genuine": True,
            "forged": False,
            "topology": "complete",
        }
    )
    matrix = vs.vote_matrix(votes)
    assert matrix.shape == (3, 3)  # r1/s1, r1/s2, r2/s1 x honest nodes 0, 1, 2
    assert np.nansum(matrix, axis=1).tolist() == [2.0, 1.0, 0.0]
    table = vs.cell_table(votes, ["topology"])
    assert table["sig_class"].tolist() == ["genuine"] and table["n_signatures"].iloc[0] == 3
    assert vs.prose(vs.VoteFindings(table, ["topology"])).startswith("Verdicts over 1 cells")


def test_vote_study_design():
    design = vs.design("small", seed=1)
    assert [lab["block"] for lab in design.labels] == ["zscore", "iforest", "independent"]
    assert all(s.keep == ("votes",) for s in design.sweeps)
    assert all(s.replicates >= 30 for s in vs.design("full").sweeps)
    kinds = vs.voter_kind(
        pd.DataFrame({"block": ["zscore", "iforest", "independent"], "zscore_threshold": [6.0, np.nan, np.nan]})
    )
    assert kinds.tolist() == ["zscore z>6", "iforest", "independent p=0.7"]


def test_vote_headline_names_the_cell_with_the_largest_correlation():
    table = pd.DataFrame(
        {
            "topology": ["complete", "ring"],
            "sig_class": "genuine",
            "rho": [0.1, 0.3],
            "rho_low": [0.0, 0.2],
            "rho_high": [0.2, 0.4],
            "verdict": ["consistent with independence", "independence fails"],
        }
    )
    headline = vs.headline(vs.VoteFindings(table, ["topology"]))
    assert headline.values["rho_max"] == (0.3, 0.2, 0.4) and "ring / genuine" in headline.labels["rho_max"]
    assert headline.values["cells_failing"] == 1
    unanimous = table.assign(rho=np.nan, verdict="unanimous: no error to correlate")
    assert vs.headline(vs.VoteFindings(unanimous, ["topology"])).values["rho_max"].startswith("not measurable")


def test_a_design_that_never_held_is_not_a_breakdown_point():
    rng = np.random.default_rng(5)
    frame = _synthetic_breakdown_frame(rng, reps=10)
    isolated = frame.assign(sharing="none", rule="isolated", protected_time_frac_mean=0.2, forged_reach_frac=0.0)
    table = bs.breakdown_table(pd.concat([frame, isolated]), n_boot=200, seed=1)
    row = table[(table.sharing == "none") & (table.outcome == "protection")].iloc[0]
    assert row.reached and row.left_censored and row.estimate == 0.0
    found = bs.BreakdownFindings(bs.curves(frame), table, forged_threshold=0.1, protected_level=0.5)
    # the isolated design never held; it did not break; the ledger never crossed
    assert bs.headline(found).values["f_star_protection_min"] == "not reached (1 of 2 below the level without malice)"
    assert "Already across the threshold at the smallest fraction swept (0): none / isolated" in bs.prose(found)


def test_the_headline_says_below_the_level_without_malice_when_every_design_is():
    frame = _synthetic_breakdown_frame(np.random.default_rng(6), reps=5).assign(protected_time_frac_mean=0.3)
    table = bs.breakdown_table(frame, n_boot=100, seed=1)
    found = bs.BreakdownFindings(bs.curves(frame), table, forged_threshold=0.1, protected_level=0.5)
    card = bs.headline(found)
    assert card.values["f_star_protection_min"] == "below the level without malice"
    assert isinstance(card.values["f_star_security_min"], tuple)  # security still breaks down


@pytest.mark.parametrize("n_nodes", [7, 10, 20, 33, 60])
def test_fraction_grid_steps_at_least_one_node_per_level(n_nodes):
    from workbench.model.params import ModelParams

    for step in (0.01, 0.05, 0.15):
        grid = bs.fraction_grid(n_nodes, 0.6, step)
        counts = [ModelParams(n_nodes=n_nodes, malicious_fraction=f).n_malicious for f in grid]
        assert counts[0] == 0 and all(b - a >= 1 for a, b in itertools.pairwise(counts))
        assert counts[-1] <= 0.6 * n_nodes and counts == [round(f * n_nodes) for f in grid]
    # the design regenerates the grid from its network size
    design = bs.design("full", base={"n_nodes": n_nodes})
    counts = [round(f * n_nodes) for f in design.sweeps[0].factors["malicious_fraction"]]
    assert len(set(counts)) == len(counts)


def test_design_text_describes_blocks_with_different_factors():
    design = vs.design("small", seed=3)
    text = design_text(design.sweeps, [lab["block"] for lab in design.labels])
    assert "zscore: `topology` in ['complete', 'scale_free'] and `zscore_threshold` in [4.0, 6.0]" in text
    assert "iforest: `topology` in ['complete', 'scale_free']" in text and "32 runs" in text


def test_advantage_breaks_down_where_a_design_protects_less_than_isolated_nodes_with_the_same_seeds():
    """Isolated protection 0.35 per seed (seed noise shared by both arms); the ledger 0.35 + 0.225 - f, so its
    paired advantage crosses 0 at f = 0.225, between two swept levels; gossip is below isolated nodes already at f = 0 (never held)."""
    rng = np.random.default_rng(8)
    rows = []
    for f in np.round(np.arange(0.0, 0.61, 0.05), 2):
        for seed in range(20):
            noise = 0.05 * np.sin(seed)  # the seed's world: the same for every design (common random numbers)
            for sharing, rule, value in (
                ("none", "isolated", 0.35),
                ("ledger", "majority", 0.35 + 0.225 - f),
                ("gossip", "majority", 0.30),
            ):
                rows.append(
                    {
                        "sharing": sharing,
                        "rule": rule,
                        "malicious_behavior": "collude",
                        "malicious_fraction": f,
                        "seed": 1000 + seed,
                        "replicate": seed,
                        "status": "ok",
                        "signatures_forged": 0,
                        "forged_reach_frac": np.nan,
                        "protected_time_frac_mean": value + noise + rng.normal(0, 0.002),
                    }
                )
    frame = pd.DataFrame(rows)
    paired = bs.with_advantage(frame)
    assert set(paired["sharing"]) == {"ledger", "gossip"}  # the reference has no advantage of its own
    at = paired[(paired.sharing == "ledger") & (paired.malicious_fraction == 0.1)]["protection_advantage"]
    assert at.mean() == pytest.approx(0.125, abs=0.005) and at.std() < 0.01  # paired: the seed's noise cancels
    table = bs.breakdown_table(frame, n_boot=300, seed=2)
    adv = table[table.outcome == "advantage"].set_index("sharing")
    assert adv.loc["ledger", "reached"] and not adv.loc["ledger", "left_censored"]
    low, estimate, high = adv.loc["ledger", ["ci_low", "estimate", "ci_high"]]
    assert abs(estimate - 0.225) < 0.005 and low <= estimate <= high and high - low < 0.02
    assert adv.loc["gossip", "left_censored"]  # below isolated nodes without malice: never held
    found = bs.BreakdownFindings(bs.curves(frame), table, forged_threshold=0.1, protected_level=0.5)
    text = bs.prose(found)
    assert "**Advantage**" in text and "where sharing stops paying" in text
    assert f"ledger / majority against `collude` at f* = {estimate:.2f}" in text
    card = bs.headline(found)
    assert card.values["f_star_advantage_min"][0] == pytest.approx(adv.loc["ledger", "estimate"])
    # without isolated runs there is no advantage row and the card keeps its two items
    alone = bs.breakdown_table(frame[frame.sharing != "none"], n_boot=50, seed=2)
    assert "advantage" not in set(alone.outcome)
