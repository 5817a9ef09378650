"""Checking slices of a ledger in worker processes: hand them out in order, keep the smallest bad entry.

The storage backend (:mod:`workbench.ledger.sqlite`) says how to start a worker and what it reads; this
module runs the protocol. One line each way: the parent writes a header line, then ``"lo hi"`` per slice;
a worker answers each slice with JSON ``null`` (intact), ``[seq, reason]`` (its first bad entry) or
``["error", message]`` (it could not read the ledger).

Slices are handed out in ``seq`` order as workers become free. Once a bad entry is known, slices after
it are not started (or abandoned), while those before it are still checked: one of them may hold an
earlier bad entry.
"""

from __future__ import annotations

import json
import selectors
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from workbench.ledger.entry import LedgerError

# A bad entry: (seq, reason).
Bad = tuple[int, str]
Worker = subprocess.Popen[str]


class WorkersUnavailable(Exception):
    """No worker process could be started."""


def run_slices(
    command: Sequence[str], header: str, slices: Sequence[tuple[int, int]], workers: int, source: str | Path
) -> Bad | None:
    """Check ``slices`` (``(lo, hi)`` in seq order) in up to ``workers`` processes started with ``command``,
    each sent ``header`` first; the smallest bad entry, or ``None``. ``source`` names the ledger in errors.

    :class:`WorkersUnavailable` if not one worker could be started; :class:`LedgerError` if a worker
    fails or cannot read the ledger."""
    pool = _SlicePool(header, slices, source)
    try:
        pool.start(command, min(workers, len(slices)))
        while pool.busy:
            for key, _ in pool.selector.select():
                pool.answered(key.data)
        return pool.best
    finally:
        pool.close()


class _SlicePool:
    """The workers of one :func:`run_slices` call: the slices still to give, those out, the best answer."""

    def __init__(self, header: str, slices: Sequence[tuple[int, int]], source: str | Path) -> None:
        self.header, self.source = header, source
        self.pending = list(reversed(slices))  # pop() gives the next slice in seq order
        self.procs: list[Worker] = []
        self.busy: dict[Worker, tuple[int, int]] = {}
        self.selector = selectors.DefaultSelector()
        self.best: Bad | None = None

    def start(self, command: Sequence[str], n: int) -> None:
        """Start up to ``n`` workers, each given the header and a first slice."""
        for _ in range(n):
            try:
                proc = subprocess.Popen(
                    list(command),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    bufsize=1,
                )
            except OSError:
                if not self.procs:
                    raise WorkersUnavailable from None
                break
            self.procs.append(proc)
            self.selector.register(_pipe(proc.stdout), selectors.EVENT_READ, proc)
            self.give(proc, self.header)

    def give(self, proc: Worker, text: str = "") -> None:
        """Send ``proc`` the next pending slice (after ``text``)."""
        lo, hi = self.pending.pop()
        try:
            _pipe(proc.stdin).write(f"{text}{lo} {hi}\n")
            _pipe(proc.stdin).flush()
        except BrokenPipeError:
            raise self.failed(proc) from None
        self.busy[proc] = (lo, hi)

    def failed(self, proc: Worker) -> LedgerError:
        """The error for a worker that broke off (stopped and reaped here), with its last words."""
        proc.kill()
        proc.wait()
        message = (_pipe(proc.stderr).read().strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        return LedgerError(f"{self.source}: a verification worker failed ({message})")

    def answered(self, proc: Worker) -> None:
        """Read ``proc``'s answer to its slice, keep the smallest bad entry, and give it the next slice."""
        if proc not in self.busy:  # abandoned while handling an earlier event of this round
            return
        line = _pipe(proc.stdout).readline()
        if not line:
            raise self.failed(proc)
        answer = json.loads(line)
        if answer is not None and answer[0] == "error":
            raise LedgerError(f"{self.source}: cannot read the ledger tables ({answer[1]})")
        del self.busy[proc]
        if answer is not None and (self.best is None or answer[0] < self.best[0]):
            self.best = (answer[0], answer[1])
        if self.best is not None:
            self.drop_after(self.best[0])
        if self.pending:
            self.give(proc)
        else:
            self.selector.unregister(_pipe(proc.stdout))
            _pipe(proc.stdin).close()

    def drop_after(self, seq: int) -> None:
        """Forget the pending slices and abandon the busy ones that start after ``seq``: they cannot hold
        an earlier bad entry."""
        while self.pending and self.pending[-1][0] > seq:
            self.pending.pop()
        for other, (lo, _) in list(self.busy.items()):
            if lo > seq:
                del self.busy[other]
                self.selector.unregister(_pipe(other.stdout))
                other.kill()

    def close(self) -> None:
        """Stop what still runs, close every pipe and reap every worker."""
        self.selector.close()
        for proc in self.procs:
            if proc.poll() is None and proc in self.busy:
                proc.kill()
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _pipe(stream: IO[str] | None) -> IO[str]:
    """A worker's pipe (always opened: every Popen here passes ``subprocess.PIPE``)."""
    assert stream is not None
    return stream
