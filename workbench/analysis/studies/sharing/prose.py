"""Study 10's prose and headline, every number taken from its findings: for each design, where it pays
against ``none``, the tuned isolated arm and ``central`` on the two primary outcomes (protection over time
and attack flows blocked), where they disagree and why, where it does not pay and what the reference
reaches there, and what it costs in benign flows blocked, forged harm and messages."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.studies.common import fmt_interval, join_words
from workbench.analysis.studies.protocol import Headline
from workbench.analysis.studies.sharing.analysis import SharingFindings
from workbench.analysis.studies.sharing.design import SHARING, TUNED, TUNED_SETTINGS, TUNED_SKIPS

# below this share of honest nodes protected over time and of attack flows blocked (both arms), a cell has no
# protection to share
NEITHER = 0.05


def cell_name(block: str, level: Any) -> str:
    """``"attacker_prefixes = 1"`` (a whole number stored as a float is written as one)."""
    if isinstance(level, float) and level.is_integer():
        level = int(level)
    return f"{block} = {level}"


def off_base(found: SharingFindings, diffs: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``diffs`` off the base point (the base cell is repeated in every block sharing it), without
    the rows that repeat it (``repeats_base``: a level that changes neither arm's runs)."""
    is_base = np.asarray(
        [
            found.base_levels.get(b) is not None and lv == found.base_levels[b]
            for b, lv in zip(diffs["block"], diffs["level"])
        ],
        dtype=bool,
    )
    return diffs[~(is_base | repeats(diffs))]


def repeats(diffs: pd.DataFrame) -> np.ndarray:
    """``repeats_base`` of ``diffs`` as a boolean array (all False for frames without the column)."""
    if "repeats_base" not in diffs.columns:
        return np.zeros(len(diffs), dtype=bool)
    return diffs["repeats_base"].fillna(False).to_numpy(dtype=bool)


def repeated_cells(found: SharingFindings, diffs: pd.DataFrame, design: str) -> list[str]:
    """``"block = level (repeats ...)"`` of the cells where ``design``'s comparison repeats an earlier cell's:
    the base point or another level of the block."""
    rows = diffs[repeats(diffs) & (diffs["design"] == design)].drop_duplicates(["block", "level"])
    out = []
    for b, lv, same in zip(rows["block"], rows["level"], rows.get("repeats_level", [None] * len(rows))):
        of = "the base point" if same is None or _is_base(found, b, same) else cell_name(b, same)
        out.append(f"{cell_name(b, lv)} (repeats {of})")
    return out


def base_rows(found: SharingFindings, diffs: pd.DataFrame) -> pd.DataFrame:
    """The base point's rows of ``diffs`` (taken from the first block that shares the base runs)."""
    shared = [b for b in found.blocks if found.base_levels.get(b) is not None]
    if not shared:
        return diffs.iloc[0:0]
    first = shared[0]
    return diffs[(diffs["block"] == first) & (diffs["level"] == found.base_levels[first])]


def diff_text(row: pd.Series, digits: int = 3) -> str:
    """``"+0.312 (0.270 to 0.350)"``, ``"structural zero"``, or against a structural zero the measured arm's
    own value ``"0.052 (0.040 to 0.064) (own value; the other arm is 0 by definition)"``."""
    if row["status"] == "structural zero":
        return "0 (structural zero: no interval)"
    if row["status"] == "against structural zero":
        own = fmt_interval(row["diff"], row["ci_low"], row["ci_high"], digits=digits)
        return f"{own} (own value; the other arm is 0 by definition: no verdict)"
    if row["status"] == "no pairs":
        return "n/a (no paired values)"
    text = fmt_interval(row["diff"], row["ci_low"], row["ci_high"], digits=digits)
    return ("+" if row["diff"] > 0 else "") + text


def verdict_cells(found: SharingFindings, diffs: pd.DataFrame, design: str, outcome: str, verdict: str) -> pd.DataFrame:
    """Off-base cells of ``design`` on ``outcome`` with the given verdict, largest effect first."""
    rows = off_base(found, diffs)
    rows = rows[(rows["design"] == design) & (rows["outcome"] == outcome) & (rows["verdict"] == verdict)]
    return rows.reindex(rows["diff"].abs().sort_values(ascending=False).index)


