"""Write small FORMAT SAMPLES of each supported flow-record layout into ``data/samples/``.

These files are SYNTHETIC: they copy the published layouts exactly (header spellings with their
stray spaces, column order, label values, Zeek's ``-`` for unset fields) so that the readers can be
tested on them, but every value is drawn here from a seeded generator. They are NOT real traffic
and say nothing about the datasets they imitate.

Usage: ``python scripts/make_sample_traces.py [--out data/samples] [--seed 2017]``.
Same seed -> byte-identical files (a test checks the committed files against a fresh run).
"""

# ruff: noqa: E501  (published header strings and feature descriptions are kept whole)
from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

SEED = 2017
OUT = Path(__file__).resolve().parents[1] / "data" / "samples"

# CIC-IDS2017 "GeneratedLabelledFlows" header, stray spaces as shipped (85 columns; note the
# duplicated " Fwd Header Length").
CIC2017_HEADER = (
    "Flow ID, Source IP, Source Port, Destination IP, Destination Port, Protocol, Timestamp, Flow Duration,"
    " Total Fwd Packets, Total Backward Packets,Total Length of Fwd Packets, Total Length of Bwd Packets,"
    " Fwd Packet Length Max, Fwd Packet Length Min, Fwd Packet Length Mean, Fwd Packet Length Std,"
    "Bwd Packet Length Max, Bwd Packet Length Min, Bwd Packet Length Mean, Bwd Packet Length Std,"
    "Flow Bytes/s, Flow Packets/s, Flow IAT Mean, Flow IAT Std, Flow IAT Max, Flow IAT Min,"
    "Fwd IAT Total, Fwd IAT Mean, Fwd IAT Std, Fwd IAT Max, Fwd IAT Min,"
    "Bwd IAT Total, Bwd IAT Mean, Bwd IAT Std, Bwd IAT Max, Bwd IAT Min,"
    "Fwd PSH Flags, Bwd PSH Flags, Fwd URG Flags, Bwd URG Flags, Fwd Header Length, Bwd Header Length,"
    "Fwd Packets/s, Bwd Packets/s, Min Packet Length, Max Packet Length, Packet Length Mean,"
    " Packet Length Std, Packet Length Variance,FIN Flag Count, SYN Flag Count, RST Flag Count,"
    " PSH Flag Count, ACK Flag Count, URG Flag Count, CWE Flag Count, ECE Flag Count, Down/Up Ratio,"
    " Average Packet Size, Avg Fwd Segment Size, Avg Bwd Segment Size, Fwd Header Length,"
    "Fwd Avg Bytes/Bulk, Fwd Avg Packets/Bulk, Fwd Avg Bulk Rate, Bwd Avg Bytes/Bulk,"
    " Bwd Avg Packets/Bulk,Bwd Avg Bulk Rate,Subflow Fwd Packets, Subflow Fwd Bytes, Subflow Bwd Packets,"
    " Subflow Bwd Bytes,Init_Win_bytes_forward, Init_Win_bytes_backward, act_data_pkt_fwd,"
    " min_seg_size_forward,Active Mean, Active Std, Active Max, Active Min,Idle Mean, Idle Std, Idle Max,"
    " Idle Min, Label"
)
# The "MachineLearningCVE" files: Destination Port, then Flow Duration onwards (79 columns).
CIC2017_ML_HEADER = " Destination Port," + CIC2017_HEADER.split(" Timestamp,", 1)[1]
# CSE-CIC-IDS2018 "TrafficForML" files (80 columns, no addresses).
CIC2018_HEADER = (
    "Dst Port,Protocol,Timestamp,Flow Duration,Tot Fwd Pkts,Tot Bwd Pkts,TotLen Fwd Pkts,TotLen Bwd Pkts,"
    "Fwd Pkt Len Max,Fwd Pkt Len Min,Fwd Pkt Len Mean,Fwd Pkt Len Std,Bwd Pkt Len Max,Bwd Pkt Len Min,"
    "Bwd Pkt Len Mean,Bwd Pkt Len Std,Flow Byts/s,Flow Pkts/s,Flow IAT Mean,Flow IAT Std,Flow IAT Max,"
    "Flow IAT Min,Fwd IAT Tot,Fwd IAT Mean,Fwd IAT Std,Fwd IAT Max,Fwd IAT Min,Bwd IAT Tot,Bwd IAT Mean,"
    "Bwd IAT Std,Bwd IAT Max,Bwd IAT Min,Fwd PSH Flags,Bwd PSH Flags,Fwd URG Flags,Bwd URG Flags,Fwd Header Len,"
    "Bwd Header Len,Fwd Pkts/s,Bwd Pkts/s,Pkt Len Min,Pkt Len Max,Pkt Len Mean,Pkt Len Std,Pkt Len Var,"
    "FIN Flag Cnt,SYN Flag Cnt,RST Flag Cnt,PSH Flag Cnt,ACK Flag Cnt,URG Flag Cnt,CWE Flag Count,ECE Flag Cnt,"
    "Down/Up Ratio,Pkt Size Avg,Fwd Seg Size Avg,Bwd Seg Size Avg,Fwd Byts/b Avg,Fwd Pkts/b Avg,"
    "Fwd Blk Rate Avg,Bwd Byts/b Avg,Bwd Pkts/b Avg,Bwd Blk Rate Avg,Subflow Fwd Pkts,Subflow Fwd Byts,"
    "Subflow Bwd Pkts,Subflow Bwd Byts,Init Fwd Win Byts,Init Bwd Win Byts,Fwd Act Data Pkts,Fwd Seg Size Min,"
    "Active Mean,Active Std,Active Max,Active Min,Idle Mean,Idle Std,Idle Max,Idle Min,Label"
)
UNSW_FEATURES = (
    ("srcip", "nominal", "Source IP address"),
    ("sport", "integer", "Source port number"),
    ("dstip", "nominal", "Destination IP address"),
    ("dsport", "integer", "Destination port number"),
    ("proto", "nominal", "Transaction protocol"),
    ("state", "nominal", "Indicates to the state and its dependent protocol"),
    ("dur", "Float", "Record total duration"),
    ("sbytes", "Integer", "Source to destination transaction bytes"),
    ("dbytes", "Integer", "Destination to source transaction bytes"),
    ("sttl", "Integer", "Source to destination time to live value"),
    ("dttl", "Integer", "Destination to source time to live value"),
    ("sloss", "Integer", "Source packets retransmitted or dropped"),
    ("dloss", "Integer", "Destination packets retransmitted or dropped"),
    ("service", "nominal", "http, ftp, smtp, ssh, dns, ftp-data ,irc  and (-) if not much used service"),
    ("Sload", "Float", "Source bits per second"),
    ("Dload", "Float", "Destination bits per second"),
    ("Spkts", "integer", "Source to destination packet count"),
    ("Dpkts", "integer", "Destination to source packet count"),
    ("swin", "integer", "Source TCP window advertisement value"),
    ("dwin", "integer", "Destination TCP window advertisement value"),
    ("stcpb", "integer", "Source TCP base sequence number"),
    ("dtcpb", "integer", "Destination TCP base sequence number"),
    ("smeansz", "integer", "Mean of the ?ow packet size transmitted by the src"),
    ("dmeansz", "integer", "Mean of the ?ow packet size transmitted by the dst"),
    (
        "trans_depth",
        "integer",
        "Represents the pipelined depth into the connection of http request/response transaction",
    ),
    (
        "res_bdy_len",
        "integer",
        "Actual uncompressed content size of the data transferred from the server's http service.",
    ),
    ("Sjit", "Float", "Source jitter (mSec)"),
    ("Djit", "Float", "Destination jitter (mSec)"),
    ("Stime", "Timestamp", "record start time"),
    ("Ltime", "Timestamp", "record last time"),
    ("Sintpkt", "Float", "Source interpacket arrival time (mSec)"),
    ("Dintpkt", "Float", "Destination interpacket arrival time (mSec)"),
    ("tcprtt", "Float", "TCP connection setup round-trip time, the sum of 'synack' and 'ackdat'."),
    ("synack", "Float", "TCP connection setup time, the time between the SYN and the SYN_ACK packets."),
    ("ackdat", "Float", "TCP connection setup time, the time between the SYN_ACK and the ACK packets."),
    (
        "is_sm_ips_ports",
        "Binary",
        "If source (1) and destination (3)IP addresses equal and port numbers (2)(4)  equal then, this variable takes value 1 else 0",
    ),
    (
        "ct_state_ttl",
        "Integer",
        "No. for each state (6) according to specific range of values for source/destination time to live (10) (11).",
    ),
    ("ct_flw_http_mthd", "Integer", "No. of flows that has methods such as Get and Post in http service."),
    ("is_ftp_login", "Binary", "If the ftp session is accessed by user and password then 1 else 0. "),
    ("ct_ftp_cmd", "integer", "No of flows that has a command in ftp session."),
    (
        "ct_srv_src",
        "integer",
        "No. of connections that contain the same service (14) and source address (1) in 100 connections according to the last time (26).",
    ),
    (
        "ct_srv_dst",
        "integer",
        "No. of connections that contain the same service (14) and destination address (3) in 100 connections according to the last time (26).",
    ),
    (
        "ct_dst_ltm",
        "integer",
        "No. of connections of the same destination address (3) in 100 connections according to the last time (26).",
    ),
    (
        "ct_src_ ltm",
        "integer",
        "No. of connections of the same source address (1) in 100 connections according to the last time (26).",
    ),
    (
        "ct_src_dport_ltm",
        "integer",
        "No of connections of the same source address (1) and the destination port (4) in 100 connections according to the last time (26).",
    ),
    (
        "ct_dst_sport_ltm",
        "integer",
        "No of connections of the same destination address (3) and the source port (2) in 100 connections according to the last time (26).",
    ),
    (
        "ct_dst_src_ltm",
        "integer",
        "No of connections of the same source (1) and the destination (3) address in in 100 connections according to the last time (26).",
    ),
    (
        "attack_cat",
        "nominal",
        "The name of each attack category. In this data set , nine categories e.g. Fuzzers, Analysis, Backdoors, DoS Exploits, Generic, Reconnaissance, Shellcode and Worms",
    ),
    ("Label", "binary", "0 for normal and 1 for attack records"),
)
UNSW_SPLIT_HEADER = (
    "id,dur,proto,service,state,spkts,dpkts,sbytes,dbytes,rate,sttl,dttl,sload,dload,sloss,dloss,sinpkt,dinpkt,"
    "sjit,djit,swin,stcpb,dtcpb,dwin,tcprtt,synack,ackdat,smean,dmean,trans_depth,response_body_len,ct_srv_src,"
    "ct_state_ttl,ct_dst_ltm,ct_src_dport_ltm,ct_dst_sport_ltm,ct_dst_src_ltm,is_ftp_login,ct_ftp_cmd,"
    "ct_flw_http_mthd,ct_src_ltm,ct_srv_dst,is_sm_ips_ports,attack_cat,label"
)
ZEEK_FIELDS = (
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "service",
    "duration",
    "orig_bytes",
    "resp_bytes",
    "conn_state",
    "local_orig",
    "local_resp",
    "missed_bytes",
    "history",
    "orig_pkts",
    "orig_ip_bytes",
    "resp_pkts",
    "resp_ip_bytes",
    "tunnel_parents",
)
ZEEK_TYPES = (
    "time",
    "string",
    "addr",
    "port",
    "addr",
    "port",
    "enum",
    "string",
    "interval",
    "count",
    "count",
    "string",
    "bool",
    "bool",
    "count",
    "string",
    "count",
    "count",
    "count",
    "count",
    "set[string]",
)

