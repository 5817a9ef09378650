"""The outcomes glossary as Markdown, generated from the declared outcomes (:mod:`workbench.model.outcomes`).

``docs/outcomes.md`` holds :func:`glossary_markdown` and the README :func:`glossary_markdown` with
``compact=True``, each between :data:`BEGIN` and :data:`END`; ``scripts/outcomes_glossary.py --update``
rewrites them and ``tests/model/test_outcomes.py`` fails when they are out of step.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.model.outcomes import Outcome
from workbench.model.outcomes.catalog import builtin_outcomes

BEGIN = (
    "<!-- outcomes glossary: generated from workbench/model/outcomes by scripts/outcomes_glossary.py; edit there -->"
)
END = "<!-- end of outcomes glossary -->"

#: Glossary sections, in order: group -> heading.
GROUPS = {
    "detection": "Detection (per flow at honest nodes, whole run)",
    "protection": "Protection (over the campaigns' evaluation windows)",
    "security": "Security and false blocks",
    "delivery": "A confirmation's delivery (every channel; per confirmed signature over `eval_window_steps` from its confirmation)",
    "cost": "Cost",
    "counts": "Counts",
    "ledger": "Ledger ordering (sharing='ledger'; docs/ledger-protocols.md)",
    "churn": "Churn (churn_leave_rate, churn_join_rate; docs/churn.md)",
    "other": "Other",
}
_BETTER = {"maximize": "higher", "minimize": "lower", "info": "-"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|") if text else "-"


def glossary_markdown(outcomes: Sequence[Outcome] | None = None, compact: bool = False) -> str:
    """Markdown tables of ``outcomes`` (default: the built-in ones), between :data:`BEGIN` and :data:`END`.

    Full: one table per group (outcome, definition, denominator, unit, better). Compact (the README): one table
    of the outcomes that have a direction (counts left out)."""
    outcomes = tuple(builtin_outcomes() if outcomes is None else outcomes)
    lines = [BEGIN, ""]
    if compact:
        lines += ["| outcome | definition | denominator | better |", "|---|---|---|---|"]
        lines += [
            f"| `{o.name}` | {_cell(o.doc)} | {_cell(o.denominator)} | {_BETTER[o.direction]} |"
            for o in outcomes
            if o.direction != "info"
        ]
    else:
        for group, heading in GROUPS.items():
            members = [o for o in outcomes if o.group == group]
            if not members:
                continue
            lines += [f"### {heading}", "", "| outcome | definition | denominator | unit | better |"]
            lines += ["|---|---|---|---|---|"]
            lines += [
                f"| `{o.name}` | {_cell(o.doc)} | {_cell(o.denominator)} | {_cell(o.unit)} | {_BETTER[o.direction]} |"
                for o in members
            ]
            lines.append("")
    if lines[-1] != "":
        lines.append("")
    return "\n".join([*lines, END])


def replace_block(text: str, block: str, where: str = "the file") -> str:
    """``text`` with its glossary block (from :data:`BEGIN` to :data:`END`) replaced by ``block``."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{where} has no outcomes glossary block ({BEGIN!r} ... {END!r})")
    return text[:start] + block + text[end + len(END) :]
