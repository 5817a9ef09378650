"""Checking a ledger: recompute the hash chain and every signature, stop at the first bad entry.

Pure: works on an iterable of stored rows in ``seq`` order, whatever stores them. Signatures are
checked with libsodium (PyNaCl), about twice as fast here as the ``cryptography`` package that
signs them; both implement standard Ed25519, so either verifies the other's signatures.

A slice of a ledger (``start_*``, ``stop_seq``) is checked exactly as the sequential check sees
it, given the entry before the slice: the first bad entry of a ledger is therefore the smallest
bad entry over any split of it into slices (what :mod:`workbench.ledger.sqlite` does in worker
processes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from nacl.bindings import crypto_sign_open
from nacl.exceptions import CryptoError

from workbench.ledger.entry import GENESIS_HASH, KINDS, LedgerError, Row, VerifyResult

# A bad entry: (seq, reason); None when the rows checked out.
Bad = tuple[int, str]


def public_key_bytes(hex_key: str) -> bytes:
    """The raw 32-byte Ed25519 public key from its 64 hex digits; :class:`LedgerError` if it is not one."""
    try:
        raw = bytes.fromhex(hex_key)
    except (ValueError, TypeError) as exc:
        raise LedgerError(f"public key {hex_key!r} is not a 32-byte Ed25519 key in hex: {exc}") from None
    if len(raw) != 32:
        raise LedgerError(f"public key {hex_key!r} is not a 32-byte Ed25519 key in hex: {len(raw)} bytes")
    return raw


def signature_is_valid(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` (64 bytes) is ``public_key``'s Ed25519 signature of ``message`` (libsodium)."""
    if len(signature) != 64 or len(public_key) != 32:
        return False
    try:
        crypto_sign_open(signature + message, public_key)
    except CryptoError:
        return False
    return True


def check_rows(
    rows: Iterable[Row],
    public_keys: Mapping[int, str],
    *,
    signed: bool,
    head_seq: int,
    start_seq: int = 1,
    start_prev_hash: str = GENESIS_HASH,
    start_step: int | None = None,
    stop_seq: int | None = None,
    key_cache: dict[int, bytes] | None = None,
) -> Bad | None:
    """The first bad entry of ``rows`` as ``(seq, reason)``, or ``None``; see :func:`verify_rows`.

    ``stop_seq``: stop, content, after checking entry ``stop_seq`` (rows after it are left
    unread: a slice that is not the ledger's last). ``key_cache`` keeps the public keys decoded
    from ``public_keys`` across calls (one dict per ``public_keys``).
    """
    loaded: dict[int, bytes] = {} if key_cache is None else key_cache
    expected, prev, last_step = start_seq, start_prev_hash, start_step
    sha256 = hashlib.sha256
    kinds = frozenset(KINDS)
    stop = -1 if stop_seq is None else stop_seq

    for seq, step, node_id, kind, payload, prev_hash, digest, signature in rows:
        if seq != expected or prev_hash != prev:
            return _link_problem(seq, expected, prev_hash, prev)
        try:
            recomputed = sha256(f"{seq}\n{step}\n{node_id}\n{kind}\n{payload}\n{prev_hash}".encode()).hexdigest()
        except (UnicodeEncodeError, TypeError) as exc:
            return seq, f"content cannot be hashed: {exc}"
        if recomputed != digest:
            return seq, "hash does not match the entry's content (entry altered)"
        if kind not in kinds:
            return seq, f"unknown kind {kind!r}"
        if last_step is not None and step < last_step:
            return seq, f"step {step} goes back (previous entry is at step {last_step})"
        key = loaded.get(node_id)
        if key is None:
            try:
                key = loaded[node_id] = _node_key(node_id, public_keys)
            except LedgerError as exc:
                return seq, str(exc)
        if signed or signature is not None:  # (an unsigned entry of an unsigned ledger needs no check)
            problem = _signature_problem(signed, signature, digest, key, node_id)
            if problem is not None:
                return seq, problem
        if seq == stop:
            return None
        prev, last_step = digest, step
        expected += 1
    return _head_problem(expected - 1, head_seq)


