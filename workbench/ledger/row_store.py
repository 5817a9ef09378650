"""The memory ledger's rows in compact columns: about 50 bytes a vote entry instead of about 350.

A stored row is ``(seq, step, node_id, kind, payload, prev_hash, hash, signature)``
(:data:`~workbench.ledger.entry.Row`). Held as Python tuples, an entry costs its tuple, its payload and
hash strings and its integers (~350 bytes for a vote); a long run of a large network holds millions.
:class:`RowStore` keeps the same rows in flat buffers instead: the payloads' UTF-8 bytes end to end with
their offsets (8 bytes; a batch's equal payloads, such as the votes on one signature, once, with a 4-byte
number per row), the 32-byte SHA-256 digests, the 64-byte Ed25519 signatures once made, the step
and node as 4-byte integers and the kind as one byte. ``seq`` (1, 2, ...) and ``prev_hash`` (the hash of
the row before; the genesis hash for the first) follow from the order, since the store only ever appends a
chain (:meth:`RowStore.append_chain`). Rows are rebuilt as tuples when read, so the ledger's entries,
frames, hashes and signatures are those of the tuples.

The store is a :class:`~collections.abc.MutableSequence` of rows: replacing or deleting a row (what the
tampering tests do, to check that :meth:`~workbench.ledger.base.Ledger.verify` notices) turns it, once and
for good, into a plain list of tuples, which holds whatever is put in it.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterable, Iterator, MutableSequence, Sequence
from typing import Any, overload

from workbench.ledger.entry import GENESIS_HASH, KINDS, Row, chain_rows

_KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
_HASH, _SIG = 32, 64  # bytes of a SHA-256 digest, of an Ed25519 signature


class RowStore(MutableSequence[Row]):
    """The rows of a chain that starts at seq 1 from the genesis hash, in compact columns (see the module)."""

    def __init__(self) -> None:
        self._list: list[Row] | None = None  # the rows as tuples, once a row was replaced or deleted
        self._step = array("i")
        self._node = array("i")
        self._kind = bytearray()
        self._payload = bytearray()  # the distinct payloads of each batch, end to end
        self._ends = array("q")  # the end of each distinct payload in _payload (it starts where the one before's ends)
        self._text = array("i")  # per row, the number of its payload
        self._hash = bytearray()  # _HASH bytes per row
        self._sig = bytearray()  # _SIG bytes per row, for the rows signed so far (a prefix of the rows)

    # --- what the memory ledger does with its rows -----------------------------------------------------
    def append_chain(self, step: int, prepared: Sequence[tuple[int, str, str]], last_seq: int, last_hash: str) -> Row:
        """Chain and store a validated batch after (``last_seq``, ``last_hash``), as
        :func:`~workbench.ledger.entry.chain_rows` does; returns the batch's last row."""
        if self._list is not None or last_seq != len(self._node):
            # a tampered store (or a head that is not the last row's): the rows as tuples, as ever
            rows = chain_rows(step, prepared, last_seq, last_hash)
            self._as_list().extend(rows)
            return rows[-1]
        seq, prev = last_seq, last_hash
        sha256 = hashlib.sha256
        hexes: list[str] = []
        append = hexes.append
        # a batch's equal payloads (the votes on one signature) are kept once: each row keeps its number
        first, number = len(self._ends), array("i")
        distinct: dict[str, int] = {}
        for node_id, kind, payload in prepared:
            seq += 1
            prev = sha256(f"{seq}\n{step}\n{node_id}\n{kind}\n{payload}\n{prev}".encode()).hexdigest()
            append(prev)
            k = distinct.get(payload)
            if k is None:
                k = distinct[payload] = first + len(distinct)
            number.append(k)
        digests = bytes.fromhex("".join(hexes))
        texts = list(distinct)
        joined = "".join(texts).encode()
        end = self._ends[-1] if self._ends else 0
        if len(joined) == sum(map(len, texts)):  # ASCII (canonical JSON always is): a character is a byte
            lengths: Iterable[int] = map(len, texts)
        else:
            lengths = (len(text.encode()) for text in texts)
        ends = array("q")
        for length in lengths:
            end += length
            ends.append(end)
        self._payload += joined
        self._ends += ends
        self._text += number
        self._hash += digests
        self._step.extend([step] * len(prepared))
        self._node.extend(node_id for node_id, _, _ in prepared)
        self._kind += bytes(_KIND_CODE[kind] for _, kind, _ in prepared)
        return self[-1]

    def sign_from(
        self, start: int, sign: Callable[[int, bytes], bytes], sign_rows: Callable[[list[Row]], list[Row]]
    ) -> None:
        """Sign rows ``start`` .. the last: ``sign(node_id, digest)`` gives a row's 64-byte signature
        (``sign_rows`` signs tuples, for a store turned into a list)."""
        if self._list is not None:
            self._list[start:] = sign_rows(self._list[start:])
            return
        if start * _SIG != len(self._sig):
            raise ValueError(f"start={start} is not the first unsigned row ({len(self._sig) // _SIG})")
        digests, nodes, out = self._hash, self._node, bytearray()
        for i in range(start, len(nodes)):
            out += sign(nodes[i], bytes(digests[i * _HASH : (i + 1) * _HASH]))
        self._sig += out

    @property
    def nbytes(self) -> int:
        """Bytes of the buffers (of the row tuples, estimated, once a list)."""
        if self._list is not None:
            return sum(len(r[4]) + 250 for r in self._list)
        return sum(
            len(b) * (b.itemsize if isinstance(b, array) else 1)
            for b in (self._step, self._node, self._kind, self._payload, self._ends, self._text, self._hash, self._sig)
        )

    # --- the sequence ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._list) if self._list is not None else len(self._node)

    def _row(self, i: int) -> Row:
        h, sig, k = self._hash, self._sig, self._text[i]
        start = self._ends[k - 1] if k else 0
        prev = h[(i - 1) * _HASH : i * _HASH].hex() if i else GENESIS_HASH
        signature = sig[i * _SIG : (i + 1) * _SIG].hex() if (i + 1) * _SIG <= len(sig) else None
        return (
            i + 1,
            self._step[i],
            self._node[i],
            KINDS[self._kind[i]],
            self._payload[start : self._ends[k]].decode(),
            prev,
            h[i * _HASH : (i + 1) * _HASH].hex(),
            signature,
        )

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if self._list is not None:
            return self._list[index]
        n = len(self._node)
        if isinstance(index, slice):
            return [self._row(i) for i in range(*index.indices(n))]
        i = index + n if index < 0 else index
        if not 0 <= i < n:
            raise IndexError("row index out of range")
        return self._row(i)

    def __iter__(self) -> Iterator[Row]:
        if self._list is not None:
            yield from self._list
            return
        for i in range(len(self._node)):
            yield self._row(i)

    def _as_list(self) -> list[Row]:
        if self._list is None:
            self._list = list(self)
            self._clear_columns()
        return self._list

    def _clear_columns(self) -> None:
        self._step, self._node, self._ends, self._text = array("i"), array("i"), array("q"), array("i")
        self._kind, self._payload, self._hash, self._sig = bytearray(), bytearray(), bytearray(), bytearray()

    def __setitem__(self, index: Any, value: Any) -> None:
        self._as_list()[index] = value

    def __delitem__(self, index: int | slice) -> None:
        del self._as_list()[index]

    def insert(self, index: int, value: Row) -> None:
        self._as_list().insert(index, value)
