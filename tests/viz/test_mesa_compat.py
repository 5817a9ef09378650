"""What ``workbench/viz/_mesa_compat.py`` relies on in Mesa and Solara still holds.

Each check names the workaround (numbered as in that module's docstring) it protects, so an upgrade
that renames or removes a private method, attribute or call fails here with a message saying what
to adapt, rather than as a blank or slow page."""

from __future__ import annotations

import inspect
import io

import pytest

pytest.importorskip("solara")

import mesa
import solara
from matplotlib.figure import Figure
from mesa.visualization import SpaceRenderer, solara_viz
from mesa.visualization.backends.matplotlib_backend import MatplotlibBackend
from mesa.visualization.components import matplotlib_components
from mesa.visualization.space_drawers import NetworkSpaceDrawer

from workbench import ThreatIntelModel
from workbench.viz import _mesa_compat
from workbench.viz.components import NetworkRenderer

SMALL = {"n_nodes": 20, "warmup_steps": 2, "campaign_interval_steps": 3}


def require(condition: object, workaround: int, what: str) -> None:
    """Fail with a message that names the workaround and what changed."""
    if not condition:
        pytest.fail(
            f"Mesa {mesa.__version__} / Solara {solara.__version__}: workaround {workaround} of "
            f"workbench/viz/_mesa_compat.py relies on {what}, which no longer holds. Adapt the workaround "
            "(see the module docstring) before upgrading.",
            pytrace=False,
        )


def params_of(func) -> list[str]:
    return list(inspect.signature(func).parameters)


def test_mesa_major_version_is_the_one_written_for():
    require(mesa.__version__.split(".")[0] == "3", 0, "Mesa 3.x (pyproject.toml keeps mesa < 4)")


def test_1_solara_and_mesa_save_figures_through_fig_savefig_with_a_tight_box():
    figure_matplotlib = getattr(solara.FigureMatplotlib, "f", solara.FigureMatplotlib)
    require(
        "figure.savefig(" in inspect.getsource(figure_matplotlib),
        1,
        "solara.FigureMatplotlib calling figure.savefig(...) on the figure it is given",
    )
    for module in (matplotlib_components, solara_viz):
        require(
            'bbox_inches="tight"' in inspect.getsource(module),
            1,
            f"{module.__name__} passing bbox_inches='tight' to solara.FigureMatplotlib",
        )


