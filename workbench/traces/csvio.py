"""Streaming CSV plumbing shared by the readers: compressed input, header sniffing, chunked reading,
what was read and dropped, and typed casts that name the line of a bad value.

* :class:`TraceFile`: a trace file and its compression (gzip, bz2, zstd or xz), detected by the
  file's first bytes, never its suffix; every reader reads through it, so a compressed file reads
  exactly as the uncompressed one.
* :class:`ReadStats`: what a reader saw: rows read, rows it dropped by reason, the file's columns it
  did not use, protocol names it did not know, notes (the CIC clock rule, a calendar mismatch).
* :func:`stream_csv`: chunks of text columns; a row with the wrong number of fields (a file cut
  mid-row, a stray delimiter) is refused naming its line and showing it, or, with
  ``on_bad_row="drop"``, dropped and counted.
* casts (:func:`to_float`, :func:`to_timestamp`): a bad value is reported as ``column 'X', row N
  (line L): value 'v' is not a number; the line: '...'`` (or dropped and counted, likewise).

Rows are numbered from 1 among the file's data rows; lines are the lines of the (decompressed) file,
from 1, header included. Every included column is read as text (labels as raw bytes) and cast here,
so rows a reader must drop (blank rows, repeated header rows) can be dropped before casting.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

#: Default chunk size in bytes: about 6,000 CIC rows. Measured: 4 MiB blocks cost about half the
#: CPU time of 32 MiB blocks (the parsed block stays in cache while it is converted).
DEFAULT_BLOCK_SIZE = 1 << 22

#: Leading bytes of the compressed formats read directly (gzip, bzip2, Zstandard, xz).
MAGIC = ((b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\x28\xb5\x2f\xfd", "zstd"), (b"\xfd7zXZ\x00", "xz"))
BAD_ROW_POLICIES = ("refuse", "drop")
UNKNOWN_PROTOCOL_POLICIES = ("keep", "drop")
#: Reasons a reader drops a row (keys of :attr:`ReadStats.dropped`).
BLANK_ROW, REPEATED_HEADER, MALFORMED_ROW, UNPARSABLE_VALUE, UNKNOWN_PROTOCOL_NAME = (
    "blank row",
    "repeated header row",
    "malformed row",
    "unparsable value",
    "unknown protocol",
)
_SHOWN = 160  # characters of a line shown in an error message
MAX_RECORDED_BAD_ROWS = 100  # malformed rows recorded before a refusing reader stops parsing


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


def sniff_compression(path: Path) -> str | None:
    """``"gzip"``, ``"bz2"``, ``"zstd"``, ``"xz"`` or ``None``, from the file's first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    return next((name for magic, name in MAGIC if head.startswith(magic)), None)


@dataclass(frozen=True)
class TraceFile:
    """A trace file to read, decompressed on the fly when its first bytes say it is compressed."""

    path: Path
    compression: str | None

    @classmethod
    def of(cls, path: str | os.PathLike, name: str = "trace_path") -> TraceFile:
        p = check_path(path, name)
        return cls(p, sniff_compression(p))

    @property
    def name(self) -> str:
        return self.path.name

    def open(self) -> IO[bytes]:
        """The decompressed bytes as a binary file object."""
        if self.compression == "gzip":
            return cast(IO[bytes], gzip.open(self.path, "rb"))
        if self.compression == "bz2":
            return bz2.open(self.path, "rb")
        if self.compression == "xz":
            return lzma.open(self.path, "rb")
        if self.compression == "zstd":  # no zstd in the standard library before Python 3.14
            return io.BufferedReader(pa.input_stream(str(self.path), compression="zstd"))
        return open(self.path, "rb")

    def arrow_source(self) -> Any:
        """What ``pyarrow.csv.open_csv`` reads: the path, or a decompressing stream."""
        if self.compression is None:
            return str(self.path)
        if self.compression == "xz":  # not an Arrow codec: Python's lzma behind an Arrow file
            return pa.PythonFile(lzma.open(self.path, "rb"), mode="r")
        return pa.input_stream(str(self.path), compression=self.compression)

    def lines(self) -> Iterator[bytes]:
        with self.open() as fh:
            yield from fh

    def head(self, n: int, limit: int = 1 << 20) -> list[str]:
        """The first ``n`` lines, decoded leniently, without BOM and line ends."""
        out = []
        with self.open() as fh:
            for _ in range(n):
                raw = fh.readline(limit)
                if not raw:
                    break
                out.append(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        if out:
            out[0] = out[0].lstrip("\ufeff")
        if out and "\x00" in out[0]:
            raise TraceError(
                f"{self.name}: the file is binary, not text (and not gzip, bz2, zstd or xz compressed, "
                "which are read directly); expected a CSV or log file"
            )
        return out

    def first_line(self) -> str:
        head = self.head(1)
        return head[0] if head else ""


@dataclass
class ReadStats:
    """What a reader saw in a file (filled while reading; see the module docstring)."""

    name: str
    format: str
    compression: str | None = None
    layout: str = ""
    rows_read: int = 0
    dropped: Counter = field(default_factory=Counter)
    unused_columns: tuple[str, ...] = ()
    unknown_protocols: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def read_first_line(path: Path, limit: int = 1 << 20) -> str:
    """The first line of a (possibly compressed) text file, without BOM and line end."""
    return TraceFile(path, sniff_compression(path)).first_line()


def missing_column_error(fmt: str, path: Path | str, missing: Sequence[str], found: Sequence[str]) -> TraceError:
    name = path.name if isinstance(path, Path) else path
    return TraceError(
        f"{name}: column(s) {', '.join(map(repr, missing))} required by format {fmt!r} not found; "
        f"columns found: {', '.join(map(repr, found))}"
    )


def shown(text: str) -> str:
    """A line as shown in a message: at most ``_SHOWN`` characters."""
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + " ...")