def _listing(rows: pd.DataFrame, design: str, reference: str, limit: int = 6) -> str:
    items = [
        f"{cell_name(r.block, r.level)} ({design} {r.design_mean:.2f} vs {reference} {r.reference_mean:.2f})"
        for r in rows.head(limit).itertuples()
    ]
    more = len(rows) - limit
    return join_words(items) + (f" and {more} more" if more > 0 else "")


def both_primaries(found: SharingFindings, diffs: pd.DataFrame, design: str) -> pd.DataFrame:
    """One row per cell of ``design`` (the base cell once): its verdict and means on protection over time
    (``pt_*``) and on attack flows blocked (``ab_*``), and ``combined``: ``"pays"`` (better on one, worse on
    neither), ``"loses"`` (worse on one, better on neither), ``"disagree"`` (better on one, worse on the
    other) or ``"no difference shown"``."""
    protection, blocked = found.outcomes[0].column, found.outcomes[1].column
    rows = pd.concat([base_rows(found, diffs), off_base(found, diffs)])
    rows = rows[rows["design"] == design]
    keys = ["block", "level"]
    pt = rows[rows["outcome"] == protection][[*keys, "verdict", "design_mean", "reference_mean", "diff"]]
    ab = rows[rows["outcome"] == blocked][[*keys, "verdict", "design_mean", "reference_mean", "diff"]]
    both = pt.merge(ab, on=keys, how="outer", suffixes=("_pt", "_ab"))
    both.columns = [c if c in keys else f"{c.rsplit('_', 1)[1]}_{c.rsplit('_', 1)[0]}" for c in both.columns]

    def combine(a: object, b: object) -> str:
        votes = {a, b}
        if "better" in votes and "worse" in votes:
            return "disagree"
        if "better" in votes:
            return "pays"
        if "worse" in votes:
            return "loses"
        return "no difference shown"

    both["combined"] = [combine(a, b) for a, b in zip(both["pt_verdict"], both["ab_verdict"])]
    return both.reset_index(drop=True)


def _pair_listing(rows: pd.DataFrame, design: str, reference: str, limit: int = 6) -> str:
    items = [
        f"{cell_name(r.block, r.level)} (protection {r.pt_design_mean:.2f} vs {r.pt_reference_mean:.2f}, attack "
        f"flows blocked {r.ab_design_mean:.2f} vs {r.ab_reference_mean:.2f})"
        for r in rows.head(limit).itertuples()
    ]
    more = len(rows) - limit
    return join_words(items) + (f" and {more} more" if more > 0 else "")


WHY_DISAGREE = (
    "protection over time counts every honest node, the nodes the campaign never reached among them, while "
    "attack flows blocked counts only the flows the campaign sent: an isolated node that blocks quickly "
    "contains the spread and scores well on flows blocked, yet the nodes it kept the campaign away from count "
    "as unprotected"
)


