"""The ledger's data: entries, their canonical form and hash chain, input validation, results.

Pure functions only (no I/O); both backends build and check entries with them, so an entry's
hash and signature do not depend on where it is stored. The format is specified in
``docs/ledger-schema.md``.
"""

from __future__ import annotations

import hashlib
import json
import numbers
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

KINDS = ("signature", "vote", "decision")
# prev_hash of the first entry: 64 hex zeros.
GENESIS_HASH = "0" * 64
# Column order of a stored row, of LedgerEntry and of Ledger.to_frame().
COLUMNS = ("seq", "step", "node_id", "kind", "payload", "prev_hash", "hash", "signature")

# A stored row: (seq, step, node_id, kind, payload, prev_hash, hash, signature).
Row = tuple[int, int, int, str, str, str, str, "str | None"]


class LedgerError(Exception):
    """Bad input, a closed or read-only ledger, or a file that is not a ledger.

    Raised before anything is written: a batch that raises leaves the ledger unchanged.
    Tampering is *not* an exception: :meth:`Ledger.verify` reports it in a :class:`VerifyResult`.
    """


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One ledger entry, as stored.

    ``payload`` is the canonical JSON text that was hashed and signed; :attr:`data` parses it.
    Hashes are 64 lowercase hex digits (SHA-256); ``signature`` is 128 hex digits (Ed25519) or
    ``None`` in a ledger written with ``sign=False``.
    """

    seq: int
    step: int
    node_id: int
    kind: str
    payload: str
    prev_hash: str
    hash: str
    signature: str | None

    @property
    def data(self) -> Any:
        """The payload as Python objects (``json.loads(payload)``)."""
        return json.loads(self.payload)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of :meth:`Ledger.verify`.

    ``n_entries`` counts the entries found intact: all of them when ``ok``, otherwise those
    before ``bad_seq``. ``signed`` says whether signatures were checked (``False`` for a ledger
    written with ``sign=False``, whose integrity rests on the hash chain alone).
    """

    ok: bool
    n_entries: int
    bad_seq: int | None = None
    reason: str | None = None
    signed: bool = True

    def __bool__(self) -> bool:
        return self.ok

    def summary(self) -> str:
        """One line: ``OK: N entries verified`` or ``FAIL at entry K: reason``."""
        if self.ok:
            return f"OK: {self.n_entries} entries verified" + ("" if self.signed else " (unsigned: hash chain only)")
        return f"FAIL at entry {self.bad_seq}: {self.reason}"


def _json_default(value: Any) -> Any:
    # numpy scalars (np.int64 node ids, np.bool_ flags) are common in model code; store them as
    # the equivalent JSON scalar rather than rejecting them. A numpy value means numpy is loaded:
    # the ledger does not import it itself (verifying needs none of it).
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# Same output as json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False), built
# once because json.dumps with non-default options constructs an encoder per call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False, default=_json_default)


def _c_encoder() -> Any:
    """CPython's C encoder with the canonical options, made once (half the cost per payload of
    ``JSONEncoder.encode``, which rebuilds it every call); ``None`` where unavailable."""
    try:
        # c_make_encoder is private, hence absent from the type stubs
        from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]

        # markers=None: no circular-reference bookkeeping; a circular payload hits RecursionError.
        encoder = c_make_encoder(None, _json_default, encode_basestring_ascii, None, ":", ",", True, False, False)
        sample = {"b": [1, 2.5, None, "\u00e9\n"], "a": {"y": True, "x": False}}
        if "".join(encoder(sample, 0)) != _ENCODER.encode(sample):
            return None
        return encoder
    except Exception:  # private CPython interface: fall back to the public encoder
        return None


_C_ENCODER = _c_encoder()


def canonical_json(payload: Mapping[str, Any]) -> str:
    """Canonical JSON text of a payload: sorted keys, no spaces, ASCII, no NaN/Infinity.

    Raises ``TypeError`` / ``ValueError`` for what JSON cannot represent.
    """
    if type(payload) is not dict:
        payload = dict(payload)
    if _C_ENCODER is None:
        return _ENCODER.encode(payload)
    try:
        return "".join(_C_ENCODER(payload, 0))
    except RecursionError:
        raise ValueError("circular reference or nesting too deep") from None