# replay demo: 32 destination hosts, 50 one-minute steps, 3 attack categories
STEP_SECONDS, N_STEPS = 60, 50
START_2017 = datetime(2017, 7, 5, 9, 0, 0)  # a Wednesday; written day/month/year as in CIC-IDS2017


def _num(x: float) -> str:
    """CICFlowMeter-like float text: integers as ``12.0``, others with up to 6 decimals."""
    if not np.isfinite(x):
        return "Infinity" if x > 0 else "NaN"
    return f"{round(float(x), 6)!r}"


# --------------------------------------------------------------------------------------------
# CIC flows (shared by the 2017, 2017-ML and 2018 samples)
# --------------------------------------------------------------------------------------------


def _benign(rng: np.random.Generator, n: int, port: np.ndarray) -> dict[str, np.ndarray]:
    """Benign flows per destination service: web, DNS, SSH, SMB/other."""
    web, dns, ssh = np.isin(port, (80, 443, 8080)), port == 53, port == 22
    fwd = np.where(dns, 1, np.maximum(1, np.rint(rng.lognormal(np.log(np.where(ssh, 25, 8)), 0.6, n))))
    bwd = np.where(dns, 1, np.maximum(0, np.rint(fwd * rng.lognormal(np.log(np.where(web, 1.3, 1.0)), 0.3, n))))
    fwd_len = fwd * np.where(dns, rng.uniform(30, 60, n), rng.lognormal(np.log(np.where(ssh, 90, 140)), 0.5, n))
    bwd_len = bwd * np.where(dns, rng.uniform(60, 250, n), rng.lognormal(np.log(np.where(web, 900, 300)), 0.6, n))
    dur = np.where(dns, rng.lognormal(np.log(3e4), 0.8, n), rng.lognormal(np.log(np.where(ssh, 3e7, 2e6)), 1.2, n))
    return dict(fwd=fwd, bwd=bwd, fwd_len=np.rint(fwd_len), bwd_len=np.rint(bwd_len), dur=np.rint(dur))


