"""How a node looks: colour by state, marker size by detections. Shared by the live page and the
static figures so both show the same picture."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from mesa.visualization.components import AgentPortrayalStyle

# Order is the legend order: the story goes healthy -> under attack -> protected.
STATE_COLORS: dict[str, str] = {
    "healthy": "#8fbf8f",
    "under_attack": "#d62728",
    "protected": "#1f77b4",
    "malicious": "#2b2b2b",
}
STATE_LABELS: dict[str, str] = {
    "healthy": "healthy",
    "under_attack": "under attack",
    "protected": "protected",
    "malicious": "malicious",
}
UNKNOWN_COLOR = "#bbbbbb"

# Marker area in points^2 (matplotlib's scatter ``s``).
MIN_SIZE = 14.0
MAX_SIZE = 160.0


def node_size(detections: int | float) -> float:
    """Marker area for a node with ``detections`` cumulative flagged flows.

    Logarithmic, because detections grow without bound while the figure does not: 0 -> 14,
    10 -> ~57, 100 -> ~97, capped at 160.
    """
    d = max(float(detections or 0), 0.0)
    return min(MIN_SIZE + 18.0 * math.log1p(d), MAX_SIZE)


def node_color(state: str) -> str:
    """Colour of a node state (grey for states this view does not know)."""
    return STATE_COLORS.get(state, UNKNOWN_COLOR)


def agent_portrayal(agent: Any) -> AgentPortrayalStyle:
    """Mesa portrayal of a ``NodeAgent``: coloured by ``state``, sized by ``detections``."""
    return AgentPortrayalStyle(
        color=node_color(getattr(agent, "state", "")),
        size=node_size(getattr(agent, "detections", 0)),
        marker="o",
        zorder=2,
        alpha=0.95,
    )


def legend_handles() -> list[Line2D]:
    """Proxy artists for a state legend."""
    return [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=7,
            markerfacecolor=color,
            markeredgecolor="none",
            label=STATE_LABELS[state],
        )
        for state, color in STATE_COLORS.items()
    ]


@dataclass(frozen=True)
class PlotText:
    """Title and axis labels of one plot, shared by the live page and the static figures."""

    title: str
    ylabel: str
    xlabel: str = "Step"

    def apply(self, ax: Any) -> None:
        """Set ``ax``'s title and axis labels."""
        ax.set_xlabel(self.xlabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
        ax.set_ylabel(self.ylabel)
        ax.set_title(self.title, fontsize=TITLE_FONTSIZE)


TITLE_FONTSIZE = "medium"
FLOWS_TEXT = PlotText("attack flows: blocked vs let through", "attack flows per step")
FORGED_REACH_TEXT = PlotText("forged signatures in honest blocklists", "share of forged signatures")
PROTECTION_TEXT = PlotText("protection per campaign", "honest nodes protected (fraction)")
FORGED_REACH_COLOR = "#9467bd"
# Readable names of the plotted columns (legends never show a raw column name).
SERIES_LABELS: dict[str, str] = {
    "attack_flows_blocked": "blocked",
    "attack_flows_passed": "let through",
    "forged_reach_frac": "forged signatures in honest blocklists",
}
ROTATION_LABEL = "prefix rotation"
ROTATION_STYLE: dict[str, Any] = {"linestyle": ":", "linewidth": 0.9, "alpha": 0.8}


def legend_below(ax: Any, handles: list[Any] | None = None, ncol: int = 3) -> Any:
    """A frameless legend under the axes (below the x label), so it never covers the data."""
    if handles is None:
        handles = [h for h in ax.get_lines() if not str(h.get_label()).startswith("_")]
    if not handles:
        return None
    return ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncol=min(ncol, len(handles)),
        frameon=False,
        fontsize="small" if len(handles) <= 3 else "x-small",
        columnspacing=1.2,
        handlelength=1.6,
    )


# Rates and fractions live in [0, 1]; the margin keeps lines at 0 or 1 visible.
FRACTION_YLIM = (-0.02, 1.02)
