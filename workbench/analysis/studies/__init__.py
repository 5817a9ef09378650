"""Studies: the notebooks that answer one question each with sweeps (04-08, 10, 12), as a small protocol.

A study is a subpackage (``breakdown``, ``frontier``, ``votes``, ``theory``, ``sensitivity``, ``sharing``,
``ledger``) whose stages are each their own function, in their own module:

- ``design.py``: ``design(size, seed, ...)`` gives the :class:`StudyDesign` (the sweeps, one per block
  of the design, and their labels; ``theory``: the checks to run) and ``describe(design)`` says it in
  Markdown. Sizes are named: ``"small"`` (minutes, for CI and ``make report``) and ``"full"``.
- ``analysis.py``: ``analyse(design, <frames>, **options)`` gives the study's findings, a frozen
  dataclass of tidy tables; built from pure functions of frames, tested on constructed frames.
- ``figures.py``: ``plot_*(findings)``, each returning a matplotlib ``Figure``.
- ``prose.py``: ``prose(findings)`` (Markdown, every number taken from the findings) and
  ``headline(findings)`` (a :class:`Headline`, the report card's numbers).

A notebook is then a recipe of those calls: design, ``design.run(backend, store)``, analyse, figures,
prose, headline, ``design.provenance(...)``. Running the sweeps (``design.run``) and reading the frames
they kept (``design.kept``) is the only I/O; everything after it is a function of frames.

What the studies share is here: :class:`StudyDesign`, :class:`Headline`, and the helpers of
:mod:`workbench.analysis.studies.common` (running several sweeps as one study, formatting).
"""

from workbench.analysis.studies.common import (
    SIZES,
    check_size,
    design_text,
    fmt_interval,
    join_words,
    kept_frames,
    run_sweeps,
    store_for,
    study_provenance,
)
from workbench.analysis.studies.protocol import Headline, StudyDesign

__all__ = [
    "SIZES",
    "Headline",
    "StudyDesign",
    "check_size",
    "design_text",
    "fmt_interval",
    "join_words",
    "kept_frames",
    "run_sweeps",
    "store_for",
    "study_provenance",
]