def design_paragraph(found: SharingFindings, diffs: pd.DataFrame, design: str, reference: str) -> str:
    """Where ``design`` pays against ``reference`` on the two primary outcomes (protection over time and
    attack flows blocked), where they disagree and why, where it does not pay, and its costs."""
    protection, blocked = found.outcomes[0], found.outcomes[1]
    base = base_rows(found, diffs)
    cells = both_primaries(found, diffs, design)
    if not len(cells):
        return ""
    parts = [f"**{design} against {reference}.**"]
    at_base = []
    for outcome in (protection, blocked):
        row = base[(base["design"] == design) & (base["outcome"] == outcome.column)]
        if len(row):
            r = row.iloc[0]
            word = {"better": "pays", "worse": "loses", "no difference shown": "is not shown to differ"}.get(
                r["verdict"], r["verdict"]
            )
            at_base.append(
                f"it {word} on {outcome.label}: {diff_text(r)} ({design} {r['design_mean']:.2f}, "
                f"{reference} {r['reference_mean']:.2f})"
            )
    if at_base:
        parts.append(f"At the base point {join_words(at_base)}.")
    total = len(cells)
    count = {(col, v): int((cells[f"{col}_verdict"] == v).sum()) for col in ("pt", "ab") for v in ("better", "worse")}
    parts.append(
        f"Over all {total} cells (Holm-corrected within this comparison) it is better on {protection.label} in "
        f"{count[('pt', 'better')]} and worse in {count[('pt', 'worse')]}; better on {blocked.label} in "
        f"{count[('ab', 'better')]} and worse in {count[('ab', 'worse')]}."
    )
    same = repeated_cells(found, diffs, design)
    if same:
        parts.append(
            f"Not counted as cells of their own: {join_words(same)}, where the level changes neither {design}'s "
            f"nor {reference}'s runs (every replicate equal to the cell it repeats)."
        )
    off = cells[[not _is_base(found, b, lv) for b, lv in zip(cells["block"], cells["level"])]]
    order = off.reindex(off["pt_diff"].abs().sort_values(ascending=False).index)
    # where neither arm protects NEITHER of honest nodes nor blocks NEITHER of attack flows, a significant
    # difference (0.001 against 0.004) is not a design paying or losing: those cells join "nothing to share"
    floor = below_floor(order)
    decided = order[~floor]
    pays, loses = decided[decided["combined"] == "pays"], decided[decided["combined"] == "loses"]
    disagree = decided[decided["combined"] == "disagree"]
    if len(pays):
        parts.append(f"Off the base point it pays with {_pair_listing(pays, design, reference)}.")
    if len(loses):
        parts.append(f"It does worse with {_pair_listing(loses, design, reference)}.")
    if len(disagree):
        parts.append(f"The two outcomes disagree with {_pair_listing(disagree, design, reference)}: {WHY_DISAGREE}.")
    parts.extend(undecided_text(order[floor | (order["combined"] == "no difference shown")], design, reference))
    for outcome in found.outcomes[2:]:
        parts.append(cost_text(found, diffs, design, reference, outcome))
    return " ".join(p for p in parts if p)


def below_floor(cells: pd.DataFrame) -> pd.Series:
    """Cells (rows of :func:`both_primaries`) where neither arm protects :data:`NEITHER` of honest nodes over
    time nor blocks that share of attack flows: nothing to share, whatever the tests say."""
    return (np.maximum(cells["pt_design_mean"], cells["pt_reference_mean"]) < NEITHER) & (
        np.maximum(cells["ab_design_mean"], cells["ab_reference_mean"]) < NEITHER
    )


def undecided_text(none_shown: pd.DataFrame, design: str, reference: str) -> list[str]:
    """Sentences on the cells with no difference shown on either primary outcome, or below the floor
    (:func:`below_floor`): where neither arm protects :data:`NEITHER` of honest nodes over time nor blocks
    that share of attack flows (nothing to share, said so even where a test finds a difference), where the
    reference protects as well, and where a gain is too small for the replicates to show."""
    if not len(none_shown):
        return []
    parts = []
    low = below_floor(none_shown)
    neither = none_shown[low]
    rest = none_shown[~low]
    high_ref = rest[rest["pt_reference_mean"] >= rest["pt_design_mean"]]
    small_gain = rest[rest["pt_reference_mean"] < rest["pt_design_mean"]]
    if len(neither):
        parts.append(
            f"Neither it nor {reference} protects {NEITHER:.0%} of honest nodes over time or blocks "
            f"{NEITHER:.0%} of attack flows with {_listing_pt(neither, design, reference)}: there is no "
            "protection to share"
            + (
                " (a difference the test finds there is not counted as paying or losing)."
                if (neither["combined"] != "no difference shown").any()
                else "."
            )
        )
    if len(high_ref):
        parts.append(f"It does not pay where {reference} protects as well: {_listing_pt(high_ref, design, reference)}.")
    if len(small_gain):
        parts.append(f"A gain too small for the replicates to show: {_listing_pt(small_gain, design, reference)}.")
    return parts


def _listing_pt(rows: pd.DataFrame, design: str, reference: str, limit: int = 6) -> str:
    items = [
        f"{cell_name(r.block, r.level)} ({design} {r.pt_design_mean:.2f} vs {reference} {r.pt_reference_mean:.2f})"
        for r in rows.head(limit).itertuples()
    ]
    more = len(rows) - limit
    return join_words(items) + (f" and {more} more" if more > 0 else "")


