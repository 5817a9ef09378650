"""The interactive view of ``ThreatIntelModel``: a Solara page built from Mesa's SolaraViz pieces.

Inline in JupyterLab::

    from workbench.viz import make_page
    make_page(n_nodes=100, seed=3)          # last expression of a cell displays the page

Standalone, offline (bound to loopback)::

    python -m solara run workbench/viz/app.py --host 127.0.0.1 --production --no-check-version

**One model per visitor.** :func:`ExplorePage` builds its model when a browser session first
renders it (Solara keeps component state per session), so every tab of the standalone page opens
on its own model at step 0 and steps on its own. ``make_page`` builds the model at once instead, so
that a notebook can advance it before showing it (a kernel is one visitor).

**Layout.** Mesa's ``SolaraViz`` puts its controls in Solara's sidebar, which inline in JupyterLab
sits closed behind a menu button and, opened, covers the figures. The page here lays the same
public pieces out itself (Mesa's ``ModelController`` for Step/Play/Reset, its ``ComponentsView``
for the figures): a column of controls beside the figures, in a notebook and standalone alike.
Each slider's label shows its value; a control that the other controls make irrelevant (the quorum
under a rule that does not read it) is disabled; a changed control says "press Reset to apply"
until Reset rebuilds the model from the controls.

``WORKBENCH_VIZ_<FIELD>`` environment variables (for example ``WORKBENCH_VIZ_N_NODES=200``,
``WORKBENCH_VIZ_RNG=7``) set the initial values of the controls of the standalone page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import solara

from workbench import ModelParams, ThreatIntelModel
from workbench.viz._mesa_compat import ComponentsView, ModelController, drop_reset_kwargs
from workbench.viz.components import (
    flows_plot,
    forged_reach_plot,
    network_view,
    protection_plot,
    summary,
)
from workbench.viz.controls import (
    _LABELS,
    _SLIDERS,
    CONTROL_NAMES,
    as_seed,
    control_applies,
    initial_values,
    label_with_value,
    model_params,
    pending_changes,
)

TITLE = "Threat-Intelligence Workbench"
# The standalone page, offline: `python -m solara` + these (the README's command; the browser test
# runs exactly this, adding a free --port and --no-open). --production serves Solara's built
# front-end from the local solara-assets package (without it the page loads a development build and
# asks an outside server for a success page).
STANDALONE_ARGS = ("run", "workbench/viz/app.py", "--host", "127.0.0.1", "--production", "--no-check-version")
STANDALONE_ENV = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
CONTROLS_WIDTH_PX = 300


class ExploreModel(ThreatIntelModel):
    """``ThreatIntelModel`` as the page builds it on Reset; the model itself is unchanged.

    Two adaptations to the page's controls: the seed arrives from a text box, so ``rng`` may be
    a string of digits (kept as ``seed`` for comparison with the box); and Mesa's Reset passes an
    empty Mesa ``scenario`` to any model whose ``__init__`` takes ``**kwargs``, which this model's
    parameters (a ``ModelParams``) make redundant.
    """

    def __init__(self, params: ModelParams | None = None, *, rng: Any = None, **overrides: Any):
        self.seed = as_seed(rng)
        super().__init__(params, rng=self.seed, **drop_reset_kwargs(overrides))


def make_model(params: ModelParams | None = None, *, seed: int | str | None = None, **overrides: Any) -> ExploreModel:
    """The model the page starts from: ``params`` with ``overrides``, seeded with ``seed``."""
    return ExploreModel(params, rng=seed, **overrides)


@dataclass(frozen=True)
class PageStart:
    """What a page starts from: the parameters of its first model (``params``), the controls'
    initial ``values`` (field names and ``rng``), and the parameters without a control that differ
    from the defaults (``fixed``: passed unchanged to every model Reset builds)."""

    params: ModelParams
    values: dict[str, Any]
    fixed: dict[str, Any] = field(default_factory=dict)
    play_interval_ms: int = 150

    @property
    def seed(self) -> int | None:
        return as_seed(self.values["rng"])

    def model_parameters(self) -> dict[str, Any]:
        """The keywords Reset passes to ``ExploreModel``: the fixed parameters and the controls."""
        return {**self.fixed, **self.values, "rng": str(self.values["rng"])}


def page_start(
    params: ModelParams | None = None, *, seed: int | None = None, play_interval_ms: int = 150, **overrides: Any
) -> PageStart:
    """The start of a page from ``params`` + ``overrides`` and ``seed``; called with no parameters
    at all, ``WORKBENCH_VIZ_*`` environment variables set the controls' initial values.

    The controls start at the model's values, so Reset without touching them rebuilds the same
    model; parameters without a control are passed through unchanged on Reset."""
    explicit = params is not None or bool(overrides)
    base = (params or ModelParams()).replace(**overrides)
    values = initial_values(None if explicit else base)
    if explicit:
        values.update({k: getattr(base, k) for k in values if k != "rng"})
    if seed is not None:
        values["rng"] = seed
    controlled = {k: v for k, v in values.items() if k != "rng"}
    return PageStart(
        params=base.replace(**controlled),
        values=values,
        fixed=fixed_params(base, exclude=controlled),
        play_interval_ms=play_interval_ms,
    )


def fixed_params(params: ModelParams, exclude: dict[str, Any]) -> dict[str, Any]:
    """Fields of ``params`` that differ from the defaults and have no control: Reset passes them
    to the model unchanged."""
    defaults = ModelParams().to_dict()
    return {k: v for k, v in params.to_dict().items() if k not in exclude and v != defaults[k]}


@solara.component
def ParameterControls(values: solara.Reactive[dict[str, Any]], model: ThreatIntelModel):
    """The seed box, sliders (label with value) and selects; a note while they differ from the model."""
    current = values.value
    specs = model_params({**current, "rng": current["rng"]})

    def setter(name: str):
        def set_value(value: Any) -> None:
            old = values.value[name]
            # A slider snaps its starting value to its step when it mounts (2/3 -> 0.67): that is
            # no change of the user's, and Reset must keep the exact value.
            if name in _SLIDERS and abs(float(value) - float(old)) < _SLIDERS[name][3] / 2:
                return
            values.set({**values.value, name: value})

        return set_value

    solara.InputText(_LABELS.get("rng", "Seed"), value=str(current["rng"]), on_value=setter("rng"))
    for name in CONTROL_NAMES:
        spec, applies = specs[name], control_applies(name, current)
        if name in _SLIDERS:
            slider = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
            slider(
                label_with_value(name, current[name]),
                value=current[name],
                min=spec["min"],
                max=spec["max"],
                step=spec["step"],
                on_value=setter(name),
                disabled=not applies,
            )
        else:
            solara.Select(spec["label"], values=spec["values"], value=current[name], on_value=setter(name))
        if not applies:
            solara.Text(
                f"{_LABELS.get(name, name)} does not apply under consensus rule {current['consensus']!r}",
                classes=["wb-not-applicable"],
                style={"font-size": "0.8em", "color": "#666"},
            )
    changed = pending_changes(current, model.params, getattr(model, "seed", None))
    if changed:
        names = ", ".join(_LABELS.get(n, "Seed").lower() for n in changed)
        solara.Warning(f"Changed: {names}. Press Reset to apply.", classes=["wb-pending"], dense=True)


@solara.component
def ExplorePage(start: PageStart, model: ThreatIntelModel | None = None):
    """The page: Step/Play/Reset and the parameter controls in a column beside the network and
    the live plots. ``model`` (default: one built from ``start`` when a session first renders the
    page) is this session's own."""
    first = solara.use_memo(lambda: model if model is not None else make_model(start.params, seed=start.seed), [])
    current: solara.Reactive[ThreatIntelModel] = solara.use_reactive(first)
    parameters = solara.use_reactive(start.model_parameters())
    play_interval = solara.use_reactive(start.play_interval_ms)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    controls = solara.use_reactive(dict(start.values))

    def on_controls(new: dict[str, Any]) -> None:
        parameters.set({**start.fixed, **new, "rng": str(new["rng"])})

    solara.use_effect(lambda: on_controls(controls.value), [controls.value])

    solara.Title(TITLE)
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "flex-start", "gap": "12px"}, classes=["wb-page"]):
        with solara.Column(
            style={"flex": f"0 0 {CONTROLS_WIDTH_PX}px", "max-width": f"{CONTROLS_WIDTH_PX}px"},
            classes=["wb-controls"],
        ):
            # Plain HTML: solara.Markdown would load KaTeX's stylesheet from a CDN.
            solara.HTML(tag="h3", unsafe_innerHTML=TITLE, style={"margin": "4px 0"})
            with solara.Card("Run"):
                ModelController(
                    current,
                    model_parameters=parameters,
                    play_interval=play_interval,
                    render_interval=render_interval,
                    use_threads=use_threads,
                )
                solara.SliderInt(
                    f"Play interval: {play_interval.value} ms",
                    value=play_interval,
                    min=10,
                    max=1000,
                    step=10,
                )
            with solara.Card("Parameters"):
                ParameterControls(controls, current.value)
        with solara.Column(style={"flex": "1 1 560px", "min-width": "0"}, classes=["wb-figures"]):
            components = [
                network_view(),
                flows_plot(),
                forged_reach_plot(),
                protection_plot(),
                summary(),
            ]
            ComponentsView(components, current.value)


def make_page(
    params: ModelParams | None = None, *, seed: int | None = None, play_interval_ms: int = 150, **overrides: Any
):
    """The page for ``params`` + ``overrides`` and ``seed``, its model built now (see
    :func:`page_model`), so that it can be advanced before the page is shown."""
    start = page_start(params, seed=seed, play_interval_ms=play_interval_ms, **overrides)
    return ExplorePage(start=start, model=make_model(start.params, seed=start.seed))


def page_model(page) -> ThreatIntelModel:
    """The model a page from :func:`make_page` starts with (the one its first render shows)."""
    return page.kwargs["model"]