@dataclass
class Source:
    """Where a reader's rows come from, to find the line of a row when something is wrong with it.

    Malformed rows (the wrong number of fields) are skipped by the CSV parser and recorded in
    ``bad_rows``; with ``on_bad_row="refuse"`` the first of them by line is raised as soon as no
    earlier problem can come, so whichever of a malformed row and an unparsable value comes first
    in the file is the one reported.
    """

    file: TraceFile
    skip_lines: int  # lines before the first data row (header, Zeek's # lines)
    comment: bytes | None = None  # lines starting with this are not rows (Zeek)
    on_bad_row: str = "refuse"
    stats: ReadStats | None = None
    unknown_protocol: str = "keep"
    bad_rows: list[Any] = field(default_factory=list)  # pyarrow InvalidRow, in the order seen
    _bad_lines: dict[int, int] = field(default_factory=dict)  # index in bad_rows -> line

    def bad_lines(self) -> list[tuple[int, Any]]:
        """``(line, row)`` of every malformed row recorded, by line (one pass over the file for the new ones)."""
        pending = [i for i in range(len(self.bad_rows)) if i not in self._bad_lines]
        if pending:
            wanted: dict[bytes, list[int]] = {}
            for i in pending:
                wanted.setdefault((self.bad_rows[i].text or "").encode("utf-8", errors="replace"), []).append(i)
            taken = set(self._bad_lines.values())
            for lineno, raw in enumerate(self.file.lines(), 1):
                if lineno <= self.skip_lines or lineno in taken:
                    continue
                waiting = wanted.get(raw.rstrip(b"\r\n").lstrip(b"\xef\xbb\xbf"))
                if waiting:
                    self._bad_lines[waiting.pop(0)] = lineno
                    if not any(wanted.values()):
                        break
            for i in pending:
                self._bad_lines.setdefault(i, -1)
        return sorted((self._bad_lines[i], r) for i, r in enumerate(self.bad_rows))

    def locate(self, row: int) -> tuple[int, str]:
        """Line number and text of data row ``row`` (1-based): the ``row``-th non-empty line after
        the header that is not a comment nor a malformed row (as for the CSV parser)."""
        skipped = {line for line, _ in self.bad_lines()} if self.bad_rows else set()
        n = 0
        for lineno, raw in enumerate(self.file.lines(), 1):
            text = raw.rstrip(b"\r\n")
            if lineno <= self.skip_lines or not text or (self.comment and text.startswith(self.comment)):
                continue
            if lineno in skipped:
                continue
            n += 1
            if n == row:
                return lineno, text.decode("utf-8", errors="replace").lstrip("\ufeff")
        return -1, ""

    def malformed_error(self) -> TraceError:
        line, row = self.bad_lines()[0]
        hint = " (a row cut short: is the file truncated?)" if row.actual_columns < row.expected_columns else ""
        return TraceError(
            f"{self.file.name}: line {line} has {row.actual_columns} fields, expected {row.expected_columns}{hint}; "
            f"the line: {shown(row.text or '')}; give trace_options={{'on_bad_row': 'drop'}} to drop such rows "
            "(they are counted in the trace report)"
        )

    def raise_malformed_before(self, line: int) -> None:
        """Raise the first malformed row if it lies before ``line`` (refusing bad rows)."""
        if self.bad_rows and self.on_bad_row == "refuse":
            first = self.bad_lines()[0][0]
            if 0 < first < line or line < 0:
                raise self.malformed_error()


