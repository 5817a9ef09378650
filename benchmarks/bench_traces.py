"""Reading speed and peak memory of the CIC-IDS2017 trace reader, and the model's cost per step on a
trace against synthetic traffic (prints figures, asserts nothing).

Usage: ``python benchmarks/bench_traces.py [--rows 5000000] [--path /tmp/bench_cic2017.csv] [--keep]``
and ``python benchmarks/bench_traces.py --model [--nodes 50] [--flows 50] [--steps 60] [--repeats 3]``

1. Generates (once; reused if present with the same row count) a CIC-IDS2017 "TrafficLabelling"
   CSV with the full 85-column header in /tmp: not committed, not real traffic.
2. In a fresh subprocess per mode, reads it with ``workbench.traces`` and reports rows/s and the
   subprocess's peak resident memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``):
   * ``stream``: ``iter_trace`` over the file, batch by batch, keeping nothing (bounded memory);
   * ``table``: ``read_trace_table``, the whole normalised trace kept in one Arrow table.

Targets (issue 13): >= 500,000 rows/s and <= 1.5 GiB peak for 5 million rows. Wall-clock rows/s
depend on what else the machine runs (the load average is printed); rows per CPU-second much less.

``--model``: writes a flow table in /tmp (``format="table"``, not committed, not real traffic) where
each of ``--nodes`` destinations receives Poisson(``--flows``) flows per one-minute step, with
two labelled attack categories from a third of the way in, and times ``ThreatIntelModel.step``
(after setup; the trace is read once, outside the timing) on it and on synthetic traffic with the
same nodes, flows per node, steps and sharing. Target: the trace within 2x of synthetic per step.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from make_sample_traces import CIC2017_HEADER  # noqa: E402

CHUNK = 250_000
LABELS = np.array(["BENIGN"] * 16 + ["DDoS", "PortScan", "DoS Hulk", "Bot"])


def generate(path: Path, rows: int, seed: int = 0) -> None:
    """A CIC-format CSV of ``rows`` rows, written chunk by chunk with pyarrow's CSV writer."""
    rng = np.random.default_rng(seed)
    names = CIC2017_HEADER.split(",")
    hosts = np.array([f"192.168.{i // 250}.{i % 250 + 1}" for i in range(2000)])
    seconds = np.arange(8 * 3600)
    stamps = np.array([f"7/5/2017 {9 + s // 3600}:{(s // 60) % 60:02d}:{s % 60:02d}" for s in seconds])
    t0 = time.perf_counter()
    with open(path, "wb") as fh:
        fh.write((CIC2017_HEADER + "\n").encode())
        done = 0
        while done < rows:
            n = min(CHUNK, rows - done)
            src, dst = hosts[rng.integers(0, hosts.size, n)], hosts[rng.zipf(1.5, n) % hosts.size]
            sport, dport = rng.integers(1024, 65536, n), rng.choice([80, 443, 53, 22, 445], n)
            fwd, bwd = rng.integers(1, 40, n), rng.integers(0, 40, n)
            cols = {}
            for k, name in enumerate(names):
                key = name.strip()
                if key == "Flow ID":
                    cols[k] = pa.array(np.char.add(np.char.add(src, "-"), dst))
                elif key == "Source IP":
                    cols[k] = pa.array(src)
                elif key == "Destination IP":
                    cols[k] = pa.array(dst)
                elif key == "Source Port":
                    cols[k] = pa.array(sport)
                elif key == "Destination Port":
                    cols[k] = pa.array(dport)
                elif key == "Protocol":
                    cols[k] = pa.array(np.where(dport == 53, 17, 6))
                elif key == "Timestamp":
                    cols[k] = pa.array(stamps[np.sort(rng.integers(0, seconds.size, n))])
                elif key == "Total Fwd Packets":
                    cols[k] = pa.array(fwd)
                elif key == "Total Backward Packets":
                    cols[k] = pa.array(bwd)
                elif key == "Label":
                    cols[k] = pa.array(LABELS[rng.integers(0, LABELS.size, n)])
                elif k % 3 == 0:  # a third of the features as floats, like CICFlowMeter's means and rates
                    cols[k] = pa.array(np.round(rng.lognormal(5, 2, n), 6))
                else:
                    cols[k] = pa.array(rng.integers(0, 100_000, n))
            table = pa.table([cols[k] for k in range(len(names))], names=[f"c{k}" for k in range(len(names))])
            pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False, quoting_style="none"))
            done += n
    size_gib = path.stat().st_size / 2**30
    print(f"generated {rows:,} rows, {size_gib:.2f} GiB, in {time.perf_counter() - t0:.1f} s: {path}")


CHILD = r"""
import json, resource, sys, time
from workbench.traces import iter_trace, read_trace_table
path, mode = sys.argv[1], sys.argv[2]
t0, c0 = time.perf_counter(), time.process_time()
if mode == "stream":
    rows = 0
    for batch in iter_trace(path, "cic-ids2017"):
        rows += batch.num_rows
else:
    rows = read_trace_table(path, "cic-ids2017").num_rows
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"rows": rows, "wall_s": wall, "cpu_s": cpu,
                  "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}))
"""