def test_1_fixed_frame_drops_the_tight_box():
    fig = _mesa_compat.fixed_frame(
        Figure(figsize=(2, 2), dpi=50), {"left": 0.1, "right": 0.9, "bottom": 0.1, "top": 0.9}
    )
    fig.add_subplot().plot([0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    require(buffer.getvalue()[:4] == b"\x89PNG", 1, "Figure.savefig(fname, format=..., **kwargs)")


def test_2_space_drawer_hook_and_network_drawer_keywords():
    require(
        callable(getattr(SpaceRenderer, "_get_space_drawer", None))
        and params_of(SpaceRenderer._get_space_drawer) == ["self"],
        2,
        "the private method SpaceRenderer._get_space_drawer(self)",
    )
    require(hasattr(mesa.visualization.space_renderer, "Network"), 2, "mesa.visualization.space_renderer.Network")
    require(
        {"space", "layout_alg", "layout_kwargs"} <= set(params_of(NetworkSpaceDrawer.__init__)),
        2,
        "NetworkSpaceDrawer(space, layout_alg=..., layout_kwargs=...)",
    )


def test_3_4_renderer_methods_keep_their_signatures():
    require(params_of(SpaceRenderer.draw_structure) == ["self", "kwargs"], 3, "SpaceRenderer.draw_structure(**kwargs)")
    require(
        params_of(SpaceRenderer.setup_structure) == ["self", "kwargs"], 3, "SpaceRenderer.setup_structure(**kwargs)"
    )
    require(
        params_of(SpaceRenderer.draw_agents) == ["self", "agent_portrayal", "kwargs"],
        4,
        "SpaceRenderer.draw_agents(agent_portrayal=None, **kwargs)",
    )
    require(
        params_of(getattr(SpaceRenderer, "_map_coordinates", lambda: None)) == ["self", "arguments"],
        4,
        "the private method SpaceRenderer._map_coordinates(self, arguments)",
    )
    require(
        params_of(MatplotlibBackend.collect_agent_data) == ["self", "space", "agent_portrayal", "default_size"],
        4,
        "MatplotlibBackend.collect_agent_data(space, agent_portrayal, default_size=None)",
    )
    require(
        params_of(MatplotlibBackend.initialize_canvas) == ["self", "ax"],
        5,
        "MatplotlibBackend.initialize_canvas(ax=None)",
    )


def test_2_to_5_renderer_attributes_and_agent_data():
    model = ThreatIntelModel(rng=1, **SMALL)
    renderer = NetworkRenderer(model)
    for name in (
        "space",
        "space_drawer",
        "backend_renderer",
        "canvas",
        "space_mesh",
        "agent_mesh",
        "draw_agent_kwargs",
        "agent_portrayal",
    ):
        require(hasattr(renderer, name), 3, f"SpaceRenderer instances having the attribute {name!r}")
    require(isinstance(renderer.space_drawer, NetworkSpaceDrawer), 2, "the override of _get_space_drawer being used")
    require(hasattr(renderer.space_drawer, "s_default"), 4, "NetworkSpaceDrawer.s_default (default marker size)")
    require(
        getattr(renderer.backend_renderer, "fig", None) is renderer.canvas.get_figure(),
        5,
        "MatplotlibBackend.fig being the figure of the renderer's axes",
    )
    data = renderer.backend_renderer.collect_agent_data(
        renderer.space, renderer.agent_portrayal, default_size=renderer.space_drawer.s_default
    )
    keys = {"loc", "marker", "zorder", "edgecolors", "linewidths"}
    require(keys <= set(data), 4, f"collect_agent_data returning the keys {sorted(keys)}")
    model.step()
    renderer.render()
    buffer = io.BytesIO()
    renderer.canvas.get_figure().savefig(buffer, format="png", bbox_inches="tight")
    require(
        buffer.getvalue()[:4] == b"\x89PNG" and renderer._background is not None,
        5,
        "the network figure's savefig drawing through the cached static layer",
    )


def test_6_step_counter():
    from mesa.visualization import utils

    require(
        hasattr(getattr(utils, "update_counter", None), "get"),
        6,
        "mesa.visualization.utils.update_counter, a reactive value with .get()",
    )


def test_7_reset_passes_a_scenario_keyword():
    source = inspect.getsource(solara_viz)
    for name in _mesa_compat.RESET_EXTRA_KWARGS:
        require(f'kwargs["{name}"]' in source, 7, f"SolaraViz's Reset adding the keyword {name!r} (else drop it)")


def test_8_components_view_labels_pages_and_renders_tabs_then_window():
    source = inspect.getsource(getattr(solara_viz.ComponentsView, "f", solara_viz.ComponentsView))
    require('f"Page {index}"' in source, 8, 'ComponentsView labelling tabs f"Page {index}" (maybe it names them now)')
    tabs, window = source.find("solara.v.Tabs("), source.find("solara.v.Window(")
    require(0 <= tabs < window, 8, "ComponentsView rendering a v.Tabs followed by a v.Window (the CSS selector)")


def test_9_page_composes_mesa_controller_components_view_and_space_component():
    controller = params_of(getattr(solara_viz.ModelController, "f", solara_viz.ModelController))
    for name in ("model", "model_parameters", "play_interval", "render_interval", "use_threads"):
        require(name in controller, 9, f"ModelController taking {name!r}")
    source = inspect.getsource(getattr(solara_viz.ModelController, "f", solara_viz.ModelController))
    require("type(model.value)(**kwargs)" in source, 9, "ModelController's Reset building type(model.value)(**kwargs)")
    view = params_of(getattr(solara_viz.ComponentsView, "f", solara_viz.ComponentsView))
    require(view[:2] == ["components", "model"], 9, "ComponentsView(components, model)")
    space = params_of(getattr(solara_viz.SpaceRendererComponent, "f", solara_viz.SpaceRendererComponent))
    require(space[:2] == ["model", "renderer"], 9, "SpaceRendererComponent(model, renderer)")
