"""Solara pieces of the page: the network renderer, the live plots and a one-line summary.

Everything follows Mesa 3.5's SolaraViz conventions: a component is a function of the model
returning a Solara element, paired with a page index; SolaraViz re-renders it after every step.

Cost of one Step (the page must update in well under a second at 200 nodes; see
``benchmarks/bench_viz.py``). Every figure is drawn once per Step on a fixed frame:

* Mesa's components save with ``bbox_inches="tight"``, which draws a figure twice (once to measure
  it, once for real) and is not configurable. The figures handed to them get fixed margins and a
  ``savefig`` that drops the tight bounding box (``_fixed_frame``). PNGs use zlib level 1.
* The network's edges never change within a model: Mesa's drawer draws them once, later renders put
  the same artists back instead of re-running networkx. Agents are drawn without the full-figure
  draw that Mesa's matplotlib backend does before every scatter (needed only for image markers),
  and the static layer (edges, legend) is rendered once and reused as pixels under the agents.
* The protection plot keeps one figure per model and moves its lines' data.
* SolaraViz renders each component that reads the step counter in a render pass of its own (one
  per subscriber, Solara 1.64). Components that are Solara components already are handed over
  unwrapped, and the guarded plots stop reading the counter once Mesa's plot (which reads it) shows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import PIL.Image
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.patches import Patch
from mesa.visualization import SpaceRenderer, make_plot_component
from mesa.visualization.space_drawers import NetworkSpaceDrawer
from mesa.visualization.space_renderer import Network
from mesa.visualization.utils import update_counter

from workbench.viz.layout import node_layout
from workbench.viz.static import (
    FALSE_ACCEPTANCE_COLUMN,
    FLOW_COLUMNS,
    campaign_columns,
    draw_protection,
    model_frame,
    state_counts,
)
from workbench.viz.style import STATE_LABELS, agent_portrayal, legend_handles

Component = tuple[Callable[[Any], Any], int]

# Figures are sent to the browser as PNG: for a few hundred nodes that is smaller and faster to
# draw than SVG. A modest DPI keeps per-step encoding cheap; the page scales the images anyway.
# zlib level 1 encodes several times faster than the default (6) for ~10 % larger images.
_FORMAT = "png"
_DPI = 80
_PNG_KWARGS = {"pil_kwargs": {"compress_level": 1}}
_PLOT_SIZE_IN = (5.0, 3.5)
# Fixed margins (fractions of the figure) that fit the tick labels, axis labels and title of the
# line plots, so no layout engine or tight bounding box has to measure the figure every step.
_PLOT_MARGINS = {"left": 0.15, "right": 0.97, "bottom": 0.14, "top": 0.9}
_NETWORK_SIZE_IN = (6.0, 5.0)
# The state legend sits right of the network's axes, outside them.
_NETWORK_MARGINS = {"left": 0.01, "right": 0.76, "bottom": 0.01, "top": 0.99}


def _fixed_frame_savefig(fig: Figure, fname: Any, *args: Any, **kwargs: Any) -> Any:
    if kwargs.get("bbox_inches") == "tight":
        kwargs["bbox_inches"] = None
    if kwargs.get("format", _FORMAT) == "png":
        for key, value in _PNG_KWARGS.items():
            kwargs.setdefault(key, value)
    return Figure.savefig(fig, fname, *args, **kwargs)


def _fixed_frame(fig: Figure, margins: dict[str, float]) -> Figure:
    """Give ``fig`` fixed margins and no layout engine, and make its ``savefig`` ignore
    ``bbox_inches="tight"`` (which Mesa's components pass and which draws the figure twice) and
    encode PNG at zlib level 1. Returns ``fig``."""
    if fig.get_layout_engine() is not None:
        fig.set_layout_engine(PlaceHolderLayoutEngine(adjust_compatible=True, colorbar_gridspec=True))
    fig.subplots_adjust(**margins)
    if "savefig" not in vars(fig):
        fig.savefig = _fixed_frame_savefig.__get__(fig)
    return fig


def _network_post_process(ax: Any) -> None:
    ax.set_aspect("equal")
    ax.legend(handles=legend_handles(), loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize="small")


def _is_image_marker(marker: Any) -> bool:
    return isinstance(marker, (str, os.PathLike)) and os.path.isfile(marker)


class NetworkRenderer(SpaceRenderer):
    """A matplotlib ``SpaceRenderer`` of the model's network on the viz-cached, seeded layout.

    Mesa's ``NetworkSpaceDrawer`` runs ``spring_layout(seed=0)`` itself; here it is handed the
    layout cached per model (seeded from the model's seed) instead, so stepping never re-lays out
    the graph. SolaraViz rebuilds the renderer on Reset as ``type(renderer)(model=..., backend=...)``
    and Mesa 3.5 does not copy drawing options across, so all configuration lives in ``__init__``.

    Per Step, SolaraViz removes every artist from the axes and calls ``draw_structure`` and
    ``draw_agents`` again. The graph of a model never changes, so ``draw_structure`` draws it with
    Mesa's drawer once and afterwards puts the same artists back; ``draw_agents`` scatters the
    portrayals without the full-figure draw Mesa's backend makes first.
    """

    def __init__(self, model: Any, backend: str = "matplotlib"):
        self._layout_model = model  # read by _get_space_drawer during super().__init__
        super().__init__(model, backend=backend)
        del self._layout_model
        self._structure_artists: list[Any] | None = None
        self.setup_structure(
            node_kwargs={"node_size": 0},  # the agents are the nodes; drawn by setup_agents
            edge_kwargs={"edge_color": "#999999", "width": 0.5, "alpha": 0.5, "style": "-"},
        )
        self.setup_agents(agent_portrayal)
        self.post_process = _network_post_process
        self._agent_artists: list[Any] = []
        self._background: tuple[Any, Any] | None = None  # (key, pixels) of the static layer
        if backend == "matplotlib":  # a fixed-frame figure instead of Mesa's constrained-layout one
            fig = _fixed_frame(Figure(figsize=_NETWORK_SIZE_IN, dpi=_DPI), _NETWORK_MARGINS)
            FigureCanvasAgg(fig)
            fig.savefig = self._savefig
            self.backend_renderer.initialize_canvas(fig.add_subplot())
            self.backend_renderer.fig = fig
        self.render()

    def _get_space_drawer(self):
        if isinstance(self.space, Network):
            pos = node_layout(self._layout_model)
            return NetworkSpaceDrawer(self.space, layout_alg=lambda graph: pos, layout_kwargs={})
        return super()._get_space_drawer()

    def setup_structure(self, **kwargs) -> SpaceRenderer:
        self._structure_artists = None  # new drawing options: draw the structure afresh
        return super().setup_structure(**kwargs)

    def draw_structure(self, **kwargs):
        if self.backend != "matplotlib" or kwargs:
            return super().draw_structure(**kwargs)
        ax = self.canvas
        if self._structure_artists is None:
            before = {id(a) for a in ax.get_children()}
            mesh = super().draw_structure()
            self._structure_artists = [a for a in ax.get_children() if id(a) not in before]
            return mesh
        for artist in self._structure_artists:  # SolaraViz removes them before each redraw
            if artist.axes is not None:
                continue
            if isinstance(artist, Collection):
                ax.add_collection(artist, autolim=False)
            elif isinstance(artist, Patch):
                ax.add_patch(artist)
            else:
                ax.add_artist(artist)
        self.space_mesh = ax
        return ax

    def draw_agents(self, agent_portrayal=None, **kwargs):
        if self.backend != "matplotlib" or agent_portrayal is not None or kwargs:
            return super().draw_agents(agent_portrayal, **kwargs)
        data = self._map_coordinates(
            self.backend_renderer.collect_agent_data(
                self.space, self.agent_portrayal, default_size=self.space_drawer.s_default
            )
        )
        loc = data.pop("loc")
        if loc.size == 0:
            self.agent_mesh = None
            return None
        markers, zorders = data.pop("marker"), data.pop("zorder")
        if any(_is_image_marker(m) for m in set(markers)):
            return super().draw_agents()
        for key in ("edgecolors", "linewidths"):
            if len(data[key]) == 0:
                data.pop(key)
        ax = self.canvas
        self._agent_artists = []
        for marker in set(markers):
            for zorder in np.unique(zorders[markers == marker]):
                mask = (markers == marker) & (zorders == zorder)
                self._agent_artists.append(
                    ax.scatter(
                        loc[mask, 0],
                        loc[mask, 1],
                        marker=marker,
                        zorder=zorder,
                        **{k: v[mask] for k, v in data.items()},
                        **self.draw_agent_kwargs,
                    )
                )
        self.agent_mesh = ax
        return ax

    def _static_key(self, fig: Figure, ax: Any) -> tuple:
        """What the static layer's pixels depend on; any change redraws it."""
        legend = ax.get_legend()
        return (
            tuple(fig.get_size_inches()),
            fig.dpi,
            ax.get_xlim(),
            ax.get_ylim(),
            ax.get_aspect(),
            tuple(ax.get_position(original=True).bounds),
            id(legend),
            legend is not None and legend.get_visible(),
            tuple(id(a) for a in self._structure_artists or ()),
            tuple(a.axes is ax and a.get_visible() for a in self._structure_artists or ()),
        )

    def _savefig(self, fname: Any, *args: Any, **kwargs: Any) -> Any:
        """``savefig`` of the network figure: the static layer (edges, legend) is drawn once per
        model and its pixels reused; a Step draws only the agents over them and encodes the PNG.

        Anything but a plain PNG of the current figure (other formats or options, artists added
        outside ``draw_structure``/``draw_agents``) takes the full draw."""
        fig, ax = self.backend_renderer.fig, self.canvas
        kwargs.pop("bbox_inches", None)  # fixed frame: the figure as it is
        dynamic = [a for a in self._agent_artists if a.axes is ax]
        known = {id(a) for a in (*dynamic, *(self._structure_artists or ()))}
        fmt = kwargs.pop("format", None) or "png"
        if (
            args
            or kwargs
            or fmt != "png"
            or not isinstance(fig.canvas, FigureCanvasAgg)
            or any(id(a) not in known for a in (*ax.collections, *ax.lines, *ax.patches, *ax.images, *ax.artists))
            or fig.texts
            or fig.images
            or len(fig.axes) != 1
        ):
            return _fixed_frame_savefig(fig, fname, *args, format=fmt, **kwargs)
        canvas = fig.canvas
        key = self._static_key(fig, ax)
        if self._background is None or self._background[0] != key:
            for artist in dynamic:
                artist.set_visible(False)
            try:
                canvas.draw()
            finally:
                for artist in dynamic:
                    artist.set_visible(True)
            self._background = (key, canvas.copy_from_bbox(fig.bbox))
        canvas.restore_region(self._background[1])
        renderer = canvas.get_renderer()
        for artist in sorted(dynamic, key=lambda a: a.get_zorder()):
            artist.draw(renderer)
        image = PIL.Image.fromarray(np.asarray(canvas.buffer_rgba()))
        image.save(fname, format="png", **_PNG_KWARGS["pil_kwargs"])
        return None


def _guarded_plot(
    measure: str | dict[str, str], ylabel: str, title: str, ylim: tuple[float, float] | None = None, page: int = 0
) -> Component:
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
        _fixed_frame(fig, _PLOT_MARGINS)

    make_plot, page = make_plot_component(measure, post_process=post_process, backend="matplotlib", page=page)

    @solara.component
    def GuardedPlot(model: Any):
        df = model_frame(model)
        if df.empty or any(c not in df.columns for c in columns):
            # Re-render after the next step. Once Mesa's plot shows, it follows the step counter
            # itself: reading the counter here too would cost a render pass of its own per step.
            update_counter.get()
            return solara.Text(f"{title}: no data yet, press Step")
        return make_plot(model)

    return GuardedPlot, page


def flows_plot(page: int = 0) -> Component:
    """Attack flows blocked vs let through, per step."""
    return _guarded_plot(FLOW_COLUMNS, "attack flows per step", "attack flows: blocked vs let through", page=page)


def false_acceptance_plot(page: int = 0) -> Component:
    """False-acceptance rate per step."""
    return _guarded_plot(
        {FALSE_ACCEPTANCE_COLUMN: "#9467bd"}, "false-acceptance rate", "false acceptance", ylim=(-0.02, 1.02), page=page
    )


class _ProtectionFigure:
    """The protection plot of one model: drawn by ``draw_protection`` whenever its campaign
    columns change (the first data, a new campaign), otherwise its lines' data are moved."""

    def __init__(self) -> None:
        self.fig = _fixed_frame(Figure(figsize=_PLOT_SIZE_IN, dpi=_DPI), _PLOT_MARGINS)
        FigureCanvasAgg(self.fig)  # one renderer for the figure's life: its text metrics stay cached
        self.ax = self.fig.add_subplot()
        self.columns: list[str] | None = None
        self.lines: list[Any] = []

    def update(self, model: Any) -> Figure:
        df = model_frame(model)
        columns = campaign_columns(df) if not df.empty else []
        if not columns or columns != self.columns or len(self.lines) != len(columns):
            self.ax.clear()
            draw_protection(model, self.ax)
            self.columns = columns
            self.lines = list(self.ax.get_lines())
        else:
            for line, column in zip(self.lines, columns):
                line.set_data(df.index, df[column])
            self.ax.relim()
            self.ax.autoscale_view()
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
        solara.Text(
            f"Step {model.steps}", classes=["wb-step-counter"], style={"font-size": "1.3em", "font-weight": "bold"}
        )
        solara.Text(
            " · ".join(f"{STATE_LABELS.get(s, s)}: {n}" for s, n in counts.items()), classes=["wb-state-counts"]
        )


def summary(page: int = 0) -> Component:
    return Summary, page
