"""Argus bidirectional flows (``binetflow``, as in the CTU-13 botnet captures) -> the flow schema.

Header (CTU-13): ``StartTime, Dur, Proto, SrcAddr, Sport, Dir, DstAddr, Dport, State, sTos, dTos,
TotPkts, TotBytes, SrcBytes, Label`` (some captures add ``srcUdata, dstUdata``); comma- or
tab-separated (told by the header). ``StartTime`` is ``YYYY/MM/DD HH:MM:SS.ffffff`` (local time of
the capture, kept as written and labelled UTC); ``Dur`` seconds; ``Sport``/``Dport`` decimal or
hexadecimal (``0x0303``: ICMP type and code), empty for protocols without ports; ``Proto`` names
(``tcp``, ``udp``, ``icmp`` ...; Argus' ``arp``, ``rtp``, ``llc`` ... are not IP protocols and become
255, counted in the report). Bytes are ``TotBytes``, packets ``TotPkts`` (both directions).

Labels, by a documented rule for CTU-13's ``flow=...`` labels (a file without ``Label`` is
unlabelled):

* ``is_attack``: the label matches ``attack_pattern`` (a regular expression, default ``Botnet``,
  case-insensitive): ``flow=From-Botnet-V42-TCP-Established-HTTP-Ad-40`` is an attack;
  ``flow=Background-...``, ``flow=From-Normal-V42-...``, ``flow=To-Normal-...`` are benign;
* the label of an attack flow is its text without ``flow=``; its **category** drops the
  ``From-``/``To-`` direction, ``Botnet-V<n>-`` (the capture's botnet instance) and a trailing
  ``-<number>`` (an instance counter): ``TCP-Established-HTTP-Ad``, ``TCP-Attempt-SPAM``,
  ``TCP-CC73-Not-Encrypted``, ``UDP-DNS``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from workbench.traces.csvio import (
    DEFAULT_BLOCK_SIZE,
    ISO8601,
    Chunk,
    ReadStats,
    TraceError,
    TraceFile,
    finish_batch,
    missing_column_error,
    protocols,
    stream_csv,
    to_float,
    to_timestamp,
)
from workbench.traces.schema import BENIGN, UNLABELLED, flow_batch, labels_by_value
from workbench.traces.unsw import parse_ports

COLUMNS = {
    "timestamp": "StartTime",
    "duration": "Dur",
    "proto": "Proto",
    "src_addr": "SrcAddr",
    "dst_addr": "DstAddr",
    "dst_port": "Dport",
    "packets": "TotPkts",
    "bytes": "TotBytes",
    "label": "Label",
}
REQUIRED = ("timestamp", "duration", "proto", "src_addr", "dst_addr", "dst_port", "packets", "bytes")
OPTIONS = ("attack_pattern", "block_size", "on_bad_row", "unknown_protocol")
DEFAULT_ATTACK_PATTERN = "Botnet"
_CATEGORY = (
    (re.compile(r"^flow=", re.I), ""),
    (re.compile(r"^(From|To)-", re.I), ""),
    (re.compile(r"^Botnet-V\d+-", re.I), ""),
    (re.compile(r"-\d+$"), ""),
)


def category_of(label: str) -> str:
    """The attack category of a CTU-13 label (see the module docstring)."""
    text = label.strip()
    for pattern, repl in _CATEGORY:
        text = pattern.sub(repl, text)
    return text or "Botnet"


def open_argus(
    file: TraceFile,
    fmt: str,
    stats: ReadStats,
    *,
    attack_pattern: str = DEFAULT_ATTACK_PATTERN,
    block_size: int = DEFAULT_BLOCK_SIZE,
    on_bad_row: str = "refuse",
    unknown_protocol: str = "keep",
) -> Iterator[pa.RecordBatch]:
    """Check the header now (missing columns raise here), return the batch iterator."""
    first = file.first_line()
    delimiter = "\t" if "\t" in first and "," not in first else ","
    header = [h.strip() for h in first.split(delimiter)]
    missing = [COLUMNS[k] for k in REQUIRED if COLUMNS[k] not in header]
    if missing:
        raise missing_column_error(fmt, file.path, missing, header)
    try:
        pattern = re.compile(attack_pattern, re.I)
    except re.error as exc:
        raise TraceError(f"attack_pattern={attack_pattern!r} is not a regular expression ({exc})") from None
    include = {k: v for k, v in COLUMNS.items() if v in header}
    stats.layout = "binetflow" + (" (labelled)" if "label" in include else " (no Label column)")
    stats.unused_columns = tuple(h for h in header if h not in set(include.values()))
    chunks = stream_csv(
        file,
        column_names=header,
        include=include,
        skip_rows=1,
        delimiter=delimiter,
        block_size=block_size,
        on_bad_row=on_bad_row,
        unknown_protocol=unknown_protocol,
        stats=stats,
    )
    return (finish_batch(_normalise(c, pattern), c) for c in chunks)


def _labels(raw: pa.Array, pattern: re.Pattern[str]) -> tuple[pa.Array, pa.Array, pa.Array]:
    """``(label, attack_category, is_attack)`` by the CTU-13 rule of the module docstring."""

    def rule(text: str) -> tuple[str, str | None, bool]:
        if not pattern.search(text):
            return BENIGN, None, False
        return re.sub(r"^flow=", "", text, flags=re.I), category_of(text), True

    return labels_by_value(raw, rule)


def _normalise(chunk: Chunk, pattern: re.Pattern[str]) -> pa.RecordBatch:
    n = len(chunk)
    cols = chunk.columns
    if "label" in cols:
        label, category, is_attack = _labels(cols["label"], pattern)
    else:
        label = pa.array(np.full(n, UNLABELLED, dtype=object), pa.string())
        category, is_attack = pa.nulls(n, pa.string()), pa.array(np.zeros(n, bool))
    return flow_batch(
        n,
        timestamp=to_timestamp(chunk, "timestamp", "StartTime", (ISO8601,)),
        src_addr=cols["src_addr"],
        dst_addr=cols["dst_addr"],
        dst_port=parse_ports(cols["dst_port"]),
        protocol=protocols(chunk, cols["proto"]),
        bytes_=to_float(chunk, "bytes", "TotBytes"),
        packets=to_float(chunk, "packets", "TotPkts"),
        duration_s=to_float(chunk, "duration", "Dur"),
        label=label,
        attack_category=category,
        is_attack=is_attack,
    )
