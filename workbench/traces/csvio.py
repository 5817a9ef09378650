"""Streaming CSV plumbing shared by the readers: header sniffing, chunked reading, typed casts that
name the row of a bad value.

Every included column is read as text (labels as raw bytes) and cast here, so a bad value is
reported as ``column 'X', row N (line L): value 'v' is not a number`` instead of an Arrow error,
and rows a reader must drop (blank rows, repeated header rows) can be dropped before casting.
Rows are numbered from 1 among the file's data rows; ``line`` is the line of the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

#: Default chunk size in bytes: about 6,000 CIC rows. Measured: 4 MiB blocks cost about half the
#: CPU time of 32 MiB blocks (the parsed block stays in cache while it is converted).
DEFAULT_BLOCK_SIZE = 1 << 22


class TraceError(ValueError):
    """A trace file that cannot be read as asked: the message says what, where and what is allowed."""


class TraceFileNotFound(TraceError, FileNotFoundError):
    """The trace path does not exist."""


def check_path(path: str | os.PathLike, name: str = "trace_path") -> Path:
    """``path`` as a ``Path`` if it is an existing, non-empty file; else :class:`TraceError`."""
    p = Path(path)
    if not p.exists():
        raise TraceFileNotFound(f"{name}={str(path)!r} does not exist")
    if not p.is_file():
        raise TraceError(f"{name}={str(path)!r} is not a file")
    if p.stat().st_size == 0:
        raise TraceError(f"{name}={str(path)!r} is empty (0 bytes); expected a header and flow records")
    return p


def read_first_line(path: Path, limit: int = 1 << 20) -> str:
    """The first line of a text file, without BOM and line end (decoded leniently)."""
    with open(path, "rb") as fh:
        line = fh.readline(limit)
    return line.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")


def missing_column_error(fmt: str, path: Path, missing: Sequence[str], found: Sequence[str]) -> TraceError:
    return TraceError(
        f"{path.name}: column(s) {', '.join(map(repr, missing))} required by format {fmt!r} not found; "
        f"columns found: {', '.join(map(repr, found))}"
    )


@dataclass
class Chunk:
    """One chunk of a file: its text columns (by the names given) and the 1-based data row number of
    every row (kept through filtering, for error messages)."""

    columns: dict[str, pa.Array]
    rows: np.ndarray  # int64 data row numbers
    line_offset: int  # line of the file = row + line_offset

    def __len__(self) -> int:
        return len(self.rows)

    def filter(self, keep: np.ndarray) -> Chunk:
        mask = pa.array(keep)
        return Chunk({k: v.filter(mask) for k, v in self.columns.items()}, self.rows[keep], self.line_offset)

    def where(self, index: int) -> str:
        row = int(self.rows[index])
        return f"row {row} (line {row + self.line_offset})"


def stream_csv(
    path: Path,
    *,
    column_names: Sequence[str],
    include: dict[str, str],
    skip_rows: int,
    delimiter: str = ",",
    quote_char: str | bool = '"',
    binary: Sequence[str] = (),
    null_values: Sequence[str] = ("",),
    block_size: int = DEFAULT_BLOCK_SIZE,
    invalid_row_handler: Callable | None = None,
    line_offset: int = 1,
) -> Iterator[Chunk]:
    """Chunks of ``path`` with the file columns ``include`` (``{key: file column name}``) as text.

    ``column_names`` are the names given to the file's columns in order (the header, cleaned, is
    skipped with ``skip_rows``). Columns named in ``binary`` are read as raw bytes (labels in
    legacy encodings). Memory stays bounded by ``block_size`` times a small factor.
    """
    types = {name: (pa.binary() if key in binary else pa.string()) for key, name in include.items()}
    try:  # open_csv already reads and parses the first block
        reader = _open(
            path,
            column_names,
            include,
            skip_rows,
            delimiter,
            quote_char,
            types,
            null_values,
            block_size,
            invalid_row_handler,
        )
    except pa.ArrowInvalid as err:
        raise TraceError(f"{path.name}: cannot parse the rows after data row 0: {err}") from None
    offset = 0
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as err:  # a malformed row: say where, in the reader's terms
            raise TraceError(f"{path.name}: cannot parse the rows after data row {offset}: {err}") from None
        n = batch.num_rows
        if n == 0:
            continue
        cols = {key: batch.column(name) for key, name in include.items()}
        yield Chunk(cols, np.arange(offset + 1, offset + n + 1, dtype=np.int64), line_offset)
        offset += n


def _open(
    path: Path,
    column_names: Sequence[str],
    include: dict[str, str],
    skip_rows: int,
    delimiter: str,
    quote_char: str | bool,
    types: dict[str, pa.DataType],
    null_values: Sequence[str],
    block_size: int,
    invalid_row_handler: Callable | None,
) -> pacsv.CSVStreamingReader:
    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=list(column_names), skip_rows=skip_rows, block_size=block_size),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, quote_char=quote_char, invalid_row_handler=invalid_row_handler
        ),
        convert_options=pacsv.ConvertOptions(
            include_columns=list(dict.fromkeys(include.values())),
            column_types=types,
            null_values=list(null_values),
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )


# --------------------------------------------------------------------------------------------
# casts with row-numbered errors
# --------------------------------------------------------------------------------------------

_NUMBER = r"^\s*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|[Nn]a[Nn]|[-+]?[Ii]nf(inity)?)\s*$"


def _first_bad(values: pa.Array, ok: np.ndarray) -> int:
    bad = np.flatnonzero(~ok & values.is_valid().to_numpy(zero_copy_only=False))
    return int(bad[0]) if bad.size else -1


def to_float(chunk: Chunk, key: str, column: str, *, fill: float | None = 0.0) -> np.ndarray:
    """Column ``key`` of ``chunk`` as float64; nulls become ``fill`` (``None``: NaN)."""
    values = chunk.columns[key]
    try:
        try:
            out = pc.cast(values, pa.float64())
        except pa.ArrowInvalid:  # stray spaces around numbers: trim only when needed (one more pass)
            out = pc.cast(pc.utf8_trim_whitespace(values), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ok = pc.match_substring_regex(values, _NUMBER).fill_null(False).to_numpy(zero_copy_only=False)
        i = _first_bad(values, ok)
        shown = values[i].as_py() if i >= 0 else "?"
        raise TraceError(f"column {column!r}, {chunk.where(max(i, 0))}: value {shown!r} is not a number") from None
    arr = out.to_numpy(zero_copy_only=False)
    if fill is not None:
        arr = np.where(np.isnan(arr), fill, arr)
    return arr


def to_timestamp(chunk: Chunk, key: str, column: str, formats: Sequence[str]) -> pa.Array:
    """Column ``key`` parsed with the first of ``formats`` that fits each value -> timestamp[ns, UTC].

    A non-null value that fits none of them raises :class:`TraceError` naming its row.
    """
    values = pc.utf8_trim_whitespace(chunk.columns[key])
    present = values.is_valid().to_numpy(zero_copy_only=False)
    out = pc.strptime(values, format=formats[0], unit="ns", error_is_null=True)
    for fmt in formats[1:]:  # later formats only while some values are still unparsed (usually none)
        if not (out.is_null().to_numpy(zero_copy_only=False) & present).any():
            break
        out = pc.coalesce(out, pc.strptime(values, format=fmt, unit="ns", error_is_null=True))
    bad = out.is_null().to_numpy(zero_copy_only=False) & present
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise TraceError(
            f"column {column!r}, {chunk.where(i)}: timestamp {values[i].as_py()!r} is not parsable; "
            f"expected one of the formats {', '.join(map(repr, formats))}"
        )
    return out.cast(pa.timestamp("ns", tz="UTC"))


def epoch_seconds_to_timestamp(seconds: np.ndarray) -> pa.Array:
    """Float epoch seconds (NaN = unknown) -> timestamp[ns, UTC] with nulls.

    Rounded to the microsecond: float64 holds epoch seconds to about 0.2 us, and Zeek, UNSW and
    most exports write at most 6 decimals, so the written value is recovered exactly.
    """
    us = np.round(seconds * 1e6)
    mask = np.isnan(us)
    return pa.array(np.where(mask, 0, us).astype(np.int64) * 1000, pa.timestamp("ns", tz="UTC"), mask=mask)


def null_array(type_: pa.DataType, n: int) -> pa.Array:
    return pa.nulls(n, type_)
