"""The pieces every study hands from one stage to the next: its design (the sweeps it runs) and its
headline (the numbers on its report card). What happens between them is each study's own analysis."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.analysis.headline import HeadlineValue, show_headline
from workbench.analysis.studies.common import kept_frames, run_sweeps, study_provenance
from workbench.experiments import Sweep


@dataclass(frozen=True)
class StudyDesign:
    """What a study runs at one ``size``: one sweep per block of its design (a design that is not one full
    factorial, e.g. a consensus rule that matters for some sharing modes only, has several blocks) and each
    block's ``labels``, constant columns added to its rows so that the blocks can be told apart."""

    size: str
    sweeps: list[Sweep]
    labels: list[dict[str, Any]]

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.sweeps):
            raise ValueError(f"{len(self.labels)} labels for {len(self.sweeps)} sweeps; expected one per sweep")

    @property
    def runs(self) -> int:
        """Runs of all blocks together."""
        return sum(len(s) for s in self.sweeps)

    @property
    def base(self) -> Any:
        """The first block's base parameters (the network size, steps and windows every block shares)."""
        return self.sweeps[0].base

    def run(
        self, backend: str = "processes", store: str | Path | None = None, quiet: bool = False, **backend_options: Any
    ) -> pd.DataFrame:
        """Every block, resumably, each in its own store; one row per run (:func:`run_sweeps`)."""
        return run_sweeps(self.sweeps, backend, store, quiet, labels=self.labels, **backend_options)

    def kept(self, results: pd.DataFrame, frame: str) -> pd.DataFrame:
        """A per-run frame the sweeps kept (``"campaigns"``, ``"votes"``), stacked over every block's store."""
        return kept_frames(results, self.labels, frame)

    def provenance(self, notebook: str, results: pd.DataFrame, **fields: Any) -> dict[str, Any]:
        """The provenance record of a run of this design (:func:`study_provenance`)."""
        return study_provenance(notebook, self.sweeps, results, **fields)


@dataclass(frozen=True)
class Headline:
    """A study's two or three key numbers, with their labels and units, for the notebook and the reports
    site (:func:`workbench.analysis.headline.show_headline`). ``outcomes`` maps a number to the declared
    outcome it estimates (:mod:`workbench.model.outcomes`): its card then shows that outcome's unit and
    which way is better."""

    values: dict[str, HeadlineValue]
    labels: dict[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    outcomes: Mapping[str, str] = field(default_factory=dict)

    def show(self) -> None:
        """Display it in the notebook (one output, read back by ``python -m workbench report``)."""
        show_headline(self.values, labels=self.labels, units=self.units, outcomes=self.outcomes)
