"""Outcomes as declared objects: what a run is measured on, which way is better, in what unit.

An :class:`Outcome` is ``Outcome(name, fn, direction, unit, doc)``: ``fn(run)`` computes the value from a
finished run (a :class:`RunView`: the model's state and its campaigns frame); ``direction`` says whether
more is better (:data:`MAXIMIZE`), less is better (:data:`MINIMIZE`) or neither (:data:`INFO`, a count
that describes the run). The built-in outcomes are declared once, in order, in
:mod:`workbench.model.outcomes.builtin`; everything that lists outcomes reads them from there, through
:mod:`workbench.model.outcomes.catalog`: the run summary (``catalog.summary``), the glossary in
``docs/outcomes.md`` and the README (:func:`workbench.model.outcomes.glossary.glossary_markdown`, kept in
step by ``scripts/outcomes_glossary.py`` and a test), the Pareto directions of the frontier
(``catalog.directions``) and the units and directions on the headline cards.

A researcher's own outcome is an :class:`Outcome` in their own module, named in
``ModelParams.outcomes`` by an import path ``"package.module:attr"`` (or by a name registered with
``OUTCOMES.register(name, path)``); its value then joins the built-in ones in every run's summary and so
in every sweep's results frame, and :func:`~workbench.model.outcomes.catalog.outcome` finds its direction and unit by the same name::

    # mylab/outcomes.py
    from workbench.model.outcomes import MINIMIZE, Outcome

    def _late(run):
        return float((run.campaigns["t50_steps"] > 10).mean()) if len(run.campaigns) else float("nan")

    late_protection = Outcome("late_protection_frac", _late, MINIMIZE, "share of campaigns",
                              "campaigns whose 50% protection took more than 10 steps (or was censored)")

    ModelParams(outcomes=("mylab.outcomes:late_protection",))

This module imports nothing from the rest of the model (the parameters import it to check names; the
built-ins need the model's state, which imports the parameters).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.model.components import Registry, describe_object

if TYPE_CHECKING:
    import pandas as pd

MAXIMIZE = "maximize"  # more is better
MINIMIZE = "minimize"  # less is better
INFO = "info"  # neither: a count or size that describes the run
DIRECTIONS = (MAXIMIZE, MINIMIZE, INFO)


@dataclass(frozen=True)
class RunView:
    """What an outcome's ``fn`` reads: the model's final ``state`` and the ``campaigns`` frame
    (:func:`workbench.model.metrics.campaigns_frame`, one row per campaign that started)."""

    state: Any  # workbench.model.state.ModelState (not imported: the parameters import this module)
    campaigns: pd.DataFrame


@dataclass(frozen=True)
class Outcome:
    """One scalar outcome of a run.

    Args:
        name: its column in the summary and in sweep results (a Python identifier).
        fn: ``fn(run: RunView) -> float``; NaN when its denominator is empty (never 0 or 1 by default).
        direction: :data:`MAXIMIZE` (more is better), :data:`MINIMIZE` (less is better) or :data:`INFO`.
        unit: what the number counts, for axes and headline cards (``"share of forged signatures"``, ``"steps"``).
        doc: its definition, one sentence (the glossary's "definition" column; for a share, the numerator).
        group: the glossary section (``"detection"``, ``"protection"``, ``"security"``, ``"cost"``, ``"counts"``).
        denominator: for a share or rate, what it is taken over (the glossary's "denominator" column).
        structural: ``structural(params) -> float | None``: the value the outcome takes *by definition* in a
            design (``params``, a :class:`~workbench.model.params.ModelParams`), e.g. 0 messages for isolated
            nodes, or ``None`` where it is measured. Analysis reports such a value as "0 (by definition)",
            never with an interval, and never lets it make a design optimal
            (:mod:`workbench.analysis.structural`). ``None`` (the default): never structural.
    """

    name: str
    fn: Callable[[RunView], float]
    direction: str
    unit: str
    doc: str
    group: str = "other"
    denominator: str = ""
    structural: Callable[[Any], float | None] | None = None

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"Outcome name={self.name!r} must be a Python identifier (it becomes a column)")
        if self.direction not in DIRECTIONS:
            raise ValueError(
                f"Outcome {self.name!r}: direction={self.direction!r} is not allowed; "
                f"choose one of {', '.join(map(repr, DIRECTIONS))}"
            )
        if not callable(self.fn):
            raise ValueError(f"Outcome {self.name!r}: fn={self.fn!r} is not callable")
        if self.structural is not None and not callable(self.structural):
            raise ValueError(f"Outcome {self.name!r}: structural={self.structural!r} is not callable")

    def structural_value(self, params: Any) -> float | None:
        """The value this outcome takes by definition in the design ``params``, or ``None`` (measured)."""
        if self.structural is None:
            return None
        value = self.structural(params)
        return None if value is None else float(value)

    @property
    def higher_is_better(self) -> bool | None:
        """True (maximize), False (minimize) or None (info)."""
        return {MAXIMIZE: True, MINIMIZE: False}.get(self.direction)

    @property
    def better(self) -> str:
        """``"higher"``, ``"lower"`` or ``""`` (for cards and tables)."""
        return {MAXIMIZE: "higher", MINIMIZE: "lower"}.get(self.direction, "")

    def __call__(self, run: RunView) -> float:
        return self.fn(run)


def _problem(obj: Any) -> str | None:
    return None if isinstance(obj, Outcome) else f"{describe_object(obj)} is not a workbench.model.outcomes.Outcome"


#: A researcher's outcomes, by registered name (``OUTCOMES.register``) or import path. The built-in outcomes
#: are not in it: they are always computed (:data:`~workbench.model.outcomes.builtin.BUILTIN`).
OUTCOMES = Registry(
    "outcomes",
    "outcome",
    {},
    protocol="to be a workbench.model.outcomes.Outcome(name, fn, direction, unit, doc)",
    problem=_problem,
)


def check_outcome_names(values: Any) -> tuple[str, ...]:
    """``ModelParams.outcomes`` as a tuple of names, each naming an :class:`Outcome` (by import path or a
    registered name), no two with the same name; ``ValueError`` naming the field otherwise. (That none
    takes a built-in outcome's name is checked with the built-ins,
    :func:`workbench.model.outcomes.catalog.declared`.)"""
    if isinstance(values, str):
        values = (values,)
    try:
        values = tuple(values)
    except TypeError:
        raise ValueError(f"outcomes={values!r} must be a list of import paths 'package.module:attr'") from None
    taken: set[str] = set()
    for value in values:
        if not (isinstance(value, str) and (value in OUTCOMES or ":" in value)):
            raise ValueError(
                f"outcomes={values!r}: {value!r} is not an import path 'package.module:attr' naming an Outcome "
                "(nor a name registered with OUTCOMES.register); the built-in outcomes are always in the summary"
            )
        declared = OUTCOMES.get(OUTCOMES.check(value))
        if declared.name in taken:
            raise ValueError(
                f"outcomes={values!r}: {value!r} declares the name {declared.name!r}, which another outcome has"
            )
        taken.add(declared.name)
    return values
