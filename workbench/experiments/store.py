"""The results store: a directory that describes itself.

    <store>/manifest.json            spec, spec hash, planned runs, provenance, start/end times
    <store>/runs/<run_id>.parquet    one row per finished run (written last: marks it finished)
    <store>/<frame>/<run_id>.parquet kept per-run frames ("steps", "signatures"), when asked for

Every file is written to a temporary name and renamed into place, so a killed driver leaves
either a whole file or none. Runs are keyed by id (a hash of parameters, seed, steps and model
version), so the store doubles as a cache: rerunning a spec skips finished runs, a changed spec
or model version computes new ones.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import json
import os
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.experiments.execute import Outcome

MANIFEST = "manifest.json"
RUNS = "runs"
FORMAT_VERSION = 1
# Columns of a run row that are bookkeeping, not model outcomes.
RUN_COLUMNS = ("run_id", "seed", "steps", "model_version", "params_json", "status", "error", "traceback",
               "duration_s")
TIMING_COLUMNS = ("duration_s",)


class StoreWarning(UserWarning):
    """Something in a store is missing or unreadable (e.g. a corrupted Parquet file)."""


def now_utc() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


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


class Store:
    """A results store directory. Open with ``Store(path)``; nothing is created until written."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock_handle = None

    # --- locking: one driver per store ----------------------------------------------------
    def lock(self) -> None:
        """Take an exclusive lock (released by :meth:`unlock` or when the process dies)."""
        self.path.mkdir(parents=True, exist_ok=True)
        handle = open(self.path / ".lock", "w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise RuntimeError(f"store {self.path} is in use by another sweep driver") from None
        self._lock_handle = handle
        for stale in self.path.rglob(".*.tmp"):  # left by a driver killed mid-write
            stale.unlink(missing_ok=True)

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
        atomic_write_bytes(self.path / MANIFEST, json.dumps(manifest, indent=2, default=str).encode())

    # --- runs -------------------------------------------------------------------------------
    def run_path(self, run_id: str) -> Path:
        return self.path / RUNS / f"{run_id}.parquet"

    def frame_path(self, frame: str, run_id: str) -> Path:
        return self.path / frame / f"{run_id}.parquet"

    def write(self, outcome: Outcome, run_fields: dict[str, Any]) -> None:
        """Write one run: kept frames first, the run row last (its presence marks the run finished)."""
        for name, frame in outcome.frames.items():
            (self.path / name).mkdir(parents=True, exist_ok=True)
            atomic_write_frame(self.frame_path(name, outcome.run_id), frame.reset_index(drop=True))
        row = {"run_id": outcome.run_id, **run_fields, "status": outcome.status,
               "error": outcome.error, "traceback": outcome.traceback,
               "duration_s": float(outcome.duration_s), **outcome.summary}
        (self.path / RUNS).mkdir(parents=True, exist_ok=True)
        frame = pd.DataFrame([row])
        for column in ("error", "traceback"):
            frame[column] = frame[column].astype("string")
        atomic_write_frame(self.run_path(outcome.run_id), frame)

    def read_run(self, run_id: str) -> pd.DataFrame | None:
        """The run's row, ``None`` if absent; a warning (and ``None``) if unreadable."""
        path = self.run_path(run_id)
        if not path.exists():
            return None
        try:
            frame = pq.read_table(path).to_pandas()
            if len(frame) != 1 or frame["run_id"].iloc[0] != run_id:
                raise ValueError("expected one row for this run id")
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported the same way
            warnings.warn(f"corrupted run file {path} ({type(exc).__name__}: {exc}); "
                          "its run is recomputed on resume", StoreWarning, stacklevel=3)
            return None
        return frame

    def frame_ok(self, frame: str, run_id: str) -> bool:
        path = self.frame_path(frame, run_id)
        try:
            pq.read_metadata(path)
        except FileNotFoundError:
            return False
        except Exception as exc:  # noqa: BLE001
            warnings.warn(f"corrupted {frame} file {path} ({type(exc).__name__}: {exc}); "
                          "its run is recomputed on resume", StoreWarning, stacklevel=3)
            return False
        return True

    def finished(self, run_ids: Iterable[str], keep: Iterable[str] = (), retry_failed: bool = True) -> set[str]:
        """Ids whose results are complete and readable (failed runs count only if not retried)."""
        keep = tuple(keep)
        done = set()
        for run_id in run_ids:
            row = self.read_run(run_id)
            if row is None:
                continue
            if row["status"].iloc[0] != "ok":
                if not retry_failed:
                    done.add(run_id)
                continue
            if all(self.frame_ok(name, run_id) for name in keep):
                done.add(run_id)
        return done


def _design_frame(manifest: dict[str, Any]) -> pd.DataFrame:
    factors = list(manifest["spec"]["factors"])
    rows = [{"run_id": r["run_id"], "point": r["point"], "replicate": r["replicate"],
             **{name: r["factors"][name] for name in factors}, "seed": r["seed"]}
            for r in manifest["runs"]]
    columns = ["run_id", "point", "replicate", *factors, "seed"]
    return pd.DataFrame(rows, columns=columns)


def load(path: str | Path, *, timing: bool = False) -> pd.DataFrame:
    """The tidy result frame of the sweep in a store: one row per finished run, in design order.

    Columns: ``run_id``, ``point`` (design point index), ``replicate``, the factor values,
    ``seed``, ``status`` ("ok"/"failed"), every summary outcome, then ``error`` and
    ``traceback`` (text for failed runs). ``timing=True`` adds ``duration_s`` (wall time).
    Runs not finished yet are left out, and unreadable files reported, with a ``StoreWarning``.
    ``frame.attrs`` holds ``factors`` and ``outcomes`` (column names) and ``store``.
    """
    store = Store(path)
    manifest = store.read_manifest()
    design = _design_frame(manifest)
    rows = []
    for run_id in dict.fromkeys(design["run_id"]):
        row = store.read_run(run_id)
        if row is not None:
            rows.append(row)
    missing = design["run_id"].nunique() - len(rows)
    if missing:
        warnings.warn(f"{missing} of {design['run_id'].nunique()} runs in {store.path} are not finished "
                      "(or unreadable); run the sweep again to resume", StoreWarning, stacklevel=2)
    results = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=list(RUN_COLUMNS))
    outcomes = [c for c in results.columns if c not in RUN_COLUMNS]
    results = results[["run_id", "status", *outcomes, "error", "traceback", "duration_s"]]
    frame = design.merge(results, on="run_id", how="inner", validate="many_to_one")
    frame = frame.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)
    if not timing:
        frame = frame.drop(columns=list(TIMING_COLUMNS))
    frame.attrs.update(factors=list(manifest["spec"]["factors"]), outcomes=outcomes, store=str(store.path))
    return frame


