"""The interactive view of ``ThreatIntelModel``: a Mesa SolaraViz page, built by ``make_page``.

Inline in JupyterLab::

    from workbench.viz import make_page
    make_page(n_nodes=100, seed=3)          # last expression of a cell displays the page

Standalone (bound to loopback)::

    solara run workbench/viz/app.py --host 127.0.0.1 --no-check-version

``WORKBENCH_VIZ_<FIELD>`` environment variables (for example ``WORKBENCH_VIZ_N_NODES=200``,
``WORKBENCH_VIZ_RNG=7``) set the initial values of the controls of the module-level ``page``.
"""

from __future__ import annotations

from typing import Any

from mesa.visualization import SolaraViz

from workbench import ModelParams, ThreatIntelModel
from workbench.viz._mesa_compat import drop_reset_kwargs
from workbench.viz.components import (
    NetworkRenderer,
    flows_plot,
    forged_reach_plot,
    protection_plot,
    summary,
)
from workbench.viz.controls import as_seed, initial_values, model_params

TITLE = "Threat-Intelligence Workbench"


class ExploreModel(ThreatIntelModel):
    """``ThreatIntelModel`` as the page builds it on Reset; the model itself is unchanged.

    Two adaptations to SolaraViz (Mesa 3.5): the seed arrives from a text box, so ``rng`` may be
    a string of digits; and Reset passes an empty Mesa ``scenario`` to any model whose ``__init__``
    takes ``**kwargs``, which this model's parameters (a ``ModelParams``) make redundant.
    """

    def __init__(self, params: ModelParams | None = None, *, rng: Any = None, **overrides: Any):
        super().__init__(params, rng=as_seed(rng), **drop_reset_kwargs(overrides))


def make_model(params: ModelParams | None = None, *, seed: int | str | None = None, **overrides: Any) -> ExploreModel:
    """The model the page starts from: ``params`` with ``overrides``, seeded with ``seed``."""
    return ExploreModel(params, rng=seed, **overrides)


def make_page(
    params: ModelParams | None = None, *, seed: int | None = None, play_interval_ms: int = 150, **overrides: Any
):
    """A SolaraViz page of a fresh model built from ``params`` + ``overrides`` and ``seed``.

    The controls start at the model's values, so Reset without touching them rebuilds the same
    model; parameters without a control are passed through unchanged on Reset. Called with no
    parameters at all, ``WORKBENCH_VIZ_*`` environment variables set the initial values.
    """
    explicit = params is not None or bool(overrides)
    base = (params or ModelParams()).replace(**overrides)
    values = initial_values(None if explicit else base)
    if explicit:
        values.update({k: getattr(base, k) for k in values if k != "rng"})
    if seed is not None:
        values["rng"] = seed
    controlled = {k: v for k, v in values.items() if k != "rng"}
    model = make_model(base.replace(**controlled), seed=as_seed(values["rng"]))
    renderer = NetworkRenderer(model, backend="matplotlib")
    return SolaraViz(
        model,
        renderer,
        components=[flows_plot(), forged_reach_plot(), protection_plot(), summary()],
        model_params={**fixed_params(base, exclude=controlled), **model_params(values)},
        name=TITLE,
        play_interval=play_interval_ms,
    )


def fixed_params(params: ModelParams, exclude: dict[str, Any]) -> dict[str, Any]:
    """Fields of ``params`` that differ from the defaults and have no control: SolaraViz passes
    them to the model unchanged on every Reset."""
    defaults = ModelParams().to_dict()
    return {k: v for k, v in params.to_dict().items() if k not in exclude and v != defaults[k]}


def page_model(page) -> ThreatIntelModel:
    """The model a page from :func:`make_page` starts with (the one its first render shows)."""
    return page.args[0]
