"""How parameters and results read in a notebook and a terminal: short text reprs, small HTML tables.

``ModelParams`` shows only the fields that differ from the defaults; ``RunResult`` shows its run, the
shapes of its frames and its summary; :class:`Summary` is the run's outcomes as a ``dict`` (all dict
access keeps working) displayed at four significant digits. Nothing here changes a value.
"""

from __future__ import annotations

import dataclasses
import html
import math
from typing import Any

DIGITS = 4  # significant digits a float is displayed with (the value itself is kept in full)


def show(value: Any) -> str:
    """A value as displayed: floats at :data:`DIGITS` significant digits, the rest as ``repr``."""
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:.{DIGITS}g}"
    return repr(value)


class Summary(dict[str, Any]):
    """The run's scalar outcomes by name: a plain ``dict`` whose display rounds floats."""

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: {show(v)}" for k, v in self.items()) + "}"

    def _repr_html_(self) -> str:
        return html_table([(k, show(v)) for k, v in self.items()], ("outcome", "value"))


def html_table(rows: list[tuple[Any, Any]], header: tuple[str, str]) -> str:
    """A two-column HTML table, every cell escaped."""
    e = html.escape
    body = "".join(f"<tr><td><code>{e(str(a))}</code></td><td>{e(str(b))}</td></tr>" for a, b in rows)
    return f"<table><thead><tr><th>{e(header[0])}</th><th>{e(header[1])}</th></tr></thead><tbody>{body}</tbody></table>"


def changed_fields(params: Any) -> list[tuple[str, Any]]:
    """``(name, value)`` of the fields of a parameter dataclass that differ from its defaults."""
    defaults = type(params)()
    return [
        (f.name, getattr(params, f.name))
        for f in dataclasses.fields(params)
        if getattr(params, f.name) != getattr(defaults, f.name)
    ]


def params_repr(params: Any) -> str:
    """``ModelParams(n_nodes=20, sharing='ledger')``: the fields changed from the defaults only (so
    ``eval(repr(p)) == p``)."""
    return f"{type(params).__name__}({', '.join(f'{k}={v!r}' for k, v in changed_fields(params))})"


def params_html(params: Any) -> str:
    changed = changed_fields(params)
    n = len(dataclasses.fields(params))
    note = f"<p><b>{type(params).__name__}</b>: {len(changed)} of {n} fields differ from the defaults"
    note += " (<code>.describe()</code> lists them all)</p>"
    return note + (html_table([(k, repr(v)) for k, v in changed], ("field", "value")) if changed else "")


def result_repr(result: Any) -> str:
    """One line: the run, its frames' shapes and how many outcomes the summary holds."""
    frames = ", ".join(
        f"{name} {getattr(result, name).shape[0]}x{getattr(result, name).shape[1]}"
        for name in ("steps", "signatures", "campaigns", "votes")
    )
    return (
        f"RunResult(seed={result.seed}, n_steps={result.n_steps}, params={params_repr(result.params)}; "
        f"frames: {frames}; summary: {len(result.summary)} outcomes; ledger: {result.ledger_entries} entries)"
    )


def result_html(result: Any) -> str:
    e = html.escape
    frames = ", ".join(
        f"<code>{name}</code> {getattr(result, name).shape[0]} rows"
        for name in ("steps", "signatures", "campaigns", "votes")
    )
    return (
        f"<p><b>RunResult</b>: seed {result.seed}, {result.n_steps} steps, <code>{e(params_repr(result.params))}</code>;"
        f" frames: {frames}; ledger: {result.ledger_entries} entries (head <code>{e(result.ledger_head[:12])}</code>…)</p>"
        + Summary(result.summary)._repr_html_()
    )


UNIT_RULES = (
    (("zscore_threshold",), "MAD units"),
    (("mean_degree", "gossip_fanout"), "neighbours"),
    (("n_campaigns",), "campaigns"),
    (("min_votes",), "votes"),
    (("min_flagged", "min_matched"), "flow records"),
    (("iforest_trees",), "trees"),
    (("attacker_prefixes",), "prefixes"),
    (("_steps",), "steps"),
    (("step_seconds",), "seconds"),
    (("_prob",), "probability"),
    (("fraction", "_share", "contamination", "participation", "message_loss", "accuracy", "quorum", "decay"), "share"),
    (("_recall",), "share"),
    (("flows_per_node", "rows_per_step"), "flow records"),
    (("n_nodes", "max_nodes", "seed_nodes", "central_quorum"), "nodes"),
)


def unit_of(field: dataclasses.Field) -> str:
    """A field's unit: its ``unit`` metadata, else read from its name by :data:`UNIT_RULES`, else ``""``."""
    if field.metadata.get("unit"):
        return str(field.metadata["unit"])
    if field.name == "central_quorum":
        return "nodes"
    for fragments, unit in UNIT_RULES:
        if any(fragment in field.name for fragment in fragments):
            return unit
    return ""
