"""The results store: a directory that describes itself.

    <store>/manifest.json                  spec, spec hash, design structure, planned runs, provenance
    <store>/runs/part-NNNNNN.parquet       run records, many runs per file (compacted)
    <store>/runs/chunk-<time>-<pid>-<n>.parquet
                                           run records written during a session (loose files)
    <store>/<frame>/part-*.parquet, chunk-*.parquet
                                           kept per-run frames ("steps", ...), with a run_id column

A session writes finished runs in chunks (every ``flush_rows`` runs or ``flush_s`` seconds, kept
frames before the run records: a run record marks its run finished). At the end of a session,
and on :func:`load` when many loose files have piled up, the loose files of each table are merged
into one new part file and then removed ("compaction"). Every file is written to a temporary
name and renamed into place, so a killed driver leaves either a whole file or none; a run that
appears in more than one file (a compaction killed between writing its part and removing the
loose files, or a failed run retried later) is read from the newest file. Parts are read first
(in number order), then loose files (oldest first), so nothing finished is ever lost or counted
twice. Stores of format 1 (one ``runs/<run_id>.parquet`` per run) are read the same way.

Runs are keyed by id (a hash of parameters, seed, steps and model version), so the store doubles
as a cache: rerunning a spec skips finished runs, a changed spec or model version computes new ones.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import itertools
import json
import os
import re
import time
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.experiments.execute import Outcome
from workbench.experiments.outcomes import (
    DESIGN_COLUMNS,
    ERROR_COLUMNS,
    IDENTITY_COLUMNS,
    LEDGER_COLUMNS,
    RUN_COLUMNS,
    TIMING_COLUMNS,
)

MANIFEST = "manifest.json"
RUNS = "runs"
FORMAT_VERSION = 2
PART = re.compile(r"^part-(\d+)\.parquet$")
# load() compacts a table first when it has at least this many loose files (and no driver holds the store).
LOAD_COMPACT_MIN = 16
_chunk_counter = itertools.count()


class StoreWarning(UserWarning):
    """Something in a store is missing or unreadable (e.g. a corrupted Parquet file)."""


def now_utc() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def default_store(name: str) -> Path:
    """``data/sweeps/<name>/`` of this checkout (``$WORKBENCH_DATA``/sweeps/<name> if set; the
    current directory's ``data/`` when the package is not in a checkout)."""
    if os.environ.get("WORKBENCH_DATA"):
        return Path(os.environ["WORKBENCH_DATA"]) / "sweeps" / name
    repo = Path(__file__).resolve().parents[2]
    root = repo if (repo / "pyproject.toml").exists() else Path.cwd()
    return root / "data" / "sweeps" / name


def _fsync_replace(tmp: Path, final: Path) -> None:
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, final)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    _fsync_replace(tmp, path)


def atomic_write_frame(path: Path, frame: pd.DataFrame) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
    _fsync_replace(tmp, path)


def _file_order(path: Path) -> tuple[int, int, str]:
    """Parts first (by number), then format-1 per-run files, then chunks (oldest first)."""
    match = PART.match(path.name)
    if match:
        return (0, int(match.group(1)), "")
    return (2 if path.name.startswith("chunk-") else 1, 0, path.name)


def _is_loose(path: Path) -> bool:
    return PART.match(path.name) is None


def _text_columns(frame: pd.DataFrame) -> pd.DataFrame:
    for column in (*ERROR_COLUMNS, "ledger_head"):
        if column in frame.columns:
            frame[column] = frame[column].astype("string")
    return frame


