"""Solara pieces of the page: the network renderer, the live plots and a one-line summary.

Everything follows Mesa 3.5's SolaraViz conventions: a component is a function of the model
returning a Solara element, paired with a page index; SolaraViz re-renders it after every step.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import solara
from matplotlib.figure import Figure
from mesa.visualization import SpaceRenderer, make_plot_component
from mesa.visualization.space_drawers import NetworkSpaceDrawer
from mesa.visualization.space_renderer import Network
from mesa.visualization.utils import update_counter

from workbench.viz.layout import node_layout
from workbench.viz.static import (
    FALSE_ACCEPTANCE_COLUMN,
    FLOW_COLUMNS,
    draw_protection,
    model_frame,
    state_counts,
)
from workbench.viz.style import STATE_LABELS, agent_portrayal, legend_handles

Component = tuple[Callable[[Any], Any], int]

# Figures are sent to the browser as PNG: for a few hundred nodes that is smaller and faster to
# draw than SVG. A modest DPI keeps per-step encoding cheap; the page scales the images anyway.
_FORMAT = "png"
_DPI = 80
_PLOT_SIZE_IN = (5.0, 3.5)


def _network_post_process(ax: Any) -> None:
    ax.set_aspect("equal")
    ax.legend(handles=legend_handles(), loc="upper left", bbox_to_anchor=(1.0, 1.0),
              frameon=False, fontsize="small")


class NetworkRenderer(SpaceRenderer):
    """A matplotlib ``SpaceRenderer`` of the model's network on the viz-cached, seeded layout.

    Mesa's ``NetworkSpaceDrawer`` runs ``spring_layout(seed=0)`` itself; here it is handed the
    layout cached per model (seeded from the model's seed) instead, so stepping never re-lays out
    the graph. SolaraViz rebuilds the renderer on Reset as ``type(renderer)(model=..., backend=...)``
    and Mesa 3.5 does not copy drawing options across, so all configuration lives in ``__init__``.
    """

    def __init__(self, model: Any, backend: str = "matplotlib"):
        self._layout_model = model  # read by _get_space_drawer during super().__init__
        super().__init__(model, backend=backend)
        del self._layout_model
        self.setup_structure(
            node_kwargs={"node_size": 0},  # the agents are the nodes; drawn by setup_agents
            edge_kwargs={"edge_color": "#999999", "width": 0.5, "alpha": 0.5, "style": "-"},
        )
        self.setup_agents(agent_portrayal)
        self.post_process = _network_post_process
        if backend == "matplotlib":
            fig = self.canvas.get_figure()
            fig.set_size_inches(6.0, 5.0)
            fig.set_dpi(_DPI)
        self.render()

    def _get_space_drawer(self):
        if isinstance(self.space, Network):
            pos = node_layout(self._layout_model)
            return NetworkSpaceDrawer(self.space, layout_alg=lambda graph: pos, layout_kwargs={})
        return super()._get_space_drawer()


def _guarded_plot(measure: str | dict[str, str], ylabel: str, title: str,
                  ylim: tuple[float, float] | None = None, page: int = 0) -> Component:
    """``make_plot_component`` that shows a placeholder until its columns exist."""
    columns = [measure] if isinstance(measure, str) else list(measure)

    def post_process(ax: Any) -> None:
        lines = ax.get_lines()
        if lines:  # all-NaN series (a rate before anything is decided) would collapse the x axis
            n = len(lines[0].get_xdata())
            ax.set_xlim(0, max(1, n - 1))
            if all(np.isnan(np.asarray(line.get_ydata(), float)).all() for line in lines):
                ax.text(0.5, 0.5, "undefined so far", ha="center", va="center", transform=ax.transAxes, color="0.4")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize="medium")
        if ylim is not None:
            ax.set_ylim(*ylim)
        fig = ax.get_figure()
        fig.set_size_inches(*_PLOT_SIZE_IN)
        fig.set_dpi(_DPI)

    make_plot, page = make_plot_component(measure, post_process=post_process, backend="matplotlib", page=page)

    def GuardedPlot(model: Any):
        df = model_frame(model)
        if df.empty or any(c not in df.columns for c in columns):
            return solara.Text(f"{title}: no data yet, press Step")
        return make_plot(model)

    return GuardedPlot, page


def flows_plot(page: int = 0) -> Component:
    """Attack flows blocked vs let through, per step."""
    return _guarded_plot(FLOW_COLUMNS, "attack flows per step", "attack flows: blocked vs let through", page=page)


def false_acceptance_plot(page: int = 0) -> Component:
    """False-acceptance rate per step."""
    return _guarded_plot({FALSE_ACCEPTANCE_COLUMN: "#9467bd"}, "false-acceptance rate", "false acceptance",
                         ylim=(-0.02, 1.02), page=page)


@solara.component
def ProtectionPlot(model: Any):
    """Fraction of honest nodes protected per campaign; one line per ``protected_frac_c<i>``
    column, however many campaigns the current parameters create."""
    update_counter.get()  # subscribe: SolaraViz bumps this counter after every step
    # Fixed margins instead of a layout engine: constrained layout doubles the per-step draw time.
    fig = Figure(figsize=_PLOT_SIZE_IN, dpi=_DPI)
    fig.subplots_adjust(left=0.14, right=0.97, bottom=0.14, top=0.9)
    draw_protection(model, fig.add_subplot())
    solara.FigureMatplotlib(fig, format=_FORMAT)


def protection_plot(page: int = 0) -> Component:
    return (lambda model: ProtectionPlot(model)), page


@solara.component
def Summary(model: Any):
    """Step counter and node counts per state (the browser test reads ``.wb-step-counter``)."""
    update_counter.get()
    counts = state_counts(model)
    with solara.Column(gap="4px"):
        solara.Text(f"Step {model.steps}", classes=["wb-step-counter"], style={"font-size": "1.3em", "font-weight": "bold"})
        solara.Text(" · ".join(f"{STATE_LABELS.get(s, s)}: {n}" for s, n in counts.items()),
                    classes=["wb-state-counts"])


def summary(page: int = 0) -> Component:
    return (lambda model: Summary(model)), page
