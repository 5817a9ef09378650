"""Trace readers: each published layout (as in data/samples) -> the one flow schema; bad input errors.

Expected values are computed here from the raw text with the csv module (an oracle independent of
pyarrow), or written by hand for small inline files.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from workbench.traces import FLOW_SCHEMA, TraceError, TraceFileNotFound, iter_trace, read_trace, read_trace_table
from workbench.traces.readers import read_flows

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
CIC17 = SAMPLES / "cic-ids2017_FORMAT-SAMPLE_traffic-labelling.csv"
CIC17_ML = SAMPLES / "cic-ids2017_FORMAT-SAMPLE_machine-learning.csv"
CIC18 = SAMPLES / "cic-ids2018_FORMAT-SAMPLE_traffic-for-ml.csv"
UNSW = SAMPLES / "unsw-nb15_FORMAT-SAMPLE_raw.csv"
UNSW_FEATURES = SAMPLES / "unsw-nb15_FORMAT-SAMPLE_features.csv"
UNSW_SPLIT = SAMPLES / "unsw-nb15_FORMAT-SAMPLE_training-set.csv"
ZEEK = SAMPLES / "zeek_FORMAT-SAMPLE_conn.log"
ZEEK_LABELS = SAMPLES / "zeek_FORMAT-SAMPLE_labels.csv"
TABLE = SAMPLES / "table_FORMAT-SAMPLE_flows.csv"
TABLE_COLUMNS = dict(
    timestamp="start_time",
    src_addr="source",
    dst_addr="destination",
    dst_port="dport",
    protocol="proto",
    bytes="octets",
    packets="pkts",
    duration_s="duration_ms",
    label="verdict",
)


def _rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader((line for line in fh if not line.startswith("#")), delimiter=delimiter)
        header = [h.strip() for h in next(reader)]
        return [dict(zip(header, r, strict=False)) for r in reader]


def _check_schema(df: pd.DataFrame) -> None:
    assert list(df.columns) == FLOW_SCHEMA.names
    assert str(df["timestamp"].dtype) == "datetime64[ns, UTC]"
    assert df["dst_port"].dtype == np.int32 and df["protocol"].dtype == np.int16
    assert df["bytes"].dtype == np.int64 and df["packets"].dtype == np.int64
    assert df["duration_s"].dtype == np.float64 and df["is_attack"].dtype == bool
    assert (df["bytes"] >= 0).all() and (df["packets"] >= 0).all() and (df["duration_s"] >= 0).all()
    assert (df["label"] == "benign").eq(~df["is_attack"]).all() or (df["label"] == "unlabelled").any()
    assert df.loc[~df["is_attack"], "attack_category"].isna().all()
    assert df.loc[df["is_attack"], "attack_category"].notna().all()


# --------------------------------------------------------------------------------------------
# each layout
# --------------------------------------------------------------------------------------------


def test_cic2017_traffic_labelling_rows_match_the_raw_text():
    df = read_trace(CIC17, "cic-ids2017")
    raw = _rows(CIC17)
    _check_schema(df)
    assert len(df) == len(raw)
    assert set(df["label"]) == {"benign", "DDoS", "PortScan", "SSH-Patator"}
    for i in (0, 1, len(raw) // 2, len(raw) - 1):
        r, got = raw[i], df.iloc[i]
        assert got["src_addr"] == r["Source IP"] and got["dst_addr"] == r["Destination IP"]
        assert got["dst_port"] == int(r["Destination Port"]) and got["protocol"] == int(r["Protocol"])
        assert got["bytes"] == int(r["Total Length of Fwd Packets"]) + int(r["Total Length of Bwd Packets"])
        assert got["packets"] == int(r["Total Fwd Packets"]) + int(r["Total Backward Packets"])
        assert got["duration_s"] == pytest.approx(int(r["Flow Duration"]) / 1e6)
        expected_ts = datetime.strptime(r["Timestamp"], "%d/%m/%Y %H:%M:%S").replace(tzinfo=UTC)
        assert got["timestamp"] == pd.Timestamp(expected_ts)
        assert got["is_attack"] == (r["Label"] != "BENIGN")
        assert got["label"] == ("benign" if r["Label"] == "BENIGN" else r["Label"])
    # day/month/year, as CIC-IDS2017 writes it: the sample's 5/7/2017 is Wednesday 5 July
    assert df["timestamp"].min().month == 7 and df["timestamp"].min().day == 5


def test_cic2017_short_timestamps_cp1252_labels_blank_rows_and_pm_hours(tmp_path):
    header = (
        "Flow ID, Source IP, Source Port, Destination IP, Destination Port, Protocol, Timestamp, Flow Duration,"
        " Total Fwd Packets, Total Backward Packets,Total Length of Fwd Packets, Total Length of Bwd Packets,"
        " Label"
    )
    body = (
        b"192.168.10.5-104.16.207.165-54865-443-6,192.168.10.5,54865,104.16.207.165,443,6,3/7/2017 8:55,"
        b"3,2,0,12,0,BENIGN\n"
        b"172.16.0.1-192.168.10.50-1-80-6,172.16.0.1,1,192.168.10.50,80,6,7/7/2017 3:30,-5,3,1,20,0,"
        b"Web Attack \x96 Brute Force\n"
        b",,,,,,,,,,,,\n"
    )
    path = tmp_path / "cic.csv"
    path.write_bytes(header.encode() + b"\n" + body)
    table, stats = read_flows(path, "cic-ids2017")
    df = table.to_pandas()
    assert len(df) == 2 and stats.dropped["blank row"] == 1  # the blank row is dropped and counted
    # day/month/year, and the 12-hour clock rule: 3:30 without AM/PM on a capture day is 15:30
    assert df["timestamp"].tolist() == [
        pd.Timestamp("2017-07-03 08:55", tz="UTC"),
        pd.Timestamp("2017-07-07 15:30", tz="UTC"),
    ]
    assert any("1 timestamps written with hours 1-7" in n for n in stats.notes)
    assert df["label"].tolist() == ["benign", "Web Attack \u2013 Brute Force"]
    assert df["duration_s"].tolist() == [3e-6, 0.0]  # negative durations clip to 0
    assert df["bytes"].tolist() == [12, 20] and df["packets"].tolist() == [2, 4]
    as_written = read_trace(path, "cic-ids2017", pm_before_hour=0)
    assert as_written["timestamp"].tolist() == [
        pd.Timestamp("2017-07-03 08:55", tz="UTC"),
        pd.Timestamp("2017-07-07 03:30", tz="UTC"),
    ]
    month_first = read_flows(path, "cic-ids2017", dayfirst=False, pm_before_hour=0)
    assert month_first[0].column("timestamp")[0].as_py().month == 3
    assert any("fall outside CIC-IDS2017's capture days" in n for n in month_first[1].notes)


def test_cic2017_machine_learning_csv_has_no_addresses_timestamps_or_protocol():
    df = read_trace(CIC17_ML, "cic-ids2017")
    raw = _rows(CIC17_ML)
    _check_schema(df)
    assert len(df) == len(raw)
    assert df["timestamp"].isna().all() and df["src_addr"].isna().all() and df["dst_addr"].isna().all()
    assert (df["protocol"] == 255).all()
    assert df["dst_port"].tolist() == [int(r["Destination Port"]) for r in raw]
    assert df["bytes"].tolist() == [
        int(r["Total Length of Fwd Packets"]) + int(r["Total Length of Bwd Packets"]) for r in raw
    ]


def test_cic2018_day_first_and_repeated_header_row():
    df = read_trace(CIC18, "cic-ids2018")
    raw = [r for r in _rows(CIC18) if r["Label"] != "Label"]
    _check_schema(df)
    assert len(df) == len(raw)  # the header repeated mid-file is dropped
    assert df["timestamp"].iloc[0] == pd.Timestamp(
        datetime.strptime(raw[0]["Timestamp"], "%d/%m/%Y %H:%M:%S"), tz="UTC"
    )
    assert df["timestamp"].iloc[0].month == 3  # 02/03/2018 is 2 March
    assert set(df["label"]) == {"benign", "DDoS attacks-LOIC-HTTP", "Infilteration", "SSH-Bruteforce"}
    assert df["packets"].tolist() == [int(r["Tot Fwd Pkts"]) + int(r["Tot Bwd Pkts"]) for r in raw]
    assert df["dst_port"].tolist() == [int(r["Dst Port"]) for r in raw]


def test_unsw_raw_headerless_with_features_list():
    df = read_trace(UNSW, "unsw-nb15", features_path=UNSW_FEATURES)
    same = read_trace(UNSW, "unsw-nb15")  # the built-in names follow the published order
    pd.testing.assert_frame_equal(df, same)
    names = [r["Name"].strip() for r in _rows(UNSW_FEATURES)]
    with open(UNSW, newline="") as fh:
        raw = [dict(zip(names, r, strict=True)) for r in csv.reader(fh)]
    _check_schema(df)
    assert len(df) == len(raw) == 300
    for i, r in enumerate(raw):
        got = df.iloc[i]
        assert got["src_addr"] == r["srcip"] and got["dst_addr"] == r["dstip"]
        assert got["bytes"] == int(r["sbytes"]) + int(r["dbytes"])
        assert got["packets"] == int(r["Spkts"]) + int(r["Dpkts"])
        assert got["protocol"] == {"tcp": 6, "udp": 17, "ospf": 89}.get(r["proto"], 255)
        assert got["timestamp"] == pd.Timestamp(int(r["Stime"]), unit="s", tz="UTC")
        port = r["dsport"]
        assert got["dst_port"] == (-1 if port == "-" else int(port, 16) if port.startswith("0x") else int(port))
        category = {"Backdoors": "Backdoor"}.get(r["attack_cat"].strip(), r["attack_cat"].strip())
        assert got["is_attack"] == (r["Label"] == "1")
        assert got["label"] == (category if r["Label"] == "1" else "benign")
    assert {"Fuzzers", "Reconnaissance", "Backdoor"} <= set(df["attack_category"].dropna())
    assert any(r["attack_cat"].startswith(" ") for r in raw)  # the sample has the stray spaces


def test_unsw_train_test_split_layout():
    df = read_trace(UNSW_SPLIT, "unsw-nb15")
    raw = _rows(UNSW_SPLIT)
    _check_schema(df)
    assert len(df) == len(raw)
    assert df["timestamp"].isna().all() and df["dst_addr"].isna().all() and (df["dst_port"] == -1).all()
    assert df["label"].tolist() == [
        "benign" if r["attack_cat"] == "Normal" else {"Backdoors": "Backdoor"}.get(r["attack_cat"], r["attack_cat"])
        for r in raw
    ]
    assert df["duration_s"].tolist() == pytest.approx([float(r["dur"]) for r in raw])


def test_zeek_conn_log_with_side_labels():
    df = read_trace(ZEEK, "zeek-conn", labels_path=ZEEK_LABELS)
    raw = _rows_zeek()
    labels = {r["uid"]: r for r in _rows(ZEEK_LABELS)}
    _check_schema(df)
    assert len(df) == len(raw)  # #close and the header lines are skipped
    for i, r in enumerate(raw):
        got = df.iloc[i]
        unset = lambda v: 0 if v == "-" else float(v)  # noqa: E731
        assert got["bytes"] == unset(r["orig_bytes"]) + unset(r["resp_bytes"])
        assert got["packets"] == int(r["orig_pkts"]) + int(r["resp_pkts"])
        assert got["duration_s"] == pytest.approx(unset(r["duration"]))
        assert got["timestamp"] == pd.Timestamp(round(float(r["ts"]) * 1e6) * 1000, unit="ns", tz="UTC")
        assert got["dst_addr"] == r["id.resp_h"] and got["dst_port"] == int(r["id.resp_p"])
        assert got["protocol"] == {"tcp": 6, "udp": 17, "icmp": 1}[r["proto"]]
        assert got["is_attack"] == (r["uid"] in labels)
        if r["uid"] in labels:
            assert got["attack_category"] == labels[r["uid"]]["attack_category"]
    assert (df["duration_s"] == 0).any()  # '-' durations of unanswered connections
    assert "fe80::1" in set(df["dst_addr"])  # IPv6 kept as text


def _rows_zeek() -> list[dict[str, str]]:
    lines = ZEEK.read_text().splitlines()
    fields = next(line for line in lines if line.startswith("#fields")).split("\t")[1:]
    return [dict(zip(fields, line.split("\t"), strict=True)) for line in lines if not line.startswith("#")]


def test_zeek_without_labels_is_unlabelled_and_with_a_label_column(tmp_path):
    df = read_trace(ZEEK, "zeek-conn")
    assert (df["label"] == "unlabelled").all() and not df["is_attack"].any()
    lines = ZEEK.read_text().splitlines()
    out = []
    for line in lines:
        if line.startswith("#fields") or line.startswith("#types"):
            line += "\tlabel\tdetailed-label"
        elif not line.startswith("#"):
            line += "\tMalicious\tC&C" if line.split("\t")[5] == "23" else "\tBenign\t-"
        out.append(line)
    path = tmp_path / "conn.log"
    path.write_text("\n".join(out) + "\n")
    labelled = read_trace(path, "zeek-conn", label_column="label", category_column="detailed-label")
    assert (labelled["is_attack"] == (labelled["dst_port"] == 23)).all()
    assert set(labelled["attack_category"].dropna()) == {"C&C"}


def test_table_csv_and_parquet_with_a_column_mapping(tmp_path):
    df = read_trace(TABLE, "table", columns=TABLE_COLUMNS, duration_unit="ms")
    raw = _rows(TABLE)
    _check_schema(df)
    assert df["duration_s"].tolist() == pytest.approx([int(r["duration_ms"]) / 1000 for r in raw])
    assert df["is_attack"].tolist() == [r["verdict"] == "scan" for r in raw]
    assert (df["protocol"] == 6).all()  # 'tcp' by name
    frame = pd.read_csv(TABLE)
    frame["start_time"] = pd.to_datetime(frame["start_time"]).dt.tz_localize("UTC")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "flows.parquet")
    from_parquet = read_trace(tmp_path / "flows.parquet", "table", columns=TABLE_COLUMNS, duration_unit="ms")
    pd.testing.assert_frame_equal(from_parquet, df)


# --------------------------------------------------------------------------------------------
# chunked reading
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path,fmt,options",
    [
        (CIC17, "cic-ids2017", {}),
        (UNSW, "unsw-nb15", {}),
        (ZEEK, "zeek-conn", {"labels_path": ZEEK_LABELS}),
        (CIC18, "cic-ids2018", {}),
    ],
)
def test_chunked_reading_gives_the_same_frame(path, fmt, options):
    batches = list(iter_trace(path, fmt, block_size=16384, **options))
    assert len(batches) >= 3
    assert all(b.schema == FLOW_SCHEMA for b in batches)
    chunked = pa.Table.from_batches(batches).to_pandas()
    pd.testing.assert_frame_equal(chunked, read_trace(path, fmt, **options))


# --------------------------------------------------------------------------------------------
# bad input: a clear error before anything is read
# --------------------------------------------------------------------------------------------


def test_missing_path():
    with pytest.raises(TraceFileNotFound, match=r"trace_path='/nope/flows.csv' does not exist"):
        iter_trace("/nope/flows.csv", "cic-ids2017")


def test_unknown_format_lists_the_allowed():
    with pytest.raises(
        ValueError, match=r"trace_format='netflow' is not allowed; choose one of 'cic-ids2017'.*'table'"
    ):
        iter_trace(CIC17, "netflow")


def test_unknown_option():
    with pytest.raises(ValueError, match=r"unknown option 'colums' for format 'cic-ids2017'; known: "):
        iter_trace(CIC17, "cic-ids2017", colums={})


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(TraceError, match="is empty"):
        read_trace(empty, "cic-ids2017")
    header_only = tmp_path / "header.csv"
    header_only.write_text(CIC17.read_text().splitlines()[0] + "\n")
    with pytest.raises(TraceError, match="has no flow records"):
        read_trace(header_only, "cic-ids2017")


def test_missing_column_is_named_with_the_columns_found(tmp_path):
    path = tmp_path / "cic.csv"
    lines = CIC17.read_text().splitlines()[:5]
    lines = [line.replace(" Flow Duration", " Flow Time", 1) for line in lines]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        TraceError,
        match=r"column\(s\) 'Flow Duration' required by format 'cic-ids2017' not found; "
        r"columns found: 'Flow ID', 'Source IP'.*'Flow Time'",
    ):
        iter_trace(path, "cic-ids2017")  # raised before any row is read
    with pytest.raises(
        TraceError,
        match=r"column\(s\) 'octets_total' required by format 'table' not found; "
        r"columns found: 'start_time', 'source'",
    ):
        iter_trace(TABLE, "table", columns=dict(TABLE_COLUMNS, bytes="octets_total"))


def test_missing_zeek_field_and_table_mapping(tmp_path):
    with pytest.raises(TraceError, match=r"'label' .* not found; columns found: 'ts', 'uid'"):
        iter_trace(ZEEK, "zeek-conn", label_column="label")
    with pytest.raises(TraceError, match="columns mapping lacks 'packets'"):
        iter_trace(TABLE, "table", columns={"bytes": "octets", "duration_s": "duration_ms"})
    with pytest.raises(ValueError, match=r"unknown schema column 'octets'"):
        iter_trace(TABLE, "table", columns={"octets": "octets"})


def test_unparsable_timestamp_names_its_row(tmp_path):
    lines = CIC17.read_text().splitlines()[:40]
    lines[27] = lines[27].replace("5/7/2017", "2017-13-45")
    path = tmp_path / "cic.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        TraceError,
        match=r"column 'Timestamp', row 27 \(line 28\): timestamp '2017-13-45 9:\d\d:\d\d' "
        r"is not parsable; .*; the line: '.*,2017-13-45 9:\d\d:\d\d,.*'",
    ):
        read_trace(path, "cic-ids2017")


def test_non_number_names_its_row(tmp_path):
    raw = UNSW.read_text().splitlines()[:10]
    fields = raw[4].split(",")
    fields[7] = "lots"  # sbytes
    raw[4] = ",".join(fields)
    path = tmp_path / "unsw.csv"
    path.write_text("\n".join(raw) + "\n")
    with pytest.raises(
        TraceError, match=r"column 'sbytes', row 5 \(line 5\): value 'lots' is not a number; the line: '.*,lots,"
    ):
        read_trace(path, "unsw-nb15")


def test_table_reads_the_same_through_read_trace_table():
    table = read_trace_table(TABLE, "table", columns=TABLE_COLUMNS)
    assert table.schema == FLOW_SCHEMA and table.num_rows == len(_rows(TABLE))


def test_cic2018_file_with_addresses(tmp_path):
    # the CSE-CIC-IDS2018 Tuesday-20-02 layout: Flow ID, Src IP, Src Port, Dst IP, Dst Port, ... (2018 names)
    path = tmp_path / "cic2018.csv"
    path.write_text(
        "Flow ID,Src IP,Src Port,Dst IP,Dst Port,Protocol,Timestamp,Flow Duration,Tot Fwd Pkts,"
        "Tot Bwd Pkts,TotLen Fwd Pkts,TotLen Bwd Pkts,Label\n"
        "172.31.69.25-18.219.211.138-80-53812-6,18.219.211.138,53812,172.31.69.25,80,6,"
        "20/02/2018 10:12:14,2500000,4,3,311,935,DDoS attacks-LOIC-HTTP\n"
    )
    row = read_trace(path, "cic-ids2018").iloc[0]
    assert (row["src_addr"], row["dst_addr"], row["dst_port"]) == ("18.219.211.138", "172.31.69.25", 80)
    assert row["timestamp"] == pd.Timestamp("2018-02-20 10:12:14", tz="UTC")
    assert (row["bytes"], row["packets"], row["duration_s"]) == (1246, 7, 2.5)
    assert row["attack_category"] == "DDoS attacks-LOIC-HTTP" and row["is_attack"]


def test_malformed_row_is_a_trace_error(tmp_path):
    lines = CIC17.read_text().splitlines()[:20]
    lines[12] = lines[12].rsplit(",", 3)[0]  # three fields short
    path = tmp_path / "cic.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(TraceError, match=r"cic.csv: line 13 has 82 fields, expected 85 .*; the line: '192\."):
        read_trace(path, "cic-ids2017")
