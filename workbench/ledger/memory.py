"""In-memory ledger: the default for sweeps, where thousands of models run and nothing persists.

Its rows are held in compact columns (:class:`~workbench.ledger.row_store.RowStore`, about 50 bytes a
vote entry) and rebuilt as tuples when read.

Entries are hashed when appended; Ed25519 signatures (the expensive part, ~50 us each) are
computed lazily, on the first read that shows them (``get``, ``entries_after``, ``to_frame``,
``verify``). Ed25519 is deterministic, so what a reader sees is identical to eager signing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from workbench.ledger.base import Ledger
from workbench.ledger.entry import GENESIS_HASH, Row, VerifyResult
from workbench.ledger.keys import NodeKeys
from workbench.ledger.row_store import RowStore


class _DerivedPublicKeys(Mapping[int, str]):
    """Hex public keys of nodes 0 .. n-1, derived on demand (a run rarely uses every node)."""

    def __init__(self, keys: NodeKeys) -> None:
        self._keys = keys

    def __getitem__(self, node_id: int) -> str:
        if not (type(node_id) is int and 0 <= node_id < self._keys.n_nodes):
            raise KeyError(node_id)
        return self._keys.public_hex(node_id)

    def __iter__(self) -> Iterator[int]:
        return iter(range(self._keys.n_nodes))

    def __len__(self) -> int:
        return self._keys.n_nodes


class MemoryLedger(Ledger):
    """Ledger held in memory (:class:`~workbench.ledger.row_store.RowStore`); lost when the process ends."""

    backend = "memory"

    def __init__(self, *, n_nodes: int, key_seed: int, sign: bool = True) -> None:
        super().__init__(n_nodes, signed=sign, writable=True)
        self._keys = NodeKeys(key_seed, n_nodes)
        # _rows[i] is entry i + 1. Tests tamper with it directly to check verify().
        self._rows = RowStore()
        self._n_signed = 0  # rows [0, _n_signed) carry their signature
        # The head is recorded apart from the rows, as in the sqlite file, so that losing the
        # last entry is noticed.
        self._head_seq = 0
        self._head_hash = GENESIS_HASH
        self._head_step: int | None = None

    def _append(self, step: int, prepared: list[tuple[int, str, str]]) -> list[int]:
        first = self._head_seq + 1
        last = self._rows.append_chain(step, prepared, self._head_seq, self._head_hash)
        self._head_seq, self._head_hash, self._head_step = last[0], last[6], step
        return list(range(first, last[0] + 1))

    def _sign_pending(self) -> None:
        if not self.signed or self._n_signed == len(self._rows):
            return
        start = self._n_signed
        private = self._keys.private
        self._rows.sign_from(start, lambda node_id, digest: private(node_id).sign(digest), self._keys.sign_rows)
        self._n_signed = len(self._rows)

    def _last_step(self) -> int | None:
        return self._head_step

    def head_hash(self) -> str:
        """Hash of the last entry, without signing pending rows: a hash covers the entry, not its
        signature, so the lazily signed rows need not be signed to name the head (signing every
        entry of a run took most of a short sweep run's time)."""
        self._check_open()
        return self._head_hash

    def _rows_after(self, seq: int) -> list[Row]:
        self._sign_pending()
        return self._rows[max(seq, 0) :]  # rebuilt as tuples

    def _row(self, seq: int) -> Row | None:
        if not 1 <= seq <= len(self._rows):
            return None
        self._sign_pending()
        return self._rows[seq - 1]

    def _verify(self, workers: int | None) -> VerifyResult:
        self._sign_pending()
        return self._verify_rows(
            self._rows, _DerivedPublicKeys(self._keys), signed=self.signed, head_seq=self._head_seq
        )

    def _len(self) -> int:
        return self._head_seq

    def _close(self) -> None:
        self._rows = RowStore()
