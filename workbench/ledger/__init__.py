"""Append-only ledger of signatures, votes and decisions (used by the model).

Every entry is hash-chained to the one before and signed (Ed25519) by the node that wrote it,
so a run's record can be audited after the fact. Two backends, one interface::

    >>> from workbench.ledger import open_ledger
    >>> with open_ledger("memory", n_nodes=3, key_seed=7) as ledger:
    ...     ledger.append_batch(0, [(0, "signature", {"sig": "ab12"}), (1, "vote", {"approve": True})])
    ...     ledger.verify().ok
    [1, 2]
    True

``"memory"`` (the default, for sweeps) keeps entries in a list; ``"sqlite"`` writes a WAL-mode
SQLite file, one transaction per batch, that verifies on its own
(``python -m workbench ledger verify PATH``). File format: ``docs/ledger-schema.md``.
"""

from __future__ import annotations

from workbench.ledger.base import Ledger, rows_to_frame
from workbench.ledger.entry import COLUMNS, GENESIS_HASH, KINDS, LedgerEntry, LedgerError, VerifyResult
from workbench.ledger.keys import derive_private_key
from workbench.ledger.memory import MemoryLedger
from workbench.ledger.summary import entries_per_kind, kinds_overview, plot_entries_per_kind
from workbench.options import LEDGER_BACKENDS as BACKENDS
from workbench.validation import check_choice, check_int

__all__ = [
    "BACKENDS",
    "COLUMNS",
    "GENESIS_HASH",
    "KINDS",
    "Ledger",
    "LedgerEntry",
    "LedgerError",
    "MemoryLedger",
    "VerifyResult",
    "check_head",
    "derive_private_key",
    "entries_per_kind",
    "kinds_overview",
    "open_ledger",
    "plot_entries_per_kind",
    "rows_to_frame",
    "verify_file",
]


def open_ledger(
    kind: str = "memory",
    path: str | None = None,
    *,
    n_nodes: int | None = None,
    key_seed: int | None = None,
    sign: bool = True,
) -> Ledger:
    """Open a ledger for nodes ``0 .. n_nodes - 1`` whose keys derive from ``key_seed``.

    ``kind`` is ``"memory"`` or ``"sqlite"`` (then ``path`` is the file, created if missing,
    appended to if it exists and was written with the same ``n_nodes``, ``key_seed`` and
    ``sign``). ``sign=False`` skips Ed25519 signatures (hash chain only). A sqlite ledger opened
    with ``key_seed=None`` is read-only: it can be read and verified but not appended to.
    """
    try:
        check_choice("kind", kind, BACKENDS)
    except ValueError as exc:
        raise LedgerError(str(exc)) from None
    if kind == "memory":
        if n_nodes is None or key_seed is None:
            raise LedgerError("the memory ledger needs n_nodes and key_seed")
        return MemoryLedger(n_nodes=_check_n_nodes(n_nodes), key_seed=key_seed, sign=bool(sign))
    if kind == "sqlite":
        from workbench.ledger.sqlite import SqliteLedger

        if not path:
            raise LedgerError("path=None is not allowed with kind='sqlite'; give a file path")
        return SqliteLedger(
            path, n_nodes=None if n_nodes is None else _check_n_nodes(n_nodes), key_seed=key_seed, sign=bool(sign)
        )
    raise AssertionError(f"backend {kind!r} is listed in BACKENDS but not opened here")  # pragma: no cover


def verify_file(path: str, *, workers: int | None = None, expect_head: str | None = None) -> VerifyResult:
    """Verify a sqlite ledger file using only what it contains (read-only).

    ``workers``: processes checking slices of the file; by default every CPU for a file of more
    than 50,000 entries, else one (see :meth:`Ledger.verify`).

    ``expect_head``: the hash of the last entry as recorded elsewhere (a run's provenance
    ``ledger_head``, the sweep store's run record). A file is internally consistent after its last
    entries were deleted and its ``head`` row rewritten to match; only a head recorded outside the
    file tells such a truncated copy from the original. Then the result fails unless the file's
    chain verifies *and* ends at that hash.
    """
    with open_ledger("sqlite", path) as ledger:
        result = ledger.verify(workers=workers)
        if expect_head is None or not result.ok:
            return result
        return check_head(result, ledger.head_hash(), expect_head)


def check_head(result: VerifyResult, head_hash: str, expect_head: str) -> VerifyResult:
    """``result`` of a ledger whose last entry hashes to ``head_hash``, failed unless that is
    ``expect_head`` (64 hex digits, case ignored). Pure: no I/O."""
    expected = str(expect_head).strip().lower()
    if len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected):
        raise LedgerError(f"expect_head={expect_head!r} is not a SHA-256 hash; expected 64 hex digits")
    if not result.ok or head_hash == expected:
        return result
    last = result.n_entries
    reason = (
        f"the ledger ends at entry {last}, whose hash {head_hash[:16]}… is not the expected head "
        f"{expected[:16]}… (entries removed at the end and the head rewritten, or another ledger)"
    )
    return VerifyResult(False, last, last + 1, reason, result.signed)


def _check_n_nodes(n_nodes: int) -> int:
    try:
        return check_int("n_nodes", n_nodes, 1)
    except ValueError as exc:
        raise LedgerError(str(exc)) from None
