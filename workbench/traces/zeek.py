"""Zeek ``conn.log`` (TSV with ``#separator``, ``#fields``, ``#types`` headers) -> the flow schema.

``ts`` is epoch seconds; ``-`` (``#unset_field``) and ``(empty)`` (``#empty_field``) are read as
unset: unset byte/packet counts and durations count as 0 (Zeek leaves them unset for connections
it saw no reply for). Bytes are ``orig_bytes + resp_bytes`` (payload), packets
``orig_pkts + resp_pkts``, ``proto`` names (``tcp``/``udp``/``icmp``) become IANA numbers.
Comment lines (``#close`` at the end, repeated headers of concatenated logs) are skipped.

Labels are optional:

* ``label_column="label"`` reads a label column of the log itself (e.g. IoT-23's ``label``
  with ``Benign``/``Malicious``), ``category_column`` (e.g. ``detailed-label``) its category;
* ``labels_path=`` a side CSV with a header holding ``uid`` and ``label`` (and optionally
  ``attack_category``), joined on the connection ``uid``; connections it does not list are benign;
* neither: every flow is ``"unlabelled"`` (``is_attack`` False).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from workbench.traces.csvio import (
    DEFAULT_BLOCK_SIZE,
    Chunk,
    TraceError,
    check_path,
    epoch_seconds_to_timestamp,
    missing_column_error,
    stream_csv,
    to_float,
)
from workbench.traces.schema import BENIGN_LABELS, UNLABELLED, flow_batch, normalise_labels, protocol_numbers

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
OPTIONS = ("label_column", "category_column", "labels_path", "block_size", "benign_labels")


def read_header(path: Path) -> tuple[dict[str, str], int]:
    """The ``#key value`` header lines of a Zeek log and how many lines they take."""
    meta: dict[str, str] = {}
    n = 0
    with open(path, "rb") as fh:
        for raw in fh:
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if not line.startswith("#"):
                break
            n += 1
            key, _, value = line[1:].partition("\t" if "\t" in line else " ")
            meta.setdefault(key, value)
    return meta, n


def open_zeek(
    path: Path,
    fmt: str,
    *,
    label_column: str | None = None,
    category_column: str | None = None,
    labels_path: str | Path | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
    benign_labels: tuple[str, ...] = BENIGN_LABELS,
) -> Iterator[pa.RecordBatch]:
    """Check the header now (missing fields raise here), return the batch iterator."""
    meta, n_header = read_header(path)
    if "fields" not in meta:
        raise TraceError(
            f"{path.name}: no '#fields' header line; expected a Zeek conn.log in TSV form "
            f"(#separator, #fields, #types ...)"
        )
    separator = meta.get("separator", "\\x09").strip()
    separator = separator.encode().decode("unicode_escape") if separator.startswith("\\x") else separator
    fields = meta["fields"].split(separator)
    include = dict(COLUMNS)
    if label_column is not None:
        include["label"] = label_column
    if category_column is not None:
        include["category"] = category_column
    side = None
    if labels_path is not None:
        include["uid"] = "uid"
        side = _read_side_labels(labels_path)
    missing = [v for v in include.values() if v not in fields]
    if missing:
        raise missing_column_error(fmt, path, missing, fields)
    nulls = [meta.get("unset_field", "-"), meta.get("empty_field", "(empty)"), ""]

    def skip_comments(row: pacsv.InvalidRow) -> str:
        return "skip" if (row.text or "").startswith("#") else "error"

    chunks = stream_csv(
        path,
        column_names=fields,
        include=include,
        skip_rows=n_header,
        delimiter=separator,
        quote_char=False,
        binary=("label",),
        null_values=nulls,
        block_size=block_size,
        invalid_row_handler=skip_comments,
        line_offset=n_header,
    )
    return (_normalise(c, side, tuple(benign_labels)) for c in chunks)


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
            category = pc.if_else(is_attack, pc.coalesce(cols["category"], category), category)
    else:
        label = pa.array(np.full(n, UNLABELLED, dtype=object), pa.string())
        category, is_attack = pa.nulls(n, pa.string()), pa.array(np.zeros(n, bool))
    return flow_batch(
        n,
        timestamp=epoch_seconds_to_timestamp(to_float(chunk, "ts", "ts", fill=None)),
        src_addr=cols["src_addr"],
        dst_addr=cols["dst_addr"],
        dst_port=to_float(chunk, "dst_port", "id.resp_p", fill=-1),
        protocol=protocol_numbers(cols["proto"]),
        bytes_=to_float(chunk, "orig_bytes", "orig_bytes") + to_float(chunk, "resp_bytes", "resp_bytes"),
        packets=to_float(chunk, "orig_pkts", "orig_pkts") + to_float(chunk, "resp_pkts", "resp_pkts"),
        duration_s=to_float(chunk, "duration", "duration"),
        label=label,
        attack_category=category,
        is_attack=is_attack,
    )
