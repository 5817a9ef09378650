"""The sqlite ledger as a file: crash safety, concurrent readers, reopening, the command line."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest

from workbench.__main__ import main as workbench_main
from workbench.ledger import LedgerError, VerifyResult, open_ledger

N_NODES = 16
KEY_SEED = 4242

ROOT = Path(__file__).resolve().parents[2]

# A writer process: appends batches of SIZE entries, one batch per step, resuming after the last
# step in the file, and prints each committed step. Runs until killed, or, given KILL_AFTER > 0,
# SIGKILLs itself right after inserting its KILL_AFTER-th row (inside that batch's transaction).
# It loads the ledger layer alone (workbench/__init__ would import the whole model: seconds per
# process on a busy machine).
WRITER = """
import os, signal, sys, types
package = types.ModuleType("workbench")
package.__path__ = [sys.argv[4]]
sys.modules["workbench"] = package
from workbench.ledger import open_ledger
path, size, sign, kill_after = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", int(sys.argv[5])
inserted = 0
def trace(statement):
    global inserted
    if statement.startswith("INSERT INTO entries"):
        inserted += 1
        if inserted == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
with open_ledger("sqlite", path, n_nodes=16, key_seed=4242, sign=sign) as ledger:
    if kill_after:
        ledger._conn.set_trace_callback(trace)
    step = ledger.get(len(ledger)).step + 1 if len(ledger) else 0
    while True:
        ledger.append_batch(step, [(i % 16, ("signature", "vote", "decision")[i % 3], {"i": i, "step": step})
                                   for i in range(size)])
        print(step, flush=True)
        step += 1
