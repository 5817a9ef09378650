"""Study 08's analysis: sensitivity indices per outcome (Morris or Sobol, as the design was sampled),
tree-ensemble feature scores, and PRIM's box where forgeries reach honest blocklists. The methods are
:mod:`workbench.analysis.sensitivity` and :mod:`workbench.analysis.prim`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from workbench.analysis.prim import PrimResult, prim
from workbench.analysis.sensitivity import feature_scores, morris, point_means, sobol
from workbench.analysis.sensitivity_plots import indices_by_outcome
from workbench.analysis.studies.protocol import StudyDesign


@dataclass(frozen=True)
class SensitivityFindings:
    """What study 08 found. ``indices``: one index frame per outcome (``indices.skipped``: outcomes left out
    and why); ``scores``: feature scores, factors x outcomes; ``discovery``: PRIM's result on the security
    outcome above ``forgery_threshold``, or ``None`` with ``prim_error`` saying why it could not run."""

    method: str
    outcomes: dict[str, str]
    indices: dict[str, pd.DataFrame]
    scores: pd.DataFrame
    discovery: PrimResult | None
    prim_error: str | None
    forgery_threshold: float
    #: ``(design points whose security outcome exceeds forgery_threshold, design points with a value)``,
    #: replicates averaged per point as PRIM does; known also where PRIM could not run
    points_of_interest: tuple[int, int] | None = None


def analyse(
    design: StudyDesign,
    results: pd.DataFrame,
    outcomes: Mapping[str, str],
    forgery_threshold: float = 0.1,
    prim_min_density: float = 0.8,
    seed: int = 0,
) -> SensitivityFindings:
    """Indices, feature scores and PRIM on ``results``; ``outcomes`` maps a role (``"protection"``,
    ``"security"``, ...) to a summary column, and PRIM looks at the ``"security"`` one.

    Where an outcome is undefined at a point, the design unit holding it (a Morris trajectory, a Sobol base
    sample) is left out for that outcome; an outcome that cannot be analysed at all is skipped with its reason."""
    factors = list(design.sweeps[0].factors)
    method = "sobol" if results.attrs["design"]["design"] == "sobol" else "morris"
    columns = list(outcomes.values())
    indices = indices_by_outcome(
        results, columns, sobol if method == "sobol" else morris, skip_errors=True, seed=seed, nan="drop"
    )
    scores = feature_scores(results, columns, factors=factors, seed=seed)
    discovery, error = None, None
    try:
        discovery = prim(
            results, outcomes["security"], forgery_threshold, factors=factors, min_density=prim_min_density
        )
    except ValueError as exc:  # e.g. no point (or every point) above the threshold at this size
        error = str(exc)
    means = pd.to_numeric(point_means(results, [outcomes["security"]], factors)[outcomes["security"]], errors="coerce")
    points = (int((means.dropna() > forgery_threshold).sum()), int(means.notna().sum()))
    return SensitivityFindings(method, dict(outcomes), indices, scores, discovery, error, forgery_threshold, points)
