"""Read a trace file of any supported format as chunks of the flow schema, or whole.

>>> for batch in iter_trace("flows.csv", format="cic-ids2017"):   # bounded memory
...     ...
>>> frame = read_trace("conn.log.gz", format="zeek-conn", labels_path="labels.csv")
>>> table, stats = read_flows("capture20110816.binetflow", "argus-binetflow")   # and what was read

Everything that can be checked before reading rows (the format, the path, the options, the
header's columns, the compression) is checked when :func:`iter_trace` is called; a bad value in a
row (an unparsable timestamp, a non-number, a row cut short) raises :class:`TraceError` naming its
line when that chunk is reached. :func:`read_trace` reads the whole file first, so any error comes
before anything runs. Columns of the file the flow schema does not use are listed in a
:class:`TraceWarning` (and in the trace report).

Options every CSV format takes besides its own: ``block_size`` (bytes per chunk, >= 4096),
``on_bad_row`` (``"refuse"``: a malformed row or unparsable value raises naming its line; ``"drop"``:
such rows are dropped and counted) and ``unknown_protocol`` (``"keep"``: rows whose protocol name is
not an IANA protocol get protocol 255 and are counted; ``"drop"``: they are dropped and counted).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pyarrow as pa

import workbench.traces.argus as argus
import workbench.traces.cic as cic
import workbench.traces.table as table
import workbench.traces.unsw as unsw
import workbench.traces.zeek as zeek
from workbench.options import TRACE_FORMATS
from workbench.traces.csvio import (
    BAD_ROW_POLICIES,
    UNKNOWN_PROTOCOL_POLICIES,
    ReadStats,
    TraceError,
    TraceFile,
)
from workbench.traces.schema import FLOW_SCHEMA
from workbench.validation import Range, check_choice, check_known, check_number

Opener = Callable[..., Iterator[pa.RecordBatch]]
#: format name -> (opener, option names it accepts); the names are :data:`workbench.options.TRACE_FORMATS`
FORMATS: dict[str, tuple[Opener, tuple[str, ...]]] = {
    "cic-ids2017": (cic.open_cic, cic.OPTIONS),
    "cic-ids2018": (cic.open_cic, cic.OPTIONS),
    "unsw-nb15": (unsw.open_unsw, unsw.OPTIONS),
    "zeek-conn": (zeek.open_zeek, zeek.OPTIONS),
    "argus-binetflow": (argus.open_argus, argus.OPTIONS),
    "table": (table.open_table, table.OPTIONS),
}
if tuple(FORMATS) != TRACE_FORMATS:  # the one list of names is in workbench.options (ModelParams reads it)
    raise ImportError(f"trace readers {tuple(FORMATS)} differ from workbench.options.TRACE_FORMATS {TRACE_FORMATS}")
FORMAT_NAMES = TRACE_FORMATS


class TraceWarning(UserWarning):
    """Something about a trace a researcher should know, that does not stop it being read."""


class TraceBatches(Iterator[pa.RecordBatch]):
    """The record batches of a trace file, with :attr:`stats` (a :class:`ReadStats`) filled while
    they are read (complete once the iterator is exhausted)."""

    def __init__(self, batches: Iterator[pa.RecordBatch], stats: ReadStats) -> None:
        self._batches, self.stats = batches, stats
        self._n = 0

    def __iter__(self) -> TraceBatches:
        return self

    def __next__(self) -> pa.RecordBatch:
        try:
            batch = next(self._batches)
        except StopIteration:
            self._finish()
            raise
        self._n += batch.num_rows
        return batch

    def close(self) -> None:
        close = getattr(self._batches, "close", None)
        if close is not None:
            close()

    def _finish(self) -> None:
        if self._n == 0:
            raise TraceError(f"{self.stats.name} has no flow records (only a header, comments or blank rows)")
        unknown = self.stats.unknown_protocols
        if unknown:
            names = ", ".join(f"{name!r} ({n:,})" for name, n in unknown.most_common(6))
            kept = "dropped" if self.stats.dropped.get("unknown protocol") else "given protocol 255"
            self.stats.note(
                f"protocol: {sum(unknown.values()):,} rows name a protocol that is not an IANA protocol "
                f"({names}) and were {kept}"
            )


def iter_trace(path: str | os.PathLike, format: str, **options: Any) -> TraceBatches:
    """Record batches of :data:`~workbench.traces.schema.FLOW_SCHEMA`, one per chunk of the file.

    ``format`` is one of :data:`FORMAT_NAMES`; ``options`` are the format's (see each reader's
    module) and the common ones of the module docstring. The file may be gzip, bz2, zstd or xz
    compressed (told by its first bytes).
    """
    check_choice("trace_format", format, FORMAT_NAMES)
    opener, allowed = FORMATS[format]
    check_known("option", options, allowed, f" for format {format!r}")
    if "block_size" in options:
        block_range = Range(4096, 1 << 31, integer=True)
        options["block_size"] = int(check_number("block_size", options["block_size"], block_range))
    if "benign_labels" in options:
        options["benign_labels"] = tuple(options["benign_labels"])
    if "on_bad_row" in options:
        check_choice("on_bad_row", options["on_bad_row"], BAD_ROW_POLICIES)
    if "unknown_protocol" in options:
        check_choice("unknown_protocol", options["unknown_protocol"], UNKNOWN_PROTOCOL_POLICIES)
    file = TraceFile.of(path)
    stats = ReadStats(file.name, format, file.compression)
    try:
        batches = opener(file, format, stats, **options)
    except TraceError as exc:
        if format == "table":
            raise
        fits = _formats_that_fit(file, format)
        if fits:
            raise TraceError(f"{exc}; the file's columns fit trace_format={fits[0]!r}") from None
        if "not found; columns found" in str(exc):
            raise TraceError(
                f"{exc}; for another layout, trace_format='table' with a column mapping (trace_columns) reads "
                "any CSV or Parquet"
            ) from None
        raise
    if stats.unused_columns:
        listed = ", ".join(map(repr, stats.unused_columns))
        warnings.warn(
            TraceWarning(
                f"{file.name}: {len(stats.unused_columns)} column(s) of the file are not used by the flow schema: {listed}"
            ),
            stacklevel=2,
        )
    return TraceBatches(iter(batches), stats)


def _formats_that_fit(file: TraceFile, tried: str) -> list[str]:
    """The other formats (but ``table``, which needs a mapping) whose header checks pass on ``file``."""
    fits = []
    for name, (opener, _) in FORMATS.items():
        if name in (tried, "table") or opener is FORMATS[tried][0]:
            continue
        try:
            batches = opener(file, name, ReadStats(file.name, name))
        except (TraceError, ValueError):
            continue
        close = getattr(batches, "close", None)
        if close is not None:
            close()
        fits.append(name)
    return fits


def check_trace(path: str | os.PathLike, format: str, **options: Any) -> None:
    """Check a trace source without reading its rows: the format, the path (exists, not empty), the
    options and the header's columns. Cheap; meant for parameter validation (e.g. ``ModelParams``).
    Row-level problems (an unparsable timestamp) surface only when the rows are read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TraceWarning)
        iter_trace(path, format, **options).close()


def read_flows(path: str | os.PathLike, format: str, **options: Any) -> tuple[pa.Table, ReadStats]:
    """The whole trace as one Arrow table of the flow schema, and what the reader saw."""
    batches = iter_trace(path, format, **options)
    return pa.Table.from_batches(list(batches), schema=FLOW_SCHEMA), batches.stats


def read_trace_table(path: str | os.PathLike, format: str, **options: Any) -> pa.Table:
    """The whole trace as one Arrow table of the flow schema (see :func:`iter_trace`)."""
    return read_flows(path, format, **options)[0]


def read_trace(path: str | os.PathLike, format: str, **options: Any) -> pd.DataFrame:
    """The whole trace as a pandas frame of the flow schema.

    dtypes: ``timestamp`` datetime64[ns, UTC]; ``src_addr``, ``dst_addr``, ``label``,
    ``attack_category`` object (str or None); ``dst_port`` int32; ``protocol`` int16; ``bytes``,
    ``packets`` int64; ``duration_s`` float64; ``is_attack`` bool.
    """
    return read_trace_table(path, format, **options).to_pandas()
