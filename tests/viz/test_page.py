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


def _render(element):
    import solara

    _, rc = solara.render(solara.AppLayout(children=[element]), handle_error=False)
    return rc


def _click(rc, label: str, times: int = 1) -> None:
    import ipyvuetify as v

    button = rc.find(v.Btn, children=[label])
    button.assert_single()
    for _ in range(times):
        button.widget.click()


def _at_step(rc, step: int) -> bool:
    return len(rc.find(children=[f"Step {step}"]).widgets) == 1


def test_app_page_gives_every_session_its_own_model_at_step_0(monkeypatch):
    """Each render of the standalone ``Page`` (Solara renders one per browser session) builds its
    own model: both open at step 0 and stepping one leaves the other where it was."""
    for name, value in SMALL.items():
        monkeypatch.setenv(f"WORKBENCH_VIZ_{name.upper()}", str(value))
    from workbench.viz import app

    first, second = _render(app.Page()), _render(app.Page())
    try:
        assert _at_step(first, 0) and _at_step(second, 0)
        _click(first, "Step", 3)
        assert _at_step(first, 3) and _at_step(second, 0)
        _click(second, "Step")
        assert _at_step(first, 3) and _at_step(second, 1)
    finally:
        first.close()
        second.close()


def test_page_steps_and_resets_headless():
    from workbench.viz.page import make_page, page_model

    page = make_page(ModelParams(**SMALL), seed=3)
    rc = _render(page)
    _click(rc, "Step", 3)
    rc.find(children=["Step 3"]).assert_single()
    model = page_model(page)
    df = model.datacollector.get_model_vars_dataframe()
    for column in ("attack_flows_blocked", "attack_flows_passed", "forged_reach_frac", "protected_frac_c0"):
        assert column in df.columns
    _click(rc, "Reset")
    rc.find(children=["Step 0"]).assert_single()
    rc.close()


def _slider(rc, prefix: str):
    import ipyvuetify as v

    found = [s.widget for s in rc.find(v.Slider) if str(s.widget.label).startswith(prefix)]
    assert len(found) == 1, [s.widget.label for s in rc.find(v.Slider)]
    return found[0]


def test_controls_show_values_mark_changes_until_reset_and_disable_what_does_not_apply():
    import ipyvuetify as v

    from workbench.viz.page import make_page

    rc = _render(make_page(ModelParams(**SMALL, malicious_fraction=0.2), seed=3))
    try:
        assert _slider(rc, "Malicious fraction").label == "Malicious fraction: 0.20"
        assert _slider(rc, "Nodes").label == "Nodes: 30"
        assert _slider(rc, "Quorum").disabled  # the default rule, majority, does not read the quorum
        assert not rc.find(v.Alert).widgets
        _slider(rc, "Nodes").v_model = 40
        assert _slider(rc, "Nodes").label == "Nodes: 40"
        alerts = rc.find(v.Alert).widgets
        assert len(alerts) == 1 and "Press Reset to apply" in str(alerts[0].children)
        consensus = next(s.widget for s in rc.find(v.Select) if s.widget.label == "Consensus rule")
        consensus.v_model = "supermajority"
        assert not _slider(rc, "Quorum").disabled
        _click(rc, "Reset")
        assert not rc.find(v.Alert).widgets  # the model now has the controls' values
        _click(rc, "Step")
        assert _at_step(rc, 1)
    finally:
        rc.close()


def test_only_rules_that_read_the_quorum_get_the_quorum_control():
    from workbench.viz.controls import rule_reads_quorum

    assert rule_reads_quorum("supermajority")
    assert not rule_reads_quorum("majority") and not rule_reads_quorum("trust_weighted")


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
    from workbench.viz.page import ExploreModel, make_page, page_model

    page = make_page(ModelParams(n_campaigns=5, **SMALL), seed=2)
    model, params = page_model(page), page.kwargs["start"].model_parameters()
    assert model.params.n_campaigns == 5 and params["n_campaigns"] == 5
    assert params["n_nodes"] == 30 and params["rng"] == "2"
    rebuilt = ExploreModel(**params, scenario=None)  # what Reset builds from the untouched controls
    assert rebuilt.params == model.params


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


def test_static_plots_use_readable_legends_fixed_fraction_axes_and_mark_rotations():
    from workbench.viz import draw_flows, draw_protection
    from workbench.viz.static import rotation_rows

    empty = draw_protection(_model())
    assert empty.get_ylim() == (-0.02, 1.02)  # an empty plot keeps the fraction's axis
    model = _model(prefix_rotation_steps=4, attacker_prefixes=2)
    for _ in range(14):
        model.step()
    flows = draw_flows(model)
    labels = [t.get_text() for t in flows.get_legend().get_texts()]
    assert labels == ["blocked", "let through"]
    marks = rotation_rows(model, 14)
    assert marks and all(0 <= row < 14 for row, _ in marks)
    ax = draw_protection(model)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "prefix rotation" in legend and all("_" not in label for label in legend)
    vertical = [line for line in ax.get_lines() if len(set(line.get_xdata())) == 1 and len(line.get_xdata()) == 2]
    assert sorted(line.get_xdata()[0] for line in vertical) == sorted(row for row, _ in marks)
    assert ax.get_ylim() == (-0.02, 1.02)
    # without rotation, no marks
    assert rotation_rows(_model(prefix_rotation_steps=0), 14) == []


def test_readme_gives_the_offline_standalone_command_the_browser_test_runs():
    from pathlib import Path

    from workbench.viz.page import STANDALONE_ARGS, STANDALONE_ENV

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    env = " ".join(f"{k}={v}" for k, v in STANDALONE_ENV.items())
    assert f"{env} .venv/bin/python -m solara {' '.join(STANDALONE_ARGS)}" in readme
    assert "--production" in STANDALONE_ARGS
