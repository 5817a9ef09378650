"""CIC-IDS2017 / CSE-CIC-IDS2018 CICFlowMeter CSVs -> the flow schema.

The layout is chosen by the header's column names (matched after stripping the stray spaces they
ship with, e.g. ``" Source IP"``), never by one marker column:

* ``traffic-labelling``: CIC-IDS2017 ``GeneratedLabelledFlows`` (85 columns: ``Flow ID, Source IP,
  Source Port, Destination IP, Destination Port, Protocol, Timestamp, Flow Duration, Total Fwd
  Packets, Total Backward Packets, Total Length of Fwd Packets, Total Length of Bwd Packets, ...,
  Label``);
* ``machine-learning``: CIC-IDS2017 ``MachineLearningCVE`` (no ``Flow ID``, addresses, ports other
  than ``Destination Port``, ``Protocol`` or ``Timestamp``);
* ``cse-cic-ids2018``: CSE-CIC-IDS2018 ``*_TrafficForML_CICFlowMeter.csv`` (``Dst Port, Protocol,
  Timestamp, Flow Duration, Tot Fwd Pkts, Tot Bwd Pkts, TotLen Fwd Pkts, TotLen Bwd Pkts, ...,
  Label``; addresses ``Src IP, Dst IP`` only in the Tuesday-20-02 file);
* ``improved``: the re-extraction by Engelen, Rimmer and Joosen (2021) with the corrected
  CICFlowMeter (``id, Flow ID, Src IP, Src Port, Dst IP, Dst Port, Protocol, Timestamp, ...,
  Total Fwd Packet, Total Bwd packets, Total Length of Fwd Packet, Total Length of Bwd Packet, ...,
  Label, Attempted Category``); timestamps ISO 8601 with microseconds, in UTC; labels as written
  (``Portscan``, ``Botnet``, ``DDoS - Attempted`` ...).

Timestamps. CIC-IDS2017's files write **day/month/year** (``5/7/2017 9:49`` is Wednesday 5 July,
the day of the DoS attacks; ``3/7/2017`` is Monday 3 July), CSE-CIC-IDS2018's too (``02/03/2018``
is 2 March); ``dayfirst=False`` reads month/day instead. **The 12-hour clock of CIC-IDS2017.** The
GeneratedLabelledFlows files write the hour on a 12-hour clock without AM/PM (Friday's DDoS, run
15:56-16:16, appears as ``7/7/2017 3:56``). The rule: the captures ran from about 8:00 to 18:00
local time on 3-7 July 2017, so no flow starts between 1:00 and 7:59; an hour from 1 to 7 written
without AM/PM is an afternoon hour (+12). It is applied to the ``traffic-labelling`` layout by
default (``pm_before_hour=8``; ``0`` keeps the times as written), and the report says to how many
rows. Times carrying AM/PM, and the other layouts' 24-hour clocks, are read as written. A file whose
dates fall outside its format's capture days (a 2017 file read as ``cic-ids2018``, month and day
swapped) is flagged (:mod:`workbench.traces.calendar`). CIC timestamps are local wall-clock times
without a zone (the improved layout's are UTC); they are kept as written and labelled UTC, which is
harmless because only differences between them are used.

Units: ``Flow Duration`` is in microseconds (negative values, a CICFlowMeter artefact, become 0);
bytes are the payload totals of both directions; packets both directions. Rows that are entirely
blank (CIC-IDS2017's Thursday file has many) and repeated header rows (several 2018 files) are
dropped and counted. Labels in cp1252 (``Web Attack \\x96 Brute Force``) are decoded as such.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.traces.calendar import CalendarCheck
from workbench.traces.csvio import (
    BLANK_ROW,
    DEFAULT_BLOCK_SIZE,
    ISO8601,
    REPEATED_HEADER,
    Chunk,
    ReadStats,
    TraceError,
    TraceFile,
    finish_batch,
    missing_column_error,
    stream_csv,
    to_float,
    to_timestamp,
)
from workbench.traces.schema import BENIGN_LABELS, flow_batch, normalise_labels
from workbench.validation import check_int

# schema key -> accepted header spellings (stripped): 2017 name, 2018's, the improved layout's
COLUMNS = {
    "src_addr": ("Source IP", "Src IP"),
    "dst_addr": ("Destination IP", "Dst IP"),
    "dst_port": ("Destination Port", "Dst Port"),
    "protocol": ("Protocol",),
    "timestamp": ("Timestamp",),
    "duration": ("Flow Duration",),
    "fwd_packets": ("Total Fwd Packets", "Tot Fwd Pkts", "Total Fwd Packet"),
    "bwd_packets": ("Total Backward Packets", "Tot Bwd Pkts", "Total Bwd packets"),
    "fwd_bytes": ("Total Length of Fwd Packets", "TotLen Fwd Pkts", "Total Length of Fwd Packet"),
    "bwd_bytes": ("Total Length of Bwd Packets", "TotLen Bwd Pkts", "Total Length of Bwd Packet"),
    "label": ("Label",),
}
REQUIRED = ("duration", "fwd_packets", "bwd_packets", "fwd_bytes", "bwd_bytes", "label")
OPTIONS = ("dayfirst", "pm_before_hour", "block_size", "benign_labels", "on_bad_row", "unknown_protocol")
#: the documented 12-hour-clock rule of CIC-IDS2017's GeneratedLabelledFlows (see the module docstring)
CIC2017_PM_BEFORE_HOUR = 8

_CLOCK = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p")
DAY_FIRST = (*(f"%d/%m/%Y {c}" for c in _CLOCK), "%Y-%m-%d %H:%M:%S", ISO8601)
MONTH_FIRST = (*(f"%m/%d/%Y {c}" for c in _CLOCK), "%Y-%m-%d %H:%M:%S", ISO8601)


def layout_of(header: list[str]) -> str:
    """The layout a CIC header is in, by its column names (see the module docstring)."""
    names = set(header)
    if {"Total Fwd Packet", "Total Bwd packets"} <= names:
        return "improved"
    if {"Tot Fwd Pkts", "TotLen Fwd Pkts"} <= names:
        return "cse-cic-ids2018"
    if {"Source IP", "Destination IP", "Timestamp"} <= names:
        return "traffic-labelling"
    if "Total Fwd Packets" in names and not names & {"Source IP", "Timestamp", "Protocol"}:
        return "machine-learning"
    return "unknown"


def open_cic(
    file: TraceFile,
    fmt: str,
    stats: ReadStats,
    *,
    dayfirst: bool | None = None,
    pm_before_hour: int | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
    benign_labels: tuple[str, ...] = BENIGN_LABELS,
    on_bad_row: str = "refuse",
    unknown_protocol: str = "keep",
) -> Iterator[pa.RecordBatch]:
    """Check the header now (missing columns raise here), return the batch iterator."""
    header = [name.strip() for name in file.first_line().split(",")]
    found = {}
    for key, spellings in COLUMNS.items():
        for spelling in spellings:
            if spelling in header:
                found[key] = spelling
                break
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in found]
    if missing:
        raise missing_column_error(fmt, file.path, missing, header)
    stats.layout = layout_of(header)
    stats.unused_columns = tuple(h for h in header if h not in set(found.values()))
    if pm_before_hour is not None:
        pm_before_hour = check_int("pm_before_hour", pm_before_hour, 0, 12) or None
    elif fmt == "cic-ids2017" and stats.layout == "traffic-labelling":
        pm_before_hour = CIC2017_PM_BEFORE_HOUR
    if dayfirst not in (True, False, None):
        raise TraceError(f"dayfirst={dayfirst!r} is not allowed; choose one of True, False, None")
    formats = MONTH_FIRST if dayfirst is False else DAY_FIRST
    if stats.layout == "improved":  # ISO 8601 with microseconds: no strptime format to try first
        formats = (ISO8601,)
    chunks = stream_csv(
        file,
        column_names=header,
        include=found,
        skip_rows=1,
        binary=("label",),
        block_size=block_size,
        on_bad_row=on_bad_row,
        unknown_protocol=unknown_protocol,
        stats=stats,
    )
    calendar = CalendarCheck(fmt)
    hint = (
        "the dates read month/day instead fit? give trace_options={'dayfirst': False}" if dayfirst is not False else ""
    )
    return _batches(chunks, found, formats, pm_before_hour, tuple(benign_labels), stats, calendar, hint)


def _batches(
    chunks: Iterator[Chunk],
    found: dict[str, str],
    formats: tuple[str, ...],
    pm_before_hour: int | None,
    benign_labels: tuple[str, ...],
    stats: ReadStats,
    calendar: CalendarCheck,
    hint: str,
) -> Iterator[pa.RecordBatch]:
    shifted = 0
    for chunk in chunks:
        label = chunk.columns["label"]
        # drop blank rows (no label) and header rows repeated inside the file
        blank = ~label.is_valid().to_numpy(zero_copy_only=False)
        header = pc.equal(label, pa.scalar(b"Label", pa.binary())).fill_null(False).to_numpy(zero_copy_only=False)
        if blank.any() or header.any():
            stats.dropped[BLANK_ROW] += int(blank.sum())
            stats.dropped[REPEATED_HEADER] += int(header.sum())
            chunk = chunk.filter(~(blank | header))
        if len(chunk) == 0:
            continue
        batch, n_shifted = _normalise(chunk, found, formats, pm_before_hour, benign_labels)
        shifted += n_shifted
        batch = finish_batch(batch, chunk)
        calendar.update(batch.column("timestamp"))
        yield batch
    if shifted:
        stats.note(
            f"clock: {shifted:,} timestamps written with hours 1-7 and no AM/PM were read as afternoon hours "
            f"(CIC-IDS2017's 12-hour clock: the captures ran 8:00-18:00, so pm_before_hour={pm_before_hour}; "
            "give pm_before_hour=0 to keep them as written)"
        )
    calendar.finish(stats, hint)


def _afternoon(timestamp: pa.Array, raw: pa.Array, pm_before_hour: int) -> tuple[pa.Array, int]:
    """Hours 1 .. ``pm_before_hour - 1`` written without AM/PM, moved 12 hours on."""
    hour = pc.hour(timestamp).to_numpy(zero_copy_only=False)
    no_ampm = ~pc.match_substring_regex(raw, "[AaPp][Mm]").fill_null(False).to_numpy(zero_copy_only=False)
    shift = (hour >= 1) & (hour < pm_before_hour) & no_ampm
    if not shift.any():
        return timestamp, 0
    ns = pc.cast(timestamp, pa.int64()).to_numpy(zero_copy_only=False) + np.where(shift, 12 * 3600 * 10**9, 0)
    shifted = pa.array(ns, pa.timestamp("ns", tz="UTC"), mask=timestamp.is_null().to_numpy(zero_copy_only=False))
    return shifted, int(shift.sum())


def _normalise(
    chunk: Chunk,
    found: dict[str, str],
    formats: tuple[str, ...],
    pm_before_hour: int | None,
    benign_labels: tuple[str, ...],
) -> tuple[pa.RecordBatch, int]:
    n = len(chunk)
    timestamp, shifted = None, 0
    if "timestamp" in found:
        timestamp = to_timestamp(chunk, "timestamp", found["timestamp"], formats)
        if pm_before_hour is not None:
            timestamp, shifted = _afternoon(timestamp, chunk.columns["timestamp"], pm_before_hour)
    port = to_float(chunk, "dst_port", found["dst_port"], fill=-1) if "dst_port" in found else None
    proto = to_float(chunk, "protocol", found["protocol"], fill=255) if "protocol" in found else None
    bytes_ = to_float(chunk, "fwd_bytes", found["fwd_bytes"]) + to_float(chunk, "bwd_bytes", found["bwd_bytes"])
    packets = to_float(chunk, "fwd_packets", found["fwd_packets"]) + to_float(
        chunk, "bwd_packets", found["bwd_packets"]
    )
    duration_s = to_float(chunk, "duration", found["duration"]) / 1e6  # microseconds
    label, category, is_attack = normalise_labels(chunk.columns["label"], benign_labels=benign_labels)
    batch = flow_batch(
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
    return batch, shifted
