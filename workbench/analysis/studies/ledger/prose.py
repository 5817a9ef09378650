"""Study 12's prose, tables and headline, every number taken from its findings: per scenario, what each
ledger's log looks like (conflicting entries, the longest entry wait) and, against the ideal ledger, what
every design gives up on protection over time and what it costs in messages and bytes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.headline import HeadlineValue
from workbench.analysis.studies.common import fmt_interval, join_words
from workbench.analysis.studies.ledger.analysis import (
    LedgerFindings,
    ordered_quorums,
    quorum_presence,
    run_counts,
)
from workbench.analysis.studies.ledger.design import LEDGERS, REFERENCE, SCENARIOS
from workbench.analysis.studies.protocol import Headline


def level_name(found: LedgerFindings, level: float, scenario: str | None = None) -> str:
    """``"3 of 10 malicious (f, below N/3)"``, ``"4 of 10 malicious (above N/3)"``, ``"no malicious node"``; a
    scenario whose levels are another field's reads as its ``level_text`` says (churn: the leave rate)."""
    sc = SCENARIOS.get(scenario) if scenario is not None else None
    if sc is not None and sc.level_text is not None:
        return sc.level_text.format(level=level)
    m = round(level * found.n_nodes) if found.n_nodes else None
    if not level or m == 0:
        return "no malicious node"
    if m is None:
        return f"malicious fraction {level:g}"
    side = "f, below N/3" if m <= found.fault_bound else "above N/3"
    return f"{m} of {found.n_nodes} malicious ({side})"


def _level_row(found: LedgerFindings, scenario: str, level: float, design: str, outcome: str) -> pd.DataFrame:
    """The level table's row (zero or one) of one design and outcome in one cell."""
    rows = found.levels
    keep = (
        (rows["scenario"] == scenario)
        & (rows["level"] == level)
        & (rows["design"] == design)
        & (rows["outcome"] == outcome)
    )
    return rows[keep]


def value_text(found: LedgerFindings, scenario: str, level: float, design: str, outcome: str, digits: int = 2) -> str:
    """A design's value in one cell: ``"0.31 (0.27 to 0.35)"``, ``"0 (by definition)"``, ``"0 in all 20 runs"``
    (measured, the same in every run: no interval to give) or ``"not defined"``."""
    row = _level_row(found, scenario, level, design, outcome)
    if not len(row):
        return "n/a"
    r = row.iloc[0]
    if not r["defined"]:
        return "not defined"
    if bool(r.get("constant", False)):
        return f"{r['mean']:g} in all {int(r['n'])} runs"
    return fmt_interval(r["mean"], r["ci_low"], r["ci_high"], digits=digits, structural=r["structural"])


def diff_text(row: pd.Series, digits: int = 3) -> str:
    """``"+0.312 (0.270 to 0.350)"``, ``"0 (by definition)"`` or the status."""
    if row["status"] == "by definition":
        return f"{row['diff']:+g} (by definition)"
    if row["status"] != "estimate":
        return str(row["status"])
    text = fmt_interval(row["diff"], row["ci_low"], row["ci_high"], digits=digits)
    return ("+" if row["diff"] > 0 else "") + text


def _diffs(found: LedgerFindings, scenario: str, level: float, outcome: str) -> pd.DataFrame:
    d = found.vs_ideal
    return d[(d["scenario"] == scenario) & (d["level"] == level) & (d["outcome"] == outcome)]


def _levels(found: LedgerFindings, scenario: str) -> list[float]:
    return sorted(set(found.cells.loc[found.cells["scenario"] == scenario, "level"]))


def ledger_sentence(found: LedgerFindings, scenario: str, level: float) -> str:
    """The ledgers' conflicting entries (with the runs that forked: a mean over replicates mixes them with runs
    in which no equivocating node led) and longest entry wait (with the runs in which the ledger confirmed no
    signature: there the wait is the run's length after warm-up, not a wait) in one cell."""
    ledgers = [d for d in LEDGERS if d in found.designs]
    counts = {d: run_counts(found.cells, scenario, level, d) for d in ledgers}

    def forks(d: str) -> str:
        c = counts[d]
        if not 0 < c["forked"] < c["runs"]:
            return ""
        return f" [forked in {c['forked']} of {c['runs']} runs, {c['forked_mean']:.0f} on average in those]"

    def stalls(d: str) -> str:
        c = counts[d]
        return f" [no signature confirmed in {c['stalled']} of {c['runs']} runs]" if c["stalled"] else ""

    conflicts = join_words(
        f"{d} {value_text(found, scenario, level, d, 'conflicting_entries')}{forks(d)}" for d in ledgers
    )
    waits = join_words(
        f"{d} {value_text(found, scenario, level, d, 'entry_commit_delay_max_steps', 1)}{stalls(d)}" for d in ledgers
    )
    return f"conflicting log entries: {conflicts}; longest entry wait (steps): {waits}"