def _attack(rng: np.random.Generator, kind: str, n: int) -> dict[str, np.ndarray]:
    """Attack flows that overlap benign ranges on some features but not all."""
    if kind == "DDoS":  # LOIC HTTP flood: few small requests, replies of varying size
        fwd = rng.integers(2, 7, n).astype(float)
        bwd = rng.integers(1, 6, n).astype(float)
        fwd_len = np.rint(fwd * rng.uniform(0, 40, n))
        bwd_len = np.rint(bwd * rng.lognormal(np.log(1200), 0.8, n))
        dur = np.rint(rng.lognormal(np.log(1.5e6), 1.0, n))
    elif kind == "PortScan":  # one probe, a reset back
        fwd = np.ones(n)
        bwd = rng.integers(0, 2, n).astype(float)
        fwd_len = np.where(rng.random(n) < 0.8, 0.0, 6.0)
        bwd_len = np.where(bwd > 0, 6.0, 0.0) * (rng.random(n) < 0.5)
        dur = np.rint(rng.lognormal(np.log(60), 0.7, n))
    else:  # SSH-Patator: a login attempt per flow
        fwd = rng.integers(14, 26, n).astype(float)
        bwd = rng.integers(20, 34, n).astype(float)
        fwd_len = np.rint(fwd * rng.normal(95, 10, n))
        bwd_len = np.rint(bwd * rng.normal(110, 12, n))
        dur = np.rint(rng.lognormal(np.log(5e6), 0.4, n))
    return dict(fwd=fwd, bwd=bwd, fwd_len=fwd_len, bwd_len=bwd_len, dur=dur)


