"""Tampered copies of a sqlite ledger file: what an audit must catch, made the way anyone
holding the file could, with plain SQL (used by notebook 03 and the tests).

Each kind changes a *copy* (the original is never written) and returns a :class:`Tampering`
saying what was changed and which check finds it:

``"flip"``
    One bit of one entry's payload flipped. The entry's recomputed hash no longer matches:
    ``verify()`` fails at that entry.
``"rehash"``
    The payload changed *and* the entry's hash, the following entries' ``prev_hash``/``hash``
    and the ``head`` row recomputed, so the hash chain is consistent again. The node's Ed25519
    signature no longer covers the hash: ``verify()`` fails at that entry (a ledger written with
    ``sign=False`` has no such protection).
``"delete"``
    One entry deleted. ``verify()`` reports the entry as missing.
``"truncate"``
    Every entry after ``seq`` deleted and the ``head`` row rewritten to the new last entry. The
    file is internally consistent and ``verify()`` passes; only a head hash recorded elsewhere
    (a run's ``ledger_head``) catches it: ``verify_file(path, expect_head=...)`` or
    ``python -m workbench ledger verify PATH --expect-head HASH``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from workbench.ledger.entry import LedgerError, entry_hash

TAMPERINGS = ("flip", "rehash", "delete", "truncate")


@dataclass(frozen=True)
class Tampering:
    """What :func:`tamper_copy` did: the kind, the entry it targeted and a one-line description."""

    kind: str
    seq: int
    description: str
    caught_by_verify: bool  # False: only a recorded head (``expect_head``) catches it


def tamper_copy(source: str | Path, target: str | Path, kind: str, seq: int | None = None) -> Tampering:
    """Copy the ledger file ``source`` to ``target`` (overwritten) and tamper with the copy.

    ``kind`` is one of :data:`TAMPERINGS` (see the module docstring); ``seq`` the entry to
    alter, delete or (``"truncate"``) keep as the last one, by default the middle entry. The
    copy is made with SQLite's backup API, so entries still in ``source``'s write-ahead log are
    included. Raises :class:`LedgerError` for an unknown kind or an entry that does not exist.
    """
    if kind not in TAMPERINGS:
        raise LedgerError(f"kind={kind!r} is not allowed; choose one of {', '.join(map(repr, TAMPERINGS))}")
    target = Path(target)
    for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    if not Path(source).is_file():
        raise LedgerError(f"{source} is not a file")
    src = sqlite3.connect(f"file:{Path(source).resolve()}?mode=ro", uri=True)
    conn = sqlite3.connect(target)
    try:
        src.backup(conn)
    finally:
        src.close()
    try:
        with conn:
            head = conn.execute("SELECT seq FROM head").fetchone()[0]
            seq = head // 2 + 1 if seq is None else int(seq)
            if not 1 <= seq <= head or (kind == "truncate" and seq == head):
                top = head - 1 if kind == "truncate" else head
                raise LedgerError(f"seq={seq!r} is out of range; expected an integer with 1 <= x <= {top}")
            return _TAMPER[kind](conn, seq, head)
    finally:
        conn.close()


def _flip(payload: str) -> str:
    at = len(payload) // 2  # flip one bit of the middle character
    return payload[:at] + chr(ord(payload[at]) ^ 1) + payload[at + 1 :]


def _tamper_flip(conn: sqlite3.Connection, seq: int, head: int) -> Tampering:
    payload = conn.execute("SELECT payload FROM entries WHERE seq = ?", (seq,)).fetchone()[0]
    conn.execute("UPDATE entries SET payload = ? WHERE seq = ?", (_flip(payload), seq))
    return Tampering("flip", seq, f"entry {seq}: payload {payload} -> {_flip(payload)}", True)


def _tamper_rehash(conn: sqlite3.Connection, seq: int, head: int) -> Tampering:
    rows = conn.execute(
        "SELECT seq, step, node_id, kind, payload FROM entries WHERE seq >= ? ORDER BY seq", (seq,)
    ).fetchall()
    prev = conn.execute("SELECT prev_hash FROM entries WHERE seq = ?", (seq,)).fetchone()[0]
    original = rows[0][4]
    for number, step, node_id, kind, payload in rows:
        if number == seq:
            payload = _flip(payload)
        digest = entry_hash(number, step, node_id, kind, payload, prev)
        conn.execute(
            "UPDATE entries SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?", (payload, prev, digest, number)
        )
        prev = digest
    conn.execute("UPDATE head SET hash = ? WHERE id = 1", (prev,))
    return Tampering(
        "rehash",
        seq,
        f"entry {seq}: payload {original} -> {_flip(original)}, hashes of entries {seq}..{head} recomputed",
        True,
    )


def _tamper_delete(conn: sqlite3.Connection, seq: int, head: int) -> Tampering:
    conn.execute("DELETE FROM entries WHERE seq = ?", (seq,))
    return Tampering("delete", seq, f"entry {seq} deleted", True)


def _tamper_truncate(conn: sqlite3.Connection, seq: int, head: int) -> Tampering:
    conn.execute("DELETE FROM entries WHERE seq > ?", (seq,))
    digest, step = conn.execute("SELECT hash, step FROM entries WHERE seq = ?", (seq,)).fetchone()
    conn.execute("UPDATE head SET seq = ?, hash = ?, step = ? WHERE id = 1", (seq, digest, step))
    return Tampering("truncate", seq, f"entries {seq + 1}..{head} deleted and the head rewritten to entry {seq}", False)


_TAMPER = {"flip": _tamper_flip, "rehash": _tamper_rehash, "delete": _tamper_delete, "truncate": _tamper_truncate}