def bound_text(found: LedgerFindings, scenario: str, level: float) -> str:
    """What the ordered ledgers' quorums allow in one cell, ``""`` where nothing: under churn, the share of steps
    after warm-up at which a quorum of the ``N`` positions is present (the replica set does not change: a
    departed replica counts as crashed); with censoring nodes that withhold their votes, whether the honest
    replicas alone make a quorum."""
    ledgers = [d for d in ("crash_tolerant", "bft") if d in found.designs]
    if not ledgers or not found.n_nodes:
        return ""
    quorums = ordered_quorums(found.n_nodes)
    sc = SCENARIOS.get(scenario)
    if sc is not None and sc.axis == "churn_leave_rate" and found.steps:
        join = float(sc.fields.get("churn_join_rate", 0.0))
        shares = quorum_presence(found.n_nodes, level, join, found.warmup_steps + 1, found.steps)
        items = join_words(f"{d} {quorums[d]} at {shares[d]:.0%}" for d in ledgers)
        return (
            f"the ordered ledgers' replica set stays the {found.n_nodes} positions (a departed replica counts as "
            f"crashed), and a quorum of them is present (churn's law, steps {found.warmup_steps + 1} to "
            f"{found.steps}; necessary for a block to commit) for {items} of the steps"
        )
    if scenario == "censor" and "bft" in ledgers:
        honest = found.n_nodes - round(level * found.n_nodes)
        if honest < quorums["bft"]:
            return (
                f"the {honest} honest replicas are fewer than the BFT quorum {quorums['bft']}: with the malicious "
                "replicas withholding their votes no BFT block can commit"
            )
    return ""


def protection_sentence(found: LedgerFindings, scenario: str, level: float) -> str:
    """Every design's paired difference from the ideal ledger on protection over time, with the verdict."""
    column = found.outcomes[0].column
    rows = _diffs(found, scenario, level, column)
    items = []
    for r in rows.itertuples():
        verdict = {"better": "better", "worse": "worse"}.get(r.verdict, "not shown to differ")
        items.append(f"{r.design} {diff_text(pd.Series(r._asdict()))} ({verdict})")
    ideal = value_text(found, scenario, level, REFERENCE, column)
    return f"protection over time (ideal ledger {ideal}), paired difference from the ideal ledger: " + join_words(items)


def cost_sentence(found: LedgerFindings, scenario: str, level: float) -> str:
    """Messages and bytes per node and step of every design in one cell."""
    parts = []
    for column, unit in (("messages_per_node_step", "messages"), ("bytes_per_node_step", "bytes")):
        items = join_words(f"{d} {value_text(found, scenario, level, d, column, 1)}" for d in found.designs)
        parts.append(f"{unit} per node and step: {items}")
    catch_up = catch_up_text(found, scenario, level)
    return "; ".join(parts + ([catch_up] if catch_up else []))


def catch_up_text(found: LedgerFindings, scenario: str, level: float) -> str:
    """Under churn (a cell whose runs had joiners): the mean nodes present and catch-up messages per run of every
    design, from the runs; ``""`` for a cell without joiners."""
    cells = found.cells
    if "catch_up_messages" not in cells.columns or "churn_joins" not in cells.columns:
        return ""
    mine = cells[(cells["scenario"] == scenario) & (cells["level"] == level)]
    if not (pd.to_numeric(mine["churn_joins"], errors="coerce") > 0).any():
        return ""
    means = mine.groupby("design")[["nodes_present_mean", "catch_up_messages"]].mean()
    items = join_words(
        f"{d} {means.loc[d, 'catch_up_messages']:.0f} ({means.loc[d, 'nodes_present_mean']:.1f} nodes present)"
        for d in found.designs
        if d in means.index
    )
    return f"catch-up messages per run (mean, in the messages above): {items}"


def scenario_paragraph(found: LedgerFindings, scenario: str) -> str:
    """A paragraph per scenario: at each of its levels, the ledgers' logs, protection and cost."""
    parts = [f"**{scenario}** ({SCENARIOS[scenario].meaning if scenario in SCENARIOS else scenario})."]
    for level in _levels(found, scenario):
        bound = bound_text(found, scenario, level)
        parts.append(
            f"With {level_name(found, level, scenario)}: {ledger_sentence(found, scenario, level)}; "
            + (f"{bound}; " if bound else "")
            + f"{protection_sentence(found, scenario, level)}."
        )
    return " ".join(parts)


def verdict_counts(found: LedgerFindings, outcome: str | None = None) -> dict[str, dict[str, int]]:
    """Per design, how many cells it is better, worse or not shown to differ from the ideal ledger on
    ``outcome`` (default: protection over time)."""
    column = outcome or found.outcomes[0].column
    rows = found.vs_ideal[found.vs_ideal["outcome"] == column]
    out: dict[str, dict[str, int]] = {}
    for design, group in rows.groupby("design", sort=False):
        out[str(design)] = {v: int((group["verdict"] == v).sum()) for v in ("better", "worse", "no difference shown")}
    return out


