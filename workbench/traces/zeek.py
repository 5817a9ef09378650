"""Zeek ``conn.log`` -> the flow schema, in either of Zeek's two writers' forms.

* **TSV** (``#separator``, ``#fields``, ``#types`` header lines): ``-`` (``#unset_field``) and
  ``(empty)`` (``#empty_field``) are unset; comment lines (``#close`` at the end, repeated headers
  of concatenated logs) are skipped.
* **JSON** (one object per line, ``LogAscii::use_json=T``, as Security Onion and many sensors
  write it): fields absent from a record are unset.

The form is told by the file's first character (``#`` or ``{``). ``ts`` is epoch seconds; unset
byte/packet counts and durations count as 0 (Zeek leaves them unset for connections it saw no
reply for). Bytes are ``orig_bytes + resp_bytes`` (payload), packets ``orig_pkts + resp_pkts``,
``proto`` names (``tcp``/``udp``/``icmp``) become IANA numbers.

Labels are optional:

* ``label_column="label"`` reads a label column of the log itself (e.g. the Stratosphere
  Laboratory's labelled logs and IoT-23, ``label`` with ``Benign``/``Malicious``/``Background``),
  ``category_column`` (e.g. ``detailedlabel`` or ``detailed-label``) the category of attack rows;
* ``labels_path=`` a side CSV with a header holding ``uid`` and ``label`` (and optionally
  ``attack_category``), joined on the connection ``uid``; connections it does not list are benign;
* neither: every flow is ``"unlabelled"`` (``is_attack`` False), and the trace report says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson

from workbench.traces.csvio import (
    DEFAULT_BLOCK_SIZE,
    MALFORMED_ROW,
    Chunk,
    ReadStats,
    Source,
    TraceError,
    TraceFile,
    check_path,
    epoch_seconds_to_timestamp,
    finish_batch,
    missing_column_error,
    protocols,
    shown,
    stream_csv,
    to_float,
)
from workbench.traces.schema import BENIGN_LABELS, UNLABELLED, flow_batch, normalise_labels

COLUMNS = {
    "ts": "ts",
    "src_addr": "id.orig_h",
    "dst_addr": "id.resp_h",
    "dst_port": "id.resp_p",
    "proto": "proto",
    "duration": "duration",
    "orig_bytes": "orig_bytes",
    "resp_bytes": "resp_bytes",
    "orig_pkts": "orig_pkts",
    "resp_pkts": "resp_pkts",
}
OPTIONS = (
    "label_column",
    "category_column",
    "labels_path",
    "block_size",
    "benign_labels",
    "on_bad_row",
    "unknown_protocol",
)
_NUMERIC = ("ts", "dst_port", "duration", "orig_bytes", "resp_bytes", "orig_pkts", "resp_pkts")


def read_header(file: TraceFile) -> tuple[dict[str, str], int]:
    """The ``#key value`` header lines of a Zeek TSV log and how many lines they take."""
    meta: dict[str, str] = {}
    n = 0
    for raw in file.lines():
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n").lstrip("\ufeff")
        if not line.startswith("#"):
            break
        n += 1
        key, _, value = line[1:].partition("\t" if "\t" in line else " ")
        meta.setdefault(key, value)
    return meta, n


def open_zeek(
    file: TraceFile,
    fmt: str,
    stats: ReadStats,
    *,
    label_column: str | None = None,
    category_column: str | None = None,
    labels_path: str | Path | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
    benign_labels: tuple[str, ...] = BENIGN_LABELS,
    on_bad_row: str = "refuse",
    unknown_protocol: str = "keep",
) -> Iterator[pa.RecordBatch]:
    """Check the header now (missing fields raise here), return the batch iterator."""
    include = dict(COLUMNS)
    if label_column is not None:
        include["label"] = label_column
    if category_column is not None:
        include["category"] = category_column
    side = None
    if labels_path is not None:
        include["uid"] = "uid"
        side = _read_side_labels(labels_path)
    labels = (side, tuple(benign_labels))
    if file.first_line().lstrip().startswith("{"):
        return _open_json(file, fmt, stats, include, labels, block_size, on_bad_row, unknown_protocol)
    meta, n_header = read_header(file)
    if "fields" not in meta:
        raise TraceError(
            f"{file.name}: no '#fields' header line and no JSON records; expected a Zeek conn.log in TSV "
            f"form (#separator, #fields, #types ...) or in JSON form (one object per line); the first line: "
            f"{shown(file.first_line())}"
        )
    separator = meta.get("separator", "\\x09").strip()
    separator = separator.encode().decode("unicode_escape") if separator.startswith("\\x") else separator
    fields = meta["fields"].split(separator)
    missing = [v for v in include.values() if v not in fields]
    if missing:
        raise missing_column_error(fmt, file.path, missing, fields)
    stats.layout = "TSV"
    stats.unused_columns = tuple(f for f in fields if f not in set(include.values()))
    nulls = [meta.get("unset_field", "-"), meta.get("empty_field", "(empty)"), ""]
    chunks = stream_csv(
        file,
        column_names=fields,
        include=include,
        skip_rows=n_header,
        delimiter=separator,
        quote_char=False,
        binary=("label",),
        null_values=nulls,
        block_size=block_size,
        comment="#",
        on_bad_row=on_bad_row,
        unknown_protocol=unknown_protocol,
        stats=stats,
    )
    return (finish_batch(_normalise(c, *labels), c) for c in chunks)


# --------------------------------------------------------------------------------------------
# JSON form
# --------------------------------------------------------------------------------------------