"""


def start_writer(path: Path, size: int, sign: bool, kill_after: int = 0) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            WRITER,
            str(path),
            str(size),
            "1" if sign else "0",
            str(ROOT / "workbench"),
            str(kill_after),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def wait_for_steps(writer: subprocess.Popen, n: int) -> int:
    """Block until the writer reports ``n`` more committed steps; returns the last one."""
    last = -1
    for _ in range(n):
        line = writer.stdout.readline()
        assert line, f"writer exited early with status {writer.wait()}"
        last = int(line)
    return last


def kill(writer: subprocess.Popen) -> None:
    writer.send_signal(signal.SIGKILL)  # no cleanup, no rollback, no atexit
    writer.wait()
    writer.stdout.close()


def batches_are_whole(path: Path, size: int) -> pd.Series:
    with open_ledger("sqlite", str(path)) as ledger:
        result = ledger.verify()
        frame = ledger.to_frame()
    assert result.ok, result
    per_step = frame.groupby("step").size()
    assert (per_step == size).all(), per_step[per_step != size]
    assert per_step.index.tolist() == list(range(len(per_step)))  # no batch missing in between
    return per_step


def test_sigkill_inside_a_batch_leaves_only_whole_batches(tmp_path):
    path, size = tmp_path / "crash.sqlite", 400
    # Deterministic: the writer kills itself halfway through inserting step 3's batch.
    writer = start_writer(path, size, sign=True, kill_after=3 * size + size // 2)
    assert writer.wait(timeout=120) == -signal.SIGKILL
    writer.stdout.close()
    assert batches_are_whole(path, size).index.tolist() == [0, 1, 2]
    # Then killed from outside at arbitrary moments, resuming the same file each time.
    committed = 2
    for round_, delay in enumerate((0.01, 0.04, 0.07)):
        writer = start_writer(path, size, sign=True)
        reported = wait_for_steps(writer, 1 + round_)
        time.sleep(delay)  # most of a batch's time is spent inside its transaction
        kill(writer)
        per_step = batches_are_whole(path, size)
        assert per_step.index.max() >= reported > committed  # every reported commit survived
        committed = per_step.index.max()


@pytest.mark.slow
def test_readers_read_while_a_writer_appends(tmp_path):
    path, size = tmp_path / "live.sqlite", 400
    writer = start_writer(path, size, sign=False)
    try:
        wait_for_steps(writer, 1)
        reads, seen = 0, 0
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            with open_ledger("sqlite", str(path)) as reader:
                result = reader.verify()
                assert result.ok, result
                assert result.n_entries % size == 0 and result.n_entries >= seen
                seen = result.n_entries
                tail = reader.entries_after(max(seen - 5, 0))
                assert all(b.prev_hash == a.hash for a, b in pairwise(tail))
            with sqlite3.connect(path) as conn:  # plain readers too
                frame = pd.read_sql("SELECT step, COUNT(*) AS n FROM entries GROUP BY step", conn)
            conn.close()
            assert (frame["n"].iloc[:-1] == size).all()
            reads += 1
        assert reads >= 3 and seen > size
    finally:
        kill(writer)
    batches_are_whole(path, size)


def test_file_reopens_for_appending_and_checks_its_keys(tmp_path):
    path = str(tmp_path / "run.sqlite")
    with open_ledger("sqlite", path, n_nodes=N_NODES, key_seed=KEY_SEED) as ledger:
        ledger.append_batch(0, [(1, "vote", {"approve": True})])
    with open_ledger("sqlite", path, n_nodes=N_NODES, key_seed=KEY_SEED) as ledger:
        assert ledger.append_batch(1, [(2, "vote", {"approve": False})]) == [2]
        assert ledger.verify().ok
    with pytest.raises(LedgerError, match="key_seed does not match"):
        open_ledger("sqlite", path, n_nodes=N_NODES, key_seed=KEY_SEED + 1)
    with pytest.raises(LedgerError, match="n_nodes=3 does not match"):
        open_ledger("sqlite", path, n_nodes=3, key_seed=KEY_SEED)
    with pytest.raises(LedgerError, match="sign=False does not match"):
        open_ledger("sqlite", path, n_nodes=N_NODES, key_seed=KEY_SEED, sign=False)
    with open_ledger("sqlite", path) as reader:  # no key_seed: read-only
        assert len(reader) == 2 and reader.n_nodes == N_NODES
        with pytest.raises(LedgerError, match="read-only"):
            reader.append_batch(2, [(0, "vote", {})])


def test_file_is_readable_by_plain_tools(tmp_path):
    path = tmp_path / "plain.sqlite"
    with open_ledger("sqlite", str(path), n_nodes=N_NODES, key_seed=KEY_SEED) as ledger:
        ledger.append_batch(0, [(1, "signature", {"sig": "ab"}), (2, "vote", {"approve": True})])
        ledger.append_batch(3, [(3, "decision", {"sig": "ab", "confirmed": True})])
        frame = ledger.to_frame()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        pd.testing.assert_frame_equal(
            pd.read_sql("SELECT * FROM entries ORDER BY seq", conn).astype({"seq": "int64"}), frame, check_dtype=False
        )
        assert pd.read_sql("SELECT COUNT(*) AS n FROM nodes", conn)["n"].item() == N_NODES
        assert dict(conn.execute("SELECT key, value FROM meta"))["format"] == "workbench-ledger"
    conn.close()
    if shutil.which("sqlite3"):
        out = subprocess.run(
            ["sqlite3", str(path), "SELECT kind, COUNT(*) FROM entries GROUP BY kind ORDER BY kind"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert out.split() == ["decision|1", "signature|1", "vote|1"]


# --- command line -----------------------------------------------------------------------------------
def _signed_file(tmp_path: Path) -> Path:
    path = tmp_path / "cli.sqlite"
    with open_ledger("sqlite", str(path), n_nodes=N_NODES, key_seed=KEY_SEED) as ledger:
        for step in range(3):
            ledger.append_batch(step, [(i, "vote", {"approve": i % 2 == 0}) for i in range(4)])
    return path


def test_cli_verify_ok(tmp_path, capsys):
    path = _signed_file(tmp_path)
    assert workbench_main(["ledger", "verify", str(path)]) == 0
    assert capsys.readouterr().out == "OK: 12 entries verified\n"


def test_cli_verify_tampered(tmp_path, capsys):
    path = _signed_file(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE entries SET payload = '{\"approve\":false}' WHERE seq = 5")
    conn.close()
    assert workbench_main(["ledger", "verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL at entry 5: hash does not match") and out.count("\n") == 1


@pytest.mark.parametrize("what", ["missing", "text", "other-sqlite", "directory"])
def test_cli_verify_not_a_ledger(tmp_path, capsys, what):
    path = tmp_path / "x.sqlite"
    if what == "text":
        path.write_text("not a database\n" * 100)
    elif what == "other-sqlite":
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE t (x)")
        conn.close()
    elif what == "directory":
        path.mkdir()
    assert workbench_main(["ledger", "verify", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert what == "directory" or path.exists() == (what != "missing")  # verifying never creates a file


def test_cli_as_a_process(tmp_path):
    path = _signed_file(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "ledger", "verify", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert (done.returncode, done.stdout) == (0, "OK: 12 entries verified\n")


def _parallel_file(tmp_path: Path, sign: bool = True) -> Path:
    path = tmp_path / "par.sqlite"
    with open_ledger("sqlite", str(path), n_nodes=N_NODES, key_seed=KEY_SEED, sign=sign) as ledger:
        for step in range(8):
            ledger.append_batch(step, [(i, "vote", {"approve": i % 2 == 0}) for i in range(6)])
    return path


# 48 entries in slices of 10 (1-10, 11-20, 21-30, 31-40, 41-48): tampering at slice boundaries,
# at the ends, and in several slices at once (the earliest must win whichever worker finishes first).
PARALLEL_TAMPERING = {
    "intact": [],
    "delete-first-of-slice": ["DELETE FROM entries WHERE seq = 31"],
    "delete-last-of-slice": ["DELETE FROM entries WHERE seq = 30"],
    "delete-two-at-boundary": ["DELETE FROM entries WHERE seq IN (20, 21)"],
    "delete-first": ["DELETE FROM entries WHERE seq = 1"],
    "delete-last": ["DELETE FROM entries WHERE seq = 48"],
    "payload-first-of-slice": ["UPDATE entries SET payload = '{\"approve\":null}' WHERE seq = 21"],
    "payload-last-of-slice": ["UPDATE entries SET payload = '{\"approve\":null}' WHERE seq = 40"],
    "step-goes-back-at-boundary": ["UPDATE entries SET step = 0 WHERE seq = 41"],
    "resign-boundary": ["UPDATE entries SET signature = (SELECT signature FROM entries WHERE seq = 10) WHERE seq = 11"],
    "bad-signature-text": ["UPDATE entries SET signature = 'zz' WHERE seq = 37"],
    "several-slices": [
        "UPDATE entries SET payload = '{}' WHERE seq = 45",
        "DELETE FROM entries WHERE seq = 33",
        "UPDATE entries SET kind = 'decision' WHERE seq = 12",
    ],
    "row-after-head": [
        "INSERT INTO entries SELECT 49, step, node_id, kind, payload, hash, hash, signature FROM entries WHERE seq = 48"
    ],
    "head-moved-back": ["UPDATE head SET seq = 40"],
    "unknown-node": ["UPDATE entries SET node_id = 99 WHERE seq = 26"],
}


@pytest.mark.slow  # starts worker processes
@pytest.mark.parametrize("case", list(PARALLEL_TAMPERING))
def test_parallel_verify_agrees_with_sequential(tmp_path, monkeypatch, case):
    from workbench.ledger import sqlite as sqlite_backend

    monkeypatch.setattr(sqlite_backend, "_MIN_SLICE", 10)  # slices of 10 entries: boundaries get tested
    calls = []
    run_slices = sqlite_backend._run_slices
    monkeypatch.setattr(sqlite_backend, "_run_slices", lambda *args: calls.append(args) or run_slices(*args))
    path = _parallel_file(tmp_path, sign=case != "unsigned")
    with sqlite3.connect(path) as conn:
        for statement in PARALLEL_TAMPERING[case]:
            conn.execute(statement)
    conn.close()
    with open_ledger("sqlite", str(path)) as reader:
        sequential, parallel = reader.verify(workers=1), reader.verify(workers=2)
        assert len(calls) == 1 and len(calls[0][3]) == (4 if case == "head-moved-back" else 5)  # slices of 10
        assert reader.verify(workers=3) == sequential
    assert parallel == sequential
    assert sequential.ok == (case == "intact")
    if case == "several-slices":
        assert sequential.bad_seq == 12


@pytest.mark.slow  # starts worker processes
def test_parallel_verify_of_an_unsigned_file(tmp_path, monkeypatch):
    from workbench.ledger import sqlite as sqlite_backend

    monkeypatch.setattr(sqlite_backend, "_MIN_SLICE", 10)
    path = _parallel_file(tmp_path, sign=False)
    with open_ledger("sqlite", str(path)) as reader:
        assert reader.verify(workers=2) == reader.verify(workers=1) == VerifyResult(True, 48, None, None, False)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE entries SET payload = '{}' WHERE seq = 23")
    conn.close()
    with open_ledger("sqlite", str(path)) as reader:
        assert reader.verify(workers=2) == reader.verify(workers=1)
        assert reader.verify(workers=2).bad_seq == 23


def test_verify_uses_every_cpu_for_large_files_only(tmp_path, monkeypatch):
    from workbench.ledger import sqlite as sqlite_backend

    assert sqlite_backend.default_workers(50_000) == 1
    assert sqlite_backend.default_workers(1_000_000) == sqlite_backend.cpu_count() >= 1
    assert sqlite_backend.default_workers(100_000, signed=False) == 1  # hashing alone: not worth the workers
    calls = []
    monkeypatch.setattr(
        sqlite_backend, "_run_slices", lambda path, signed, head, slices, workers: calls.append(workers)
    )
    monkeypatch.setattr(sqlite_backend, "cpu_count", lambda: 2)
    monkeypatch.setattr(sqlite_backend, "_MIN_SLICE", 10)
    path = _parallel_file(tmp_path)
    with open_ledger("sqlite", str(path)) as reader:
        assert reader.verify().ok and calls == []  # 48 entries: in-process
        monkeypatch.setattr(sqlite_backend, "AUTO_PARALLEL_ABOVE", 40)
        assert reader.verify().ok and calls == [2]
        assert reader.verify(workers=1).ok and calls == [2]


def test_verification_workers_start_light(tmp_path):
    """A worker process imports the ledger layer only: no pandas, numpy or model (fast to start)."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import workbench.ledger.sqlite; "
        "print(sorted(m for m in ('pandas', 'numpy', 'matplotlib', 'workbench.model') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_parallel_verify_reports_a_broken_worker(tmp_path, monkeypatch):
    from workbench.ledger import sqlite as sqlite_backend

    monkeypatch.setattr(sqlite_backend, "_MIN_SLICE", 10)
    monkeypatch.setattr(sqlite_backend, "_WORKER", "import sys; sys.stdin.readline(); sys.exit('worker broke')")
    with (
        open_ledger("sqlite", str(_parallel_file(tmp_path))) as reader,
        pytest.raises(LedgerError, match="worker broke"),
    ):
        reader.verify(workers=2)