def prose(found: LedgerFindings) -> str:
    """Markdown: a paragraph per scenario, the verdict counts and the cost at the crash-free honest cell."""
    paragraphs = [scenario_paragraph(found, s) for s in found.scenarios]
    counts = verdict_counts(found)
    cells = len(found.vs_ideal[["scenario", "level"]].drop_duplicates())
    paragraphs.append(
        f"**Over the {cells} cells**, against the ideal ledger on protection over time (95% intervals of paired "
        "differences): "
        + join_words(
            f"{d} better in {c['better']}, worse in {c['worse']}, not shown to differ in {c['no difference shown']}"
            for d, c in counts.items()
        )
        + "."
    )
    for scenario in found.scenarios:
        if not SCENARIOS.get(scenario, None) or SCENARIOS[scenario].malicious:
            continue
        for level in _levels(found, scenario):
            paragraphs.append(
                f"**Cost** ({scenario}, {level_name(found, level, scenario)}): {cost_sentence(found, scenario, level)}."
            )
    paragraphs.append(wait_note(found))
    fixed = structural_text(found)
    if fixed:
        paragraphs.append(fixed)
    return "\n\n".join(paragraphs)


def wait_note(found: LedgerFindings) -> str:
    """What the longest entry wait is: entries still waiting at the run's end count with their wait so far, so
    the run's length bounds it; a ledger that confirmed nothing shows that bound, not a wait."""
    bound = (
        f" (at most {found.steps - found.warmup_steps - 1} steps here: {found.steps}-step runs, entries from step "
        f"{found.warmup_steps + 1})"
        if found.steps
        else ""
    )
    return (
        "**The longest entry wait** counts an entry still waiting at the run's end with its wait so far, so the "
        f"run's length bounds it{bound}: where a ledger confirmed no signature in a run, or stalls for most of "
        "it, the figure is the run's length, would grow with a longer run, and is no measured wait."
    )


def structural_text(found: LedgerFindings) -> str:
    """Which values are fixed by the design, per outcome and scenario (``"every design"`` where all are)."""
    fixed = found.levels[found.levels["structural"].notna()]
    if not len(fixed):
        return ""
    items = []
    for outcome, rows in fixed.groupby("outcome", sort=False):
        per = []
        for scenario, group in rows.groupby("scenario", sort=False):
            designs = [d for d in found.designs if d in set(group["design"])]
            who = "every design" if len(designs) == len(found.designs) else join_words(designs)
            levels = sorted(set(group["level"]))
            per.append(f"{who} in {scenario} ({join_words(level_name(found, lv, scenario) for lv in levels)})")
        items.append(f"`{outcome}`: " + "; ".join(per))
    return (
        "Values by definition (reported without interval, never counted as a design doing better; the ideal "
        "ledger cannot fork, a behaviour that never forges does no forged harm): " + ". ".join(items) + "."
    )


def table(found: LedgerFindings) -> pd.DataFrame:
    """Every design's value per cell, one row per (scenario, level, design), one column per
    primary outcome, as ``mean (low to high)`` text."""
    rows = []
    for scenario in found.scenarios:
        for level in _levels(found, scenario):
            for design in found.designs:
                row: dict[str, Any] = {
                    "scenario": scenario,
                    "level": level_name(found, level, scenario),
                    "design": design,
                }
                for o in found.outcomes:
                    row[o.label] = value_text(found, scenario, level, design, o.column, 3)
                rows.append(row)
    return pd.DataFrame(rows)


def _cell_value(found: LedgerFindings, scenario: str, level: float, design: str, outcome: str) -> HeadlineValue:
    row = _level_row(found, scenario, level, design, outcome)
    if not len(row) or not row.iloc[0]["defined"]:
        return None
    r = row.iloc[0]
    if np.isfinite(r["structural"]):
        return f"{r['structural']:g} (by definition)"
    if bool(r.get("constant", False)):
        return f"{r['mean']:g} in all {int(r['n'])} runs"
    return (float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]))


def headline(found: LedgerFindings) -> Headline:
    """Three items: conflicting log entries under an equivocating leader for the BFT ledger at the fault bound
    f and at f + 1 (below and above N/3), and for the crash-tolerant ledger at f (it does not defend it). A
    label says in how many runs the log forked (only where an equivocating node led); a value the same in every
    run is given as such (``"0 in all 20 runs"``), without a zero-width interval."""
    levels = _levels(found, "equivocate") if "equivocate" in found.scenarios else []
    values: dict[str, HeadlineValue] = {}
    labels: dict[str, str] = {}
    outcomes: dict[str, str] = {}
    picks = [("bft", 0), ("bft", 1), ("crash_tolerant", 0)]
    for design, i in picks:
        if i >= len(levels) or design not in found.designs:
            continue
        level = levels[i]
        m = round(level * found.n_nodes)
        name = f"{design}_conflicts_{'below' if m <= found.fault_bound else 'above'}"
        values[name] = _cell_value(found, "equivocate", level, design, "conflicting_entries")
        c = run_counts(found.cells, "equivocate", level, design)
        forked = f" (forked in {c['forked']} of {c['runs']} runs)" if 0 < c["forked"] < c["runs"] else ""
        labels[name] = (
            f"{design} ledger, equivocating leader, {m} of {found.n_nodes} malicious: conflicting entries{forked}"
        )
        outcomes[name] = "conflicting_entries"
    return Headline(values, labels, outcomes=outcomes)
