"""The page's parameter controls, derived from ``ModelParams`` so choices and ranges never drift.

SolaraViz passes every control's value to the model class as a keyword on Reset; the names here
are ``ModelParams`` field names (the model accepts them as overrides) plus ``rng`` for the seed.
"""

from __future__ import annotations

import os
from typing import Any

from workbench.model.params import ModelParams, allowed_names

# Environment overrides of the initial values, e.g. WORKBENCH_VIZ_N_NODES=200 solara run ...
ENV_PREFIX = "WORKBENCH_VIZ_"
DEFAULT_SEED = 42

# (field, widget, slider bounds and step). Bounds are the explorable part of each field's range;
# the sweep layer covers the rest.
_SLIDERS: dict[str, tuple[str, float, float, float]] = {
    "n_nodes": ("SliderInt", 10, 300, 10),
    "quorum": ("SliderFloat", 0.51, 1.0, 0.01),
    "malicious_fraction": ("SliderFloat", 0.0, 0.5, 0.05),
}
_SELECTS = ("topology", "sharing", "consensus", "malicious_behavior", "detector")
_LABELS = {
    "n_nodes": "Nodes",
    "topology": "Topology",
    "sharing": "Signature sharing",
    "consensus": "Consensus rule",
    "quorum": "Quorum (supermajority)",
    "malicious_fraction": "Malicious fraction",
    "malicious_behavior": "Malicious behaviour",
    "detector": "Detector",
}


def _env_value(name: str, default: Any) -> Any:
    raw = os.environ.get(ENV_PREFIX + name.upper())
    if raw is None:
        return default
    return type(default)(raw) if not isinstance(default, bool) else raw.lower() in ("1", "true", "yes")


def initial_values(base: ModelParams | None = None) -> dict[str, Any]:
    """Initial value of every control: ``base`` (default ``ModelParams()``), then environment
    overrides ``WORKBENCH_VIZ_<FIELD>`` (and ``WORKBENCH_VIZ_RNG`` for the seed)."""
    base = base or ModelParams()
    values = {name: _env_value(name, getattr(base, name)) for name in (*_SLIDERS, *_SELECTS)}
    values["rng"] = _env_value("rng", DEFAULT_SEED)
    return values


def model_params(values: dict[str, Any] | None = None) -> dict[str, Any]:
    """SolaraViz ``model_params``: a seed box, sliders and selects for the main parameters."""
    values = values if values is not None else initial_values()
    params: dict[str, Any] = {
        "rng": {"type": "InputText", "value": str(values["rng"]), "label": "Seed"},
    }
    for name in (
        "n_nodes",
        "topology",
        "sharing",
        "consensus",
        "quorum",
        "malicious_fraction",
        "malicious_behavior",
        "detector",
    ):
        label = _LABELS[name]
        if name in _SLIDERS:
            widget, low, high, step = _SLIDERS[name]
            params[name] = {
                "type": widget,
                "value": values[name],
                "min": low,
                "max": high,
                "step": step,
                "label": label,
            }
        else:
            params[name] = {
                "type": "Select",
                "value": values[name],
                "values": list(allowed_names(name)),
                "label": label,
            }
    return params


def as_seed(value: Any) -> int | None:
    """The seed box's text (or an int, or None) as the int seed the model expects."""
    if value is None or isinstance(value, int):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"rng={value!r} is not allowed; expected an integer seed") from None
