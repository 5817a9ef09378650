"""Read a trace file of any supported format as chunks of the flow schema, or whole.

>>> for batch in iter_trace("flows.csv", format="cic-ids2017"):   # bounded memory
...     ...
>>> frame = read_trace("conn.log", format="zeek-conn", labels_path="labels.csv")

Everything that can be checked before reading rows (the format, the path, the options, the
header's columns) is checked when :func:`iter_trace` is called; a bad value in a row (an
unparsable timestamp, a non-number) raises :class:`TraceError` naming its row when that chunk is
reached. :func:`read_trace` reads the whole file first, so any error comes before anything runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pyarrow as pa

import workbench.traces.cic as cic
import workbench.traces.table as table
import workbench.traces.unsw as unsw
import workbench.traces.zeek as zeek
from workbench.options import TRACE_FORMATS
from workbench.traces.csvio import TraceError, check_path
from workbench.traces.schema import FLOW_SCHEMA
from workbench.validation import Range, check_choice, check_known, check_number

#: format name -> (opener, option names it accepts); the names are :data:`workbench.options.TRACE_FORMATS`
FORMATS: dict[str, tuple[Callable[..., Iterator[pa.RecordBatch]], tuple[str, ...]]] = {
    "cic-ids2017": (cic.open_cic, cic.OPTIONS),
    "cic-ids2018": (cic.open_cic, cic.OPTIONS),
    "unsw-nb15": (unsw.open_unsw, unsw.OPTIONS),
    "zeek-conn": (zeek.open_zeek, zeek.OPTIONS),
    "table": (table.open_table, table.OPTIONS),
}
if tuple(FORMATS) != TRACE_FORMATS:  # the one list of names is in workbench.options (ModelParams reads it)
    raise ImportError(f"trace readers {tuple(FORMATS)} differ from workbench.options.TRACE_FORMATS {TRACE_FORMATS}")
FORMAT_NAMES = TRACE_FORMATS


def iter_trace(path: str | os.PathLike, format: str, **options: Any) -> Iterator[pa.RecordBatch]:
    """Record batches of :data:`~workbench.traces.schema.FLOW_SCHEMA`, one per chunk of the file.

    ``format`` is one of :data:`FORMAT_NAMES`; ``options`` are the format's (see each reader's
    module), plus ``block_size`` (bytes per chunk, >= 4096) for the CSV formats.
    """
    check_choice("trace_format", format, FORMAT_NAMES)
    opener, allowed = FORMATS[format]
    check_known(f"option for format {format!r}", options, allowed)
    if "block_size" in options:
        block_range = Range(4096, 1 << 31, integer=True)
        options["block_size"] = int(check_number("block_size", options["block_size"], block_range))
    if "benign_labels" in options:
        options["benign_labels"] = tuple(options["benign_labels"])
    p = check_path(path)
    return _non_empty(opener(p, format, **options), p.name)


def check_trace(path: str | os.PathLike, format: str, **options: Any) -> None:
    """Check a trace source without reading its rows: the format, the path (exists, not empty), the
    options and the header's columns. Cheap; meant for parameter validation (e.g. ``ModelParams``).
    Row-level problems (an unparsable timestamp) surface only when the rows are read."""
    batches = iter_trace(path, format, **options)
    close = getattr(batches, "close", None)
    if close is not None:
        close()


def _non_empty(batches: Iterator[pa.RecordBatch], name: str) -> Iterator[pa.RecordBatch]:
    n = 0
    for batch in batches:
        n += batch.num_rows
        yield batch
    if n == 0:
        raise TraceError(f"{name} has no flow records (only a header or blank rows)")


def read_trace_table(path: str | os.PathLike, format: str, **options: Any) -> pa.Table:
    """The whole trace as one Arrow table of the flow schema (see :func:`iter_trace`)."""
    return pa.Table.from_batches(list(iter_trace(path, format, **options)), schema=FLOW_SCHEMA)


def read_trace(path: str | os.PathLike, format: str, **options: Any) -> pd.DataFrame:
    """The whole trace as a pandas frame of the flow schema.

    dtypes: ``timestamp`` datetime64[ns, UTC]; ``src_addr``, ``dst_addr``, ``label``,
    ``attack_category`` object (str or None); ``dst_port`` int32; ``protocol`` int16; ``bytes``,
    ``packets`` int64; ``duration_s`` float64; ``is_attack`` bool.
    """
    return read_trace_table(path, format, **options).to_pandas()
