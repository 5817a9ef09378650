"""What a run produces, declared once: bookkeeping columns, kept frames, and outcome values.

A run record (one row of the store's ``runs`` table) holds the bookkeeping columns below and one
column per scalar outcome of the run's summary. Everything that is not bookkeeping is an outcome.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

# Per-run frames that may be kept besides the summary row (attributes of the run result).
FRAMES = ("steps", "signatures", "campaigns", "votes")

# Bookkeeping columns of a run record, in the order they are stored.
RUN_ID = "run_id"
STATUS = "status"  # "ok" or "failed"
IDENTITY_COLUMNS = ("run_id", "seed", "steps", "model_version", "params_json")
ERROR_COLUMNS = ("error", "traceback")  # text, for failed runs
# Read from the run result when it has these attributes (the ledger's entry count and head hash,
# so that a truncated ledger file can be told from a complete one).
LEDGER_COLUMNS = ("ledger_entries", "ledger_head")
TIMING_COLUMNS = ("duration_s",)  # wall time of the run in its worker, seconds
RUN_COLUMNS = (*IDENTITY_COLUMNS, STATUS, *ERROR_COLUMNS, *LEDGER_COLUMNS, *TIMING_COLUMNS)

# Columns a loaded frame takes from the design rather than from the run record.
DESIGN_COLUMNS = ("run_id", "point", "replicate")  # then the factors, then "seed"


def is_outcome(column: str) -> bool:
    """True for a column of a run record that is a model outcome (not bookkeeping)."""
    return column not in RUN_COLUMNS


def scalar(value: Any) -> float | int | str:
    """A summary value as a plain scalar: bools -> int, numbers -> int/float, None -> NaN, else str."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return str(value)


def summary_of(result: Any) -> dict[str, float | int | str]:
    """Scalar outcomes of a run result: a mapping itself, or its ``.summary`` mapping."""
    summary = result if isinstance(result, Mapping) else getattr(result, "summary", None)
    if not isinstance(summary, Mapping):
        raise TypeError(
            f"a runner must return a mapping of scalar outcomes or an object with a .summary "
            f"mapping, got {type(result).__name__}"
        )
    clashes = [key for key in summary if not is_outcome(str(key))]
    if clashes:
        raise ValueError(f"outcome name(s) {clashes} clash with bookkeeping columns {RUN_COLUMNS}")
    return {str(key): scalar(value) for key, value in summary.items()}


def ledger_of(result: Any) -> dict[str, Any]:
    """``ledger_entries`` (int) and ``ledger_head`` (hex text) when the result has them."""
    record: dict[str, Any] = {}
    if hasattr(result, "ledger_entries"):
        entries = result.ledger_entries
        record["ledger_entries"] = None if entries is None else int(entries)
    if hasattr(result, "ledger_head"):
        head = result.ledger_head
        record["ledger_head"] = None if head is None else str(head.hex() if isinstance(head, bytes) else head)
    return record