def measure(path: Path, mode: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


MODEL_COLUMNS = {
    "timestamp": "ts",
    "src_addr": "src",
    "dst_addr": "dst",
    "dst_port": "dport",
    "protocol": "proto",
    "bytes": "bytes",
    "packets": "pkts",
    "duration_s": "dur",
    "label": "label",
}


def generate_model_trace(path: Path, nodes: int, flows: int, steps: int, seed: int = 0) -> int:
    """A flow table with Poisson(``flows``) flows per node and one-minute step; returns its rows."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(flows, (steps, nodes))
    step = np.repeat(np.repeat(np.arange(steps), nodes), counts.ravel())
    node = np.repeat(np.tile(np.arange(nodes), steps), counts.ravel())
    n = step.size
    attack = (step >= steps // 3) & (rng.random(n) < 0.1)
    category = np.where(rng.random(n) < 0.5, "DDoS", "PortScan")
    src = np.where(attack, "172.16.0.1", np.char.add("192.168.10.", (rng.integers(1, 250, n)).astype(str)))
    lb = np.where(attack, rng.normal(11, 0.5, n), rng.normal(8, 0.6, n))
    pk = np.maximum(1, np.exp(np.where(attack, rng.normal(5, 0.5, n), rng.normal(2.5, 0.3, n)))).astype(np.int64)
    table = pa.table(
        {
            "ts": pa.array(1.7e9 + step * 60.0 + rng.uniform(0, 60, n)),
            "src": pa.array(src),
            "dst": pa.array(np.char.add("10.0.0.", (node + 1).astype(str))),
            "dport": pa.array(
                np.where(attack & (category == "PortScan"), rng.integers(1, 1024, n), rng.choice([80, 443, 53, 22], n))
            ),
            "proto": pa.array(np.full(n, 6)),
            "bytes": pa.array(np.exp(lb).astype(np.int64)),
            "pkts": pa.array(pk),
            "dur": pa.array(np.exp(rng.normal(5.5, 0.5, n)) / 1e3),
            "label": pa.array(np.where(attack, category, "BENIGN")),
        }
    )
    pacsv.write_csv(table, str(path))
    return n


def time_steps(params, steps: int, seed: int) -> tuple[float, float]:
    """Wall and CPU seconds per step of ``steps`` model steps (setup excluded)."""
    from workbench.model.model import ThreatIntelModel

    model = ThreatIntelModel(params, rng=seed)
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        model.step()
    return (time.perf_counter() - t0) / steps, (time.process_time() - c0) / steps


def bench_model(nodes: int, flows: int, steps: int, repeats: int) -> None:
    sys.path.insert(0, str(ROOT))
    from workbench.model.params import ModelParams
    from workbench.model.trace_params import load_trace

    path = Path("/tmp/bench_trace_model.csv")
    rows = generate_model_trace(path, nodes, flows, steps)
    try:
        trace_params = ModelParams(
            traffic="trace",
            trace_path=str(path),
            trace_format="table",
            trace_columns=MODEL_COLUMNS,
            trace_options={"timestamp_unit": "s"},
            step_seconds=60,
            max_nodes=nodes,
            flows_per_node=flows,
        )
        t0 = time.perf_counter()
        trace = load_trace(trace_params)
        print(
            f"trace: {rows:,} rows, {trace.n_nodes} nodes, {trace.n_steps} steps, {trace.n_campaigns} "
            f"categories; read and binned in {time.perf_counter() - t0:.2f} s (once per process, not timed below)"
        )
        synthetic = ModelParams(n_nodes=trace.n_nodes, flows_per_node=flows, n_campaigns=2)
        print(
            f"python {platform.python_version()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
            f"{nodes} nodes, {flows} flows per node, {steps} steps, sharing={synthetic.sharing}, "
            f"best of {repeats}"
        )
        results = {}
        for name, params in (("synthetic", synthetic), ("trace", trace_params)):
            runs = [time_steps(params, steps, seed) for seed in range(repeats)]
            wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
            results[name] = cpu
            print(f"{name:>9}: {wall * 1e3:.2f} ms wall, {cpu * 1e3:.2f} ms CPU per step")
        print(f"trace / synthetic CPU per step: {results['trace'] / results['synthetic']:.2f} [target <= 2]")
    finally:
        path.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--path", type=Path, default=Path("/tmp/bench_cic2017.csv"))
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--model", action="store_true", help="time the model per step on a trace and synthetic")
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--flows", type=int, default=50)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.model:
        bench_model(args.nodes, args.flows, args.steps, args.repeats)
        return
    marker = args.path.with_suffix(".rows")
    if not (args.path.exists() and marker.exists() and marker.read_text() == str(args.rows)):
        generate(args.path, args.rows)
        marker.write_text(str(args.rows))
    print(
        f"python {platform.python_version()}, pyarrow {pa.__version__}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for mode in ("stream", "table"):
        r = measure(args.path, mode)
        print(
            f"{mode:>6}: {r['rows']:,} rows in {r['wall_s']:.1f} s wall = {r['rows'] / r['wall_s']:,.0f} rows/s "
            f"({r['cpu_s']:.1f} s process CPU = {r['rows'] / r['cpu_s']:,.0f} rows per CPU-second; pyarrow "
            f"parses on every core), peak RSS {r['peak_rss_gib']:.2f} GiB, load average now "
            f"{os.getloadavg()[0]:.1f} [targets >= 500,000 rows/s, <= 1.5 GiB]"
        )
    if not args.keep:
        args.path.unlink()
        marker.unlink()


if __name__ == "__main__":
    main()
