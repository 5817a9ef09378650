"""SQLite ledger: one self-contained, WAL-mode file per run, one transaction per batch.

WAL lets readers (``sqlite3`` shell, ``pandas.read_sql``, a second ``open_ledger``) read a
consistent snapshot while the writer appends. ``synchronous=NORMAL``: a crash of the writer
process (even SIGKILL) never leaves a half-written batch; a power cut may lose the last
committed batches but never corrupts the chain. Schema: ``docs/ledger-schema.md``.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from workbench.ledger.base import Ledger
from workbench.ledger.entry import COLUMNS, GENESIS_HASH, KINDS, LedgerError, Row, VerifyResult, chain_rows
from workbench.ledger.keys import NodeKeys
from workbench.ledger.slice_pool import WorkersUnavailable, run_slices
from workbench.ledger.verify import check_rows, verify_rows

FORMAT = "workbench-ledger"
SCHEMA_VERSION = "1"

SCHEMA = f"""
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE nodes (
    node_id    INTEGER PRIMARY KEY,
    public_key TEXT NOT NULL
);
CREATE TABLE head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL,
    step INTEGER
);
CREATE TABLE entries (
    seq       INTEGER PRIMARY KEY,
    step      INTEGER NOT NULL,
    node_id   INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ({", ".join(f"'{k}'" for k in KINDS)})),
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    signature TEXT
);
"""

_SELECT = f"SELECT {', '.join(COLUMNS)} FROM entries"
_INSERT = f"INSERT INTO entries ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
# Nodes whose stored public key is compared with the one derived from key_seed when an existing
# file is reopened for writing; a wrong key_seed differs on every node.
_KEY_CHECK_NODES = 16


def _locked(method: Callable) -> Callable:
    """Run a storage hook holding the ledger's lock: one transaction at a time per connection."""

    @functools.wraps(method)
    def locked(self: SqliteLedger, *args: object) -> object:
        with self._lock:
            return method(self, *args)

    return locked