def load_frames(path: str | Path, frame: str = "steps") -> pd.DataFrame:
    """Per-run frames (``"steps"``, ``"signatures"``, ``"campaigns"``) of a store, stacked: the design columns
    (``run_id``, ``point``, ``replicate``, factors, ``seed``) followed by the frame's own."""
    store = Store(path)
    manifest = store.read_manifest()
    if frame not in manifest["spec"].get("keep", []):
        raise ValueError(f"this sweep did not keep {frame!r} frames (keep={manifest['spec'].get('keep')}); "
                         f"rerun it with keep=[{frame!r}]")
    design = _design_frame(manifest)
    parts = []
    for run_id in dict.fromkeys(design["run_id"]):
        file = store.frame_path(frame, run_id)
        if not file.exists():
            continue
        try:
            part = pq.read_table(file).to_pandas()
        except Exception as exc:  # noqa: BLE001
            warnings.warn(f"corrupted {frame} file {file} ({type(exc).__name__}: {exc})", StoreWarning, stacklevel=2)
            continue
        part.insert(0, "run_id", run_id)
        parts.append(part)
    if not parts:
        return design.iloc[0:0]
    stacked = pd.concat(parts, ignore_index=True)
    merged = design.merge(stacked, on="run_id", how="inner")
    return merged.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)


def load_steps(path: str | Path) -> pd.DataFrame:
    """Per-step frames of every kept run, stacked with the design columns in front."""
    return load_frames(path, "steps")
