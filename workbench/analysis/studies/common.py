"""What the studies share: sizes, running several sweeps as one study, formatting, provenance.

A study whose design is not one full factorial (the consensus rule matters for ledger and gossip but
not for an isolated node or a central aggregator) is a list of :class:`~workbench.experiments.Sweep`
objects, one per block of the design; :func:`run_sweeps` runs them on one backend, each into its own
resumable store, and stacks their result frames (:class:`~workbench.analysis.studies.StudyDesign`
holds the blocks and calls it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.analysis.structural import fmt_by_definition
from workbench.experiments import Sweep, load_frames
from workbench.provenance import provenance
from workbench.validation import check_choice

SIZES = ("small", "full")


def check_size(size: str) -> str:
    """``size`` must be ``"small"`` (minutes, for CI and ``make report``) or ``"full"`` (the study size)."""
    return check_choice("size", size, SIZES)


def store_for(store: str | Path | None, sweep: Sweep) -> Path | None:
    """Where one sweep of a study is stored: ``store/<sweep name>`` (``None``: the engine's default,
    ``data/sweeps/<name>/``)."""
    return None if store is None else Path(store) / sweep.name


def run_sweeps(
    sweeps: Sequence[Sweep],
    backend: str = "processes",
    store: str | Path | None = None,
    quiet: bool = False,
    labels: Sequence[Mapping[str, Any]] | None = None,
    **backend_options: Any,
) -> pd.DataFrame:
    """Run every sweep (resumably, each in its own store) and stack their frames, one row per run.

    ``labels[i]`` (optional) adds constant columns to sweep ``i``'s rows (e.g. ``{"rule": "majority"}``),
    so that the blocks of a non-factorial design can be told apart. Columns missing in one block (a
    factor another block varies) are NaN there. ``frame.attrs["stores"]`` lists the stores.
    """
    labels = list(labels) if labels is not None else [{}] * len(sweeps)
    if len(labels) != len(sweeps):
        raise ValueError(f"labels has {len(labels)} entries for {len(sweeps)} sweeps; expected one per sweep")
    frames, stores = [], []
    for sweep, label in zip(sweeps, labels):
        frame = sweep.run(backend=backend, store=store_for(store, sweep), quiet=quiet, **backend_options)
        stores.append(frame.attrs.get("store"))
        frames.append(frame.assign(**{k: v for k, v in label.items()}, sweep=sweep.name))
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    result.attrs["stores"] = stores
    bases = [frame.attrs.get("base") for frame in frames]
    if bases and all(b == bases[0] for b in bases):  # one base for every block: the runs' designs are known
        result.attrs["base"] = bases[0]
    return result


def fmt_interval(
    estimate: float, low: float, high: float, digits: int = 2, percent: bool = False, structural: float | None = None
) -> str:
    """``"0.31 (0.27 to 0.35)"``; NaN estimate gives ``"n/a"``, an infinite bound ``"∞"`` (beyond the data).
    ``structural``: the value by definition (:func:`workbench.analysis.structural.structural_value`; NaN or
    ``None``: an estimate), shown as ``"0 (by definition)"`` with no interval."""
    if structural is not None and not (isinstance(structural, float) and math.isnan(structural)):
        return fmt_by_definition(structural)

    def one(x: float) -> str:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return "n/a"
        if math.isinf(x):
            return "∞" if x > 0 else "-∞"
        return f"{x:.{digits}%}" if percent else f"{x:.{digits}f}"

    if estimate is None or (isinstance(estimate, float) and math.isnan(estimate)):
        return "n/a"
    return f"{one(estimate)} ({one(low)} to {one(high)})"


def join_words(items: Iterable[str]) -> str:
    """``"a, b and c"``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def design_text(sweeps: Sequence[Sweep], names: Sequence[str] | None = None) -> str:
    """One Markdown paragraph: blocks, factors with their levels, replicates, steps, runs and the root seed.

    When the blocks cross different factors, each block is described on its own (``names`` label them).
    """
    runs = sum(len(s) for s in sweeps)
    first = sweeps[0]

    def factors_of(sweep: Sweep) -> str:
        return join_words(f"`{name}` in {list(levels)}" for name, levels in sweep.factors.items()) or "no factor"

    texts = [factors_of(s) for s in sweeps]
    if len(set(texts)) == 1:
        crossing = f"Each block crosses {texts[0]}"
    else:
        labels = list(names) if names is not None else [s.name for s in sweeps]
        crossing = "Blocks cross: " + "; ".join(f"{label}: {text}" for label, text in zip(labels, texts))
    return (
        f"{len(sweeps)} sweep block(s), {runs} runs in all. {crossing}, "
        f"with {first.replicates} replicate(s) per cell of {first.steps} steps; replicate seeds are spawned "
        f"from the root seed {first.seed} (`numpy.random.SeedSequence`), so replicate r has the same seed in "
        f"every cell (common random numbers)."
    )


def kept_frames(results: pd.DataFrame, labels: Sequence[Mapping[str, Any]], frame: str) -> pd.DataFrame:
    """A kept per-run frame (``"campaigns"``, ``"votes"``, ...) of every store of a study run by
    :func:`run_sweeps`, stacked, with each block's labels added as in the run frame."""
    stores = results.attrs.get("stores") or []
    if len(stores) != len(labels):
        raise ValueError(f"{len(stores)} stores for {len(labels)} labels; pass the frame run_sweeps returned")
    parts = [load_frames(path, frame).assign(**dict(label)) for path, label in zip(stores, labels)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def study_provenance(notebook: str, sweeps: list[Any], results: Any, **fields: Any) -> dict[str, Any]:
    """The provenance record of a study made of several sweep blocks: package versions, git commit and
    time (:func:`workbench.provenance.provenance`), each block's spec and spec hash, the model version,
    the stores, plus ``fields`` (size, backend, seed, wall time ...)."""
    return provenance(
        notebook=notebook,
        **fields,
        sweeps=[s.to_dict() for s in sweeps],
        spec_hashes=[s.spec_hash for s in sweeps],
        model_version=sweeps[0].model_version,
        stores=results.attrs["stores"],
    )
