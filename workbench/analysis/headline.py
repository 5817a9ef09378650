"""Headline numbers: a study's two or three key results, shown in the notebook and read back by the reports site.

Convention for notebook authors: near the end of a study, after computing its results, call::

    show_headline({"breakdown_majority": (f_star, ci_low, ci_high), "runs": n_runs},
                  labels={"breakdown_majority": "f* (majority, forge)"}, units={"breakdown_majority": "of nodes"})

Each value is a number, an ``(estimate, low, high)`` interval, a string (e.g. ``"not reached"``) or
None / NaN (shown as "n/a"); an infinite bound (a breakdown point beyond the swept range) shows as ∞.
The call displays one output carrying two representations: the
machine-readable :data:`MIME` (JSON, read by ``python -m workbench report`` into the card of
``reports/index.html``) and a Markdown list that people see in the notebook and its HTML report.
Several calls merge in order; a later value of the same name replaces an earlier one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from workbench.model.outcomes.catalog import outcome

MIME = "application/vnd.workbench.headline+json"
SCHEMA_VERSION = 1
#: the most headline values one notebook shows (a reports-index card holds two or three)
MAX_ITEMS = 3

HeadlineValue = float | int | str | tuple[float, float, float] | None


def _number(x: Any) -> float | str | None:
    """A JSON-safe number (JSON has no NaN or infinity): NaN becomes None, infinities ``"inf"`` / ``"-inf"``."""
    if x is None:
        return None
    value = float(x)
    if math.isnan(value):
        return None
    return value if math.isfinite(value) else ("inf" if value > 0 else "-inf")


def headline_item(
    name: str, value: HeadlineValue, label: str | None = None, unit: str | None = None, better: str = ""
) -> dict[str, Any]:
    """One headline entry as a JSON-safe dict: ``name``, ``label``, ``unit`` and ``value`` (+ ``ci_low``,
    ``ci_high``; + ``better``, ``"higher"`` or ``"lower"``, when the value is a declared outcome's)."""
    item: dict[str, Any] = {"name": name, "label": label or name.replace("_", " "), "unit": unit or ""}
    if better and not isinstance(value, str):
        item["better"] = better
    if isinstance(value, str):
        item["text"] = value
    elif isinstance(value, (tuple, list)):
        if len(value) != 3:
            raise ValueError(f"headline {name!r}={value!r}; expected a number, a string or (estimate, low, high)")
        item.update(value=_number(value[0]), ci_low=_number(value[1]), ci_high=_number(value[2]))
    else:
        item["value"] = _number(value)
    return item


def format_number(x: float | str | None) -> str:
    """Three significant digits; integers as integers; None as ``n/a``; ``"inf"`` as ``∞`` (beyond the range)."""
    if x is None:
        return "n/a"
    if isinstance(x, str):
        return {"inf": "∞", "-inf": "-∞"}.get(x, x)
    if float(x).is_integer() and abs(x) < 1e6:
        return str(int(x))
    return f"{x:.3g}"


def is_share(unit: str | None) -> bool:
    """A unit that names a share of something (``"share of attack flows"``): shown as a percentage."""
    return bool(unit) and str(unit).startswith("share of ")


def format_percent(x: float | str | None) -> str:
    """A share as a percentage: three significant digits at most, one decimal at least below 10%
    (``0.8123`` -> ``81.2%``, ``0.031`` -> ``3.1%``, ``1.0`` -> ``100%``); None as ``n/a``."""
    if x is None or isinstance(x, str):
        return format_number(x)
    pct = 100 * float(x)
    if pct == 0 or pct.is_integer():
        return f"{pct:.0f}%"
    return f"{pct:.3g}%" if abs(pct) >= 10 else f"{pct:.2g}%" if abs(pct) >= 1 else f"{pct:.1g}%"


def item_parts(item: Mapping[str, Any]) -> tuple[str, str, str]:
    """``(value, interval, unit)`` as display text: a share (unit ``"share of ..."``) as a percentage of
    what its unit names (``"81.2%"``, ``"[77%, 85%]"``, ``"of attack flows"``); the interval ``""`` when
    there is none."""
    unit = str(item.get("unit") or "")
    share = is_share(unit) and "text" not in item
    fmt = format_percent if share else format_number
    value = str(item["text"]) if "text" in item else fmt(item.get("value"))
    interval = ""
    if "text" not in item and ("ci_low" in item or "ci_high" in item):
        interval = f"[{fmt(item.get('ci_low'))}, {fmt(item.get('ci_high'))}]"
    return value, interval, unit.removeprefix("share ") if share else unit


def format_item(item: Mapping[str, Any]) -> str:
    """``value [low, high] unit`` for display (plain text); shares as percentages (:func:`item_parts`)."""
    value, interval, unit = item_parts(item)
    better = f" ({item['better']} is better)" if item.get("better") else ""
    return " ".join(part for part in (value, interval, unit) if part) + better


def headline_payload(
    values: Mapping[str, HeadlineValue],
    labels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    outcomes: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON document of :data:`MIME`: ``{"version": 1, "items": [headline_item, ...]}``.

    ``outcomes``: headline name -> the declared outcome (:func:`workbench.model.outcomes.catalog.outcome`) its value
    estimates; the item then takes the outcome's unit (unless ``units`` gives one) and which way is better."""
    labels, units, outcomes = labels or {}, units or {}, outcomes or {}
    unknown = sorted((set(labels) | set(units) | set(outcomes)) - set(values))
    if unknown:
        raise ValueError(f"labels/units/outcomes for unknown headline name(s) {unknown}; names: {list(values)}")
    declared = {name: outcome(of) for name, of in outcomes.items()}
    items = []
    for name, value in values.items():
        of = declared.get(name)
        unit = units.get(name, of.unit if of else None)
        items.append(headline_item(name, value, labels.get(name), unit, of.better if of else ""))
    return {"version": SCHEMA_VERSION, "items": items}


def headline_markdown(payload: Mapping[str, Any]) -> str:
    """The readable fallback: a bold-label Markdown list."""
    return "\n".join(f"- **{item['label']}**: {format_item(item)}" for item in payload["items"])


def show_headline(
    values: Mapping[str, HeadlineValue],
    labels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    outcomes: Mapping[str, str] | None = None,
) -> None:
    """Display the headline numbers (see the module docstring and :func:`headline_payload`); nothing is
    returned, so nothing else is shown. More than :data:`MAX_ITEMS` values are refused: a report card
    holds two or three headline numbers, and a fourth would be hidden behind "1 more"."""
    from IPython.display import display

    if len(values) > MAX_ITEMS:
        raise ValueError(
            f"{len(values)} headline values ({', '.join(values)}); a report card shows at most {MAX_ITEMS}: "
            "keep the key results and put the rest in the report's tables"
        )
    payload = headline_payload(values, labels, units, outcomes)
    markdown = headline_markdown(payload)
    display({MIME: payload, "text/markdown": "**Headline**\n\n" + markdown, "text/plain": markdown}, raw=True)


def read_headline(notebook: Any) -> list[dict[str, Any]]:
    """The headline items of an executed notebook (an ``nbformat`` node), merged over every call in order."""
    items: dict[str, dict[str, Any]] = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            payload = output.get("data", {}).get(MIME)
            if isinstance(payload, str):  # some writers keep JSON mime data as text
                payload = json.loads(payload)
            for item in (payload or {}).get("items", []):
                items[item["name"]] = dict(item)
    return list(items.values())
