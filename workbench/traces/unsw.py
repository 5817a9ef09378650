"""UNSW-NB15 CSVs -> the flow schema.

Two layouts, told apart by the column names of the first line (never by one marker column):

* **The raw files** ``UNSW-NB15_1.csv`` .. ``_4.csv``: 49 columns named by
  ``NUSW-NB15_features.csv`` (``srcip, sport, dstip, dsport, proto, state, dur, sbytes, dbytes, ...,
  Stime, Ltime, ..., attack_cat, Label``). As published they have no header (and a byte-order mark);
  pass the features file as ``features_path`` to take the names from it, otherwise the published
  order (:data:`RAW_COLUMNS`) is assumed. Copies with a header row of those names (as many
  researchers save them) are recognised: a first line of which most fields are known column names
  is a header. ``Stime`` is epoch seconds; ``dsport`` may be hexadecimal (``0x000b``) or ``-``;
  ``attack_cat`` is empty for normal rows and may carry stray spaces (`` Fuzzers``).
* **The train/test partition** ``UNSW_NB15_training-set.csv`` / ``_testing-set.csv``: a header
  (``id, dur, proto, service, state, spkts, ...``), no addresses, no ports, no timestamps;
  ``attack_cat`` is ``Normal`` for benign rows.

``label`` (0/1) decides ``is_attack``; ``attack_cat`` names the category (``Backdoors`` is read as
``Backdoor``, the spelling of the other files; an attack row without a category is ``Unknown``).
Bytes are ``sbytes + dbytes``, packets ``Spkts + Dpkts``, ``dur`` is in seconds. Protocol names
(``tcp``, ``udp``, ``ospf``...) become IANA numbers; names that are not IANA protocols (``unas``,
``any``, ``arp`` ...: 18% of the test partition's rows) become 255 and are counted in the report
(``unknown_protocol="drop"`` drops them instead). Raw files' timestamps are checked against the
capture days (:mod:`workbench.traces.calendar`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.traces.calendar import CalendarCheck
from workbench.traces.csvio import (
    DEFAULT_BLOCK_SIZE,
    Chunk,
    ReadStats,
    TraceError,
    TraceFile,
    check_path,
    epoch_seconds_to_timestamp,
    finish_batch,
    missing_column_error,
    protocols,
    stream_csv,
    to_float,
)
from workbench.traces.schema import BENIGN, UNKNOWN_PORT, flow_batch, normalise_labels

RAW_COLUMNS = (
    "srcip",
    "sport",
    "dstip",
    "dsport",
    "proto",
    "state",
    "dur",
    "sbytes",
    "dbytes",
    "sttl",
    "dttl",
    "sloss",
    "dloss",
    "service",
    "Sload",
    "Dload",
    "Spkts",
    "Dpkts",
    "swin",
    "dwin",
    "stcpb",
    "dtcpb",
    "smeansz",
    "dmeansz",
    "trans_depth",
    "res_bdy_len",
    "Sjit",
    "Djit",
    "Stime",
    "Ltime",
    "Sintpkt",
    "Dintpkt",
    "tcprtt",
    "synack",
    "ackdat",
    "is_sm_ips_ports",
    "ct_state_ttl",
    "ct_flw_http_mthd",
    "is_ftp_login",
    "ct_ftp_cmd",
    "ct_srv_src",
    "ct_srv_dst",
    "ct_dst_ltm",
    "ct_src_ltm",
    "ct_src_dport_ltm",
    "ct_dst_sport_ltm",
    "ct_dst_src_ltm",
    "attack_cat",
    "Label",
)
# schema key -> column name (compared lower-case, spaces removed)
RAW_KEYS = {
    "src_addr": "srcip",
    "dst_addr": "dstip",
    "dst_port": "dsport",
    "proto": "proto",
    "dur": "dur",
    "sbytes": "sbytes",
    "dbytes": "dbytes",
    "spkts": "spkts",
    "dpkts": "dpkts",
    "stime": "stime",
    "attack_cat": "attack_cat",
    "label": "label",
}
SPLIT_KEYS = {
    "proto": "proto",
    "dur": "dur",
    "sbytes": "sbytes",
    "dbytes": "dbytes",
    "spkts": "spkts",
    "dpkts": "dpkts",
    "attack_cat": "attack_cat",
    "label": "label",
}
CATEGORY_MAP = {"Backdoors": "Backdoor"}
OPTIONS = ("features_path", "block_size", "on_bad_row", "unknown_protocol")
_KNOWN = {name.lower() for name in RAW_COLUMNS} | {
    "id",
    "rate",
    "sinpkt",
    "dinpkt",
    "smean",
    "dmean",
    "response_body_len",
    "sload",
    "dload",
    "sjit",
    "djit",
    "spkts",
    "dpkts",
    "label",
}


def _canon(name: str) -> str:
    return name.strip().lower().replace(" ", "")


def feature_names(features_path: str | Path) -> list[str]:
    """Column names from ``NUSW-NB15_features.csv`` (its ``Name`` column, in file order)."""
    p = check_path(features_path, "features_path")
    with open(p, newline="", encoding="utf-8", errors="replace") as fh:
        rows = list(csv.reader(fh))
    header = [_canon(h) for h in rows[0]]
    if "name" not in header:
        raise TraceError(f"features_path={str(features_path)!r}: no 'Name' column; columns found: {rows[0]}")
    col = header.index("name")
    return [r[col].strip() for r in rows[1:] if len(r) > col and r[col].strip()]


def is_header(fields: list[str]) -> bool:
    """A first line is a header when most of its fields are known UNSW-NB15 column names."""
    names = [_canon(f) for f in fields]
    return sum(n in _KNOWN for n in names) > len(names) / 2


def open_unsw(
    file: TraceFile,
    fmt: str,
    stats: ReadStats,
    *,
    features_path: str | Path | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
    on_bad_row: str = "refuse",
    unknown_protocol: str = "keep",
) -> Iterator[pa.RecordBatch]:
    """Check the layout now (missing columns raise here), return the batch iterator."""
    first = file.first_line().split(",")
    if is_header(first):
        names, skip = [c.strip() for c in first], 1
        canon = {_canon(n) for n in names}
        raw = {"srcip", "dstip", "stime"} <= canon
        keys = RAW_KEYS if raw else SPLIT_KEYS
        stats.layout = "raw, with a header row" if raw else "train/test partition"
    else:
        names = feature_names(features_path) if features_path is not None else list(RAW_COLUMNS)
        if len(names) != len(first):
            raise TraceError(
                f"{file.name}: {len(first)} columns in the first row but {len(names)} names in the "
                f"UNSW-NB15 features list; expected the 49-column raw layout (with or without a header row) "
                f"or the train/test partition's header ('id, dur, proto, ...')"
            )
        skip, keys = 0, RAW_KEYS
        stats.layout = "raw, headerless"
    by_canon = {_canon(n): n for n in names}
    missing = [v for v in keys.values() if v not in by_canon]
    if missing:
        raise missing_column_error(fmt, file.path, missing, names)
    include = {key: by_canon[col] for key, col in keys.items()}
    stats.unused_columns = tuple(n for n in names if n not in set(include.values()))
    chunks = stream_csv(
        file,
        column_names=names,
        include=include,
        skip_rows=skip,
        block_size=block_size,
        on_bad_row=on_bad_row,
        unknown_protocol=unknown_protocol,
        stats=stats,
    )
    return _batches(chunks, stats, CalendarCheck(fmt))


def _batches(chunks: Iterator[Chunk], stats: ReadStats, calendar: CalendarCheck) -> Iterator[pa.RecordBatch]:
    for chunk in chunks:
        batch = finish_batch(_normalise(chunk), chunk)
        calendar.update(batch.column("timestamp"))
        yield batch
    calendar.finish(stats)


def parse_ports(values: pa.Array) -> np.ndarray:
    """Ports written as decimal, hexadecimal (``0x000b``) or ``-`` -> int32, unknown -1.

    Parsed per distinct value (at most a few tens of thousands), then gathered.
    """
    encoded = pc.dictionary_encode(values)
    table = []
    for text in encoded.dictionary.to_pylist():
        t = text.strip().lower()
        try:
            port = int(t, 16) if t.startswith("0x") else int(float(t))
        except ValueError:
            port = UNKNOWN_PORT
        table.append(port if 0 <= port <= 65535 else UNKNOWN_PORT)
    table.append(UNKNOWN_PORT)
    idx = encoded.indices.fill_null(len(table) - 1).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.asarray(table, np.int32)[idx]


def _normalise(chunk: Chunk) -> pa.RecordBatch:
    n = len(chunk)
    cols = chunk.columns
    is_attack_num = to_float(chunk, "label", "label")
    is_attack = is_attack_num > 0
    _, category, _ = normalise_labels(cols["attack_cat"], category_map=CATEGORY_MAP)
    category = pc.if_else(pa.array(is_attack), category.fill_null("Unknown"), pa.nulls(n, pa.string()))
    label = pc.if_else(pa.array(is_attack), category, pa.scalar(BENIGN))
    timestamp = epoch_seconds_to_timestamp(to_float(chunk, "stime", "Stime", fill=None)) if "stime" in cols else None
    return flow_batch(
        n,
        timestamp=timestamp,
        src_addr=cols.get("src_addr"),
        dst_addr=cols.get("dst_addr"),
        dst_port=parse_ports(cols["dst_port"]) if "dst_port" in cols else None,
        protocol=protocols(chunk, cols["proto"]),
        bytes_=to_float(chunk, "sbytes", "sbytes") + to_float(chunk, "dbytes", "dbytes"),
        packets=to_float(chunk, "spkts", "Spkts") + to_float(chunk, "dpkts", "Dpkts"),
        duration_s=to_float(chunk, "dur", "dur"),
        label=label,
        attack_category=category,
        is_attack=pa.array(is_attack),
    )
