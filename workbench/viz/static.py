"""Static matplotlib figures of a model's current state: the same pictures as the live page.

Used by the notebook (whose executed report cannot show the interactive page), by the page's
custom plot components, and anywhere a PNG of a run is wanted. Every function draws on an ``ax``
it is given (or a new one) and returns it; nothing here calls ``pyplot.show``.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from workbench.viz.layout import model_graph, node_layout
from workbench.viz.style import (
    FLOWS_TEXT,
    FORGED_REACH_COLOR,
    FORGED_REACH_TEXT,
    FRACTION_YLIM,
    PROTECTION_TEXT,
    ROTATION_LABEL,
    ROTATION_STYLE,
    SERIES_LABELS,
    STATE_COLORS,
    legend_below,
    legend_handles,
    node_color,
    node_size,
)

FLOW_COLUMNS = {"attack_flows_blocked": "#1f77b4", "attack_flows_passed": "#d62728"}
FORGED_REACH_COLUMN = "forged_reach_frac"
_CAMPAIGN_COLUMN = re.compile(r"^protected_frac_c(\d+)$")


def _new_ax(ax: Axes | None, size: tuple[float, float] = (5.0, 4.0)) -> Axes:
    if ax is not None:
        return ax
    return Figure(figsize=size, constrained_layout=True).add_subplot()


def model_frame(model: Any) -> pd.DataFrame:
    """The model's per-step reporters (empty frame before anything was collected)."""
    try:
        return model.datacollector.get_model_vars_dataframe()
    except (AttributeError, KeyError, ValueError):
        return pd.DataFrame()


def campaign_columns(df: pd.DataFrame) -> list[str]:
    """``protected_frac_c<i>`` columns in campaign order (``c10`` after ``c9``)."""
    found = [(int(m.group(1)), c) for c in df.columns if (m := _CAMPAIGN_COLUMN.match(str(c)))]
    return [c for _, c in sorted(found)]


def state_counts(model: Any) -> dict[str, int]:
    """Number of nodes in each state (every known state present, zero if empty)."""
    counts = Counter(getattr(a, "state", "") for a in model.agents)
    return {state: counts.get(state, 0) for state in STATE_COLORS} | {
        s: n for s, n in counts.items() if s not in STATE_COLORS
    }


def draw_network(model: Any, ax: Axes | None = None, *, legend: bool = True, title: str | None = None) -> Axes:
    """The network on its cached seeded layout: nodes coloured by state, sized by detections."""
    ax = _new_ax(ax, (6.0, 5.0))
    pos = node_layout(model)
    graph = model_graph(model)
    if graph.number_of_edges():
        segments = [np.array((pos[u], pos[v])) for u, v in graph.edges()]
        ax.add_collection(LineCollection(segments, colors="#999999", linewidths=0.5, alpha=0.5, zorder=0))
    agents = sorted(model.agents, key=lambda a: getattr(a, "node_id", 0))
    if agents:
        xy = np.array([pos[a.node_id] for a in agents])
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            c=[node_color(a.state) for a in agents],
            s=[node_size(a.detections) for a in agents],
            linewidths=0,
            zorder=2,
        )
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_axis_off()
    if legend:
        ax.legend(
            handles=legend_handles(), loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize="small"
        )
    ax.set_title(title if title is not None else f"step {model.steps}", fontsize="medium")
    return ax


def _empty(ax: Axes, what: str) -> Axes:
    ax.text(0.5, 0.5, f"no {what} yet", ha="center", va="center", transform=ax.transAxes, color="0.4")
    return ax


def draw_flows(model: Any, ax: Axes | None = None) -> Axes:
    """Attack flows blocked vs let through, per step."""
    ax = _new_ax(ax)
    df = model_frame(model)
    cols = [c for c in FLOW_COLUMNS if c in df.columns]
    if df.empty or not cols:
        _empty(ax, "attack flows")
    for col in cols:
        ax.plot(df.index, df[col], color=FLOW_COLUMNS[col], label=SERIES_LABELS.get(col, col))
    if cols:
        ax.set_xlim(0, max(1, len(df) - 1))
        legend_below(ax)
    FLOWS_TEXT.apply(ax)
    return ax


def draw_forged_reach(model: Any, ax: Axes | None = None) -> Axes:
    """Share of forged signatures so far that entered at least one honest node's blocklist, per step
    (``forged_reach_frac``; see docs/outcomes.md)."""
    ax = _new_ax(ax)
    df = model_frame(model)
    if df.empty or FORGED_REACH_COLUMN not in df.columns:
        _empty(ax, "forged signatures")
    else:
        ax.plot(df.index, df[FORGED_REACH_COLUMN], color=FORGED_REACH_COLOR)
        ax.set_xlim(0, max(1, len(df) - 1))
        if df[FORGED_REACH_COLUMN].isna().all():
            _empty(ax, "forged signatures")
    ax.set_ylim(*FRACTION_YLIM)
    FORGED_REACH_TEXT.apply(ax)
    return ax


def rotation_rows(model: Any, n_rows: int) -> list[tuple[int, int]]:
    """``(row, campaign)`` of every prefix rotation within the first ``n_rows`` rows of the model's
    frame (row ``i`` holds step ``i + 1``): the steps at which a campaign moved to fresh prefixes,
    so that rules against its old ones went stale and its protection falls. Empty for sources that
    do not rotate (a replayed trace)."""
    source = getattr(model, "traffic", None)
    traffic = getattr(source, "generator", source)  # the synthetic source's TrafficGenerator
    rotated = getattr(traffic, "rotated", None)
    if rotated is None or not getattr(traffic, "prefix_rotation_steps", 0):
        return []
    campaigns = range(len(getattr(traffic, "campaigns", ())))
    return [(t - 1, c) for t in range(1, n_rows + 1) for c in campaigns if rotated(c, t)]


def draw_protection(model: Any, ax: Axes | None = None) -> Axes:
    """Fraction of honest nodes protected against each campaign, per step; dotted vertical lines
    (in the campaign's colour) mark the steps at which a campaign moved to fresh prefixes."""
    ax = _new_ax(ax)
    df = model_frame(model)
    cols = campaign_columns(df)
    if df.empty or not cols:
        _empty(ax, "campaigns")
    lines = {}
    for col in cols:
        campaign = int(col.rsplit("c", 1)[-1])
        (lines[campaign],) = ax.plot(df.index, df[col], label=f"campaign {campaign}")
    handles = list(lines.values())
    marks = rotation_rows(model, len(df)) if cols else []
    for row, campaign in marks:
        color = lines[campaign].get_color() if campaign in lines else "0.4"
        ax.axvline(row, color=color, **ROTATION_STYLE)
    if marks:
        handles.append(Line2D([], [], color="0.3", label=ROTATION_LABEL, **ROTATION_STYLE))
    if handles:
        legend_below(ax, handles, ncol=4)
    ax.set_xlim(0, max(1, len(df) - 1))
    ax.set_ylim(*FRACTION_YLIM)
    PROTECTION_TEXT.apply(ax)
    return ax


def draw_dashboard(model: Any, fig: Figure | None = None) -> Figure:
    """One figure with the network and the three live plots, as the page shows them."""
    fig = fig if fig is not None else Figure(figsize=(12, 8), constrained_layout=True)
    axes = fig.subplots(2, 2)
    draw_network(model, axes[0, 0])
    draw_flows(model, axes[0, 1])
    draw_forged_reach(model, axes[1, 0])
    draw_protection(model, axes[1, 1])
    return fig
