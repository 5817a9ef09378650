"""Solara pieces of the page: the network renderer, the live plots and a one-line summary.

Everything follows Mesa 3.5's SolaraViz conventions: a component is a function of the model
returning a Solara element, paired with a page index; SolaraViz re-renders it after every step.

Cost of one Step (the page must update in well under a second at 200 nodes; see
``benchmarks/bench_viz.py``). Every figure is drawn once per Step on a fixed frame:

* Mesa's components save with ``bbox_inches="tight"``, which draws a figure twice (once to measure
  it, once for real) and is not configurable. The figures handed to them get fixed margins and a
  ``savefig`` that drops the tight bounding box (``fixed_frame``). PNGs use zlib level 1.
* The network's edges never change within a model: Mesa's drawer draws them once, later renders put
  the same artists back instead of re-running networkx. Agents are drawn without the full-figure
  draw that Mesa's matplotlib backend does before every scatter (needed only for image markers),
  and the static layer (edges, legend) is rendered once and reused as pixels under the agents.

Both rely on Mesa/Solara internals and live, with the other such workarounds, in
:mod:`workbench.viz._mesa_compat` (checked against each upgrade by ``tests/viz/test_mesa_compat.py``).
* The protection plot keeps one figure per model and moves its lines' data.
* SolaraViz renders each component that reads the step counter in a render pass of its own (one
  per subscriber, Solara 1.64). Components that are Solara components already are handed over
  unwrapped, and the guarded plots stop reading the counter once Mesa's plot (which reads it) shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from mesa.visualization import make_plot_component

from workbench.viz._mesa_compat import (
    CachedNetworkRenderer,
    SpaceRendererComponent,
    fixed_frame,
    tab_label_style,
    update_counter,
)
from workbench.viz.layout import node_layout
from workbench.viz.static import (
    FLOW_COLUMNS,
    FORGED_REACH_COLUMN,
    campaign_columns,
    draw_protection,
    model_frame,
    rotation_rows,
    state_counts,
)
from workbench.viz.style import (
    FLOWS_TEXT,
    FORGED_REACH_COLOR,
    FORGED_REACH_TEXT,
    FRACTION_YLIM,
    SERIES_LABELS,
    STATE_LABELS,
    PlotText,
    agent_portrayal,
    legend_below,
    legend_handles,
)

Component = tuple[Callable[[Any], Any], int]

# The name of the page's only tab (Mesa would show "PAGE 0").
PAGE_LABEL = "network and outcomes"

# Figures are sent to the browser as PNG: for a few hundred nodes that is smaller and faster to
# draw than SVG. A modest DPI keeps per-step encoding cheap; the page scales the images anyway.
_FORMAT = "png"
_DPI = 80
_PLOT_SIZE_IN = (5.0, 3.5)
# Fixed margins (fractions of the figure) that fit the tick labels, axis labels and title of the
# line plots, so no layout engine or tight bounding box has to measure the figure every step.
_PLOT_MARGINS = {"left": 0.15, "right": 0.97, "bottom": 0.14, "top": 0.9}
# Plots with a legend keep it under the x label, outside the data (style.legend_below).
_LEGEND_MARGINS = {**_PLOT_MARGINS, "bottom": 0.27}
_NETWORK_SIZE_IN = (6.0, 5.0)
# The state legend sits right of the network's axes, outside them.
_NETWORK_MARGINS = {"left": 0.01, "right": 0.76, "bottom": 0.01, "top": 0.99}


def _network_post_process(ax: Any) -> None:
    ax.set_aspect("equal")
    ax.legend(handles=legend_handles(), loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize="small")


class NetworkRenderer(CachedNetworkRenderer):
    """The model's network: nodes coloured by state and sized by detections on the viz-cached,
    seeded layout, a state legend right of the axes. Drawing tricks (drawn once per Step, on a
    fixed frame) are in :class:`workbench.viz._mesa_compat.CachedNetworkRenderer`."""

    figure_size_in = _NETWORK_SIZE_IN
    figure_dpi = _DPI
    figure_margins = _NETWORK_MARGINS

    def __init__(self, model: Any, backend: str = "matplotlib"):
        super().__init__(model, backend=backend)
        self.setup_structure(
            node_kwargs={"node_size": 0},  # the agents are the nodes; drawn by setup_agents
            edge_kwargs={"edge_color": "#999999", "width": 0.5, "alpha": 0.5, "style": "-"},
        )
        self.setup_agents(agent_portrayal)
        self.post_process = _network_post_process
        self.render()

    def node_positions(self, model: Any) -> dict[Any, Any]:
        return node_layout(model)


@solara.component
def NetworkView(model: Any):
    """The network of ``model``, drawn by a renderer of its own (one per model: Reset's new model
    gets a renderer on its own layout, never the previous model's)."""
    renderer = solara.use_memo(lambda: NetworkRenderer(model, backend="matplotlib"), [model])
    return SpaceRendererComponent(model, renderer)


def network_view(page: int = 0) -> Component:
    return NetworkView, page


def _guarded_plot(
    measure: str | dict[str, str], text: PlotText, ylim: tuple[float, float] | None = None, page: int = 0
) -> Component:
    """``make_plot_component`` that shows a placeholder until its columns exist; lines carry
    readable labels (``SERIES_LABELS``), in a legend under the axes when there are several."""
    columns = [measure] if isinstance(measure, str) else list(measure)
    with_legend = len(columns) > 1

    def post_process(ax: Any) -> None:
        lines = ax.get_lines()
        for line in lines:
            line.set_label(SERIES_LABELS.get(str(line.get_label()), line.get_label()))
        if legend := ax.get_legend():
            legend.remove()
        if with_legend:
            legend_below(ax)
        if lines:  # all-NaN series (a rate before anything is decided) would collapse the x axis
            n = len(lines[0].get_xdata())
            ax.set_xlim(0, max(1, n - 1))
            if all(np.isnan(np.asarray(line.get_ydata(), float)).all() for line in lines):
                ax.text(0.5, 0.5, "undefined so far", ha="center", va="center", transform=ax.transAxes, color="0.4")
        text.apply(ax)
        if ylim is not None:
            ax.set_ylim(*ylim)
        fig = ax.get_figure()
        fig.set_size_inches(*_PLOT_SIZE_IN)
        fig.set_dpi(_DPI)
        fixed_frame(fig, _LEGEND_MARGINS if with_legend else _PLOT_MARGINS)

    make_plot, page = make_plot_component(measure, post_process=post_process, backend="matplotlib", page=page)

    @solara.component
    def GuardedPlot(model: Any):
        df = model_frame(model)
        if df.empty or any(c not in df.columns for c in columns):
            # Re-render after the next step. Once Mesa's plot shows, it follows the step counter
            # itself: reading the counter here too would cost a render pass of its own per step.
            update_counter.get()
            return solara.Text(f"{text.title}: no data yet, press Step")
        return make_plot(model)

    return GuardedPlot, page


def flows_plot(page: int = 0) -> Component:
    """Attack flows blocked vs let through, per step."""
    return _guarded_plot(FLOW_COLUMNS, FLOWS_TEXT, page=page)


def forged_reach_plot(page: int = 0) -> Component:
    """Share of forged signatures in honest blocklists, per step."""
    return _guarded_plot({FORGED_REACH_COLUMN: FORGED_REACH_COLOR}, FORGED_REACH_TEXT, ylim=FRACTION_YLIM, page=page)


class _ProtectionFigure:
    """The protection plot of one model: drawn by ``draw_protection`` whenever its campaign
    columns change (the first data, a new campaign), otherwise its lines' data are moved."""

    def __init__(self) -> None:
        self.fig = fixed_frame(Figure(figsize=_PLOT_SIZE_IN, dpi=_DPI), _LEGEND_MARGINS)
        FigureCanvasAgg(self.fig)  # one renderer for the figure's life: its text metrics stay cached
        self.ax = self.fig.add_subplot()
        self.columns: list[str] | None = None
        self.rotations = 0
        self.lines: list[Any] = []

    def update(self, model: Any) -> Figure:
        df = model_frame(model)
        columns = campaign_columns(df) if not df.empty else []
        rotations = len(rotation_rows(model, len(df))) if columns else 0
        if not columns or columns != self.columns or rotations != self.rotations:
            self.ax.clear()
            draw_protection(model, self.ax)
            self.columns, self.rotations = columns, rotations
            self.lines = list(self.ax.get_lines())[: len(columns)]
        else:
            for line, column in zip(self.lines, columns):
                line.set_data(df.index, df[column])
            self.ax.set_xlim(0, max(1, len(df) - 1))  # the y axis stays the fraction's [0, 1]
        return self.fig


@solara.component
def ProtectionPlot(model: Any):
    """Fraction of honest nodes protected per campaign; one line per ``protected_frac_c<i>``
    column, however many campaigns the current parameters create."""
    step = update_counter.get()  # subscribe: SolaraViz bumps this counter after every step
    plot = solara.use_memo(_ProtectionFigure, [model])  # one figure per model, redrawn in place
    fig = plot.update(model)
    # The figure object stays the same: the memoised PNG must follow the step counter and model.
    solara.FigureMatplotlib(fig, format=_FORMAT, dependencies=[model, step, model.steps])


def protection_plot(page: int = 0) -> Component:
    return ProtectionPlot, page


@solara.component
def Summary(model: Any):
    """Step counter and node counts per state (the browser test reads ``.wb-step-counter``)."""
    update_counter.get()
    counts = state_counts(model)
    with solara.Column(gap="4px"):
        tab_label_style(PAGE_LABEL)
        solara.Text(
            f"Step {model.steps}", classes=["wb-step-counter"], style={"font-size": "1.3em", "font-weight": "bold"}
        )
        solara.Text(
            " · ".join(f"{STATE_LABELS.get(s, s)}: {n}" for s, n in counts.items()), classes=["wb-state-counts"]
        )


def summary(page: int = 0) -> Component:
    return Summary, page