@dataclass
class Chunk:
    """One chunk of a file: its text columns (by the names given), the 1-based data row number of every
    row (kept through filtering, for error messages) and, when bad rows are dropped, which are bad."""

    columns: dict[str, pa.Array]
    rows: np.ndarray  # int64 data row numbers
    source: Source | None = None
    drops: dict[str, np.ndarray] = field(default_factory=dict)  # reason -> rows to drop

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def drop_bad(self) -> bool:
        return self.source is not None and self.source.on_bad_row == "drop"

    @property
    def stats(self) -> ReadStats | None:
        return None if self.source is None else self.source.stats

    def filter(self, keep: np.ndarray) -> Chunk:
        mask = pa.array(keep)
        drops = {k: v[keep] for k, v in self.drops.items()}
        return Chunk({k: v.filter(mask) for k, v in self.columns.items()}, self.rows[keep], self.source, drops)

    def mark(self, reason: str, rows: np.ndarray) -> None:
        """Drop ``rows`` (a bool mask) for ``reason`` when the batch is finished (:func:`finish_batch`)."""
        self.drops[reason] = rows if reason not in self.drops else (self.drops[reason] | rows)

    def where(self, index: int) -> tuple[str, str]:
        """``("row N (line L)", "; the line: '...'")`` for an error message about row ``index``; raises
        the first malformed row instead when it lies before (the earlier problem is reported)."""
        row = int(self.rows[index])
        if self.source is None:
            return f"row {row}", ""
        line, text = self.source.locate(row)
        self.source.raise_malformed_before(line)
        return f"row {row} (line {line})", (f"; the line: {shown(text)}" if text else "")