def entry_hash(seq: int, step: int, node_id: int, kind: str, payload: str, prev_hash: str) -> str:
    """SHA-256 (hex) of an entry's canonical content and the previous entry's hash.

    The hashed bytes are the six fields in decimal / text, joined by ``\\n``, UTF-8 encoded.
    This is unambiguous: none of the fields can contain a newline (canonical JSON escapes them).
    """
    return hashlib.sha256(f"{seq}\n{step}\n{node_id}\n{kind}\n{payload}\n{prev_hash}".encode()).hexdigest()


def chain_rows(step: int, prepared: Sequence[tuple[int, str, str]], last_seq: int, last_hash: str) -> list[Row]:
    """Unsigned rows for a validated batch, continuing the chain after (last_seq, last_hash)."""
    rows: list[Row] = []
    seq, prev = last_seq, last_hash
    sha256 = hashlib.sha256
    for node_id, kind, payload in prepared:
        seq += 1
        digest = sha256(f"{seq}\n{step}\n{node_id}\n{kind}\n{payload}\n{prev}".encode()).hexdigest()
        rows.append((seq, step, node_id, kind, payload, prev, digest, None))
        prev = digest
    return rows


def _as_int(name: str, value: Any) -> int | None:
    """``value`` as a plain int if it is an integer (numpy ints accepted, bools not), else None."""
    if type(value) is int:
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


def check_step(step: Any, last_step: int | None, where: str = "") -> int:
    """Validated step number: an integer >= 0, not below the step of the previous batch."""
    low = 0 if last_step is None else last_step
    value = _as_int("step", step)
    if value is None or value < low:
        why = "" if last_step is None else f" (steps never go back: the last batch was step {last_step}{where})"
        raise LedgerError(f"step={step!r} is out of range; expected an integer with x >= {low}{why}")
    return value


def prepare_batch(entries: Sequence[tuple[int, str, Mapping[str, Any]]], n_nodes: int) -> list[tuple[int, str, str]]:
    """Validate a batch and canonicalise its payloads: ``[(node_id, kind, payload_json), ...]``.

    Raises :class:`LedgerError` naming the offending entry; nothing is written in that case.
    """
    if isinstance(entries, (str, bytes, Mapping)) or not isinstance(entries, Sequence):
        raise LedgerError(
            f"entries must be a sequence of (node_id, kind, payload) tuples, not {type(entries).__name__}"
        )
    prepared: list[tuple[int, str, str]] = []
    append, encode = prepared.append, _C_ENCODER
    # a dict payload shared by several entries (the votes on one signature) is encoded once: the entries
    # hold it for the whole call, so its id names it
    texts: dict[int, str] = {}
    for i, item in enumerate(entries):
        try:
            node_id, kind, payload = item
        except (TypeError, ValueError):
            raise LedgerError(f"entries[{i}]={item!r} is not a (node_id, kind, payload) triple") from None
        if type(node_id) is not int or not 0 <= node_id < n_nodes:  # fast path: a plain int in range
            node = _as_int("node_id", node_id)
            if node is None or not 0 <= node < n_nodes:
                raise LedgerError(
                    f"entries[{i}]: node_id={node_id!r} is not a known node; "
                    f"expected an integer with 0 <= x <= {n_nodes - 1}"
                )
            node_id = node
        if kind not in KINDS:
            raise LedgerError(
                f"entries[{i}]: kind={kind!r} is not allowed; choose one of {', '.join(map(repr, KINDS))}"
            )
        if type(payload) is not dict and not isinstance(payload, Mapping):
            raise LedgerError(
                f"entries[{i}]: payload must be a mapping (a dict of JSON values), not {type(payload).__name__}"
            )
        text = texts.get(id(payload))
        if text is None:
            try:
                text = (
                    "".join(encode(payload, 0))
                    if encode is not None and type(payload) is dict
                    else canonical_json(payload)
                )
            except (TypeError, ValueError, RecursionError) as exc:
                raise LedgerError(f"entries[{i}]: payload is not JSON-serialisable: {exc}") from None
            texts[id(payload)] = text
        append((node_id, kind, text))
    return prepared
