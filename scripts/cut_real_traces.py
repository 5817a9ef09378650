"""Cut the small real-data slices of tests/data/real/ from public copies of the datasets.

Nothing is downloaded: point the script at files you already have. Every slice is cut from one or
more source files, each named by the public repository that holds it, the commit and the path
(:data:`SLICES`; tests/data/real/README.md lists them with the datasets' citations). Give either

* ``--git DIR``: local clones (bare or not) at ``DIR/<owner>+<repository>``; the files are read
  with ``git show <commit>:<path>``, so the exact bytes of that commit are used; or
* ``--source DIR``: the files themselves at ``DIR/<owner>+<repository>/<path>``.

    python scripts/cut_real_traces.py --git /work/.mirror --out tests/data/real
    python scripts/cut_real_traces.py --check --git /work/.mirror     # the committed slices equal a fresh cut

The cuts work on bytes and lines, so each slice keeps its source's exact layout (byte-order mark,
line ends, header spellings, stray spaces): a slice is a contiguous range of its source's lines
(or the union of such ranges, sorted by time, for the CIC-IDS2017 "improved" sample), never
edited. Each slice is at most 2 MB.
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class Source:
    repo: str  # owner/name on GitHub
    commit: str
    path: str


@dataclass(frozen=True)
class Slice:
    name: str
    sources: tuple[Source, ...]
    cut: Callable[[list[bytes]], bytes]
    how: str  # one sentence for the README


def first_lines(n: int, *, header: int = 0) -> Callable[[list[bytes]], bytes]:
    """The first ``header`` lines and the next ``n`` lines of one source."""

    def cut(data: list[bytes]) -> bytes:
        lines = data[0].splitlines(keepends=True)
        return b"".join(lines[: header + n])

    return cut


def whole(data: list[bytes]) -> bytes:
    return data[0]


def binetflow_window(start: bytes, end: bytes) -> Callable[[list[bytes]], bytes]:
    """CTU-13 binetflow split into consecutive files (each with the header): the header, then every
    flow with ``start <= StartTime < end`` (StartTime is ``YYYY/MM/DD HH:MM:SS.ffffff``, so text order
    is time order)."""

    def cut(data: list[bytes]) -> bytes:
        header = data[0].splitlines(keepends=True)[0]
        rows = [line for part in data for line in part.splitlines(keepends=True)[1:]]
        return header + b"".join(r for r in rows if start <= r[:26] < end)

    return cut


def improved_friday(take: dict[str, int]) -> Callable[[list[bytes]], bytes]:
    """CIC-IDS2017 "improved" per-class samples: the header, then from each class file (in the order
    of ``take``) its first ``take[class]`` rows of Friday 7 July 2017 (0: all), sorted by the
    Timestamp column (ISO text, so text order is time order; ties keep file order)."""

    def cut(data: list[bytes]) -> bytes:
        header = data[0].splitlines(keepends=True)[0]
        ts_col = header.decode().split(",").index("Timestamp")
        rows: list[bytes] = []
        for part, n in zip(data, take.values(), strict=True):
            friday = [r for r in part.splitlines(keepends=True)[1:] if r.split(b",")[ts_col].startswith(b"2017-07-07")]
            rows += friday if n == 0 else friday[:n]
        rows.sort(key=lambda r: r.split(b",")[ts_col])
        return header + b"".join(rows)

    return cut


def gzipped(inner: Callable[[list[bytes]], bytes]) -> Callable[[list[bytes]], bytes]:
    """Decompress the gzip sources, cut, and compress again deterministically (mtime 0)."""

    def cut(data: list[bytes]) -> bytes:
        return gzip.compress(inner([gzip.decompress(d) for d in data]), compresslevel=9, mtime=0)

    return cut


STRATO = "stratosphereips/security-datasets-for-testing"
STRATO_COMMIT = "1c90a3692012ad7ee9c271241965da4e2799f957"
FUH = "ScubaInstructor/fuh"
FUH_COMMIT = "86d1bab5ca174da11e20bc54d9642ba6068f273a"
FUH_DIR = "nids-daten/sampled_CICIDS2017_improved_rnd_2500"
CTU_PARTS = [f"Data/capture20110816.binetflow.slice_{i}_{j}" for i in range(1, 14) for j in (1, 2)]

SLICES: tuple[Slice, ...] = (
    Slice(
        "cic-ids2017_friday-ddos_traffic-labelling_rows-1-299.csv",
        (
            Source(
                "Shreyas26X/NetSentinel",
                "550bfb3df538a4a59e49952c4a9e5d6f73937d83",
                "dataset/Friday-WorkingHours-Afternoon-DDos.pcap_ISCX.csv",
            ),
        ),
        whole,
        "the whole file: the header and the first 299 rows of GeneratedLabelledFlows' "
        "Friday-WorkingHours-Afternoon-DDos.pcap_ISCX.csv (all BENIGN; 12-hour clock, `7/7/2017 3:30`)",
    ),
    Slice(
        "cic-ids2017_friday-ddos_machine-learning_rows-1-2000.csv",
        (
            Source(
                "Paris-svg/dataaset",
                "924d3583902f169a8ce77391df89fb615553aca9",
                "Friday-WorkingHours-Afternoon-DDos.pcap_ISCX.csv",
            ),
        ),
        first_lines(2000, header=1),
        "the header and the first 2,000 rows of MachineLearningCVE's Friday-WorkingHours-Afternoon-DDos "
        "(all BENIGN; no addresses, protocol or timestamp)",
    ),
    Slice(
        "cic-ids2017-improved_friday_sample.csv",
        tuple(
            Source(FUH, FUH_COMMIT, f"{FUH_DIR}/{name}.csv")
            for name in ("BENIGN_2500", "DDoS_2500", "Portscan_2500", "Botnet_736")
        ),
        improved_friday({"BENIGN_2500": 0, "DDoS_2500": 600, "Portscan_2500": 600, "Botnet_736": 300}),
        "rows of Friday 7 July 2017 from four per-class random samples of the improved CIC-IDS2017 "
        "(all 415 BENIGN, the first 600 DDoS, 600 Portscan, 300 Botnet in file order), sorted by Timestamp",
    ),
    Slice(
        "unsw-nb15_1_rows-1-3000.csv",
        (
            Source(
                "hfcatucuamba/proyectoInternetworking", "e24b1f773955e669e5fd3ad43670f254f33415bb", "UNSW-NB15_1.csv"
            ),
        ),
        whole,
        "the whole file: the first 3,000 rows of UNSW-NB15_1.csv as published (no header, byte-order mark, "
        "CRLF line ends, hexadecimal ports)",
    ),
    Slice(
        "unsw-nb15_1_rows-1-3500_with-header-row.csv",
        (
            Source(
                "hfcatucuamba/proyectoInternetworking", "ee00708831bd9dd9782c9dd8471fd337d7470ed4", "UNSW-NB15_1.csv"
            ),
        ),
        whole,
        "the whole file: a copy of UNSW-NB15_1.csv's first 3,500 rows to which its uploader prepended a header "
        "row of the feature names (byte-order mark before the header)",
    ),
    Slice(
        "unsw-nb15_testing-set_rows-1-4528.csv",
        (
            Source(
                "Ankit300302/Intelligent-IDS", "b7d12f9cb6ba9a40c68267b1e385218c617a95c9", "UNSW_NB15_testing-set.csv"
            ),
        ),
        whole,
        "the whole file: the header and the first 4,528 rows (ids 1-4528) of a partition file in the "
        "layout of UNSW_NB15_testing-set.csv",
    ),
    Slice(
        "ctu-13_scenario-6_capture20110816_1008-1011.binetflow",
        tuple(Source("jingzbu/BiNetflowToSIGs", "3110aca22a0314ecd5df4956c9444ff3de0b229d", p) for p in CTU_PARTS),
        binetflow_window(b"2011/08/16 10:08:40", b"2011/08/16 10:11:40"),
        "the 26 consecutive five-minute parts of scenario 6's capture20110816.binetflow (558,919 flows in all) "
        "joined, then the header and every flow starting from 10:08:40 to before 10:11:40 (the botnet's C&C "
        "and spam start at 10:09:58)",
    ),
    Slice(
        "zeek_ctu-malware-capture-botnet-230-1_labelled_conn.log",
        (Source(STRATO, STRATO_COMMIT, "001-zeek-scenario-malicious/labeled-conn.log"),),
        whole,
        "the whole file: the first 1,000 log lines of CTU-Malware-Capture-Botnet-230-1's conn.log.labeled "
        "(NjRAT; labels Background, Malicious (CC), Benign in the columns label and detailedlabel)",
    ),
    Slice(
        "zeek_android-mischief-rat01_unlabelled_conn.log",
        (Source(STRATO, STRATO_COMMIT, "003-zeek-scenario-malicious/conn.log"),),
        whole,
        "the whole file: conn.log of the Android Mischief Dataset's RAT01 capture (370 flows, no labels)",
    ),
    Slice(
        "zeek_port-scanning_unlabelled_conn.json.log",
        (Source(STRATO, STRATO_COMMIT, "002-zeek-scenario-port-scanning/conn.log"),),
        first_lines(2500),
        "the first 2,500 lines of a Zeek conn.log in JSON form (one client scanning three networks with Nmap; "
        "no labels)",
    ),
    Slice(
        "zeek_ctu-normal-40-day1_mixed_labelled_conn.log",
        (Source(STRATO, STRATO_COMMIT, "008-zeek-mixed/data/conn.log.labeled"),),
        whole,
        "the whole file: day 1 of CTU-Normal-40 (a benign Windows host attacked from the Internet all day; "
        "labels Benign, Background, Malicious (External-Attack-to-Device))",
    ),
    Slice(
        "netflow-v2_nf-bot-iot-v2-reduced_rows-1-10000.csv.gz",
        (
            Source(
                "c2dc/fl-unsup-nids",
                "f0f4a398cb711558d9b622f60b52cdaec2ac38a5",
                "reduced_datasets/botiot_reduced.csv.gz",
            ),
        ),
        gzipped(first_lines(10000, header=1)),
        "the header and the first 10,000 rows of a reduced NF-BoT-IoT-v2 (NetFlow v9 features), gzip-compressed "
        "again (mtime 0)",
    ),
)


class Sources:
    """Reads a source file's bytes from local clones (``git``) or from plain files (``source``)."""

    def __init__(self, git: Path | None, source: Path | None) -> None:
        if (git is None) == (source is None):
            raise SystemExit("give exactly one of --git DIR or --source DIR")
        self.git, self.source = git, source

    def read(self, s: Source) -> bytes:
        folder = s.repo.replace("/", "+")
        if self.source is not None:
            path = self.source / folder / s.path
            if not path.is_file():
                raise SystemExit(f"{path} not found: the file {s.path} of {s.repo} at commit {s.commit}")
            return path.read_bytes()
        assert self.git is not None
        clone = self.git / folder
        for candidate in (clone, clone / "repo", clone / "repo" / ".git"):
            done = subprocess.run(
                ["git", "-C", str(candidate), "show", f"{s.commit}:{s.path}"], capture_output=True, check=False
            )
            if done.returncode == 0:
                return done.stdout
        raise SystemExit(f"{s.repo} at {s.commit}: {s.path} not found under {clone}")


def cut_all(sources: Sources) -> dict[str, bytes]:
    out = {}
    for sl in SLICES:
        data = sl.cut([sources.read(s) for s in sl.sources])
        if len(data) > MAX_BYTES:
            raise SystemExit(f"{sl.name}: {len(data):,} bytes, over the limit of {MAX_BYTES:,}")
        out[sl.name] = data
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--git", type=Path, help="folder of local clones named <owner>+<repository>")
    parser.add_argument("--source", type=Path, help="folder of source files at <owner>+<repository>/<path>")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "tests" / "data" / "real")
    parser.add_argument("--check", action="store_true", help="compare with the slices in --out instead of writing")
    args = parser.parse_args(argv)
    slices = cut_all(Sources(args.git, args.source))
    if args.check:
        differ = [n for n, d in slices.items() if not (args.out / n).is_file() or (args.out / n).read_bytes() != d]
        print("all slices equal a fresh cut" if not differ else f"differ from a fresh cut: {differ}")
        return 1 if differ else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in slices.items():
        (args.out / name).write_bytes(data)
        print(f"{name}: {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