class Store:
    """A results store directory. Open with ``Store(path)``; nothing is created until written."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock_handle: Any = None
        self._warned: set[Path] = set()

    # --- locking: one driver per store ----------------------------------------------------
    def lock(self) -> None:
        """Take the exclusive lock (released by :meth:`unlock` or when the process dies);
        ``RuntimeError`` if another driver holds it."""
        if not self.try_lock():
            raise RuntimeError(f"store {self.path} is in use by another sweep driver")

    def try_lock(self) -> bool:
        """Take the lock if free; ``False`` if another process holds it."""
        self.path.mkdir(parents=True, exist_ok=True)
        handle = open(self.path / ".lock", "w")  # noqa: SIM115 - held open as the lock until unlock()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._lock_handle = handle
        for stale in self.path.rglob(".*.tmp"):  # left by a driver killed mid-write
            stale.unlink(missing_ok=True)
        return True

    def unlock(self) -> None:
        if self._lock_handle is not None:
            self._lock_handle.close()
            self._lock_handle = None

    # --- manifest ---------------------------------------------------------------------------
    def read_manifest(self) -> dict[str, Any]:
        path = self.path / MANIFEST
        if not path.exists():
            raise FileNotFoundError(f"{self.path} is not a sweep store (no {MANIFEST})")
        return json.loads(path.read_text())

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        # indented for reading, unless large (json's C encoder only runs without indent: 1 s vs 0.05 s
        # for a manifest of 10,000 runs)
        indent = 1 if len(manifest.get("runs", ())) <= 2000 else None
        atomic_write_bytes(self.path / MANIFEST, json.dumps(manifest, indent=indent, default=str).encode())

    # --- files of a table ------------------------------------------------------------------
    def files(self, table: str) -> list[Path]:
        """The Parquet files of a table (``"runs"`` or a frame name), in reading order."""
        folder = self.path / table
        if not folder.is_dir():
            return []
        return sorted((p for p in folder.glob("*.parquet") if not p.name.startswith(".")), key=_file_order)

    def loose_files(self, table: str) -> list[Path]:
        return [p for p in self.files(table) if _is_loose(p)]

    def tables(self) -> list[str]:
        """Tables present: ``"runs"`` and any kept frames."""
        return (
            [p.name for p in sorted(self.path.iterdir()) if p.is_dir() and any(p.glob("*.parquet"))]
            if self.path.is_dir()
            else []
        )

    def _read_file(
        self, path: Path, table: str, columns: Iterable[str] | None = None, skip: Iterable[str] = ()
    ) -> pa.Table | None:
        """One file as an Arrow table with a ``run_id`` column; ``None`` (and a warning, once) if unreadable."""
        try:
            handle = pq.ParquetFile(path)
            names = handle.schema_arrow.names
            wanted = [c for c in names if (columns is None or c in columns) and c not in skip]
            data = handle.read(columns=wanted)
            if "run_id" not in names:  # format 1 frame file: one run, named by its id
                data = data.add_column(0, "run_id", pa.array([path.stem] * len(data), pa.string()))
            if (
                table == RUNS
                and _is_loose(path)
                and not path.name.startswith("chunk-")
                and (len(data) != 1 or data.column("run_id")[0].as_py() != path.stem)
            ):
                raise ValueError("expected one row for this run id")
        except Exception as exc:
            if path not in self._warned:
                self._warned.add(path)
                warnings.warn(
                    f"corrupted {table} file {path} ({type(exc).__name__}: {exc}); its runs are recomputed on resume",
                    StoreWarning,
                    stacklevel=4,
                )
            return None
        # pandas metadata differs from file to file (a chunk of failed runs only has no outcome
        # dtypes): types come from Arrow alone, the same whichever files hold the rows
        return data.replace_schema_metadata(None)

    def _read(
        self, table: str, files: list[Path], columns: Iterable[str] | None = None, skip: Iterable[str] = ()
    ) -> tuple[pd.DataFrame, list[Path]]:
        """Rows of ``files``, each run's from the newest file holding it, and the files that were readable."""
        columns = None if columns is None else {"run_id", *columns}
        parts, readable = [], []
        for order, path in enumerate(files):
            data = self._read_file(path, table, columns, skip)
            if data is not None:
                parts.append(data.append_column("_file", pa.array(np.full(len(data), order, dtype=np.int32))))
                readable.append(path)
        if not parts:
            return pd.DataFrame(columns=["run_id"]), readable
        frame = pa.concat_tables(parts, promote_options="permissive").to_pandas()
        if len(parts) > 1:
            newest = frame.groupby("run_id", sort=False)["_file"].transform("max")
            frame = frame[frame["_file"] == newest]
        return frame.drop(columns="_file").reset_index(drop=True), readable

    def read_table(self, table: str, columns: Iterable[str] | None = None, skip: Iterable[str] = ()) -> pd.DataFrame:
        """A table's rows, each run's from the newest file holding it (see the module docstring)."""
        return self._read(table, self.files(table), columns, skip)[0]

    # --- writing ----------------------------------------------------------------------------
    def write_chunk(self, rows: list[dict[str, Any]], frames: dict[str, list[pd.DataFrame]]) -> None:
        """Write finished runs: kept frames first, the run records last (they mark runs finished)."""
        if not rows:
            return
        name = f"chunk-{time.time_ns():020d}-{os.getpid()}-{next(_chunk_counter):06d}.parquet"
        for table, pieces in frames.items():
            if pieces:
                (self.path / table).mkdir(parents=True, exist_ok=True)
                atomic_write_frame(self.path / table / name, pd.concat(pieces, ignore_index=True))
        (self.path / RUNS).mkdir(parents=True, exist_ok=True)
        atomic_write_frame(self.path / RUNS / name, _text_columns(pd.DataFrame(rows)))

    def writer(self, keep: Iterable[str] = (), flush_rows: int = 1000, flush_s: float = 1.0) -> RunWriter:
        return RunWriter(self, tuple(keep), flush_rows, flush_s)

    def compact(self, min_loose: int = 1) -> int:
        """Merge each table's loose files into one new part file (then remove them); the caller
        holds the lock. Unreadable files are left in place. Returns the number of files merged."""
        merged = 0
        # frames before runs, like writing: a run record never gets ahead of its frames
        for table in sorted(self.tables(), key=lambda t: t == RUNS):
            loose = self.loose_files(table)
            if len(loose) < min_loose or not loose:
                continue
            frame, readable = self._read(table, loose)
            if not readable:
                continue
            numbers = [int(m.group(1)) for p in self.files(table) if (m := PART.match(p.name))]
            part = self.path / table / f"part-{max(numbers, default=0) + 1:06d}.parquet"
            atomic_write_frame(part, _text_columns(frame) if table == RUNS else frame)
            for path in readable:
                path.unlink()
            merged += len(readable)
        return merged

    # --- what is finished -------------------------------------------------------------------
    def finished(self, run_ids: Iterable[str], keep: Iterable[str] = (), retry_failed: bool = True) -> set[str]:
        """Ids whose results are complete and readable (failed runs count only if not retried)."""
        runs = self.read_table(RUNS, columns=["status"])
        if "status" not in runs.columns:
            return set()
        wanted = set(run_ids)
        runs = runs[pd.Index(list(wanted)).get_indexer(runs["run_id"]) >= 0]
        ok = set(runs.loc[runs["status"] == "ok", "run_id"])
        for name in keep:
            ok &= set(self.read_table(name, columns=["run_id"])["run_id"])
        failed = set(runs.loc[runs["status"] != "ok", "run_id"]) if not retry_failed else set()
        return ok | failed


