"""Checking a ledger: recompute the hash chain and every signature, stop at the first bad entry.

Pure: works on an iterable of stored rows in ``seq`` order, whatever stores them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from workbench.ledger.entry import GENESIS_HASH, KINDS, LedgerError, Row, VerifyResult
from workbench.ledger.keys import InvalidSignature, load_public_key


def verify_rows(
    rows: Iterable[Row],
    public_keys: Mapping[int, str],
    *,
    signed: bool,
    head_seq: int,
    start_seq: int = 1,
    start_prev_hash: str = GENESIS_HASH,
    start_step: int | None = None,
    is_slice: bool = False,
) -> VerifyResult:
    """Check rows ``start_seq ..`` (in order) and that the last one is the recorded head.

    ``public_keys`` maps node id to its hex public key (the ledger's ``nodes`` table);
    ``head_seq`` is the number of entries the ledger records having written, so that a deleted
    last entry is noticed too. Checks, per entry: consecutive ``seq``, ``prev_hash`` equal to the
    previous entry's hash, known kind and node, non-decreasing step, the recomputed hash, and
    (when ``signed``) the node's Ed25519 signature over the hash. ``start_*`` and ``is_slice``
    check a slice of a ledger: its first seq, the hash and step of the entry before it.
    """
    loaded: dict[int, object] = {}
    expected, prev, last_step = start_seq, start_prev_hash, start_step
    sha256 = hashlib.sha256
    fromhex = bytes.fromhex

    def bad(seq: int, reason: str) -> VerifyResult:
        return VerifyResult(False, seq - start_seq, seq, reason, signed)

    for seq, step, node_id, kind, payload, prev_hash, digest, signature in rows:
        if seq != expected:
            if seq > expected:
                return bad(expected, f"entry {expected} is missing (the entry after {expected - 1} is {seq})")
            return bad(seq, f"entry {seq} is out of order (expected entry {expected})")
        if prev_hash != prev:
            return bad(seq, "prev_hash does not match the previous entry's hash (entries removed, reordered or altered)")
        try:
            recomputed = sha256(f"{seq}\n{step}\n{node_id}\n{kind}\n{payload}\n{prev_hash}".encode()).hexdigest()
        except (UnicodeEncodeError, TypeError) as exc:
            return bad(seq, f"content cannot be hashed: {exc}")
        if recomputed != digest:
            return bad(seq, "hash does not match the entry's content (entry altered)")
        if kind not in KINDS:
            return bad(seq, f"unknown kind {kind!r}")
        if last_step is not None and step < last_step:
            return bad(seq, f"step {step} goes back (previous entry is at step {last_step})")
        key = loaded.get(node_id)
        if key is None:
            hex_key = public_keys.get(node_id)
            if hex_key is None:
                return bad(seq, f"node {node_id} is not in the ledger's nodes table")
            try:
                key = loaded[node_id] = load_public_key(hex_key)
            except LedgerError as exc:
                return bad(seq, str(exc))
        if signed:
            if signature is None:
                return bad(seq, "signature missing")
            try:
                key.verify(fromhex(signature), fromhex(digest))  # type: ignore[attr-defined]
            except (InvalidSignature, ValueError, TypeError):
                return bad(seq, f"signature is not a valid signature by node {node_id}")
        elif signature is not None:
            return bad(seq, "signature present in a ledger written without signatures")
        prev, last_step = digest, step
        expected += 1
    last = expected - 1
    if last < head_seq:
        if is_slice:  # head_seq is where the slice ends, not the ledger's head
            return bad(expected, f"entry {expected} is missing")
        return bad(expected, f"entry {expected} is missing (the ledger records {head_seq} entries; found {last})")
    if last > head_seq:
        return bad(head_seq + 1, f"entries after the recorded head (the ledger records {head_seq} entries; found {last})")
    return VerifyResult(True, last - start_seq + 1, None, None, signed)