class SqliteLedger(Ledger):
    """Ledger stored in a SQLite file; see the module docstring."""

    backend = "sqlite"

    def __init__(
        self, path: str | os.PathLike[str], *, n_nodes: int | None, key_seed: int | None, sign: bool = True
    ) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        writable = key_seed is not None
        if self.path.is_dir():
            raise LedgerError(f"{self.path} is a directory, not a ledger file")
        exists = self.path.is_file() and self.path.stat().st_size > 0
        if not exists and not writable:
            raise LedgerError(f"{self.path}: no such ledger file")
        if writable:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        mode = "rwc" if writable else ("rw" if os.access(self.path, os.W_OK) else "ro")
        try:
            # check_same_thread=False with a lock (see _locked): a UI may build the model in one
            # thread and step it in another.
            self._conn = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode={mode}",
                uri=True,
                isolation_level=None,
                timeout=30.0,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise LedgerError(f"{self.path}: cannot open ({exc})") from None
        try:
            if exists:
                n_nodes, signed = self._check_existing(n_nodes, sign if writable else None)
            elif n_nodes is None:
                raise LedgerError(f"{self.path}: creating a ledger needs n_nodes")
            else:
                signed = sign
            super().__init__(n_nodes, signed=signed, writable=writable)
            self._keys = NodeKeys(key_seed, n_nodes) if key_seed is not None else None  # writable
            if writable:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
                if exists:
                    self._check_keys()
                else:
                    self._create()
            else:
                self._conn.execute("PRAGMA query_only=ON")
        except BaseException:
            self._conn.close()
            raise

    # --- opening ------------------------------------------------------------------------------
    def _check_existing(self, n_nodes: int | None, sign: bool | None) -> tuple[int, bool]:
        try:
            meta = dict(self._conn.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path} is not a workbench ledger ({exc})") from None
        if meta.get("format") != FORMAT:
            raise LedgerError(f"{self.path} is not a workbench ledger (meta.format={meta.get('format')!r})")
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise LedgerError(
                f"{self.path}: schema_version={meta.get('schema_version')!r} is not supported; "
                f"expected {SCHEMA_VERSION!r}"
            )
        try:
            stored_nodes, stored_signed = int(meta["n_nodes"]), meta["signed"] == "1"
        except (KeyError, ValueError) as exc:
            raise LedgerError(f"{self.path}: meta table is incomplete ({exc})") from None
        if n_nodes is not None and n_nodes != stored_nodes:
            raise LedgerError(f"n_nodes={n_nodes} does not match {self.path}, written for n_nodes={stored_nodes}")
        if sign is not None and sign != stored_signed:
            raise LedgerError(f"sign={sign} does not match {self.path}, written with sign={stored_signed}")
        return stored_nodes, stored_signed

    def _check_keys(self) -> None:
        assert self._keys is not None
        stored = dict(
            self._conn.execute("SELECT node_id, public_key FROM nodes WHERE node_id < ?", (_KEY_CHECK_NODES,))
        )
        for node_id in range(min(self.n_nodes, _KEY_CHECK_NODES)):
            if stored.get(node_id) != self._keys.public_hex(node_id):
                raise LedgerError(f"key_seed does not match the keys {self.path} was written with (node {node_id})")

    def _create(self) -> None:
        assert self._keys is not None
        meta = {
            "format": FORMAT,
            "schema_version": SCHEMA_VERSION,
            "n_nodes": str(self.n_nodes),
            "signed": "1" if self.signed else "0",
            "hash": "sha256",
            "signature": "ed25519",
            "genesis_hash": GENESIS_HASH,
        }
        keys = [(i, self._keys.public_hex(i)) for i in range(self.n_nodes)]
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
            conn.executemany("INSERT INTO nodes (node_id, public_key) VALUES (?, ?)", keys)
            conn.execute("INSERT INTO head (id, seq, hash, step) VALUES (1, 0, ?, NULL)", (GENESIS_HASH,))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    # --- storage hooks ------------------------------------------------------------------------
    @_locked
    def _append(self, step: int, prepared: list[tuple[int, str, str]]) -> list[int]:
        assert self._keys is not None
        conn = self._conn
        # IMMEDIATE takes the write lock now, so the head read below cannot be overtaken by
        # another writer; the whole batch and the new head commit together or not at all.
        conn.execute("BEGIN IMMEDIATE")
        try:
            seq, digest, last_step = conn.execute("SELECT seq, hash, step FROM head").fetchone()
            if last_step is not None and step < last_step:
                raise LedgerError(
                    f"step={step} is out of range; expected an integer with x >= {last_step} "
                    f"(steps never go back: the last batch was step {last_step})"
                )
            rows = chain_rows(step, prepared, seq, digest)
            if self.signed:
                rows = self._keys.sign_rows(rows)
            conn.executemany(_INSERT, rows)
            conn.execute("UPDATE head SET seq = ?, hash = ?, step = ? WHERE id = 1", (rows[-1][0], rows[-1][6], step))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return [row[0] for row in rows]

    @_locked
    def _last_step(self) -> int | None:
        return self._conn.execute("SELECT step FROM head").fetchone()[0]

    @_locked
    def _rows_after(self, seq: int) -> list[Row]:
        return self._conn.execute(f"{_SELECT} WHERE seq > ? ORDER BY seq", (seq,)).fetchall()

    @_locked
    def _row(self, seq: int) -> Row | None:
        return self._conn.execute(f"{_SELECT} WHERE seq = ?", (seq,)).fetchone()

    @_locked
    def _len(self) -> int:
        return self._conn.execute("SELECT seq FROM head").fetchone()[0]

    @_locked
    def _verify(self, workers: int | None) -> VerifyResult:
        conn = self._conn
        # One read transaction: head, keys and rows come from the same snapshot even while
        # another connection appends.
        conn.execute("BEGIN")
        try:
            head_seq = conn.execute("SELECT seq FROM head").fetchone()[0]
            if workers is None:
                workers = default_workers(head_seq, self.signed)
            if workers > 1 and head_seq >= 2 * _MIN_SLICE:
                result = self._verify_parallel(head_seq, workers)
                if result is not None:
                    return result
            keys = dict(conn.execute("SELECT node_id, public_key FROM nodes"))
            cursor = conn.execute(f"{_SELECT} ORDER BY seq")
            try:
                return verify_rows(_iterate(cursor), keys, signed=self.signed, head_seq=head_seq)
            finally:
                cursor.close()
        except (sqlite3.DatabaseError, TypeError) as exc:  # TypeError: head row deleted
            raise LedgerError(f"{self.path}: cannot read the ledger tables ({exc})") from None
        finally:
            conn.execute("COMMIT")

    def _verify_parallel(self, head_seq: int, workers: int) -> VerifyResult | None:
        """Slices of 1..head_seq checked in worker processes; the smallest bad seq wins.

        ``None`` when the worker processes cannot be started (the caller checks in-process).
        Entries up to the head never change under honest appends, so workers reading their own
        snapshots see what this connection's snapshot sees.
        """
        size = min(_MAX_SLICE, max(_MIN_SLICE, -(-head_seq // (_SLICES_PER_WORKER * workers))))
        slices = [(lo, min(lo + size - 1, head_seq)) for lo in range(1, head_seq + 1, size)]
        try:
            bad = _run_slices(self.path, self.signed, head_seq, slices, workers)
        except WorkersUnavailable:
            return None
        if bad is None:
            # Rows past the head, read in this connection's snapshot (workers may see a newer one
            # while a writer appends), checked as the sequential check would.
            keys = dict(self._conn.execute("SELECT node_id, public_key FROM nodes"))
            prev_hash, prev_step = self._conn.execute(
                "SELECT hash, step FROM entries WHERE seq = ?", (head_seq,)
            ).fetchone()
            cursor = self._conn.execute(f"{_SELECT} WHERE seq > ? ORDER BY seq", (head_seq,))
            try:
                bad = check_rows(
                    _iterate(cursor),
                    keys,
                    signed=self.signed,
                    head_seq=head_seq,
                    start_seq=head_seq + 1,
                    start_prev_hash=prev_hash,
                    start_step=prev_step,
                )
            finally:
                cursor.close()
        if bad is None:
            return VerifyResult(True, head_seq, None, None, self.signed)
        seq, reason = bad
        return VerifyResult(False, seq - 1, seq, reason, self.signed)

    def _where(self) -> str:
        return (
            f" in {self.path}, an existing file this ledger appends to; "
            "remove it or choose another path to start afresh"
        )

    @_locked
    def _close(self) -> None:
        self._conn.close()


def _iterate(cursor: sqlite3.Cursor, size: int = 8192) -> Iterator[Row]:
    while rows := cursor.fetchmany(size):
        yield from rows


# --- parallel verification ----------------------------------------------------------------------
# Worker processes are plain ``python -c`` subprocesses importing only the ledger package (about
# 0.1-0.3 s each, see benchmarks/bench_ledger.py), not multiprocessing children: spawn and
# forkserver re-import the caller's ``__main__`` (a script without a main guard would run again;
# a notebook or pytest pays its imports), and fork copies a process that may hold SQLite
# connections and other threads' locks. The protocol is workbench.ledger.slice_pool's; the header
# is JSON [path, signed, head_seq].

# Ledgers with more entries are verified in os.cpu_count() processes by default. Unsigned entries
# cost ~6 us each to check (hash chain only), so only large files repay starting the workers.
AUTO_PARALLEL_ABOVE = 50_000
AUTO_PARALLEL_ABOVE_UNSIGNED = 500_000
# Smallest slice worth sending to a worker (a worker checks ~10,000 signed entries/s).
_MIN_SLICE = 5_000
# Largest slice: the granularity of load balancing and of stopping early at a bad entry.
_MAX_SLICE = 50_000
_SLICES_PER_WORKER = 8

_WORKER = (
    "import sys; sys.path.insert(0, sys.argv[1]); from workbench.ledger.sqlite import _worker_main; _worker_main()"
)
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def cpu_count() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_workers(n_entries: int, signed: bool = True) -> int:
    """Processes ``verify()`` uses by default: all CPUs for a large ledger, else one."""
    return cpu_count() if n_entries > (AUTO_PARALLEL_ABOVE if signed else AUTO_PARALLEL_ABOVE_UNSIGNED) else 1


def _run_slices(
    path: Path, signed: bool, head_seq: int, slices: list[tuple[int, int]], workers: int
) -> tuple[int, str] | None:
    """Check ``slices`` (in seq order) in up to ``workers`` processes running :func:`_worker_main`; the
    smallest bad entry (:func:`workbench.ledger.slice_pool.run_slices`)."""
    import json

    header = json.dumps([str(path.resolve()), signed, head_seq]) + "\n"
    return run_slices([sys.executable, "-c", _WORKER, _PACKAGE_ROOT], header, slices, workers, path)


def _worker_main() -> None:
    """A verification worker (see above): check slices of a ledger file, read-only."""
    import json

    path, signed, head_seq = json.loads(sys.stdin.readline())
    conn = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=30.0)
    try:
        conn.execute("BEGIN")  # one snapshot for all of this worker's slices
        keys = dict(conn.execute("SELECT node_id, public_key FROM nodes"))
        cache: dict[int, bytes] = {}
        for line in sys.stdin:
            lo, hi = map(int, line.split())
            answer: object
            try:
                answer = _check_slice(conn, keys, cache, signed, head_seq, lo, hi)
            except (sqlite3.DatabaseError, TypeError) as exc:
                answer = ["error", str(exc)]
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        conn.close()


def _check_slice(
    conn: sqlite3.Connection, keys: dict, cache: dict, signed: bool, head_seq: int, lo: int, hi: int
) -> tuple[int, str] | None:
    """First bad entry among lo..hi, given the stored entry lo - 1."""
    before = conn.execute("SELECT hash, step FROM entries WHERE seq = ?", (lo - 1,)).fetchone()
    # A missing or bad entry lo - 1 is reported by the slice that holds it, which wins.
    prev_hash, prev_step = (GENESIS_HASH, None) if lo == 1 else (before or ("", None))
    # Read past hi: a missing entry hi is then reported as in a sequential check ("the entry
    # after ... is ..."); check_rows stops after entry hi.
    cursor = conn.execute(f"{_SELECT} WHERE seq >= ? ORDER BY seq", (lo,))
    try:
        return check_rows(
            _iterate(cursor, 2048),
            keys,
            signed=signed,
            head_seq=head_seq,
            start_seq=lo,
            start_prev_hash=prev_hash,
            start_step=prev_step,
            stop_seq=hi,
            key_cache=cache,
        )
    finally:
        cursor.close()