class RunWriter:
    """Buffers finished runs and writes them as chunks: every ``flush_rows`` runs, or on the first
    run that arrives ``flush_s`` seconds after the last write (so slow runs are written as they
    finish and a killed driver loses at most about ``flush_s`` of finished work)."""

    def __init__(self, store: Store, keep: tuple[str, ...], flush_rows: int, flush_s: float) -> None:
        self.store, self.keep, self.flush_rows, self.flush_s = store, keep, flush_rows, flush_s
        self._rows: list[dict[str, Any]] = []
        self._frames: dict[str, list[pd.DataFrame]] = {name: [] for name in keep}
        self._last = time.monotonic()

    def add(self, outcome: Outcome, fields: dict[str, Any]) -> None:
        for name, frame in outcome.frames.items():
            frame = frame.reset_index(drop=True)
            frame.insert(0, "run_id", outcome.run_id)
            self._frames.setdefault(name, []).append(frame)
        self._rows.append(
            {
                "run_id": outcome.run_id,
                **fields,
                "status": outcome.status,
                "error": outcome.error,
                "traceback": outcome.traceback,
                "duration_s": float(outcome.duration_s),
                **outcome.bookkeeping,
                **outcome.summary,
            }
        )
        if len(self._rows) >= self.flush_rows or time.monotonic() - self._last >= self.flush_s:
            self.flush()

    def flush(self) -> None:
        self.store.write_chunk(self._rows, self._frames)
        self._rows = []
        self._frames = {name: [] for name in self._frames}
        self._last = time.monotonic()


# --- reading a store -----------------------------------------------------------------------------


def design_frame(manifest: dict[str, Any]) -> pd.DataFrame:
    """The planned runs of a manifest: ``run_id``, ``point``, ``replicate``, factors, ``seed``."""
    factors = list(manifest["spec"]["factors"])
    runs = manifest["runs"]
    columns: dict[str, list[Any]] = {name: [r[name] for r in runs] for name in DESIGN_COLUMNS}
    for name in factors:
        columns[name] = [r["factors"][name] for r in runs]
    columns["seed"] = [r["seed"] for r in runs]
    return pd.DataFrame(columns, columns=[*DESIGN_COLUMNS, *factors, "seed"])


def design_of(manifest: dict[str, Any]) -> dict[str, Any]:
    """The design structure (``{"design", "problem", "samples", ...}``); derived for older stores."""
    if "design" in manifest:
        return manifest["design"]
    spec = manifest["spec"]
    from workbench.experiments.designs import problem

    return {
        "design": spec.get("design", "grid"),
        "problem": problem(spec["factors"]),
        "samples": spec.get("samples") or len({r["point"] for r in manifest["runs"]}),
    }


