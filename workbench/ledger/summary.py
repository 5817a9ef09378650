"""Summaries of a ledger for audit reports: entries per kind over time, and its figure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.ledger.entry import KINDS

if TYPE_CHECKING:  # pandas and matplotlib are imported when used (verifying a ledger needs neither)
    import pandas as pd
    from matplotlib.axes import Axes


def entries_per_kind(frame: pd.DataFrame) -> pd.DataFrame:
    """Tidy counts from :meth:`Ledger.to_frame`: one row per (step, kind), column ``n_entries``.

    Every step from the first to the last entry appears for every kind (zero when none were
    written), so the counts plot as continuous series.
    """
    import pandas as pd

    if frame.empty:
        return pd.DataFrame(
            {"step": pd.Series(dtype="int64"), "kind": pd.Series(dtype="object"), "n_entries": pd.Series(dtype="int64")}
        )
    steps = range(int(frame["step"].min()), int(frame["step"].max()) + 1)
    counts = frame.groupby(["step", "kind"]).size()
    full = pd.MultiIndex.from_product([steps, KINDS], names=["step", "kind"])
    return (
        counts.reindex(full, fill_value=0)
        .rename("n_entries")
        .reset_index()
        .astype({"step": "int64", "n_entries": "int64"})
    )


def plot_entries_per_kind(frame: pd.DataFrame, ax: Axes | None = None, *, cumulative: bool = False) -> Axes:
    """Line per kind: entries written per step (or in total up to each step, ``cumulative``)."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    wide = entries_per_kind(frame).pivot(index="step", columns="kind", values="n_entries")
    if cumulative:
        wide = wide.cumsum()
    for kind in KINDS:
        if kind in wide:
            ax.plot(wide.index, wide[kind], label=kind, drawstyle="steps-mid")
    ax.set_xlabel("model step")
    ax.set_ylabel("ledger entries" + (" (cumulative)" if cumulative else " per step"))
    ax.legend(title="kind", frameon=False)
    ax.grid(alpha=0.3)
    return ax


def kinds_overview(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per kind: entries, distinct writing nodes, first and last step (from ``to_frame()``)."""
    import pandas as pd

    grouped = frame.groupby("kind")
    overview = pd.DataFrame(
        {
            "n_entries": grouped.size(),
            "n_writers": grouped["node_id"].nunique(),
            "first_step": grouped["step"].min(),
            "last_step": grouped["step"].max(),
        }
    )
    return overview.reindex([k for k in KINDS if k in overview.index]).rename_axis("kind").reset_index()
