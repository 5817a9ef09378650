"""Every reader on the real slices of tests/data/real (public datasets; see its README).

Expected values are computed here from the raw text with the csv and json modules (an oracle
independent of pyarrow); the slices' known properties (labels, the 12-hour clock, hexadecimal ports,
the header row of a normally headerless file) are asserted from that text, never typed in.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from workbench.traces import TraceError, TraceWarning, iter_trace, read_flows, read_trace
from workbench.traces.argus import category_of
from workbench.traces.schema import PROTOCOL_NUMBERS
from workbench.traces.table import NF_V2_COLUMNS

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
CIC_TL = REAL / "cic-ids2017_friday-ddos_traffic-labelling_rows-1-299.csv"
CIC_ML = REAL / "cic-ids2017_friday-ddos_machine-learning_rows-1-2000.csv"
CIC_IMPROVED = REAL / "cic-ids2017-improved_friday_sample.csv"
UNSW_RAW = REAL / "unsw-nb15_1_rows-1-3000.csv"
UNSW_HEADER = REAL / "unsw-nb15_1_rows-1-3500_with-header-row.csv"
UNSW_TEST = REAL / "unsw-nb15_testing-set_rows-1-4528.csv"
CTU = REAL / "ctu-13_scenario-6_capture20110816_1008-1011.binetflow"
ZEEK_LABELLED = REAL / "zeek_ctu-malware-capture-botnet-230-1_labelled_conn.log"
ZEEK_UNLABELLED = REAL / "zeek_android-mischief-rat01_unlabelled_conn.log"
ZEEK_JSON = REAL / "zeek_port-scanning_unlabelled_conn.json.log"
ZEEK_MIXED = REAL / "zeek_ctu-normal-40-day1_mixed_labelled_conn.log"
NETFLOW = REAL / "netflow-v2_nf-bot-iot-v2-reduced_rows-1-10000.csv.gz"
ZEEK_LABELS = {"label_column": "label", "category_column": "detailedlabel"}
pytestmark = pytest.mark.filterwarnings("ignore::workbench.traces.TraceWarning")


def _csv_rows(path: Path, *, header: bool = True, names: list[str] | None = None) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text))
    first = [h.strip() for h in next(reader)] if header else (names or [])
    return [dict(zip(first, r, strict=True)) for r in reader if r]


def _zeek_rows(path: Path) -> list[dict[str, str]]:
    lines = path.read_text().splitlines()
    fields = next(line for line in lines if line.startswith("#fields")).split("\t")[1:]
    return [dict(zip(fields, line.split("\t"), strict=True)) for line in lines if line and not line.startswith("#")]


def _port(text: str) -> int:
    t = text.strip().lower()
    if not t or t == "-":
        return -1
    return int(t, 16) if t.startswith("0x") else int(t)


# --------------------------------------------------------------------------------------------
# CIC-IDS2017
# --------------------------------------------------------------------------------------------


def test_cic2017_traffic_labelling_real_rows_and_the_12_hour_clock():
    table, stats = read_flows(CIC_TL, "cic-ids2017")
    df, raw = table.to_pandas(), _csv_rows(CIC_TL)
    assert stats.layout == "traffic-labelling" and len(df) == len(raw) == stats.rows_read
    assert df["src_addr"].tolist() == [r["Source IP"] for r in raw]
    assert df["dst_port"].tolist() == [int(r["Destination Port"]) for r in raw]
    assert df["bytes"].tolist() == [
        int(r["Total Length of Fwd Packets"]) + int(r["Total Length of Bwd Packets"]) for r in raw
    ]
    # written "7/7/2017 3:30" (no AM/PM): the rule reads it as 15:30 on Friday 7 July, when the file was captured
    written = {r["Timestamp"] for r in raw}
    assert all(w.split()[1].split(":")[0] in set("1234567") for w in written)
    expected = {datetime.strptime(w, "%d/%m/%Y %H:%M").replace(tzinfo=UTC) for w in written}
    assert set(df["timestamp"]) == {pd.Timestamp(t) + pd.Timedelta(hours=12) for t in expected}
    assert (df["timestamp"].dt.day == 7).all() and (df["timestamp"].dt.hour == 15).all()
    assert any("timestamps written with hours 1-7" in n for n in stats.notes)
    assert set(df["label"]) == {"benign"} and not df["is_attack"].any()  # an all-benign real slice


def test_a_2017_file_read_as_cic_ids2018_is_flagged():
    _, stats = read_flows(CIC_TL, "cic-ids2018")
    note = next(n for n in stats.notes if n.startswith("calendar:"))
    assert "299 of 299 timestamps fall outside CSE-CIC-IDS2018's capture days" in note
    assert "is trace_format='cic-ids2017'?" in note
    _, as_2017 = read_flows(CIC_TL, "cic-ids2017")
    assert not any(n.startswith("calendar:") for n in as_2017.notes)


def test_cic2017_machine_learning_real_rows():
    table, stats = read_flows(CIC_ML, "cic-ids2017")
    df, raw = table.to_pandas(), _csv_rows(CIC_ML)
    assert stats.layout == "machine-learning" and len(df) == len(raw) == 2000
    assert df["timestamp"].isna().all() and df["src_addr"].isna().all() and (df["protocol"] == 255).all()
    assert df["packets"].tolist() == [int(r["Total Fwd Packets"]) + int(r["Total Backward Packets"]) for r in raw]
    assert df["duration_s"].tolist() == pytest.approx([max(int(r["Flow Duration"]), 0) / 1e6 for r in raw])


def test_the_improved_cic2017_layout_is_told_by_its_column_names():
    table, stats = read_flows(CIC_IMPROVED, "cic-ids2017")
    df, raw = table.to_pandas(), _csv_rows(CIC_IMPROVED)
    assert stats.layout == "improved" and len(df) == len(raw)
    assert df["timestamp"].tolist() == [pd.Timestamp(r["Timestamp"], tz="UTC") for r in raw]
    assert df["bytes"].tolist() == [
        int(r["Total Length of Fwd Packet"]) + int(r["Total Length of Bwd Packet"]) for r in raw
    ]
    assert df["packets"].tolist() == [int(r["Total Fwd Packet"]) + int(r["Total Bwd packets"]) for r in raw]
    labels = {r["Label"] for r in raw}
    assert set(df["attack_category"].dropna()) == labels - {"BENIGN"} and len(labels) >= 4
    assert not any(n.startswith("calendar:") for n in stats.notes)  # UTC, still on 7 July


# --------------------------------------------------------------------------------------------
# UNSW-NB15
# --------------------------------------------------------------------------------------------


def test_unsw_raw_headerless_with_bom_crlf_and_hex_ports():
    data = UNSW_RAW.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data  # as published
    names = _csv_rows(REAL.parent.parent.parent / "data" / "samples" / "unsw-nb15_FORMAT-SAMPLE_features.csv")
    raw = _csv_rows(UNSW_RAW, header=False, names=[r["Name"].strip() for r in names])
    table, stats = read_flows(UNSW_RAW, "unsw-nb15")
    df = table.to_pandas()
    assert stats.layout == "raw, headerless" and len(df) == len(raw) == 3000
    assert df["src_addr"].tolist() == [r["srcip"] for r in raw]
    assert df["dst_port"].tolist() == [_port(r["dsport"]) for r in raw]
    assert any(r["dsport"].startswith("0x") for r in raw)
    assert df["timestamp"].tolist() == [pd.Timestamp(int(r["Stime"]), unit="s", tz="UTC") for r in raw]
    assert df["is_attack"].tolist() == [r["Label"] == "1" for r in raw]
    categories = {r["attack_cat"].strip() for r in raw if r["Label"] == "1"}
    assert set(df["attack_category"].dropna()) == categories and len(categories) >= 4


def test_unsw_raw_file_with_a_header_row_gives_addresses_ports_and_timestamps():
    with_header, stats = read_flows(UNSW_HEADER, "unsw-nb15")
    assert stats.layout == "raw, with a header row"
    df = with_header.to_pandas()
    assert df["src_addr"].notna().all() and df["dst_addr"].notna().all()
    assert (df["dst_port"] >= 0).mean() > 0.95 and df["timestamp"].notna().all()
    # the same rows as the published headerless file
    headerless = read_trace(UNSW_RAW, "unsw-nb15")
    pd.testing.assert_frame_equal(df.iloc[: len(headerless)].reset_index(drop=True), headerless)


def test_unsw_test_partition_counts_its_unknown_protocols():
    table, stats = read_flows(UNSW_TEST, "unsw-nb15")
    raw = _csv_rows(UNSW_TEST)
    assert stats.layout == "train/test partition" and table.num_rows == len(raw)
    unknown = {}
    for r in raw:
        if r["proto"].lower() not in PROTOCOL_NUMBERS:
            unknown[r["proto"]] = unknown.get(r["proto"], 0) + 1
    assert dict(stats.unknown_protocols) == unknown and sum(unknown.values()) / len(raw) > 0.15
    assert any(n.startswith(f"protocol: {sum(unknown.values()):,} rows") for n in stats.notes)
    dropped, dstats = read_flows(UNSW_TEST, "unsw-nb15", unknown_protocol="drop")
    assert dropped.num_rows == len(raw) - sum(unknown.values())
    assert dstats.dropped["unknown protocol"] == sum(unknown.values())


# --------------------------------------------------------------------------------------------
# CTU-13 binetflow, Zeek, NetFlow
# --------------------------------------------------------------------------------------------


def test_ctu13_binetflow_labels_categories_and_ports():
    table, stats = read_flows(CTU, "argus-binetflow")
    df, raw = table.to_pandas(), _csv_rows(CTU)
    assert len(df) == len(raw) and stats.layout == "binetflow (labelled)"
    assert df["dst_port"].tolist() == [_port(r["Dport"]) for r in raw]
    assert df["bytes"].tolist() == [int(r["TotBytes"]) for r in raw]
    assert df["duration_s"].tolist() == pytest.approx([float(r["Dur"]) for r in raw])
    assert df["timestamp"].iloc[0] == pd.Timestamp(raw[0]["StartTime"].replace("/", "-"), tz="UTC")
    botnet = [r["Label"] for r in raw if "Botnet" in r["Label"]]
    assert df["is_attack"].sum() == len(botnet) > 0
    assert set(df["attack_category"].dropna()) == {category_of(b) for b in botnet}
    assert {"TCP-Attempt-SPAM", "TCP-CC73-Not-Encrypted", "UDP-DNS"} <= set(df["attack_category"].dropna())
    assert category_of("flow=From-Botnet-V42-TCP-Established-HTTP-Ad-40") == "TCP-Established-HTTP-Ad"


@pytest.mark.parametrize(
    "path,options",
    [(ZEEK_LABELLED, ZEEK_LABELS), (ZEEK_MIXED, ZEEK_LABELS), (ZEEK_UNLABELLED, {})],
    ids=["labelled", "mixed", "unlabelled"],
)
def test_zeek_tsv_real_logs(path, options):
    table, stats = read_flows(path, "zeek-conn", **options)
    df, raw = table.to_pandas(), _zeek_rows(path)
    assert stats.layout == "TSV" and len(df) == len(raw)
    unset = lambda v: 0.0 if v in ("-", "(empty)", "") else float(v)  # noqa: E731
    assert df["bytes"].tolist() == [unset(r["orig_bytes"]) + unset(r["resp_bytes"]) for r in raw]
    assert df["dst_addr"].tolist() == [r["id.resp_h"] for r in raw]
    if options:
        assert df["is_attack"].tolist() == [r["label"] == "Malicious" for r in raw]
        assert set(df["attack_category"].dropna()) == {r["detailedlabel"] for r in raw if r["label"] == "Malicious"}
    else:
        assert (df["label"] == "unlabelled").all() and not df["is_attack"].any()


def test_zeek_json_real_log():
    table, stats = read_flows(ZEEK_JSON, "zeek-conn")
    df = table.to_pandas()
    raw = [json.loads(line) for line in ZEEK_JSON.read_text().splitlines() if line.strip()]
    assert stats.layout == "JSON" and len(df) == len(raw)
    assert df["dst_port"].tolist() == [r["id.resp_p"] for r in raw]
    assert df["packets"].tolist() == [r.get("orig_pkts", 0) + r.get("resp_pkts", 0) for r in raw]
    assert df["duration_s"].tolist() == pytest.approx([r.get("duration", 0.0) for r in raw])
    assert df["timestamp"].tolist() == [pd.Timestamp(round(r["ts"] * 1e6) * 1000, unit="ns", tz="UTC") for r in raw]
    assert (df["label"] == "unlabelled").all()


def test_netflow_v9_export_through_the_table_mapping():
    table, stats = read_flows(NETFLOW, "table", columns=NF_V2_COLUMNS, duration_unit="ms")
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(NETFLOW.read_bytes()).decode())))
    df = table.to_pandas()
    assert stats.compression == "gzip" and len(df) == len(rows) and df["timestamp"].isna().all()
    assert df["is_attack"].tolist() == [r["Label"] == "1" for r in rows]
    assert df["attack_category"].dropna().tolist() == [r["Attack"] for r in rows if r["Label"] == "1"]
    assert df["duration_s"].tolist() == pytest.approx([int(r["FLOW_DURATION_MILLISECONDS"]) / 1000 for r in rows])
    assert df["protocol"].tolist() == [int(r["PROTOCOL"]) for r in rows]


# --------------------------------------------------------------------------------------------
# compressed input, dropped columns, bad rows
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["gzip", "bz2", "xz", "zstd"])
@pytest.mark.parametrize(
    "path,fmt,options",
    [(UNSW_RAW, "unsw-nb15", {}), (ZEEK_LABELLED, "zeek-conn", ZEEK_LABELS), (CTU, "argus-binetflow", {})],
    ids=["unsw", "zeek", "ctu13"],
)
def test_a_compressed_slice_gives_the_same_frame(tmp_path, codec, path, fmt, options):
    data = path.read_bytes()
    packed = tmp_path / "trace.dat"  # no telling suffix: the first bytes say what it is
    if codec == "zstd":
        with pa.output_stream(str(packed), compression="zstd") as out:
            out.write(data)
    else:
        packed.write_bytes({"gzip": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[codec](data))
    table, stats = read_flows(packed, fmt, **options)
    assert stats.compression == codec
    pd.testing.assert_frame_equal(table.to_pandas(), read_trace(path, fmt, **options))


def test_columns_the_reader_does_not_use_are_listed_in_a_warning():
    with pytest.warns(TraceWarning, match=r"6 column\(s\) of the file are not used .*'Sport', 'Dir', 'State'"):
        iter_trace(CTU, "argus-binetflow").close()


def _cut_mid_row(path: Path, tmp_path: Path, line: int) -> Path:
    """``path`` cut inside line ``line`` (1-based), as an interrupted download leaves it."""
    lines = path.read_bytes().splitlines(keepends=True)
    cut = tmp_path / f"cut-{path.name}"
    cut.write_bytes(b"".join(lines[: line - 1]) + lines[line - 1][: len(lines[line - 1]) // 3])
    return cut


@pytest.mark.parametrize(
    "path,fmt,options,line",
    [
        (CIC_TL, "cic-ids2017", {}, 101),
        (UNSW_RAW, "unsw-nb15", {}, 1265),
        (ZEEK_LABELLED, "zeek-conn", ZEEK_LABELS, 500),
        (CTU, "argus-binetflow", {}, 13000),
    ],
    ids=["cic", "unsw", "zeek", "ctu13"],
)
def test_a_file_cut_mid_row_is_refused_naming_the_right_line(tmp_path, path, fmt, options, line):
    cut = _cut_mid_row(path, tmp_path, line)
    shown = repr(cut.read_bytes().splitlines()[line - 1].decode().lstrip("\ufeff")[:40])[1:-1]
    with pytest.raises(TraceError, match=rf"line {line} has \d+ fields, expected \d+ \(a row cut short") as info:
        read_trace(cut, fmt, block_size=1 << 16, **options)
    assert shown in str(info.value)


def test_bad_rows_can_be_dropped_and_are_counted(tmp_path):
    lines = UNSW_RAW.read_bytes().splitlines(keepends=True)
    fields = lines[9].split(b",")
    fields[7] = b"lots"  # sbytes
    lines[9] = b",".join(fields)
    lines[20] = lines[20][:30] + b"\r\n"  # a short row
    path = tmp_path / "unsw.csv"
    path.write_bytes(b"".join(lines))
    with pytest.raises(TraceError, match=r"column 'sbytes', row 10 \(line 10\): value 'lots' is not a number"):
        read_trace(path, "unsw-nb15")
    table, stats = read_flows(path, "unsw-nb15", on_bad_row="drop")
    assert table.num_rows == len(lines) - 2
    assert stats.dropped == {"unparsable value": 1, "malformed row": 1} and stats.rows_read == len(lines)
    expected = np.delete(np.arange(len(lines)), [9, 20])
    pd.testing.assert_frame_equal(
        table.to_pandas(), read_trace(UNSW_RAW, "unsw-nb15").iloc[expected].reset_index(drop=True)
    )


@pytest.mark.parametrize(
    "path,wrong,right",
    [
        (CTU, "cic-ids2017", "argus-binetflow"),
        (ZEEK_UNLABELLED, "unsw-nb15", "zeek-conn"),
        (UNSW_TEST, "zeek-conn", "unsw-nb15"),
    ],
)
def test_a_wrong_format_names_the_one_the_columns_fit(path, wrong, right):
    with pytest.raises(TraceError, match=rf"the file's columns fit trace_format='{right}'"):
        iter_trace(path, wrong)
    with pytest.raises(TraceError, match=r"trace_format='table' with a column mapping"):
        iter_trace(NETFLOW, "argus-binetflow")
