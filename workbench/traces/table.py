"""Any CSV or Parquet flow table with a column mapping ``{schema name: file column}`` -> the schema.

``columns`` must map ``bytes``, ``packets`` and ``duration_s``; it may map ``timestamp``,
``src_addr``, ``dst_addr``, ``dst_port``, ``protocol`` (numbers, or names such as ``tcp``),
``label`` (text; benign values as in :data:`~workbench.traces.schema.BENIGN_LABELS`),
``attack_category`` and ``is_attack`` (0/1 or true/false; overrides what the label says).

Options: ``timestamp_unit`` (``"s"``, ``"ms"``, ``"us"``, ``"ns"``) for numeric timestamps, else
text timestamps are parsed with ``timestamp_format`` (strptime) or as ISO 8601; ``duration_unit``
(``"s"``, ``"ms"``, ``"us"``); ``delimiter`` for CSV. Parquet files (told by their first bytes,
``PAR1``, not their suffix) are read row group by row group; CSV may be gzip, bz2, zstd or xz
compressed.

NetFlow v5/v9 and IPFIX exports read this way; for example the NetFlow v9 feature CSVs of Sarhan
et al.'s NF-* datasets (``NF-UNSW-NB15-v2``, ``NF-BoT-IoT-v2`` ...), which have no timestamps, with
:data:`NF_V2_COLUMNS`::

    read_trace("NF-BoT-IoT-v2.csv.gz", "table", columns=NF_V2_COLUMNS, duration_unit="ms")

(``OUT_BYTES``/``OUT_PKTS`` hold the other direction; a mapping takes one column per schema name),
and an ``nfdump -o csv`` export (``ts, te, td, sa, da, sp, dp, pr, ..., ipkt, ibyt``) with
``columns={"timestamp": "ts", "src_addr": "sa", "dst_addr": "da", "dst_port": "dp",
"protocol": "pr", "bytes": "ibyt", "packets": "ipkt", "duration_s": "td"}`` and
``timestamp_format="%Y-%m-%d %H:%M:%S"``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from workbench.traces.csvio import (
    DEFAULT_BLOCK_SIZE,
    ISO8601,
    Chunk,
    ReadStats,
    Source,
    TraceError,
    TraceFile,
    epoch_seconds_to_timestamp,
    finish_batch,
    missing_column_error,
    protocols,
    stream_csv,
    to_float,
    to_timestamp,
)
from workbench.traces.schema import BENIGN_LABELS, SCHEMA_COLUMNS, UNLABELLED, flow_batch, normalise_labels
from workbench.validation import check_choice, check_known

REQUIRED = ("bytes", "packets", "duration_s")
OPTIONS = (
    "columns",
    "timestamp_unit",
    "timestamp_format",
    "duration_unit",
    "delimiter",
    "block_size",
    "benign_labels",
    "on_bad_row",
    "unknown_protocol",
)
UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
#: the column mapping of the NetFlow v9 feature exports of the NF-* datasets (Sarhan et al., 2021);
#: durations in milliseconds (``duration_unit="ms"``), no timestamps (``rows_per_step``)
NF_V2_COLUMNS = {
    "src_addr": "IPV4_SRC_ADDR",
    "dst_addr": "IPV4_DST_ADDR",
    "dst_port": "L4_DST_PORT",
    "protocol": "PROTOCOL",
    "bytes": "IN_BYTES",
    "packets": "IN_PKTS",
    "duration_s": "FLOW_DURATION_MILLISECONDS",
    "is_attack": "Label",
    "attack_category": "Attack",
}


def open_table(
    file: TraceFile,
    fmt: str,
    stats: ReadStats,
    *,
    columns: dict[str, str] | None = None,
    timestamp_unit: str | None = None,
    timestamp_format: str | None = None,
    duration_unit: str = "s",
    delimiter: str = ",",
    block_size: int = DEFAULT_BLOCK_SIZE,
    benign_labels: tuple[str, ...] = BENIGN_LABELS,
    on_bad_row: str = "refuse",
    unknown_protocol: str = "keep",
) -> Iterator[pa.RecordBatch]:
    """Check the mapping against the file's columns now, return the batch iterator."""
    if not isinstance(columns, dict) or not columns:
        raise TraceError(
            "format 'table' needs columns={schema_name: file_column}, e.g. "
            "columns={'bytes': 'octets', 'packets': 'pkts', 'duration_s': 'dur'}; "
            f"schema names: {', '.join(SCHEMA_COLUMNS)}"
        )
    check_known("schema column", columns, SCHEMA_COLUMNS)
    missing_keys = [k for k in REQUIRED if k not in columns]
    if missing_keys:
        raise TraceError(
            f"columns mapping lacks {', '.join(map(repr, missing_keys))}; it must map "
            f"{', '.join(map(repr, REQUIRED))} to file columns"
        )
    if timestamp_unit is not None:
        check_choice("timestamp_unit", timestamp_unit, tuple(UNITS))
    check_choice("duration_unit", duration_unit, tuple(UNITS)[:3])
    with open(file.path, "rb") as fh:
        parquet = file.compression is None and fh.read(4) == b"PAR1"
    if parquet:
        found = pq.ParquetFile(file.path).schema_arrow.names
        stats.layout = "Parquet"
    else:
        # a header may quote its names (pandas and pyarrow writers do): parse it as a CSV row
        found = [c.strip() for c in next(csv.reader([file.first_line()], delimiter=delimiter), [])]
        stats.layout = "CSV"
    missing = [v for v in columns.values() if v not in found]
    if missing:
        raise missing_column_error(fmt, file.path, missing, found)
    include = {k: v for k, v in columns.items()}
    stats.unused_columns = tuple(c for c in found if c not in set(include.values()))
    source = Source(file, 1, None, on_bad_row, stats, unknown_protocol)
    if parquet:
        chunks = _parquet_chunks(file.path, include, source)
    else:
        chunks = stream_csv(
            file,
            column_names=found,
            include=include,
            skip_rows=1,
            delimiter=delimiter,
            block_size=block_size,
            on_bad_row=on_bad_row,
            unknown_protocol=unknown_protocol,
            stats=stats,
        )
    labels = tuple(benign_labels)
    return (
        finish_batch(
            _normalise(
                c,
                timestamp_unit=timestamp_unit,
                timestamp_format=timestamp_format,
                duration_scale=UNITS[duration_unit],
                benign_labels=labels,
                columns=columns,
            ),
            c,
        )
        for c in chunks
    )