def compact_if_many(store: Store, min_loose: int = LOAD_COMPACT_MIN) -> int:
    """Compact the store if a table has ``min_loose`` loose files and no driver holds it."""
    if not any(len(store.loose_files(t)) >= min_loose for t in store.tables()):
        return 0
    try:
        if not store.try_lock():
            return 0
    except OSError:  # a read-only store: read it as it is
        return 0
    try:
        return store.compact()
    except OSError as exc:
        warnings.warn(f"could not compact {store.path} ({exc}); reading its loose files", StoreWarning, stacklevel=3)
        return 0
    finally:
        store.unlock()


def load(path: str | Path, *, timing: bool = False, compact: bool = True) -> pd.DataFrame:
    """The tidy result frame of the sweep in a store: one row per finished run, in design order.

    Columns: ``run_id``, ``point`` (design point index; for sobol and morris the row of SALib's
    sample matrix), ``replicate``, the factor values (as run), ``seed``, ``status`` ("ok"/"failed"),
    every summary outcome, then ``error`` and ``traceback`` (text for failed runs), and
    ``ledger_entries``/``ledger_head`` when the runs reported them. ``timing=True`` adds
    ``duration_s`` (wall time). Runs not finished yet are left out, and unreadable files reported,
    with a ``StoreWarning``. ``frame.attrs``: ``factors`` and ``outcomes`` (column names),
    ``design`` (the design structure, see :mod:`workbench.experiments.designs`), ``store`` and ``base`` (the
    sweep's base parameters, which tell what every factor not varied was).
    ``compact=False`` leaves loose files as they are (by default they are merged when there are many).
    """
    store = Store(path)
    manifest = store.read_manifest()
    if compact:
        compact_if_many(store)
    design = design_frame(manifest)
    planned = design["run_id"].nunique()
    results = store.read_table(RUNS, skip=(*IDENTITY_COLUMNS[1:],))
    # (Index.get_indexer: isin on pandas' Arrow strings is ~100x slower at 10,000 runs)
    results = results[pd.Index(design["run_id"].unique()).get_indexer(results["run_id"]) >= 0]
    missing = planned - len(results)
    if missing:
        warnings.warn(
            f"{missing} of {planned} runs in {store.path} are not finished "
            "(or unreadable); run the sweep again to resume",
            StoreWarning,
            stacklevel=2,
        )
    outcomes = [c for c in results.columns if c not in RUN_COLUMNS]
    ledger = [c for c in LEDGER_COLUMNS if c in results.columns]
    for column in ("status", *ERROR_COLUMNS, *TIMING_COLUMNS):
        if column not in results.columns:
            results[column] = pd.Series(dtype=object)
    results = _text_columns(results[["run_id", "status", *outcomes, *ERROR_COLUMNS, *ledger, *TIMING_COLUMNS]])
    frame = design.merge(results, on="run_id", how="inner", validate="many_to_one")
    frame = frame.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)
    if not timing:
        frame = frame.drop(columns=list(TIMING_COLUMNS))
    frame.attrs.update(
        factors=list(manifest["spec"]["factors"]),
        outcomes=outcomes,
        design=design_of(manifest),
        store=str(store.path),
        base=dict(manifest["spec"].get("base") or {}),
    )
    return frame


def design_sample(source: str | Path | pd.DataFrame) -> np.ndarray | None:
    """The raw design matrix of a sobol or morris store (rows = points in design order, columns =
    factors, values before integer rounding), as floats of shape (points, factors); ``None`` for
    grid and lhs designs. ``source``: a store path, or a frame from :func:`load` (its store)."""
    path = source.attrs["store"] if isinstance(source, pd.DataFrame) else source
    sample = Store(path).read_manifest().get("design_sample")
    return None if sample is None else np.asarray(sample, dtype=float)


def load_frames(path: str | Path, frame: str = "steps") -> pd.DataFrame:
    """Per-run frames (``"steps"``, ``"signatures"``, ``"campaigns"``, ``"votes"``) of a store, stacked: the design columns
    (``run_id``, ``point``, ``replicate``, factors, ``seed``) followed by the frame's own."""
    store = Store(path)
    manifest = store.read_manifest()
    if frame not in manifest["spec"].get("keep", []):
        raise ValueError(
            f"this sweep did not keep {frame!r} frames (keep={manifest['spec'].get('keep')}); "
            f"rerun it with keep=[{frame!r}]"
        )
    design = design_frame(manifest)
    stacked = store.read_table(frame)
    if len(stacked) == 0:
        return design.iloc[0:0]
    merged = design.merge(stacked, on="run_id", how="inner")
    return merged.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)


def load_steps(path: str | Path) -> pd.DataFrame:
    """Per-step frames of every kept run, stacked with the design columns in front."""
    return load_frames(path, "steps")