def cic_flows(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The replay demo's flows, sorted by time: 32 hosts, 50 steps, DDoS / PortScan / SSH-Patator."""
    n_hosts = 32
    internal = [f"192.168.10.{h}" for h in (50, 51, 3, 5, 8, 9, 12, 14, 15, 16, 17, 19, 25, 40, 41, 42, 43, 44)]
    external = [
        "172.217.10.46",
        "172.217.12.174",
        "8.8.8.8",
        "23.15.4.25",
        "104.16.207.165",
        "91.189.88.152",
        "52.84.145.27",
        "31.13.71.36",
        "13.107.4.50",
        "151.101.1.69",
        "192.30.253.113",
        "185.199.108.153",
        "69.171.250.35",
        "216.58.219.206",
    ]
    hosts = np.array(internal + external)
    assert len(hosts) == n_hosts
    host_port = np.array(
        [
            80,
            80,
            53,
            445,
            22,
            22,
            139,
            443,
            22,
            80,
            445,
            8080,
            22,
            443,
            443,
            80,
            139,
            445,
            443,
            443,
            53,
            443,
            443,
            80,
            443,
            443,
            443,
            443,
            443,
            443,
            443,
            443,
        ]
    )
    weight = 1.0 / np.arange(1, n_hosts + 1) ** 0.7
    weight /= weight.sum()
    n_benign = 2600
    b_host = rng.choice(n_hosts, n_benign, p=weight)
    b_step = rng.integers(0, N_STEPS, n_benign)
    rows = [
        dict(
            host=b_host,
            step=b_step,
            port=host_port[b_host],
            src=np.array([f"192.168.10.{x}" for x in rng.integers(2, 255, n_benign)]),
            label=np.full(n_benign, "BENIGN"),
            **_benign(rng, n_benign, host_port[b_host]),
        )
    ]
    # attacks: (label, start step, first targets, hosts added per step, max hosts, flows per host per step)
    web_hosts = np.flatnonzero(np.isin(host_port, (80, 443, 8080)))
    ssh_hosts = np.flatnonzero(host_port == 22)
    plans = (
        ("DDoS", 15, web_hosts[:12], 1 / 3, 3),
        ("PortScan", 22, rng.permutation(n_hosts)[:22], 1.0, 1),
        ("SSH-Patator", 30, ssh_hosts, 1 / 4, 2),
    )
    for label, start, targets, rate, per_host in plans:
        for step in range(start, N_STEPS):
            k = min(len(targets), 1 + int((step - start) * rate))
            host = np.repeat(targets[:k], per_host)
            n = host.size
            port = host_port[host] if label != "PortScan" else rng.integers(1, 65536, n)
            rows.append(
                dict(
                    host=host,
                    step=np.full(n, step),
                    port=port,
                    src=np.full(n, "172.16.0.1"),
                    label=np.full(n, label),
                    **_attack(rng, label, n),
                )
            )
    flows = {k: np.concatenate([r[k] for r in rows]) for k in rows[0]}
    n = flows["host"].size
    flows["offset_s"] = flows["step"] * STEP_SECONDS + rng.integers(0, STEP_SECONDS, n)
    order = np.lexsort((np.arange(n), flows["offset_s"]))
    flows = {k: v[order] for k, v in flows.items()}
    flows["dst"] = hosts[flows["host"]]
    flows["proto"] = np.where(flows["port"] == 53, 17, 6)
    flows["sport"] = rng.integers(1024, 65536, n)
    return flows


def _cic_values(flows: dict[str, np.ndarray], i: int) -> dict[str, str]:
    """Every CIC feature of flow ``i`` (stripped 2017 names), derived consistently from the core ones."""
    fwd, bwd, fl, bl, dur = (float(flows[k][i]) for k in ("fwd", "bwd", "fwd_len", "bwd_len", "dur"))
    pk = fwd + bwd
    fmean, bmean = fl / fwd if fwd else 0.0, bl / bwd if bwd else 0.0
    iat = dur / max(pk - 1, 1)
    v = {
        "Flow Duration": str(int(dur)),
        "Total Fwd Packets": str(int(fwd)),
        "Total Backward Packets": str(int(bwd)),
        "Total Length of Fwd Packets": str(int(fl)),
        "Total Length of Bwd Packets": str(int(bl)),
        "Fwd Packet Length Max": str(int(fmean * 1.5)),
        "Fwd Packet Length Min": str(int(fmean * 0.3)),
        "Fwd Packet Length Mean": _num(fmean),
        "Fwd Packet Length Std": _num(fmean * 0.4),
        "Bwd Packet Length Max": str(int(bmean * 1.5)),
        "Bwd Packet Length Min": str(int(bmean * 0.3)),
        "Bwd Packet Length Mean": _num(bmean),
        "Bwd Packet Length Std": _num(bmean * 0.4),
        "Flow Bytes/s": _num((fl + bl) / dur * 1e6 if dur else (np.nan if fl + bl == 0 else np.inf)),
        "Flow Packets/s": _num(pk / dur * 1e6 if dur else np.inf),
        "Flow IAT Mean": _num(iat),
        "Flow IAT Std": _num(iat * 0.5),
        "Flow IAT Max": str(int(iat * 2)),
        "Flow IAT Min": str(int(iat * 0.1)),
        "Fwd IAT Total": str(int(dur)),
        "Fwd IAT Mean": _num(dur / max(fwd, 1)),
        "Fwd Header Length": str(int(fwd * 32)),
        "Bwd Header Length": str(int(bwd * 32)),
        "Fwd Packets/s": _num(fwd / dur * 1e6 if dur else 0.0),
        "Bwd Packets/s": _num(bwd / dur * 1e6 if dur else 0.0),
        "Min Packet Length": str(int(min(fmean, bmean) * 0.3)),
        "Max Packet Length": str(int(max(fmean, bmean) * 1.5)),
        "Packet Length Mean": _num((fl + bl) / (pk + 1)),
        "Average Packet Size": _num((fl + bl) / pk),
        "Avg Fwd Segment Size": _num(fmean),
        "Avg Bwd Segment Size": _num(bmean),
        "ACK Flag Count": str(int(pk > 2)),
        "Down/Up Ratio": str(int(bwd // fwd)) if fwd else "0",
        "Subflow Fwd Packets": str(int(fwd)),
        "Subflow Fwd Bytes": str(int(fl)),
        "Subflow Bwd Packets": str(int(bwd)),
        "Subflow Bwd Bytes": str(int(bl)),
        "Init_Win_bytes_forward": "29200",
        "Init_Win_bytes_backward": "-1" if bwd == 0 else "28960",
        "act_data_pkt_fwd": str(int(fwd > 1)),
        "min_seg_size_forward": "32",
    }
    return v


def write_cic2017(path: Path, rng: np.random.Generator) -> None:
    flows = cic_flows(rng)
    header = CIC2017_HEADER.split(",")
    lines = [CIC2017_HEADER]
    for i in range(flows["host"].size):
        v = _cic_values(flows, i)
        src, dst, sport, port, proto = (flows[k][i] for k in ("src", "dst", "sport", "port", "proto"))
        ts = START_2017 + timedelta(seconds=int(flows["offset_s"][i]))
        v.update(
            {
                "Flow ID": f"{src}-{dst}-{sport}-{port}-{proto}",
                "Source IP": str(src),
                "Source Port": str(sport),
                "Destination IP": str(dst),
                "Destination Port": str(port),
                "Protocol": str(proto),
                "Timestamp": f"{ts.day}/{ts.month}/{ts.year} {ts.hour}:{ts.minute:02d}:{ts.second:02d}",
                "Label": str(flows["label"][i]),
            }
        )
        lines.append(",".join(v.get(h.strip(), "0") for h in header))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_cic2017_ml(path: Path, rng: np.random.Generator, n: int = 300) -> None:
    flows = cic_flows(rng)
    pick = np.sort(rng.choice(flows["host"].size, n, replace=False))
    header = CIC2017_ML_HEADER.split(",")
    lines = [CIC2017_ML_HEADER]
    for i in pick:
        v = _cic_values(flows, i)
        v.update({"Destination Port": str(flows["port"][i]), "Label": str(flows["label"][i])})
        lines.append(",".join(v.get(h.strip(), "0") for h in header))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


_CIC2018_NAMES = {  # 2018 abbreviation -> 2017 name used by _cic_values
    "Tot Fwd Pkts": "Total Fwd Packets",
    "Tot Bwd Pkts": "Total Backward Packets",
    "TotLen Fwd Pkts": "Total Length of Fwd Packets",
    "TotLen Bwd Pkts": "Total Length of Bwd Packets",
    "Fwd Pkt Len Max": "Fwd Packet Length Max",
    "Fwd Pkt Len Min": "Fwd Packet Length Min",
    "Fwd Pkt Len Mean": "Fwd Packet Length Mean",
    "Fwd Pkt Len Std": "Fwd Packet Length Std",
    "Bwd Pkt Len Max": "Bwd Packet Length Max",
    "Bwd Pkt Len Min": "Bwd Packet Length Min",
    "Bwd Pkt Len Mean": "Bwd Packet Length Mean",
    "Bwd Pkt Len Std": "Bwd Packet Length Std",
    "Flow Byts/s": "Flow Bytes/s",
    "Flow Pkts/s": "Flow Packets/s",
    "Fwd IAT Tot": "Fwd IAT Total",
    "Fwd Header Len": "Fwd Header Length",
    "Bwd Header Len": "Bwd Header Length",
    "Pkt Size Avg": "Average Packet Size",
    "Subflow Fwd Pkts": "Subflow Fwd Packets",
    "Subflow Fwd Byts": "Subflow Fwd Bytes",
    "Subflow Bwd Pkts": "Subflow Bwd Packets",
    "Subflow Bwd Byts": "Subflow Bwd Bytes",
    "Init Fwd Win Byts": "Init_Win_bytes_forward",
    "Init Bwd Win Byts": "Init_Win_bytes_backward",
}
_LABELS_2018 = {
    "BENIGN": "Benign",
    "DDoS": "DDoS attacks-LOIC-HTTP",
    "PortScan": "Infilteration",
    "SSH-Patator": "SSH-Bruteforce",
}


def write_cic2018(path: Path, rng: np.random.Generator, n: int = 300) -> None:
    """TrafficForML layout, day/month/year timestamps, one header row repeated mid-file as shipped."""
    flows = cic_flows(rng)
    pick = np.sort(rng.choice(flows["host"].size, n, replace=False))
    header = CIC2018_HEADER.split(",")
    start = datetime(2018, 3, 2, 8, 47, 38)  # written 02/03/2018: 2 March
    lines = [CIC2018_HEADER]
    for j, i in enumerate(pick):
        v = {k2: x for k2, x in ((k, _cic_values(flows, i).get(_CIC2018_NAMES.get(k, k))) for k in header) if x}
        ts = start + timedelta(seconds=int(flows["offset_s"][i]))
        v.update(
            {
                "Dst Port": str(flows["port"][i]),
                "Protocol": str(flows["proto"][i]),
                "Timestamp": ts.strftime("%d/%m/%Y %H:%M:%S"),
                "Label": _LABELS_2018[str(flows["label"][i])],
            }
        )
        lines.append(",".join(v.get(h, "0") for h in header))
        if j == n // 2:
            lines.append(CIC2018_HEADER)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# UNSW-NB15
# --------------------------------------------------------------------------------------------

_UNSW_ATTACKS = (
    "Generic",
    "Exploits",
    " Fuzzers",
    "DoS",
    " Reconnaissance ",
    "Analysis",
    "Backdoor",
    "Shellcode",
    "Worms",
    "Backdoors",
)


def _unsw_rows(rng: np.random.Generator, n: int) -> list[dict[str, str]]:
    rows = []
    t0 = 1421927414
    for _ in range(n):
        attack = rng.random() < 0.3
        proto = str(rng.choice(["tcp", "udp", "tcp", "tcp", "ospf", "unas"] if attack else ["tcp", "udp", "tcp"]))
        spkts, dpkts = int(rng.integers(1, 40)), int(rng.integers(0, 40))
        sbytes = spkts * int(rng.integers(60, 1200))
        dbytes = dpkts * int(rng.integers(60, 1400))
        dur = float(rng.lognormal(np.log(0.5), 1.5)) if spkts > 1 else 0.0
        stime = t0 + int(rng.integers(0, 3000))
        dsport = str(rng.choice([80, 53, 111, 21, 25, 6881, 5190]))
        if attack and rng.random() < 0.15:
            dsport = str(rng.choice(["0x000b", "0xc0a8", "-"]))
        cat = str(rng.choice(_UNSW_ATTACKS)) if attack else ""
        rows.append(
            {
                "srcip": f"175.45.176.{rng.integers(0, 4)}" if attack else f"59.166.0.{rng.integers(0, 10)}",
                "sport": str(rng.integers(1024, 65536)),
                "dstip": f"149.171.126.{rng.integers(0, 20)}",
                "dsport": dsport,
                "proto": proto,
                "state": str(rng.choice(["FIN", "CON", "INT", "REQ"])),
                "dur": _num(dur),
                "sbytes": str(sbytes),
                "dbytes": str(dbytes),
                "sttl": "254" if attack else "31",
                "dttl": "252" if attack else "29",
                "sloss": "0",
                "dloss": "0",
                "service": str(rng.choice(["-", "dns", "http", "ftp-data", "smtp"])),
                "Sload": _num(sbytes * 8 / dur if dur else 0.0),
                "Dload": _num(dbytes * 8 / dur if dur else 0.0),
                "Spkts": str(spkts),
                "Dpkts": str(dpkts),
                "swin": "255",
                "dwin": "255" if dpkts else "0",
                "stcpb": str(rng.integers(0, 2**32)),
                "dtcpb": str(rng.integers(0, 2**32)),
                "smeansz": str(sbytes // spkts),
                "dmeansz": str(dbytes // dpkts if dpkts else 0),
                "Stime": str(stime),
                "Ltime": str(stime + int(dur)),
                "Sintpkt": _num(dur * 1000 / spkts),
                "Dintpkt": _num(dur * 1000 / dpkts if dpkts else 0.0),
                "ct_srv_src": str(rng.integers(1, 30)),
                "ct_srv_dst": str(rng.integers(1, 30)),
                "ct_dst_ltm": str(rng.integers(1, 20)),
                "ct_src_ ltm": str(rng.integers(1, 20)),
                "ct_flw_http_mthd": "" if rng.random() < 0.3 else "0",
                "ct_ftp_cmd": "" if rng.random() < 0.3 else "0",
                "attack_cat": cat,
                "Label": "1" if attack else "0",
            }
        )
    return rows


def write_unsw(raw_path: Path, features_path: Path, split_path: Path, rng: np.random.Generator) -> None:
    names = [f[0] for f in UNSW_FEATURES]
    lines = [",".join(r.get(name, "0") for name in names) for r in _unsw_rows(rng, 300)]
    raw_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    feat = ["No.,Name,Type ,Description"] + [f'{i},{n},{t},"{d}"' for i, (n, t, d) in enumerate(UNSW_FEATURES, 1)]
    features_path.write_text("\n".join(feat) + "\n", encoding="utf-8")
    split_names = UNSW_SPLIT_HEADER.split(",")
    alias = {
        "spkts": "Spkts",
        "dpkts": "Dpkts",
        "sload": "Sload",
        "dload": "Dload",
        "sinpkt": "Sintpkt",
        "dinpkt": "Dintpkt",
        "smean": "smeansz",
        "dmean": "dmeansz",
        "ct_src_ltm": "ct_src_ ltm",
    }
    lines = [UNSW_SPLIT_HEADER]
    for i, r in enumerate(_unsw_rows(rng, 200), 1):
        r = dict(
            r,
            id=str(i),
            label=r["Label"],
            attack_cat=r["attack_cat"].strip() or "Normal",
            rate=_num(float(r["Spkts"]) / max(float(r["dur"]), 1e-6)),
        )
        lines.append(",".join(r.get(alias.get(c, c), r.get(c, "0")) or "0" for c in split_names))
    split_path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Zeek conn.log and a generic table
# --------------------------------------------------------------------------------------------


def write_zeek(path: Path, labels_path: Path, rng: np.random.Generator, n: int = 300) -> None:
    t = 1545403816.0
    lines = [
        "#separator \\x09",
        "#set_separator\t,",
        "#empty_field\t(empty)",
        "#unset_field\t-",
        "#path\tconn",
        "#open\t2018-12-21-15-50-16",
        "#fields\t" + "\t".join(ZEEK_FIELDS),
        "#types\t" + "\t".join(ZEEK_TYPES),
    ]
    labels = ["uid,label,attack_category"]
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    for _ in range(n):
        t += float(rng.exponential(2.0))
        uid = "C" + "".join(rng.choice(alphabet, 17))
        attack = rng.random() < 0.25
        proto = "udp" if (not attack and rng.random() < 0.3) else ("icmp" if rng.random() < 0.05 else "tcp")
        port = 53 if proto == "udp" else (0 if proto == "icmp" else int(rng.choice([80, 443, 22, 23, 8081])))
        unanswered = attack or rng.random() < 0.1
        if unanswered:  # S0: no reply, so duration and byte counts are unset
            dur = ob = rb = "-"
            opk, rpk, state, service, hist = 1, 0, "S0", "-", "S"
        else:
            d = float(rng.lognormal(np.log(0.3), 1.2))
            dur, ob, rb = f"{d:.6f}", str(int(rng.integers(0, 3000))), str(int(rng.integers(0, 40000)))
            opk, rpk, state = int(rng.integers(1, 30)), int(rng.integers(1, 40)), "SF"
            service, hist = ("dns" if proto == "udp" else "-"), "ShADadFf"
        src = f"192.168.1.{rng.integers(2, 200)}"
        dst = (
            f"{rng.integers(1, 223)}.{rng.integers(0, 256)}.{rng.integers(0, 256)}.{rng.integers(1, 255)}"
            if attack
            else str(rng.choice(["192.168.1.1", "8.8.8.8", "147.32.80.9", "fe80::1", "192.168.1.17"]))
        )
        row = [
            f"{t:.6f}",
            uid,
            src,
            str(rng.integers(1024, 65536)),
            dst,
            str(port),
            proto,
            service,
            dur,
            ob,
            rb,
            state,
            "-",
            "-",
            "0",
            hist,
            str(opk),
            str(opk * 40),
            str(rpk),
            str(rpk * 40),
            "(empty)",
        ]
        lines.append("\t".join(row))
        if attack:
            labels.append(f"{uid},Malicious,PartOfAHorizontalPortScan")
    lines.append("#close\t2018-12-21-16-50-16")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    labels_path.write_text("\n".join(labels) + "\n", encoding="utf-8")


def write_table(path: Path, rng: np.random.Generator, n: int = 200) -> None:
    """A user's own flow export with its own column names (read with format="table" and a mapping)."""
    lines = ["start_time,source,destination,dport,proto,octets,pkts,duration_ms,verdict"]
    t = datetime(2024, 5, 1, 12, 0, 0)
    for _ in range(n):
        t += timedelta(seconds=int(rng.integers(0, 20)))
        bad = rng.random() < 0.2
        lines.append(
            ",".join(
                [
                    t.strftime("%Y-%m-%dT%H:%M:%S"),
                    f"10.0.{rng.integers(0, 4)}.{rng.integers(1, 255)}",
                    f"10.1.0.{rng.integers(1, 12)}",
                    str(rng.choice([443, 80, 22])),
                    "tcp",
                    str(rng.integers(40, 50000)),
                    str(rng.integers(1, 60)),
                    str(rng.integers(0, 90000)),
                    "scan" if bad else "normal",
                ]
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


README = """# data/samples: FORMAT SAMPLES, NOT REAL TRAFFIC

Every file here is SYNTHETIC. `scripts/make_sample_traces.py` writes them from a fixed seed; they copy
the published layouts of public flow datasets exactly (header spellings with their stray spaces,
column order, label values, Zeek's `-` for unset fields) so that `workbench.traces` can be tested and
demonstrated on them, but every value was drawn by that script. They are not traffic from the
datasets they imitate and no conclusion about those datasets may be drawn from them.

| file | layout imitated | rows |
|---|---|---|
| `cic-ids2017_FORMAT-SAMPLE_traffic-labelling.csv` | CIC-IDS2017 GeneratedLabelledFlows (85 columns, day/month/year timestamps); replay demo: 32 destination hosts, 50 one-minute steps, benign background + `DDoS` (from minute 15), `PortScan` (22), `SSH-Patator` (30) | {n2017} |
| `cic-ids2017_FORMAT-SAMPLE_machine-learning.csv` | CIC-IDS2017 MachineLearningCVE (no addresses, protocol or timestamp) | {n2017ml} |
| `cic-ids2018_FORMAT-SAMPLE_traffic-for-ml.csv` | CSE-CIC-IDS2018 TrafficForML (80 columns, day/month/year, one repeated header row mid-file) | {n2018} |
| `unsw-nb15_FORMAT-SAMPLE_raw.csv` + `unsw-nb15_FORMAT-SAMPLE_features.csv` | UNSW-NB15_1..4.csv (headerless, 49 columns) and NUSW-NB15_features.csv | {nunsw} |
| `unsw-nb15_FORMAT-SAMPLE_training-set.csv` | UNSW_NB15_training-set.csv (header, `id`, no addresses) | {nsplit} |
| `zeek_FORMAT-SAMPLE_conn.log` + `zeek_FORMAT-SAMPLE_labels.csv` | Zeek conn.log (TSV, `#fields`, `-` unset) with a side label file keyed by `uid` | {nzeek} |
| `table_FORMAT-SAMPLE_flows.csv` | a user's own export, read with `format="table"` and a column mapping | {ntable} |

Real traffic is in `tests/data/real/` (small attributed slices of the public datasets, with their
sources and citations). Those slices cover CIC-IDS2017's GeneratedLabelledFlows and MachineLearningCVE
layouts (benign rows only), the improved CIC-IDS2017, UNSW-NB15's raw files (headerless and with a
header row) and its partition, Zeek conn.log (TSV with label columns, unlabelled TSV and JSON),
CTU-13 binetflow and a NetFlow v9 export read with `format="table"`. These samples stay for what no
real slice covers: a CIC-IDS2017 replay with attack campaigns in the GeneratedLabelledFlows layout,
CSE-CIC-IDS2018's TrafficForML layout, UNSW-NB15's features list, Zeek with a side label file, and a
table with text timestamps.

Regenerate with `python scripts/make_sample_traces.py` (seed {seed}); `tests/traces/test_format_samples.py`
checks that the committed files equal a fresh run.
"""


def main(out: Path = OUT, seed: int = SEED) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "cic2017": out / "cic-ids2017_FORMAT-SAMPLE_traffic-labelling.csv",
        "cic2017ml": out / "cic-ids2017_FORMAT-SAMPLE_machine-learning.csv",
        "cic2018": out / "cic-ids2018_FORMAT-SAMPLE_traffic-for-ml.csv",
        "unsw": out / "unsw-nb15_FORMAT-SAMPLE_raw.csv",
        "unsw_features": out / "unsw-nb15_FORMAT-SAMPLE_features.csv",
        "unsw_split": out / "unsw-nb15_FORMAT-SAMPLE_training-set.csv",
        "zeek": out / "zeek_FORMAT-SAMPLE_conn.log",
        "zeek_labels": out / "zeek_FORMAT-SAMPLE_labels.csv",
        "table": out / "table_FORMAT-SAMPLE_flows.csv",
    }
    # one child generator per file, so changing one writer leaves the other files as they were
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
    write_cic2017(files["cic2017"], rngs[0])
    write_cic2017_ml(files["cic2017ml"], rngs[1])
    write_cic2018(files["cic2018"], rngs[2])
    write_unsw(files["unsw"], files["unsw_features"], files["unsw_split"], rngs[3])
    write_zeek(files["zeek"], files["zeek_labels"], rngs[4])
    write_table(files["table"], rngs[5])

    def rows(p: Path, skip: int = 1) -> int:
        return sum(1 for line in p.read_text().splitlines() if line and not line.startswith("#")) - skip

    readme = out / "README.md"
    readme.write_text(
        README.format(
            n2017=rows(files["cic2017"]),
            n2017ml=rows(files["cic2017ml"]),
            n2018=rows(files["cic2018"], 2),
            nunsw=rows(files["unsw"], 0),
            nsplit=rows(files["unsw_split"]),
            nzeek=rows(files["zeek"], 0),
            ntable=rows(files["table"]),
            seed=seed,
        ),
        encoding="utf-8",
    )
    return [*files.values(), readme]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    for p in main(args.out, args.seed):
        print(p)
