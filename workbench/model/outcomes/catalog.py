"""Every declared outcome in one place: the built-in ones (:mod:`workbench.model.outcomes.builtin`) and a run's own
(``ModelParams.outcomes``); the summary, the glossary, the Pareto directions and the headline cards ask here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from workbench.model.outcomes import INFO, MAXIMIZE, OUTCOMES, Outcome, RunView
from workbench.model.outcomes.builtin import BUILTIN


def builtin_outcomes() -> tuple[Outcome, ...]:
    """The built-in outcomes, in summary order."""
    return BUILTIN


def builtin_names() -> tuple[str, ...]:
    """Names of the built-in outcomes, in summary order."""
    return tuple(o.name for o in builtin_outcomes())


def declared(extra: Iterable[str] = ()) -> tuple[Outcome, ...]:
    """The built-in outcomes, then those ``extra`` names (``ModelParams.outcomes``), in summary order;
    ``ValueError`` naming the field when one of ``extra`` takes a built-in outcome's name."""
    extra = tuple(extra)
    own = tuple(OUTCOMES.get(name) for name in extra)
    taken = set(builtin_names())
    for name, mine in zip(extra, own, strict=True):
        if mine.name in taken:
            raise ValueError(
                f"outcomes={extra!r}: {name!r} declares the name {mine.name!r}, which a built-in outcome has; "
                "give it a name of its own"
            )
    return (*BUILTIN, *own)


def outcome(name: str, extra: Iterable[str] = ()) -> Outcome:
    """The declared outcome called ``name`` (a summary column): a built-in, one of ``extra`` (import paths or
    registered names) or a registered/import-path name itself; ``KeyError`` naming the known ones otherwise."""
    for candidate in declared(extra):
        if candidate.name == name:
            return candidate
    if name in OUTCOMES or ":" in name:
        return OUTCOMES.get(name)
    known = ", ".join(builtin_names())
    raise KeyError(f"{name!r} is not a declared outcome; built-in outcomes: {known}")


def directions(columns: dict[str, str] | Sequence[str], extra: Iterable[str] = ()) -> dict[str, list[str]]:
    """``{"minimize": [...], "maximize": [...]}`` for :func:`workbench.analysis.pareto.pareto_mask`.

    ``columns``: outcome names, or a mapping of a frame's column -> the outcome it measures (a column derived
    from an outcome, e.g. a ranked median, is better the same way). An :data:`INFO` outcome has no direction:
    ``ValueError``."""
    pairs = columns.items() if isinstance(columns, dict) else ((c, c) for c in columns)
    out: dict[str, list[str]] = {"minimize": [], "maximize": []}
    for column, name in pairs:
        declared_outcome = outcome(name, extra)
        if declared_outcome.direction == INFO:
            raise ValueError(f"{name!r} has no direction (it is {INFO!r}); it cannot be an objective")
        out["maximize" if declared_outcome.direction == MAXIMIZE else "minimize"].append(column)
    return out


def summary(state: Any, campaigns: pd.DataFrame, extra: Iterable[str] = ()) -> dict[str, float]:
    """The run's scalar outcomes: every built-in outcome, then those ``extra`` names, in order; the glossary in
    ``docs/outcomes.md`` (and the README) defines each."""
    run = RunView(state, campaigns)
    return {o.name: o.fn(run) for o in declared(extra)}
