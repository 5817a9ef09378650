"""Reading speed and peak memory of the CIC-IDS2017 trace reader (prints figures, asserts nothing).

Usage: ``python benchmarks/bench_traces.py [--rows 5000000] [--path /tmp/bench_cic2017.csv] [--keep]``

1. Generates (once; reused if present with the same row count) a CIC-IDS2017 "TrafficLabelling"
   CSV with the full 85-column header in /tmp: not committed, not real traffic.
2. In a fresh subprocess per mode, reads it with ``workbench.traces`` and reports rows/s and the
   subprocess's peak resident memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``):
   * ``stream``: ``iter_trace`` over the file, batch by batch, keeping nothing (bounded memory);
   * ``table``: ``read_trace_table``, the whole normalised trace kept in one Arrow table.

Targets (issue 13): >= 500,000 rows/s and <= 1.5 GiB peak for 5 million rows. Wall-clock rows/s
depend on what else the machine runs (the load average is printed); rows per CPU-second much less.
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
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), mode], capture_output=True, text=True, env=env,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--path", type=Path, default=Path("/tmp/bench_cic2017.csv"))
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    args = parser.parse_args()
    marker = args.path.with_suffix(".rows")
    if not (args.path.exists() and marker.exists() and marker.read_text() == str(args.rows)):
        generate(args.path, args.rows)
        marker.write_text(str(args.rows))
    print(f"python {platform.python_version()}, pyarrow {pa.__version__}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    for mode in ("stream", "table"):
        r = measure(args.path, mode)
        print(f"{mode:>6}: {r['rows']:,} rows in {r['wall_s']:.1f} s wall = {r['rows'] / r['wall_s']:,.0f} rows/s "
              f"({r['cpu_s']:.1f} s process CPU = {r['rows'] / r['cpu_s']:,.0f} rows per CPU-second; pyarrow "
              f"parses on every core), peak RSS {r['peak_rss_gib']:.2f} GiB, load average now "
              f"{os.getloadavg()[0]:.1f} [targets >= 500,000 rows/s, <= 1.5 GiB]")
    if not args.keep:
        args.path.unlink()
        marker.unlink()


if __name__ == "__main__":
    main()