def stream_csv(
    file: TraceFile,
    *,
    column_names: Sequence[str],
    include: dict[str, str],
    skip_rows: int,
    delimiter: str = ",",
    quote_char: str | bool = '"',
    binary: Sequence[str] = (),
    null_values: Sequence[str] = ("",),
    block_size: int = DEFAULT_BLOCK_SIZE,
    comment: str | None = None,
    on_bad_row: str = "refuse",
    unknown_protocol: str = "keep",
    stats: ReadStats | None = None,
) -> Iterator[Chunk]:
    """Chunks of ``file`` with the file columns ``include`` (``{key: file column name}``) as text.

    ``column_names`` are the names given to the file's columns in order (the header, cleaned, is
    skipped with ``skip_rows``). Columns named in ``binary`` are read as raw bytes (labels in
    legacy encodings). Lines starting with ``comment`` are skipped. A row with the wrong number of
    fields raises :class:`TraceError` naming its line (``on_bad_row="refuse"``) or is dropped and
    counted in ``stats`` (``"drop"``). Memory stays bounded by ``block_size`` times a small factor.
    """
    source = Source(file, skip_rows, comment.encode() if comment else None, on_bad_row, stats, unknown_protocol)
    prefix = comment or "\x00"

    def on_invalid(row: pacsv.InvalidRow) -> str:
        if (row.text or "").startswith(prefix):
            return "skip"
        source.bad_rows.append(row)
        # refusing: enough recorded to name the first one (a file of another layout is all bad rows)
        return "error" if on_bad_row == "refuse" and len(source.bad_rows) >= MAX_RECORDED_BAD_ROWS else "skip"

    types = {name: (pa.binary() if key in binary else pa.string()) for key, name in include.items()}
    offset = 0
    try:  # open_csv already reads and parses the first block
        reader = pacsv.open_csv(
            file.arrow_source(),
            read_options=pacsv.ReadOptions(column_names=list(column_names), skip_rows=skip_rows, block_size=block_size),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, quote_char=quote_char, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(dict.fromkeys(include.values())),
                column_types=types,
                null_values=list(null_values),
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            n = batch.num_rows
            if n == 0:
                source.raise_malformed_before(-1)  # a block of nothing but malformed rows
                continue
            if stats is not None:
                stats.rows_read += n
            cols = {key: batch.column(name) for key, name in include.items()}
            chunk = Chunk(cols, np.arange(offset + 1, offset + n + 1, dtype=np.int64), source)
            yield chunk
            offset += n
            if source.bad_rows and on_bad_row == "refuse":  # a malformed row before the next chunk's rows?
                source.raise_malformed_before(source.locate(offset)[0] + 1)
    except pa.ArrowInvalid as err:
        if source.bad_rows:
            raise source.malformed_error() from None
        raise TraceError(f"{file.name}: the CSV cannot be parsed: {err}") from None
    source.raise_malformed_before(-1)
    if source.bad_rows and stats is not None:  # dropped (on_bad_row="drop")
        stats.rows_read += len(source.bad_rows)
        stats.dropped[MALFORMED_ROW] += len(source.bad_rows)


# --------------------------------------------------------------------------------------------
# casts with line-numbered errors (or, with on_bad_row="drop", rows marked bad)
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
        ok |= ~values.is_valid().to_numpy(zero_copy_only=False)
        if not chunk.drop_bad:
            i = _first_bad(values, ok)
            shown_value = values[i].as_py() if i >= 0 else "?"
            where, line = chunk.where(max(i, 0))
            raise TraceError(f"column {column!r}, {where}: value {shown_value!r} is not a number{line}") from None
        chunk.mark(UNPARSABLE_VALUE, ~ok)
        out = pc.cast(
            pc.utf8_trim_whitespace(pc.if_else(pa.array(ok), values, pa.scalar(None, values.type))), pa.float64()
        )
    arr = out.to_numpy(zero_copy_only=False)
    if fill is not None:
        arr = np.where(np.isnan(arr), fill, arr)
    return arr


#: a timestamp format meaning ISO 8601 text with optional fractional seconds (``2017-07-07 19:14:04.346778``,
#: also with ``/`` between the date's parts, as Argus writes it), which strptime formats cannot express
ISO8601 = "ISO 8601"
_ISO = r"^\d{4}[-/]\d\d[-/]\d\d([ T]\d\d:\d\d(:\d\d(\.\d{1,9})?)?)?$"


def _parse(values: pa.Array, fmt: str) -> pa.Array:
    if fmt != ISO8601:
        return pc.strptime(values, format=fmt, unit="ns", error_is_null=True)
    ok = pc.match_substring_regex(values, _ISO).fill_null(False)
    text = pc.replace_substring(pc.if_else(ok, values, pa.scalar(None, pa.string())), "/", "-")
    return pc.cast(text, pa.timestamp("ns"))


def to_timestamp(chunk: Chunk, key: str, column: str, formats: Sequence[str]) -> pa.Array:
    """Column ``key`` parsed with the first of ``formats`` that fits each value -> timestamp[ns, UTC].

    ``formats`` are strptime formats or :data:`ISO8601`. A non-null value that fits none of them
    raises :class:`TraceError` naming its row (or, with ``on_bad_row="drop"``, marks the row bad).
    """
    values = pc.utf8_trim_whitespace(chunk.columns[key])
    if pa.types.is_binary(values.type):
        values = values.cast(pa.string())
    present = values.is_valid().to_numpy(zero_copy_only=False)
    out = _parse(values, formats[0])
    for fmt in formats[1:]:  # later formats only while some values are still unparsed (usually none)
        if not (out.is_null().to_numpy(zero_copy_only=False) & present).any():
            break
        out = pc.coalesce(out, _parse(values, fmt))
    bad = out.is_null().to_numpy(zero_copy_only=False) & present
    if bad.any():
        if chunk.drop_bad:
            chunk.mark(UNPARSABLE_VALUE, bad)
        else:
            i = int(np.flatnonzero(bad)[0])
            where, line = chunk.where(i)
            raise TraceError(
                f"column {column!r}, {where}: timestamp {values[i].as_py()!r} is not parsable; "
                f"expected one of the formats {', '.join(map(repr, formats))}{line}"
            )
    return out.cast(pa.timestamp("ns", tz="UTC"))


def protocols(chunk: Chunk, names: pa.Array) -> pa.Array:
    """IANA numbers of the protocol names of ``chunk`` (unknown names counted in its stats, and marked
    for dropping with ``unknown_protocol="drop"``)."""
    from workbench.traces.schema import UNKNOWN_PROTOCOL, protocol_numbers

    stats = chunk.stats
    before = sum(stats.unknown_protocols.values()) if stats is not None else 0
    numbers = protocol_numbers(names, stats.unknown_protocols if stats is not None else None)
    dropping = chunk.source is not None and chunk.source.unknown_protocol == "drop"
    if dropping and stats is not None and sum(stats.unknown_protocols.values()) > before:
        present = names.is_valid().to_numpy(zero_copy_only=False)
        chunk.mark(UNKNOWN_PROTOCOL_NAME, present & (numbers.to_numpy() == UNKNOWN_PROTOCOL))
    return numbers


def finish_batch(batch: pa.RecordBatch, chunk: Chunk) -> pa.RecordBatch:
    """``batch`` without the rows the chunk marked, each counted once (under its first reason)."""
    if not chunk.drops:
        return batch
    stats = chunk.stats
    taken = np.zeros(batch.num_rows, bool)
    for reason, rows in chunk.drops.items():
        new = rows & ~taken
        if stats is not None and new.any():
            stats.dropped[reason] += int(new.sum())
        taken |= rows
    return batch.filter(pa.array(~taken)) if taken.any() else batch


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
