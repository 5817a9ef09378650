"""Every place the viz layer relies on Mesa's or Solara's internals, fenced in one module.

Written for **Mesa 3.5.1** and **Solara 1.64.1** (matplotlib 3.10). ``tests/viz/test_mesa_compat.py``
checks each assumption below and fails with a message naming the workaround when an upgrade breaks
it; ``pyproject.toml`` keeps Mesa below 4 and ``requirements.lock`` pins the tested versions. When
a check fails, re-read the named Mesa/Solara code, adapt the workaround here, and update the
version above. Nothing outside this module touches a private Mesa/Solara name.

1. **Fixed-frame ``savefig``** (:func:`fixed_frame`). Mesa's plot components and its space
   component render through ``solara.FigureMatplotlib(fig, format="png", bbox_inches="tight")``,
   which calls ``fig.savefig(buffer, format=..., bbox_inches="tight")``. A tight bounding box draws
   the figure twice (measure, then draw) and is not configurable, so the figure's ``savefig`` is
   replaced per instance by one that drops ``bbox_inches="tight"`` (the figure has fixed margins
   instead) and encodes PNG at zlib level 1. Relies on: Solara calling ``figure.savefig`` (an
   instance attribute lookup) and Mesa passing ``bbox_inches="tight"``.
2. **Node positions handed to ``NetworkSpaceDrawer``** (:class:`CachedNetworkRenderer`). Mesa's
   ``SpaceRenderer.__init__`` builds its drawer in the private ``_get_space_drawer()``, and
   ``NetworkSpaceDrawer(space, layout_alg=..., layout_kwargs=...)`` lays the graph out with
   ``spring_layout(seed=0)`` by default; the override hands it positions computed once per model
   from the model's seed. Relies on: ``SpaceRenderer._get_space_drawer(self)``, ``self.space``,
   ``mesa.visualization.space_renderer.Network`` and ``NetworkSpaceDrawer``'s keywords.
3. **Structure drawn once** (``draw_structure``). SolaraViz clears the axes before each Step and
   calls ``draw_structure()``; the override keeps the artists of the first draw and puts them
   back. Relies on: ``draw_structure(**kwargs)``, ``setup_structure(**kwargs)``, ``self.canvas``
   (the axes) and ``self.space_mesh``.
4. **Agents without a full-figure draw** (``draw_agents``). Mesa's matplotlib backend draws the
   whole figure before scattering agents (needed only for image markers); the override collects the
   portrayals with the backend's ``collect_agent_data(space, portrayal, default_size=...)``, maps
   them with the private ``SpaceRenderer._map_coordinates(data)`` and scatters them itself. Relies
   on those two, ``self.agent_portrayal``, ``self.draw_agent_kwargs``, ``self.agent_mesh``,
   ``self.space_drawer.s_default`` and the keys of the collected data (``loc``, ``marker``,
   ``zorder``, ``edgecolors``, ``linewidths``).
5. **Static layer reused as pixels** (``_savefig``): the network figure's ``savefig`` restores the
   pixels of edges and legend and draws only the agents. Relies on workaround 1's call and on
   ``backend_renderer.initialize_canvas(ax)`` and ``backend_renderer.fig``.
6. **Step counter** (:data:`update_counter`): ``mesa.visualization.utils.update_counter``, the
   reactive value SolaraViz bumps after each Step, read by components that must re-render.
7. **Reset's ``scenario`` keyword** (:func:`drop_reset_kwargs`): SolaraViz's Reset passes an empty
   Mesa ``scenario`` to a model whose ``__init__`` takes ``**kwargs``; the page's model drops it.
8. **Tab label** (:func:`tab_label_style`): SolaraViz labels each page of components
   ``f"Page {index}"`` (shown upper-cased, "PAGE 0") with no option to name it. A scoped style rule
   shows a name instead on the tab bar of the page holding ``.wb-step-counter`` (the Summary
   component). Relies on: ``ComponentsView`` rendering a ``v.Tabs`` followed by a ``v.Window``.

9. **The page's layout from Mesa's pieces** (:data:`ModelController`, :data:`ComponentsView`,
   :data:`SpaceRendererComponent`): ``SolaraViz`` puts its controls in Solara's sidebar, which inline in
   JupyterLab (Solara's embedded ``AppLayout``) sits closed behind a menu button, and it builds one
   model for every visitor of a module-level page. The page (:mod:`workbench.viz.page`) composes the
   same components of ``mesa.visualization.solara_viz`` itself: ``ModelController(model, renderer=,
   model_parameters=, play_interval=, render_interval=, use_threads=)`` (all reactives; Reset builds
   ``type(model.value)(**model_parameters.value)``), ``ComponentsView(components, model)`` and
   ``SpaceRendererComponent(model, renderer)``. They are public names of that module but not re-exported by
   ``mesa.visualization``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import PIL.Image
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.patches import Patch
from mesa.visualization import SpaceRenderer
from mesa.visualization.solara_viz import ComponentsView, ModelController, SpaceRendererComponent
from mesa.visualization.space_drawers import NetworkSpaceDrawer
from mesa.visualization.space_renderer import Network
from mesa.visualization.utils import update_counter

__all__ = [
    "PNG_KWARGS",
    "RESET_EXTRA_KWARGS",
    "CachedNetworkRenderer",
    "ComponentsView",
    "ModelController",
    "SpaceRendererComponent",
    "drop_reset_kwargs",
    "fixed_frame",
    "tab_label_style",
    "update_counter",
]

# zlib level 1 encodes several times faster than the default (6) for ~10 % larger images.
PNG_KWARGS: dict[str, Any] = {"pil_kwargs": {"compress_level": 1}}
# Keywords SolaraViz's Reset adds to the model's own parameters (workaround 7).
RESET_EXTRA_KWARGS = ("scenario",)


def _fixed_frame_savefig(fig: Figure, fname: Any, *args: Any, **kwargs: Any) -> Any:
    if kwargs.get("bbox_inches") == "tight":
        kwargs["bbox_inches"] = None
    if kwargs.get("format", "png") == "png":
        for key, value in PNG_KWARGS.items():
            kwargs.setdefault(key, value)
    return Figure.savefig(fig, fname, *args, **kwargs)


def fixed_frame(fig: Figure, margins: dict[str, float]) -> Figure:
    """Give ``fig`` fixed margins and no layout engine, and make its ``savefig`` ignore
    ``bbox_inches="tight"`` (which Mesa's components pass and which draws the figure twice) and
    encode PNG at zlib level 1. Returns ``fig``."""
    if fig.get_layout_engine() is not None:
        fig.set_layout_engine(PlaceHolderLayoutEngine(adjust_compatible=True, colorbar_gridspec=True))
    fig.subplots_adjust(**margins)
    if "savefig" not in vars(fig):
        fig.savefig = _fixed_frame_savefig.__get__(fig)  # type: ignore[method-assign]
    return fig


def _is_image_marker(marker: Any) -> bool:
    return isinstance(marker, (str, os.PathLike)) and os.path.isfile(marker)


class CachedNetworkRenderer(SpaceRenderer):
    """A matplotlib ``SpaceRenderer`` of a network that draws each Step once, on a fixed frame.

    Subclasses give the node positions (:meth:`node_positions`), the figure's size, DPI and
    margins, and configure drawing in their ``__init__`` (then call ``render()``): SolaraViz
    rebuilds the renderer on Reset as ``type(renderer)(model=..., backend=...)`` and Mesa 3.5 does
    not copy drawing options across.

    Mesa's ``NetworkSpaceDrawer`` runs ``spring_layout(seed=0)`` itself; here it is handed the
    subclass's positions instead (workaround 2), so stepping never re-lays out the graph. Per Step,
    SolaraViz removes every artist from the axes and calls ``draw_structure`` and ``draw_agents``
    again. The graph of a model never changes, so ``draw_structure`` draws it with Mesa's drawer
    once and afterwards puts the same artists back (workaround 3); ``draw_agents`` scatters the
    portrayals without the full-figure draw Mesa's backend makes first (workaround 4); the figure's
    ``savefig`` reuses the static layer's pixels (workaround 5).
    """

    figure_size_in: tuple[float, float] = (6.0, 5.0)
    figure_dpi: float = 80
    figure_margins: dict[str, float] = {"left": 0.01, "right": 0.99, "bottom": 0.01, "top": 0.99}  # noqa: RUF012

    def node_positions(self, model: Any) -> dict[Any, Any]:
        """``{node: (x, y)}`` of ``model``'s network; computed once per renderer."""
        raise NotImplementedError

    def __init__(self, model: Any, backend: str = "matplotlib"):
        self._layout_model = model  # read by _get_space_drawer during super().__init__
        super().__init__(model, backend=backend)
        del self._layout_model
        self._structure_artists: list[Any] | None = None
        self._agent_artists: list[Any] = []
        self._background: tuple[Any, Any] | None = None  # (key, pixels) of the static layer
        if backend == "matplotlib":  # a fixed-frame figure instead of Mesa's constrained-layout one
            fig = fixed_frame(Figure(figsize=self.figure_size_in, dpi=self.figure_dpi), self.figure_margins)
            FigureCanvasAgg(fig)
            fig.savefig = self._savefig  # type: ignore[method-assign]
            self.backend_renderer.initialize_canvas(fig.add_subplot())
            self.backend_renderer.fig = fig

    def _get_space_drawer(self):
        if isinstance(self.space, Network):
            pos = self.node_positions(self._layout_model)
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
        image.save(fname, format="png", **PNG_KWARGS["pil_kwargs"])
        return None


def drop_reset_kwargs(overrides: dict[str, Any]) -> dict[str, Any]:
    """``overrides`` without the keywords SolaraViz's Reset adds on its own (workaround 7)."""
    return {k: v for k, v in overrides.items() if k not in RESET_EXTRA_KWARGS}


def tab_label_style(label: str) -> Any:
    """A ``solara.Style`` that shows ``label`` instead of Mesa's "PAGE 0" on the tab of the
    SolaraViz page holding the Summary component (workaround 8). Render it from a component."""
    text = label.replace("\\", "\\\\").replace('"', '\\"')
    tab = ".v-tabs:has(~ .v-window .wb-step-counter) .v-tab"
    return solara.Style(f'{tab} {{ font-size: 0; }}\n{tab}::after {{ content: "{text}"; font-size: 0.875rem; }}')