def _link_problem(seq: int, expected: int, prev_hash: str, prev: str) -> Bad:
    """The bad entry when the row read is ``seq`` with ``prev_hash`` where entry ``expected`` linking to
    the hash ``prev`` should come next."""
    if seq > expected:
        return expected, f"entry {expected} is missing (the entry after {expected - 1} is {seq})"
    if seq < expected:
        return seq, f"entry {seq} is out of order (expected entry {expected})"
    return seq, "prev_hash does not match the previous entry's hash (entries removed, reordered or altered)"


def _node_key(node_id: int, public_keys: Mapping[int, str]) -> bytes:
    """Node ``node_id``'s raw public key; :class:`LedgerError` naming the problem if it has none or a bad one."""
    hex_key = public_keys.get(node_id)
    if hex_key is None:
        raise LedgerError(f"node {node_id} is not in the ledger's nodes table")
    return public_key_bytes(hex_key)


def _signature_problem(signed: bool, signature: str | None, digest: str, key: bytes, node_id: int) -> str | None:
    """Why ``signature`` (hex) is not ``node_id``'s signature of the entry hash ``digest`` in a ledger that is
    ``signed`` (or why an entry of an unsigned ledger carries one), or ``None``."""
    if not signed:
        return None if signature is None else "signature present in a ledger written without signatures"
    if signature is None:
        return "signature missing"
    # libsodium's crypto_sign_open takes signature || message: one hex decode for both.
    # The length check pins the split (the signature is 64 bytes, the message the hash).
    try:
        if len(signature) != 128:
            raise ValueError
        crypto_sign_open(bytes.fromhex(signature + digest), key)
    except (CryptoError, ValueError, TypeError):
        return f"signature is not a valid signature by node {node_id}"
    return None


def _head_problem(last: int, head_seq: int) -> Bad | None:
    """The bad entry when the rows end at ``last`` but the ledger records ``head_seq`` entries."""
    if last < head_seq:
        return last + 1, f"entry {last + 1} is missing (the ledger records {head_seq} entries; found {last})"
    if last > head_seq:
        return head_seq + 1, f"entries after the recorded head (the ledger records {head_seq} entries; found {last})"
    return None


def verify_rows(
    rows: Iterable[Row],
    public_keys: Mapping[int, str],
    *,
    signed: bool,
    head_seq: int,
    start_seq: int = 1,
    start_prev_hash: str = GENESIS_HASH,
    start_step: int | None = None,
    stop_seq: int | None = None,
) -> VerifyResult:
    """Check rows ``start_seq ..`` (in order) and that the last one is the recorded head.

    ``public_keys`` maps node id to its hex public key (the ledger's ``nodes`` table);
    ``head_seq`` is the number of entries the ledger records having written, so that a deleted
    last entry is noticed too. Checks, per entry: consecutive ``seq``, ``prev_hash`` equal to the
    previous entry's hash, known kind and node, non-decreasing step, the recomputed hash, and
    (when ``signed``) the node's Ed25519 signature over the hash. ``start_*`` and ``stop_seq``
    check a slice of a ledger: its first seq, the hash and step of the entry before it, and the
    last entry to check (``None``: up to the end of ``rows``).
    """
    bad = check_rows(
        rows,
        public_keys,
        signed=signed,
        head_seq=head_seq,
        start_seq=start_seq,
        start_prev_hash=start_prev_hash,
        start_step=start_step,
        stop_seq=stop_seq,
    )
    if bad is not None:
        seq, reason = bad
        return VerifyResult(False, seq - start_seq, seq, reason, signed)
    last = head_seq if stop_seq is None else stop_seq
    return VerifyResult(True, last - start_seq + 1, None, None, signed)