def _is_base(found: SharingFindings, block: str, level: Any) -> bool:
    return found.base_levels.get(block) is not None and level == found.base_levels[block]


def cost_text(found: SharingFindings, diffs: pd.DataFrame, design: str, reference: str, outcome: Any) -> str:
    """``design``'s cost on a secondary outcome: counts of cells worse and better, or, against a structural
    zero (messages of ``none``), the design's own value with no verdict."""
    base = base_rows(found, diffs)
    base_cost = base[(base["design"] == design) & (base["outcome"] == outcome.column)]
    if len(base_cost) and base_cost.iloc[0]["status"] == "against structural zero":
        r = base_cost.iloc[0]
        # the arm whose value is the structural zero (the other arm's value is what the design costs)
        zero = design if r["design_mean"] == 0 and r["reference_mean"] != 0 else reference
        return (
            f"On {outcome.label} it is not compared ({zero} is 0 by definition): at the base point "
            f"{design} has {diff_text(r)} {outcome.unit}."
        )
    worse_cost = verdict_cells(found, diffs, design, outcome.column, "worse")
    better_cost = verdict_cells(found, diffs, design, outcome.column, "better")
    base_text = f" (base point {diff_text(base_cost.iloc[0])})" if len(base_cost) else ""
    if not (len(worse_cost) or len(better_cost) or (len(base_cost) and base_cost.iloc[0]["verdict"] in VERDICTS)):
        return ""
    most = (
        f", most with {cell_name(worse_cost.iloc[0].block, worse_cost.iloc[0].level)} ({diff_text(worse_cost.iloc[0])})"
        if len(worse_cost)
        else ""
    )
    return (
        f"On {outcome.label}{base_text}: worse in {len(worse_cost)} and better in {len(better_cost)} of the "
        f"cells off the base point{most}."
    )


VERDICTS = ("better", "worse")


def structural_text(found: SharingFindings) -> str:
    """Which values are zero by definition, reported as such."""
    table = found.levels[found.levels["structural"]]
    if not len(table):
        return ""
    groups = table.groupby("outcome")["sharing"].apply(lambda s: sorted(set(s)))
    items = [f"`{outcome}` of {join_words(modes)}" for outcome, modes in groups.items()]
    return (
        "Structural zeros (zero by definition, reported without interval and never counted as a design being "
        f"better): {join_words(items)} (messages of an isolated node; forged harm where no forgery can be made, and "
        "of an isolated node, whose forgeries block only at their forger). A design measured against one is not "
        "compared: its own value is given, with no verdict."
    )


def caveats(found: SharingFindings) -> str:
    """The limits every verdict above carries, computed from the findings: replicates, the correction,
    the pairing, the definition of protection over time, and the cells where no design protects."""
    reps = int(found.cells["replicate"].nunique()) if len(found.cells) else 0
    parts = [
        f"**How to read the verdicts.** Each cell has {reps} replicate(s)"
        + ("; at this size the verdicts are illustrative, not conclusions." if reps < FEW_REPLICATES else "."),
        "A verdict needs its Holm-adjusted paired t test below 5%, the family being every cell of one "
        "(design, outcome, reference), the base cell once; the intervals shown are per-cell 95% intervals, not "
        "corrected.",
        "The pairing is by seed (common seeds), not identical traffic: one model Generator draws both traffic and "
        "sharing, so draws diverge once two designs differ; the paired intervals remain valid, only less "
        "efficient.",
        f"Protection over time (`{found.outcomes[0].column}`) is the share of all honest nodes protected against a "
        "campaign, averaged over its window: nodes the campaign never reached count as unprotected; attack flows "
        "blocked counts only the flows the campaign sent.",
    ]
    empty = nothing_to_share(found)
    if empty:
        parts.append(
            f"With {join_words(empty)} every design protects less than {NEITHER:.0%} of honest nodes over time: "
            "sharing cannot pay there, there is no protection to share."
        )
    return " ".join(parts)


FEW_REPLICATES = 10


