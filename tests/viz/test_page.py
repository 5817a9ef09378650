"""The interactive view without a browser: the page imports, its model runs, its pieces agree."""

from __future__ import annotations

import io

import numpy as np
import pytest

pytest.importorskip("solara")

from workbench import ModelParams, ThreatIntelModel
from workbench.model.params import allowed_names
from workbench.viz import draw_dashboard, draw_network, layout_seed, node_layout, node_size
from workbench.viz.controls import as_seed, initial_values, model_params
from workbench.viz.style import STATE_COLORS, agent_portrayal

SMALL = {"n_nodes": 30, "warmup_steps": 2, "campaign_interval_steps": 3}


def _model(seed: int = 1, **overrides) -> ThreatIntelModel:
    return ThreatIntelModel(rng=seed, **{**SMALL, **overrides})


def test_app_page_imports_and_its_model_runs():
    from mesa.visualization import SolaraViz

    from workbench.viz import app

    assert app.page.component.f is SolaraViz.f
    model = app.page.args[0]
    assert isinstance(model, ThreatIntelModel)
    for _ in range(4):
        model.step()
    assert model.steps == 4
    df = model.datacollector.get_model_vars_dataframe()
    for column in ("attack_flows_blocked", "attack_flows_passed", "forged_reach_frac", "protected_frac_c0"):
        assert column in df.columns
    assert len(df) == 4


def test_page_steps_and_resets_headless():
    import ipyvuetify as v
    import solara

    from workbench.viz.page import make_page

    page = make_page(ModelParams(**SMALL), seed=3)
    _, rc = solara.render(solara.AppLayout(children=[page]), handle_error=False)
    step = rc.find(v.Btn, children=["Step"])
    step.assert_single()
    for _ in range(3):
        step.widget.click()
    rc.find(children=["Step 3"]).assert_single()
    rc.find(v.Btn, children=["Reset"]).widget.click()
    rc.find(children=["Step 0"]).assert_single()
    rc.close()


def test_layout_is_seeded_cached_and_fixed_while_stepping():
    a, b, c = _model(seed=5), _model(seed=5), _model(seed=6)
    pos_a = node_layout(a)
    assert node_layout(a) is pos_a  # computed once per model
    assert set(pos_a) == set(a.graph.nodes)
    assert layout_seed(a) == 5
    assert all(np.allclose(pos_a[n], node_layout(b)[n]) for n in a.graph.nodes)
    assert not all(np.allclose(pos_a[n], node_layout(c)[n]) for n in c.graph.nodes)
    before = {n: p.copy() for n, p in pos_a.items()}
    a.step()
    a.step()
    assert node_layout(a) is pos_a and all(np.array_equal(before[n], pos_a[n]) for n in before)


def test_renderer_draws_on_the_cached_layout():
    from workbench.viz.components import NetworkRenderer

    model = _model()
    renderer = NetworkRenderer(model)
    assert renderer.space_drawer.pos is node_layout(model)
    assert renderer.agent_portrayal is agent_portrayal
    # SolaraViz rebuilds the renderer on Reset as type(renderer)(model=..., backend=...)
    fresh = _model(seed=2)
    rebuilt = type(renderer)(model=fresh, backend=renderer.backend)
    assert rebuilt.space_drawer.pos is node_layout(fresh) and rebuilt.agent_portrayal is agent_portrayal


def test_portrayal_colours_by_state_and_sizes_by_detections():
    model = _model(malicious_fraction=0.2)
    for _ in range(8):
        model.step()
    for agent in model.agents:
        style = agent_portrayal(agent)
        assert agent.state in STATE_COLORS
        assert style.color == STATE_COLORS[agent.state]
        assert style.size == node_size(agent.detections)
    sizes = [node_size(d) for d in (0, 1, 10, 100, 10**6)]
    assert sizes == sorted(sizes) and sizes[0] > 0 and sizes[-1] <= 160


def test_controls_cover_the_main_parameters_within_their_ranges():
    params = model_params()
    assert set(params) == {
        "rng",
        "n_nodes",
        "topology",
        "sharing",
        "consensus",
        "quorum",
        "malicious_fraction",
        "malicious_behavior",
        "detector",
    }
    for name, spec in params.items():
        if name == "rng":
            continue
        if spec["type"] == "Select":
            assert spec["values"] == list(allowed_names(name)) and spec["values"]
            assert spec["value"] in spec["values"]
            for value in spec["values"]:  # every listed value is a valid parameter value
                ModelParams(**{name: value})
        else:  # both slider ends are valid parameter values
            ModelParams(**{name: spec["min"]})
            ModelParams(**{name: spec["max"]})
            assert spec["min"] <= spec["value"] <= spec["max"]


def test_controls_take_initial_values_from_the_environment(monkeypatch):
    monkeypatch.setenv("WORKBENCH_VIZ_N_NODES", "200")
    monkeypatch.setenv("WORKBENCH_VIZ_RNG", "7")
    values = initial_values()
    assert values["n_nodes"] == 200 and values["rng"] == 7


def test_seed_box_text_becomes_an_integer_seed():
    from workbench.viz.page import ExploreModel

    assert as_seed("42") == 42 and as_seed(" 7 ") == 7 and as_seed(None) is None and as_seed("") is None
    with pytest.raises(ValueError, match="rng='abc'"):
        as_seed("abc")
    from_text, from_int = ExploreModel(rng="11", **SMALL), ThreatIntelModel(rng=11, **SMALL)
    assert sorted(from_text.graph.edges) == sorted(from_int.graph.edges)


def test_page_keeps_parameters_without_a_control_on_reset():
    from workbench.viz.page import make_page

    page = make_page(ModelParams(n_campaigns=5, **SMALL), seed=2)
    model, params = page.args[0], page.kwargs["model_params"]
    assert model.params.n_campaigns == 5 and params["n_campaigns"] == 5
    assert params["n_nodes"]["value"] == 30 and params["rng"]["value"] == "2"


def test_static_figures_show_the_same_state():
    model = _model()
    for _ in range(10):
        model.step()
    fig = draw_dashboard(model)
    assert len(fig.axes) >= 4
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.tell() > 1000
    ax = draw_network(model)
    assert len(ax.collections) == 2  # edges and nodes
    assert ax.collections[1].get_offsets().shape == (model.params.n_nodes, 2)


def test_quorum_helpers_change_only_the_quorum():
    from workbench.viz.quorum import quorum_comparison, quorum_figure, run_at_quorum

    params = ModelParams(**SMALL)
    low, high = run_at_quorum(params, 0.51, seed=4, steps=3), run_at_quorum(params, 0.9, seed=4, steps=3)
    assert (low.params.consensus, low.params.quorum, high.params.quorum) == ("supermajority", 0.51, 0.9)
    assert low.params.replace(quorum=0.9) == high.params and sorted(low.graph.edges) == sorted(high.graph.edges)
    assert len(quorum_figure(params, 0.6, seed=4, steps=3).axes) >= 3
    assert len(quorum_comparison(params, [0.51, 0.9], seed=4, steps=3).axes) == 4
