"""Reading speed and peak memory of every trace reader on real slices repeated to a million rows, the
import time of ``workbench.traces``, and the model's cost per step on a trace against synthetic
traffic (prints figures, asserts nothing).

Usage: ``python benchmarks/bench_traces.py [--rows 1000000] [--formats NAME,...] [--compress gzip] [--keep]``
and ``python benchmarks/bench_traces.py --model [--nodes 50] [--flows 50] [--steps 60] [--repeats 3]``

1. For each format, takes its real slice of ``tests/data/real`` (public datasets, see their README)
   and writes, once, a file in /tmp (not committed) of its header and its data rows repeated until
   at least ``--rows`` rows: the same columns, spellings, quirks and value distributions as the real
   file, at a size where reading speed shows.
2. In a fresh subprocess per format, streams it with ``iter_trace`` batch by batch, keeping nothing,
   and reports rows per wall-second, rows per CPU-second (process user + system time, all threads)
   and the subprocess's peak resident memory (``ru_maxrss``).
3. Times ``import workbench.traces`` in fresh interpreters (best of five).

Targets (issue 20): >= 300,000 rows per CPU-second for every format, peak < 1 GiB, the import < 2 s.
Wall-clock figures depend on what else the machine runs (the load average is printed before and
after); per CPU-second much less.

``--model``: writes a flow table in /tmp (``format="table"``, not committed, not real traffic) where
each of ``--nodes`` destinations receives Poisson(``--flows``) flows per one-minute step, with
two labelled attack categories from a third of the way in, and times ``ThreatIntelModel.step``
(after setup; the trace is read once, outside the timing) on it and on synthetic traffic with the
same nodes, flows per node, steps and sharing. Target: the trace within 2x of synthetic per step.
"""

from __future__ import annotations

import argparse
import gzip
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

from workbench.traces.table import NF_V2_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "data" / "real"
#: name -> (real slice, format, header lines, reader options)
SOURCES = {
    "cic-ids2017 (GeneratedLabelledFlows)": (
        "cic-ids2017_friday-ddos_traffic-labelling_rows-1-299.csv",
        "cic-ids2017",
        1,
        {},
    ),
    "cic-ids2017 (improved)": ("cic-ids2017-improved_friday_sample.csv", "cic-ids2017", 1, {}),
    "unsw-nb15 (raw)": ("unsw-nb15_1_rows-1-3000.csv", "unsw-nb15", 0, {}),
    "unsw-nb15 (partition)": ("unsw-nb15_testing-set_rows-1-4528.csv", "unsw-nb15", 1, {}),
    "zeek-conn (TSV)": (
        "zeek_ctu-malware-capture-botnet-230-1_labelled_conn.log",
        "zeek-conn",
        8,
        {"label_column": "label", "category_column": "detailedlabel"},
    ),
    "zeek-conn (JSON)": ("zeek_port-scanning_unlabelled_conn.json.log", "zeek-conn", 0, {}),
    "argus-binetflow (CTU-13)": ("ctu-13_scenario-6_capture20110816_1008-1011.binetflow", "argus-binetflow", 1, {}),
    "table (NetFlow v9)": (
        "netflow-v2_nf-bot-iot-v2-reduced_rows-1-10000.csv.gz",
        "table",
        1,
        {"columns": NF_V2_COLUMNS, "duration_unit": "ms"},
    ),
}


def repeated(name: str, rows: int, compress: str | None = None) -> tuple[Path, int]:
    """The real slice of ``name`` with its data rows repeated to at least ``rows`` rows (in /tmp, once),
    compressed with ``compress`` (an Arrow codec: ``gzip``, ``bz2``, ``zstd``) if given."""
    slice_name, _, header_lines, _ = SOURCES[name]
    data = (REAL / slice_name).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    lines = data.splitlines(keepends=True)
    if not lines[-1].endswith(b"\n"):
        lines[-1] += b"\n"
    header, body = lines[:header_lines], [line for line in lines[header_lines:] if not line.startswith(b"#")]
    if header_lines == 0 and body[0].startswith(b"\xef\xbb\xbf"):  # a BOM belongs to the file's start only
        header, body[0] = [b"\xef\xbb\xbf"], body[0][3:]
    copies = -(-rows // len(body))
    path = Path(f"/tmp/bench_traces_{slice_name.split('.')[0]}_x{copies}" + (f".{compress}" if compress else ""))
    if not path.exists():
        block = b"".join(body)
        with pa.output_stream(str(path), compression=compress) as fh:
            fh.write(b"".join(header))
            for _ in range(copies):
                fh.write(block)
    return path, copies * len(body)


CHILD = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
from workbench.traces.table import NF_V2_COLUMNS
from workbench.traces import iter_trace
path, fmt, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
t0, c0 = time.perf_counter(), time.process_time()
rows = 0
batches = iter_trace(path, fmt, **options)
for batch in batches:
    rows += batch.num_rows
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"rows": rows, "wall_s": wall, "cpu_s": cpu, "peak_rss_gib": usage.ru_maxrss / 2**20,
                  "dropped": dict(batches.stats.dropped)}))
"""


def measure(path: Path, fmt: str, options: dict) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), fmt, json.dumps(options)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def import_time(repeats: int = 5) -> float:
    """Best wall time of ``import workbench.traces`` in a fresh interpreter, seconds."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = "import time; t = time.perf_counter(); import workbench.traces; print(time.perf_counter() - t)"
    times = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout)
        for _ in range(repeats)
    ]
    return min(times)


def bench_readers(rows: int, names: list[str], keep: bool, compress: str | None) -> None:
    print(
        f"python {platform.python_version()}, pyarrow {pa.__version__}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min)"
    )
    print(f"import workbench.traces: {import_time():.2f} s (best of 5, fresh interpreters) [target < 2 s]")
    if compress:
        print(f"every file {compress}-compressed, read directly (told by its first bytes)")
    print(
        f"{'format':38s} {'rows':>10s} {'MB':>7s} {'wall s':>7s} {'rows/s':>10s} {'CPU s':>6s} {'rows/CPU-s':>11s} {'peak GiB':>8s}"
    )
    for name in names:
        path, n = repeated(name, rows, compress)
        _, fmt, _, options = SOURCES[name]
        r = measure(path, fmt, options)
        assert r["rows"] == n, (name, r["rows"], n)
        print(
            f"{name:38s} {r['rows']:>10,} {path.stat().st_size / 1e6:>7.0f} {r['wall_s']:>7.1f} "
            f"{r['rows'] / r['wall_s']:>10,.0f} {r['cpu_s']:>6.1f} {r['rows'] / r['cpu_s']:>11,.0f} "
            f"{r['peak_rss_gib']:>8.2f}"
        )
        if not keep:
            path.unlink()
    print(f"targets: >= 300,000 rows per CPU-second, peak < 1 GiB; load average now {os.getloadavg()[0]:.1f} (1 min)")


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
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default=",".join(SOURCES), help="comma-separated names of SOURCES")
    parser.add_argument("--keep", action="store_true", help="keep the repeated files in /tmp")
    parser.add_argument("--compress", choices=["gzip", "bz2", "zstd"], help="compress the repeated files")
    parser.add_argument("--model", action="store_true", help="time the model per step on a trace and synthetic")
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--flows", type=int, default=50)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.model:
        bench_model(args.nodes, args.flows, args.steps, args.repeats)
        return
    bench_readers(args.rows, [n.strip() for n in args.formats.split(",") if n.strip()], args.keep, args.compress)


if __name__ == "__main__":
    main()