def test_ledger_can_be_used_from_another_thread(tmp_path):
    """A UI may open the model's ledger in one thread and step the model in another."""
    import threading

    with open_ledger("sqlite", str(tmp_path / "t.sqlite"), n_nodes=N_NODES, key_seed=KEY_SEED) as ledger:
        errors: list[BaseException] = []

        def work() -> None:
            try:
                for step in range(6):
                    ledger.append_batch(step, [(1, "vote", {"approve": True}), (2, "vote", {"approve": False})])
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        writer = threading.Thread(target=work)
        writer.start()
        while writer.is_alive():  # the opening thread reads meanwhile
            assert len(ledger.entries_after(0)) % 2 == 0
        writer.join()
        assert not errors
        assert len(ledger) == 12 and ledger.verify().ok


def test_cli_verify_says_the_expected_head_matched(tmp_path, capsys):
    path = _signed_file(tmp_path)
    with open_ledger("sqlite", str(path)) as ledger:
        head = ledger.head_hash()
    assert workbench_main(["ledger", "verify", str(path), "--expect-head", head]) == 0
    assert capsys.readouterr().out == f"OK: 12 entries verified; head matches the expected {head[:12]}...\n"
    assert workbench_main(["ledger", "verify", str(path), "--expect-head", "0" * 64]) == 1
    assert "head matches" not in capsys.readouterr().out
