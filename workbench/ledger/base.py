"""The one ledger interface; backends (memory, sqlite) implement a handful of storage hooks.

Validation, chaining, verification and the DataFrame view live here, so both backends behave
identically: the same tests run against both.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from workbench.ledger.entry import (
    COLUMNS,
    GENESIS_HASH,
    LedgerEntry,
    LedgerError,
    Row,
    VerifyResult,
    check_step,
    prepare_batch,
)
from workbench.ledger.verify import verify_rows

if TYPE_CHECKING:  # pandas is imported when a frame is made: verifying (and its worker processes) need not
    import pandas as pd


def rows_to_frame(rows: Iterable[Row]) -> pd.DataFrame:
    """Tidy frame, one row per entry, columns :data:`~workbench.ledger.entry.COLUMNS`."""
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=list(COLUMNS))
    return frame.astype({"seq": "int64", "step": "int64", "node_id": "int64"})


class Ledger(ABC):
    """Append-only, hash-chained, signed record of what every node claimed, voted and decided.

    Entries get sequence numbers 1, 2, ...; ``entries_after(0)`` returns all of them. A batch
    (one :meth:`append_batch` call) is atomic: it is validated completely before anything is
    written, and either all of its entries are stored or none. Use as a context manager or call
    :meth:`close`; a closed ledger raises :class:`LedgerError` on every operation.
    """

    backend: str = ""

    def __init__(self, n_nodes: int, *, signed: bool, writable: bool) -> None:
        self.n_nodes = n_nodes
        self.signed = signed
        self.writable = writable
        self._closed = False

    # --- storage hooks ----------------------------------------------------------------------
    @abstractmethod
    def _append(self, step: int, prepared: list[tuple[int, str, str]]) -> list[int]:
        """Chain, sign (now or later) and store a validated, non-empty batch atomically."""

    @abstractmethod
    def _last_step(self) -> int | None:
        """Step of the last stored entry, ``None`` when empty."""

    @abstractmethod
    def _rows_after(self, seq: int) -> list[Row]:
        """Stored rows with seq > ``seq``, in seq order, signatures filled in."""

    @abstractmethod
    def _row(self, seq: int) -> Row | None:
        """The stored row ``seq`` (signature filled in) or ``None``."""

    @abstractmethod
    def _verify(self, workers: int | None) -> VerifyResult:
        """Verify all stored rows against the stored public keys and head (``workers=None``: the
        backend's default)."""

    @abstractmethod
    def _len(self) -> int:
        """Number of entries (the recorded head sequence number)."""

    def _close(self) -> None:  # noqa: B027 - an optional hook: most backends hold nothing to release
        """Release resources (default: nothing)."""

    def _where(self) -> str:
        """Where the entries live, for error messages (default: nowhere worth naming)."""
        return ""

    # --- the interface ------------------------------------------------------------------------
    def append_batch(self, step: int, entries: Sequence[tuple[int, str, Mapping[str, Any]]]) -> list[int]:
        """Append one step's entries ``(node_id, kind, payload)``; returns their sequence numbers.

        ``step`` is the model step (an integer >= 0 that never decreases from batch to batch);
        ``node_id`` in ``0 .. n_nodes - 1``; ``kind`` one of ``"signature"``, ``"vote"``,
        ``"decision"``; ``payload`` a mapping of JSON values, stored as canonical JSON.
        All or nothing: bad input raises :class:`LedgerError` and writes nothing.
        """
        self._check_open()
        if not self.writable:
            raise LedgerError("this ledger was opened read-only (no key_seed given); it cannot be appended to")
        step = check_step(step, self._last_step(), self._where())
        prepared = prepare_batch(entries, self.n_nodes)
        if not prepared:
            return []
        return self._append(step, prepared)

    def entries_after(self, seq: int) -> list[LedgerEntry]:
        """Entries with sequence number > ``seq``, in order (``entries_after(0)``: all)."""
        self._check_open()
        return [LedgerEntry(*row) for row in self._rows_after(int(seq))]

    def get(self, seq: int) -> LedgerEntry:
        """Entry number ``seq`` (1-based); :class:`LedgerError` if there is none."""
        self._check_open()
        row = self._row(int(seq))
        if row is None:
            raise LedgerError(f"seq={seq!r} is out of range; expected an integer with 1 <= x <= {self._len()}")
        return LedgerEntry(*row)

    def verify(self, *, workers: int | None = None) -> VerifyResult:
        """Recompute the hash chain and every signature; report the first bad entry and why.

        ``workers`` > 1 checks slices of a sqlite ledger in that many processes (signature
        checks dominate: ~75-110 us each); the result is the same as with one. The default
        (``None``) uses every CPU for a sqlite ledger of more than 50,000 entries and one
        process otherwise; the memory backend always verifies in-process.
        """
        self._check_open()
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
            raise LedgerError(f"workers={workers!r} is out of range; expected an integer with x >= 1, or None")
        return self._verify(workers)

    def to_frame(self) -> pd.DataFrame:
        """One row per entry: seq, step, node_id, kind, payload (JSON text), prev_hash, hash, signature."""
        self._check_open()
        return rows_to_frame(self._rows_after(0))

    def __len__(self) -> int:
        self._check_open()
        return self._len()

    def head_hash(self) -> str:
        """Hash of the last entry (``GENESIS_HASH`` when empty): with ``len(self)``, what a run
        records so that a later check can tell a truncated copy whose head was rewritten."""
        self._check_open()
        row = self._row(self._len()) if self._len() else None
        return GENESIS_HASH if row is None else row[6]

    def close(self) -> None:
        """Release the backend's resources; idempotent."""
        if not self._closed:
            self._closed = True
            self._close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise LedgerError(f"the {self.backend} ledger is closed")

    @staticmethod
    def _verify_rows(
        rows: Iterable[Row], public_keys: Mapping[int, str], *, signed: bool, head_seq: int
    ) -> VerifyResult:
        return verify_rows(rows, public_keys, signed=signed, head_seq=head_seq)