def nothing_to_share(found: SharingFindings) -> list[str]:
    """The cells (``"block = level"``) where every design's mean protection over time is below
    :data:`NEITHER`."""
    levels = found.levels[found.levels["outcome"] == found.outcomes[0].column]
    if not len(levels):
        return []
    top = levels.groupby(["block", "level"], sort=False)["mean"].max()
    names = []
    for (block, level), value in top.items():
        if value < NEITHER:
            name = "the base point" if _is_base(found, block, level) else cell_name(block, level)
            if name not in names:
                names.append(name)
    return names


def prose(found: SharingFindings, reference: str = "none") -> str:
    """Markdown: a paragraph per design against ``reference`` (``"none"``, ``"central"`` or
    :data:`~workbench.analysis.studies.sharing.design.TUNED`), then the structural zeros, the caveats and
    any placeholder."""
    diffs = found.diffs(reference)
    designs = SHARING if reference == TUNED else [d for d in SHARING if d != reference]
    paragraphs = [design_paragraph(found, diffs, d, reference) for d in designs if d != reference]
    if reference == TUNED:
        paragraphs.insert(
            0,
            f"`{TUNED}` is `none` at min_flagged = {TUNED_SETTINGS['min_flagged']} and proposal_window_steps = "
            f"{TUNED_SETTINGS['proposal_window_steps']}, its best protection over time within the sharing designs' "
            "budget of benign flows blocked (benchmarks/bench_isolated_tuning.py); it runs in every block but "
            f"{join_words(sorted(TUNED_SKIPS))}.",
        )
    if reference == "none":
        paragraphs.append(structural_text(found))
        paragraphs.append(caveats(found))
    if found.placeholder:
        paragraphs.append(
            f"{join_words(f'`{c}`' for c in found.placeholder)} was computed from the kept per-step frames "
            "(the mean over each campaign's window of its protected share), the model's summary having no such outcome."
        )
    return "\n\n".join(p for p in paragraphs if p)


def pays_count(
    found: SharingFindings, design: str, reference: str = "none", outcome: str | None = None
) -> tuple[int, int]:
    """``(cells where design is significantly better than reference on outcome, cells)``, the base cell once;
    ``outcome`` defaults to protection over time."""
    diffs = found.diffs(reference)
    column = outcome or found.outcomes[0].column
    rows = pd.concat([off_base(found, diffs), base_rows(found, diffs)])
    rows = rows[(rows["design"] == design) & (rows["outcome"] == column)]
    return int((rows["verdict"] == "better").sum()), len(rows)


def headline_reference(found: SharingFindings) -> str:
    """The headline's reference: the tuned isolated arm where the study has it, else ``none``."""
    return TUNED if len(found.vs_tuned) else "none"


def headline(found: SharingFindings) -> Headline:
    """The report card, three items: for each sharing design, the cells where it is better than the isolated
    reference (:func:`headline_reference`) on protection over time and on attack flows blocked, Holm-corrected
    (the base point's paired differences with their intervals are in :func:`base_table`)."""
    reference = headline_reference(found)
    protection, blocked = found.outcomes[0].column, found.outcomes[1].column
    values: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for design in SHARING[1:]:
        k, n = pays_count(found, design, reference, protection)
        j, m = pays_count(found, design, reference, blocked)
        values[f"{design}_pays"] = f"{k} of {n} / {j} of {m}"
        labels[f"{design}_pays"] = (
            f"cells where {design} beats {reference} on protection / on attack flows blocked (Holm, 95%)"
        )
    return Headline(values, labels)


def base_table(found: SharingFindings) -> pd.DataFrame:
    """Every design's paired difference against ``none``, ``central`` and the tuned isolated arm at the base
    point, one row per (design, reference, outcome), as ``diff (low to high)`` text (structural zeros and
    values against a structural zero said as such)."""
    labels = {o.column: o.label for o in found.outcomes}
    rows = []
    for diffs in (found.vs_none, found.vs_central, found.vs_tuned):
        for r in base_rows(found, diffs).itertuples():
            rows.append(
                {
                    "comparison": f"{r.design} - {r.reference}",
                    "outcome": labels[r.outcome],
                    "paired difference (95%)": diff_text(pd.Series(r._asdict())),
                    "verdict": r.verdict,
                    "Holm p": r.p_holm,
                    "pairs": r.n_pairs,
                }
            )
    return pd.DataFrame(rows)
