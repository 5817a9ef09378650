"""CIC-IDS2017 / CSE-CIC-IDS2018 CICFlowMeter CSVs -> the flow schema.

Layouts read (header names are matched after stripping the stray spaces they ship with, e.g.
``" Source IP"``):

* **CIC-IDS2017 "TrafficLabelling"** (``GeneratedLabelledFlows``): ``Flow ID, Source IP, Source Port,
  Destination IP, Destination Port, Protocol, Timestamp, Flow Duration, Total Fwd Packets, Total
  Backward Packets, Total Length of Fwd Packets, Total Length of Bwd Packets, ..., Label``.
  Timestamps are **month/day/year** (``7/7/2017 3:30`` or ``07/07/2017 03:30:00``).
* **CIC-IDS2017 "MachineLearningCVE"**: the same without ``Flow ID``, addresses, ports other than
  ``Destination Port``, ``Protocol`` and ``Timestamp``.
* **CSE-CIC-IDS2018** (``*_TrafficForML_CICFlowMeter.csv``): abbreviated names (``Dst Port, Protocol,
  Timestamp, Flow Duration, Tot Fwd Pkts, Tot Bwd Pkts, TotLen Fwd Pkts, TotLen Bwd Pkts, ...,
  Label``), addresses only in the Tuesday-20-02 file (``Src IP, Dst IP``). Timestamps are
  **day/month/year** (``02/03/2018 08:47:38`` is 2 March).

Units: ``Flow Duration`` is in microseconds (negative values, a CICFlowMeter artefact, become 0);
bytes are the payload totals of both directions; packets both directions. Rows that are entirely
blank (CIC-IDS2017's Thursday file has many) and repeated header rows (several 2018 files) are
dropped. Labels in cp1252 (``Web Attack \\x96 Brute Force``) are decoded as such.

Options: ``dayfirst`` (default False for ``cic-ids2017``, True for ``cic-ids2018``);
``pm_before_hour`` (default None): some CIC-IDS2017 afternoon files write a 12-hour clock without
AM/PM (``3:30`` for 15:30); with ``pm_before_hour=8`` hours 1..7 are read as afternoon hours.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.traces.csvio import (
    DEFAULT_BLOCK_SIZE,
    Chunk,
    TraceError,
    missing_column_error,
    read_first_line,
    stream_csv,
    to_float,
    to_timestamp,
)
from workbench.traces.schema import BENIGN_LABELS, flow_batch, normalise_labels
from workbench.validation import check_int

# schema key -> accepted header spellings (stripped): 2017 name first, then 2018's
COLUMNS = {
    "src_addr": ("Source IP", "Src IP"),
    "dst_addr": ("Destination IP", "Dst IP"),
    "dst_port": ("Destination Port", "Dst Port"),
    "protocol": ("Protocol",),
    "timestamp": ("Timestamp",),
    "duration": ("Flow Duration",),
    "fwd_packets": ("Total Fwd Packets", "Tot Fwd Pkts"),
    "bwd_packets": ("Total Backward Packets", "Tot Bwd Pkts"),
    "fwd_bytes": ("Total Length of Fwd Packets", "TotLen Fwd Pkts"),
    "bwd_bytes": ("Total Length of Bwd Packets", "TotLen Bwd Pkts"),
    "label": ("Label",),
}
REQUIRED = ("duration", "fwd_packets", "bwd_packets", "fwd_bytes", "bwd_bytes", "label")
OPTIONS = ("dayfirst", "pm_before_hour", "block_size", "benign_labels")

MONTH_FIRST = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%Y-%m-%d %H:%M:%S")
DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %I:%M:%S %p", "%d/%m/%Y %I:%M %p", "%Y-%m-%d %H:%M:%S")


def open_cic(
    path: Path,
    fmt: str,
    *,
    dayfirst: bool | None = None,
    pm_before_hour: int | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
    benign_labels: tuple[str, ...] = BENIGN_LABELS,
) -> Iterator[pa.RecordBatch]:
    """Check the header now (missing columns raise here), return the batch iterator."""
    header = [name.strip() for name in read_first_line(path).split(",")]
    found = {}
    for key, spellings in COLUMNS.items():
        for spelling in spellings:
            if spelling in header:
                found[key] = spelling
                break
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in found]
    if missing:
        raise missing_column_error(fmt, path, missing, header)
    if pm_before_hour is not None:
        pm_before_hour = check_int("pm_before_hour", pm_before_hour, 1, 12)
    if dayfirst not in (True, False, None):
        raise TraceError(f"dayfirst={dayfirst!r} is not allowed; choose one of True, False, None")
    if dayfirst is None:
        dayfirst = fmt == "cic-ids2018"
    formats = DAY_FIRST if dayfirst else MONTH_FIRST
    chunks = stream_csv(
        path, column_names=header, include=found, skip_rows=1, binary=("label",), block_size=block_size, line_offset=1
    )
    return _batches(chunks, found, formats, pm_before_hour, tuple(benign_labels))


def _batches(
    chunks: Iterator[Chunk],
    found: dict[str, str],
    formats: tuple[str, ...],
    pm_before_hour: int | None,
    benign_labels: tuple[str, ...],
) -> Iterator[pa.RecordBatch]:
    for chunk in chunks:
        label = chunk.columns["label"]
        # drop blank rows (no label and no duration) and header rows repeated inside the file
        keep = (label.is_valid() if isinstance(label, pa.Array) else pc.is_valid(label)).to_numpy(zero_copy_only=False)
        keep &= ~pc.equal(label, pa.scalar(b"Label", pa.binary())).fill_null(False).to_numpy(zero_copy_only=False)
        if not keep.all():
            chunk = chunk.filter(keep)
        n = len(chunk)
        if n == 0:
            continue
        yield _normalise(chunk, found, formats, pm_before_hour, benign_labels)


def _normalise(
    chunk: Chunk,
    found: dict[str, str],
    formats: tuple[str, ...],
    pm_before_hour: int | None,
    benign_labels: tuple[str, ...],
) -> pa.RecordBatch:
    n = len(chunk)
    timestamp = None
    if "timestamp" in found:
        timestamp = to_timestamp(chunk, "timestamp", found["timestamp"], formats)
        if pm_before_hour is not None:
            hour = pc.hour(timestamp).to_numpy(zero_copy_only=False)
            shift = np.where((hour >= 1) & (hour < pm_before_hour), 12 * 3600 * 10**9, 0)
            ns = pc.cast(timestamp, pa.int64()).to_numpy(zero_copy_only=False) + shift
            timestamp = pa.array(
                ns, pa.timestamp("ns", tz="UTC"), mask=timestamp.is_null().to_numpy(zero_copy_only=False)
            )
    port = to_float(chunk, "dst_port", found["dst_port"], fill=-1) if "dst_port" in found else None
    proto = to_float(chunk, "protocol", found["protocol"], fill=255) if "protocol" in found else None
    bytes_ = to_float(chunk, "fwd_bytes", found["fwd_bytes"]) + to_float(chunk, "bwd_bytes", found["bwd_bytes"])
    packets = to_float(chunk, "fwd_packets", found["fwd_packets"]) + to_float(
        chunk, "bwd_packets", found["bwd_packets"]
    )
    duration_s = to_float(chunk, "duration", found["duration"]) / 1e6  # microseconds
    label, category, is_attack = normalise_labels(chunk.columns["label"], benign_labels=benign_labels)
    return flow_batch(
        n,
        timestamp=timestamp,
        src_addr=chunk.columns.get("src_addr"),
        dst_addr=chunk.columns.get("dst_addr"),
        dst_port=port,
        protocol=proto,
        bytes_=bytes_,
        packets=packets,
        duration_s=duration_s,
        label=label,
        attack_category=category,
        is_attack=is_attack,
    )