def _parquet_chunks(path: Path, include: dict[str, str], source: Source) -> Iterator[Chunk]:
    offset = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=65536, columns=list(dict.fromkeys(include.values()))):
        n = batch.num_rows
        if source.stats is not None:
            source.stats.rows_read += n
        cols = {}
        for key, name in include.items():
            col = batch.column(name)
            # everything goes through the same text casts as CSV, except real timestamps
            if not pa.types.is_timestamp(col.type) and not pa.types.is_string(col.type):
                col = pc.cast(col, pa.string())
            cols[key] = col
        yield Chunk(cols, np.arange(offset + 1, offset + n + 1, dtype=np.int64), source)
        offset += n


def _normalise(
    chunk: Chunk,
    *,
    timestamp_unit: str | None,
    timestamp_format: str | None,
    duration_scale: float,
    benign_labels: tuple[str, ...],
    columns: dict[str, str],
) -> pa.RecordBatch:
    n = len(chunk)
    cols = chunk.columns
    timestamp = None
    if "timestamp" in cols:
        ts = cols["timestamp"]
        if pa.types.is_timestamp(ts.type):
            timestamp = ts.cast(pa.timestamp("ns", tz=ts.type.tz or "UTC")).cast(pa.timestamp("ns", tz="UTC"))
        elif timestamp_unit is not None:
            timestamp = epoch_seconds_to_timestamp(
                to_float(chunk, "timestamp", columns["timestamp"], fill=None) * UNITS[timestamp_unit]
            )
        else:
            formats = (timestamp_format,) if timestamp_format else ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", ISO8601)
            timestamp = to_timestamp(chunk, "timestamp", columns["timestamp"], formats)
    protocol = None
    if "protocol" in cols:
        numeric = pc.match_substring_regex(cols["protocol"], r"^\s*\d+(\.0*)?\s*$").fill_null(True)
        if pc.all(numeric).as_py():
            protocol = to_float(chunk, "protocol", columns["protocol"], fill=255)
        else:  # names such as tcp/udp
            protocol = protocols(chunk, cols["protocol"])
    if "label" in cols:
        label, category, is_attack = normalise_labels(cols["label"], benign_labels=benign_labels)
    else:
        label, category, is_attack = (
            pa.array(np.full(n, UNLABELLED, dtype=object), pa.string()),
            pa.nulls(n, pa.string()),
            pa.array(np.zeros(n, bool)),
        )
    if "is_attack" in cols:  # overrides what the label says
        text = pc.utf8_lower(pc.utf8_trim_whitespace(cols["is_attack"]))
        is_attack = pc.is_in(text, value_set=pa.array(["1", "true", "t", "yes", "1.0"]))
    if "attack_category" in cols:
        category = pc.coalesce(pc.utf8_trim_whitespace(cols["attack_category"]), category)
    category = pc.if_else(is_attack, pc.coalesce(category, pa.scalar("Unknown")), pa.nulls(n, pa.string()))
    if "is_attack" in cols:
        plain = pc.is_in(label, value_set=pa.array(["benign", UNLABELLED]))
        label = pc.if_else(is_attack, pc.if_else(plain, category, label), pa.scalar("benign"))
    return flow_batch(
        n,
        timestamp=timestamp,
        src_addr=cols.get("src_addr"),
        dst_addr=cols.get("dst_addr"),
        dst_port=to_float(chunk, "dst_port", columns["dst_port"], fill=-1) if "dst_port" in cols else None,
        protocol=protocol,
        bytes_=to_float(chunk, "bytes", columns["bytes"]),
        packets=to_float(chunk, "packets", columns["packets"]),
        duration_s=to_float(chunk, "duration_s", columns["duration_s"]) * duration_scale,
        label=label,
        attack_category=category,
        is_attack=is_attack,
    )
