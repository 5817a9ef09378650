"""The page's parameter controls, derived from ``ModelParams`` so choices and ranges never drift.

SolaraViz passes every control's value to the model class as a keyword on Reset; the names here
are ``ModelParams`` field names (the model accepts them as overrides) plus ``rng`` for the seed.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

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
    for name in CONTROL_NAMES:
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


# The order of the controls on the page.
CONTROL_NAMES = (
    "n_nodes",
    "topology",
    "sharing",
    "consensus",
    "quorum",
    "malicious_fraction",
    "malicious_behavior",
    "detector",
)


def label_with_value(name: str, value: Any) -> str:
    """A slider's label with its current value, so the value reads without touching the slider."""
    label = _LABELS.get(name, name)
    if name not in _SLIDERS:
        return label
    widget, _, _, step = _SLIDERS[name]
    if widget == "SliderInt":
        return f"{label}: {int(value)}"
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{label}: {float(value):.{decimals}f}"


def rule_reads_quorum(consensus: str) -> bool:
    """Whether the consensus rule ``consensus`` decides differently at a low and a high quorum.

    Asked of the rule itself (a 6-4 vote at quorum 0.51 and 0.9, equal trust), so a researcher's own
    rule gets the quorum control exactly when it reads the quorum; the page never branches on names."""
    from workbench.model.consensus import Tally, consensus_rule

    try:
        rule = consensus_rule(consensus)
        tally = Tally(np.array([6]), np.array([4]), np.array([6.0]), np.array([4.0]))
        return bool(np.any(np.asarray(rule(tally, 0.51)) != np.asarray(rule(tally, 0.9))))
    except Exception:  # a rule that cannot be probed keeps its quorum control
        return True


def control_applies(name: str, values: dict[str, Any]) -> bool:
    """Whether the control ``name`` changes anything under the other controls' ``values``."""
    if name == "quorum":
        return rule_reads_quorum(str(values.get("consensus", ModelParams().consensus)))
    return True


def pending_changes(values: dict[str, Any], params: ModelParams, seed: Any) -> list[str]:
    """Controls whose ``values`` differ from the running model's ``params`` and ``seed``: the
    changes that take effect only when Reset rebuilds the model."""
    changed = [name for name in CONTROL_NAMES if name in values and values[name] != getattr(params, name)]
    if "rng" in values:
        try:
            if as_seed(values["rng"]) != as_seed(seed):
                changed.append("rng")
        except ValueError:
            changed.append("rng")
    return changed
