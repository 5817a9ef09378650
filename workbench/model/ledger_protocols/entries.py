"""An ordering ledger's entries: every signature, vote and decision submitted, as growable columns.

An entry has an id (its row here, in submission order), a kind (:data:`SIGNATURE`, :data:`VOTE`,
:data:`DECISION`), the signature row it concerns, for a vote its voter and value, for a decision whether it
confirms (``value`` 1) or rejects (0), who submitted it and at which step, and the step at which an honest
node first applied it (``-1``: not yet). The pool of entries waiting for a block is kept by the caller as
an ascending array of ids (oldest first).
"""

from __future__ import annotations

import numpy as np

from workbench.model import message_sizes

SIGNATURE, VOTE, DECISION = 0, 1, 2
#: bytes of each kind's payload inside a block (its message kind's size, :mod:`workbench.model.message_sizes`)
PAYLOAD_BYTES = np.array([message_sizes.SIGNATURE, message_sizes.VOTE, message_sizes.DECISION], np.int64)
MESSAGE_KIND = ("signature", "vote", "decision")

_COLUMNS = {
    "kind": np.int8,
    "row": np.int64,
    "voter": np.int32,
    "value": np.int8,
    "submitter": np.int32,
    "submitted": np.int32,
    "applied": np.int32,
}


class EntryLog:
    """Columns ``kind``, ``row``, ``voter``, ``value``, ``submitter``, ``submitted``, ``applied`` of the entries
    submitted so far (views of the first ``len(self)`` rows; see the module docstring)."""

    def __init__(self, capacity: int = 1024) -> None:
        self._n = 0
        self._cols = {name: np.zeros(capacity, dtype) for name, dtype in _COLUMNS.items()}

    def __len__(self) -> int:
        return self._n

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("_cols")
        if cols is None or name not in cols:
            raise AttributeError(name)
        return cols[name][: self._n]

    def add(
        self,
        kind: int,
        row: np.ndarray,
        submitter: np.ndarray,
        t: int,
        voter: np.ndarray | None = None,
        value: np.ndarray | None = None,
    ) -> np.ndarray:
        """Append entries of one ``kind`` for signature ``row`` submitted by ``submitter`` at ``t``; their ids."""
        row = np.asarray(row, np.int64)
        k = row.size
        if self._n + k > self._cols["kind"].size:
            capacity = max(2 * self._cols["kind"].size, self._n + k)
            for name, old in self._cols.items():
                new = np.zeros(capacity, old.dtype)
                new[: self._n] = old[: self._n]
                self._cols[name] = new
        at = slice(self._n, self._n + k)
        c = self._cols
        c["kind"][at], c["row"][at], c["submitter"][at], c["submitted"][at] = kind, row, submitter, t
        c["voter"][at] = -1 if voter is None else voter
        c["value"][at] = 0 if value is None else value
        c["applied"][at] = -1
        ids = np.arange(self._n, self._n + k, dtype=np.int64)
        self._n += k
        return ids

    def mark_applied(self, ids: np.ndarray, t: int) -> None:
        """An honest node applied entries ``ids`` at ``t`` (the first such step is kept)."""
        applied = self._cols["applied"]
        fresh = ids[applied[ids] < 0]
        applied[fresh] = t

    def payload_bytes(self, ids: np.ndarray) -> int:
        """Bytes of the entries' payloads (their kinds' message sizes)."""
        return int(PAYLOAD_BYTES[self._cols["kind"][ids]].sum())