def _open_json(
    file: TraceFile,
    fmt: str,
    stats: ReadStats,
    include: dict[str, str],
    labels: tuple[pa.Table | None, tuple[str, ...]],
    block_size: int,
    on_bad_row: str,
    unknown_protocol: str,
) -> Iterator[pa.RecordBatch]:
    try:
        first = json.loads(file.first_line())
    except json.JSONDecodeError as exc:
        raise TraceError(
            f"{file.name}: line 1 is not a JSON object ({exc}); the line: {shown(file.first_line())}"
        ) from None
    missing = [v for k, v in include.items() if v not in first and k in ("ts", "src_addr", "dst_addr", "proto")]
    if missing:
        raise missing_column_error(fmt, file.path, missing, list(first))
    stats.layout = "JSON"
    stats.unused_columns = tuple(f for f in first if f not in set(include.values()))
    types = {v: (pa.float64() if k in _NUMERIC else pa.string()) for k, v in include.items()}
    schema = pa.schema([(name, t) for name, t in types.items()])
    source = Source(file, 0, None, on_bad_row, stats, unknown_protocol)
    return _json_batches(file, source, include, schema, labels, block_size)


def _json_batches(
    file: TraceFile,
    source: Source,
    include: dict[str, str],
    schema: pa.Schema,
    labels: tuple[pa.Table | None, tuple[str, ...]],
    block_size: int,
) -> Iterator[pa.RecordBatch]:
    stats = source.stats
    assert stats is not None
    try:
        reader = pajson.open_json(
            file.arrow_source(),
            read_options=pajson.ReadOptions(block_size=block_size),
            parse_options=pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"),
        )
        offset = 0
        for batch in reader:
            n = batch.num_rows
            if n == 0:
                continue
            stats.rows_read += n
            cols = {key: batch.column(name) for key, name in include.items()}
            # the shared normalisation casts text: numbers as text (exact for Zeek's 6 decimals)
            cols = {k: (pc.cast(v, pa.string()) if k in _NUMERIC else v) for k, v in cols.items()}
            chunk = Chunk(cols, np.arange(offset + 1, offset + n + 1, dtype=np.int64), source)
            offset += n
            yield finish_batch(_normalise(chunk, *labels), chunk)
    except pa.ArrowInvalid as err:
        line, text = _bad_json_line(file)
        if source.on_bad_row == "drop" and line > 0:
            stats.dropped[MALFORMED_ROW] += 1
            raise TraceError(
                f"{file.name}: line {line} is not a JSON object; on_bad_row='drop' is not available for Zeek's "
                f"JSON form (the JSON reader stops at the first bad line); the line: {shown(text)}"
            ) from None
        where = f"line {line} is not a JSON object; the line: {shown(text)}" if line > 0 else str(err)
        raise TraceError(f"{file.name}: {where}") from None


def _bad_json_line(file: TraceFile) -> tuple[int, str]:
    for lineno, raw in enumerate(file.lines(), 1):
        text = raw.decode("utf-8", errors="replace").strip()
        if not text:
            continue
        try:
            if not isinstance(json.loads(text), dict):
                return lineno, text
        except json.JSONDecodeError:
            return lineno, text
    return -1, ""


# --------------------------------------------------------------------------------------------
# labels and the shared normalisation
# --------------------------------------------------------------------------------------------


def _read_side_labels(labels_path: str | Path) -> pa.Table:
    p = check_path(labels_path, "labels_path")
    table = pacsv.read_csv(p, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    missing = [c for c in ("uid", "label") if c not in table.column_names]
    if missing:
        raise missing_column_error("zeek-conn labels_path", p, missing, table.column_names)
    if "attack_category" not in table.column_names:
        table = table.append_column("attack_category", pa.nulls(table.num_rows, pa.string()))
    return table.select(["uid", "label", "attack_category"]).cast(
        pa.schema([("uid", pa.string()), ("label", pa.string()), ("attack_category", pa.string())])
    )


def _normalise(chunk: Chunk, side: pa.Table | None, benign_labels: tuple[str, ...]) -> pa.RecordBatch:
    n = len(chunk)
    cols = chunk.columns
    if side is not None:
        pos = pc.index_in(cols["uid"], value_set=side.column("uid").combine_chunks())
        raw = side.column("label").combine_chunks().take(pos)
        label, category, is_attack = normalise_labels(raw, benign_labels=benign_labels)
        side_cat = side.column("attack_category").combine_chunks().take(pos)
        category = pc.if_else(is_attack, pc.coalesce(side_cat, category), category)
    elif "label" in cols:
        label, category, is_attack = normalise_labels(cols["label"], benign_labels=benign_labels)
        if "category" in cols:
            category = pc.if_else(is_attack, pc.coalesce(cols["category"].cast(pa.string()), category), category)
    else:
        label = pa.array(np.full(n, UNLABELLED, dtype=object), pa.string())
        category, is_attack = pa.nulls(n, pa.string()), pa.array(np.zeros(n, bool))
    return flow_batch(
        n,
        timestamp=epoch_seconds_to_timestamp(to_float(chunk, "ts", "ts", fill=None)),
        src_addr=cols["src_addr"],
        dst_addr=cols["dst_addr"],
        dst_port=to_float(chunk, "dst_port", "id.resp_p", fill=-1),
        protocol=protocols(chunk, cols["proto"]),
        bytes_=to_float(chunk, "orig_bytes", "orig_bytes") + to_float(chunk, "resp_bytes", "resp_bytes"),
        packets=to_float(chunk, "orig_pkts", "orig_pkts") + to_float(chunk, "resp_pkts", "resp_pkts"),
        duration_s=to_float(chunk, "duration", "duration"),
        label=label,
        attack_category=category,
        is_attack=is_attack,
    )
