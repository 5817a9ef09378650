"""Per-signature node sets: a sparse ``rows x N`` matrix that stores, per row, only the nodes where it is set.

The signature table's per-node state (which nodes hold a signature, know its decision, relay it, and the
vote each cast) is mostly empty: a pending signature reaches the few nodes gossip brought it to before its
deadline, most confirmations are duplicates for their key that their holders keep to themselves. A dense
``signatures x N`` matrix costs a byte per signature and node whatever it holds, so memory grew with every
signature a run ever proposed times ``N``. :class:`NodeRows` keeps per row the sorted node ids (int32, four
bytes each) and, for non-boolean values, their values: memory is four or five bytes per (signature, node)
pair that is set, plus 16 bytes per row.

Layout (CSR-like): every row's nodes are one slice of a flat int32 buffer, ``buffer[start[r] : start[r] +
length[r]]`` (and its values the same slice of a flat values buffer), so that reading many rows is one
vectorised gather and writing many rows one append, with no Python object per row. A row is never written
in place: a new version of a row is appended to the buffer and the row's slice moved to it; when the buffer
is full it is compacted (the rows' live slices copied end to end) into a buffer twice the size of what is
live. Rows set for every node (boolean rows) share one slice holding ``arange(N)``.

Methods take row indices (int arrays) and return dense arrays only for the rows asked. For scripts and
tests, ``m[rows]``, ``m[row, nodes]`` (read and write) behave like the dense matrix's indexing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.model.grouped import concat_ranges

_MIN_CAPACITY = 1024  # elements of the smallest buffer


class NodeRows:
    """A sparse ``rows x n_nodes`` matrix of ``dtype`` (bool, or a small integer type with 0 for unset)."""

    def __init__(self, n_nodes: int, dtype: Any = bool, n_rows: int = 0) -> None:
        self.n_nodes, self.dtype = n_nodes, np.dtype(dtype)
        self._boolean = self.dtype == np.dtype(bool)
        self._start = np.zeros(n_rows, np.int64)  # row r is buffer[_start[r] : _start[r] + _length[r]]
        self._length = np.zeros(n_rows, np.int64)
        self._buffer = np.zeros(0, np.int32)  # the rows' nodes, ascending within a row; _used elements in use
        self._values = None if self._boolean else np.zeros(0, self.dtype)  # their values (non-boolean rows)
        self._used = 0
        self._all = -1  # start of the shared slice arange(N), once a boolean row was filled

    # --- shape ------------------------------------------------------------------------------------
    @property
    def n_rows(self) -> int:
        return self._start.size

    @property
    def shape(self) -> tuple[int, int]:
        return self.n_rows, self.n_nodes

    def grow(self, n_rows: int) -> None:
        """Room for ``n_rows`` rows (new rows empty)."""
        extra = n_rows - self.n_rows
        if extra > 0:
            self._start = np.concatenate([self._start, np.zeros(extra, np.int64)])
            self._length = np.concatenate([self._length, np.zeros(extra, np.int64)])

    def pairs_stored(self) -> int:
        """(row, node) pairs set, over all rows."""
        return int(self._length.sum())

    def _live(self) -> int:
        """Buffer elements the rows use (the shared slice once)."""
        private = self._start != self._all if self._all >= 0 else slice(None)
        return int(self._length[private].sum()) + (self.n_nodes if self._all >= 0 else 0)

    def nbytes(self) -> int:
        """Bytes of the rows' nodes and values (a shared slice once; not the buffers' spare room)."""
        return self._live() * (4 + (0 if self._boolean else self.dtype.itemsize))

    # --- the buffer -------------------------------------------------------------------------------
    def _reserve(self, extra: int) -> None:
        """Room for ``extra`` more elements at the buffer's end: compact into a larger buffer if needed."""
        if self._used + extra <= self._buffer.size:
            return
        capacity = max(_MIN_CAPACITY, 2 * (self._live() + extra))
        shared = (self._start == self._all) & (self._all >= 0)
        private = np.flatnonzero(~shared & (self._length > 0))
        at = concat_ranges(self._start[private], self._length[private])
        buffer = np.zeros(capacity, np.int32)
        used = at.size
        buffer[:used] = self._buffer[at]
        if not self._boolean:
            assert self._values is not None
            values = np.zeros(capacity, self.dtype)
            values[:used] = self._values[at]
            self._values = values
        lengths = self._length[private]
        self._start[private] = np.cumsum(lengths) - lengths
        if self._all >= 0:
            buffer[used : used + self.n_nodes] = np.arange(self.n_nodes, dtype=np.int32)
            self._start[shared] = self._all = used
            used += self.n_nodes
        self._buffer, self._used = buffer, used

    def _write(self, rows: np.ndarray, node: np.ndarray, vals: np.ndarray | None, bounds: np.ndarray) -> None:
        """Row ``rows[i]`` becomes the nodes ``node[bounds[i]:bounds[i + 1]]`` (ascending) with those ``vals``
        (non-boolean rows; ``None``: zeros); a repeated row keeps its last version."""
        rows = np.asarray(rows, np.int64).ravel()
        if rows.size == 0:
            return
        bounds = np.asarray(bounds, np.int64)
        size = int(bounds[-1] - bounds[0])
        self._reserve(size)
        a = self._used
        self._buffer[a : a + size] = node[bounds[0] : bounds[-1]]
        if not self._boolean:
            assert self._values is not None
            self._values[a : a + size] = 0 if vals is None else vals[bounds[0] : bounds[-1]]
        self._used += size
        self._start[rows] = a + bounds[:-1] - bounds[0]
        self._length[rows] = np.diff(bounds)

    def _at(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Buffer positions of rows ``rows``' entries, in row order, and each row's length."""
        lengths = self._length[rows]
        return concat_ranges(self._start[rows], lengths), lengths

    # --- reading ----------------------------------------------------------------------------------
    def nodes(self, row: int | np.integer) -> np.ndarray:
        """Row ``row``'s nodes, ascending (int64)."""
        a = int(self._start[int(row)])
        return self._buffer[a : a + int(self._length[int(row)])].astype(np.int64)

    def counts(self, rows: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        """``(len(rows),)`` int64: nodes set in each row (``where``: ``(N,)`` bools, only those nodes)."""
        rows = np.asarray(rows, np.int64)
        if where is None:
            return self._length[rows]
        local, node = self.pairs(rows)
        return np.bincount(local[where[node]], minlength=rows.size).astype(np.int64)

    def pairs(self, rows: np.ndarray, positive: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """``(i, node)`` int64 arrays of the set entries of rows ``rows``: ``i`` indexes ``rows``; in the order
        of ``rows``, then node (``np.nonzero`` of the dense rows). ``positive``: only entries above 0."""
        rows = np.asarray(rows, np.int64).ravel()
        at, lengths = self._at(rows)
        i = np.repeat(np.arange(rows.size, dtype=np.int64), lengths)
        if positive and not self._boolean:
            assert self._values is not None
            keep = self._values[at] > 0
            at, i = at[keep], i[keep]
        return i, self._buffer[at].astype(np.int64)

    def _values_of(self, rows: np.ndarray) -> np.ndarray:
        """The values of rows ``rows``' entries, in :meth:`pairs` order."""
        if self._boolean:
            return np.ones(int(self._length[rows].sum()), bool)
        assert self._values is not None
        return self._values[self._at(rows)[0]]

    def dense(self, rows: np.ndarray) -> np.ndarray:
        """``(len(rows), N)`` array of ``dtype``: the dense rows ``rows``."""
        rows = np.asarray(rows, np.int64).ravel()
        out = np.zeros((rows.size, self.n_nodes), self.dtype)
        local, node = self.pairs(rows)
        out[local, node] = self._values_of(rows)
        return out

    def any_of(self, rows: np.ndarray, positive: bool = False) -> np.ndarray:
        """``(N,)`` bools: nodes set in at least one of rows ``rows`` (``positive``: with a value above 0)."""
        out = np.zeros(self.n_nodes, bool)
        out[self.pairs(rows, positive)[1]] = True
        return out

    def get(self, row: np.ndarray, node: np.ndarray) -> np.ndarray:
        """Values at the pairs ``(row[j], node[j])`` (0 / False where unset)."""
        row, node = np.asarray(row, np.int64).ravel(), np.asarray(node, np.int64).ravel()
        out = np.zeros(row.size, self.dtype)
        if row.size == 0:
            return out
        uniq, local = np.unique(row, return_inverse=True)
        i, n = self.pairs(uniq)
        keys = i * self.n_nodes + n  # ascending: rows ascend, nodes ascend within a row
        want = local * self.n_nodes + node
        at = np.searchsorted(keys, want)
        found = at < keys.size
        found[found] = keys[at[found]] == want[found]
        out[found] = self._values_of(uniq)[at[found]]
        return out

    # --- writing ----------------------------------------------------------------------------------
    def clear(self, rows: np.ndarray) -> None:
        """Unset every node of rows ``rows``."""
        rows = np.asarray(rows, np.int64).ravel()
        self._start[rows] = 0
        self._length[rows] = 0

    def drop_nodes(self, nodes: np.ndarray) -> None:
        """Unset nodes ``nodes`` (``(N,)`` bools) in every row (a position taken by a new identity, churn).

        One pass over all stored pairs finds the rows that hold any of them; only those rows are rebuilt."""
        nodes = np.asarray(nodes, bool)
        if not nodes.any() or not self._length.any():
            return
        every = np.arange(self.n_rows, dtype=np.int64)
        at, lengths = self._at(every)
        i = np.repeat(every, lengths)
        hit = nodes[self._buffer[at]]
        touched = np.flatnonzero(np.bincount(i[hit], minlength=self.n_rows))
        if touched.size == 0:
            return
        at, lengths = self._at(touched)
        node = self._buffer[at]
        keep = ~nodes[node]
        local = np.repeat(np.arange(touched.size), lengths)[keep]
        bounds = np.searchsorted(local, np.arange(touched.size + 1))
        vals = None if self._values is None else self._values[at][keep]
        self._write(touched, node[keep], vals, bounds)

    def fill(self, rows: np.ndarray, value: Any = True) -> None:
        """Set every node of rows ``rows`` to ``value``."""
        rows = np.asarray(rows, np.int64).ravel()
        if rows.size == 0:
            return
        n = self.n_nodes
        if self._boolean:
            if self._all < 0:
                self._reserve(n)
                self._buffer[self._used : self._used + n] = np.arange(n, dtype=np.int32)
                self._all = self._used
                self._used += n
            self._start[rows] = self._all
            self._length[rows] = n
            return
        node = np.tile(np.arange(n, dtype=np.int32), rows.size)
        vals = np.full(node.size, value, self.dtype)
        self._write(rows, node, vals, np.arange(rows.size + 1, dtype=np.int64) * n)

    def set_dense(self, rows: np.ndarray, values: np.ndarray) -> None:
        """Rows ``rows`` become the dense ``(len(rows), N)`` ``values``."""
        rows = np.asarray(rows, np.int64).ravel()
        values = np.asarray(values).reshape(rows.size, self.n_nodes)
        flat = np.flatnonzero(values)
        local, node = np.divmod(flat, self.n_nodes)
        vals = None if self._boolean else values.ravel()[flat].astype(self.dtype)
        self._write(rows, node, vals, np.searchsorted(local, np.arange(rows.size + 1)))

    def set(self, row: np.ndarray, node: np.ndarray, value: Any = True) -> None:
        """Set the pairs ``(row[j], node[j])`` to ``value`` (a scalar or one per pair; 0 / False unsets);
        where a pair repeats, its last value counts (as numpy's fancy assignment)."""
        row, node = np.broadcast_arrays(np.asarray(row, np.int64).ravel(), np.asarray(node, np.int64).ravel())
        if row.size == 0:
            return
        value = np.broadcast_to(np.asarray(value).astype(self.dtype), row.shape)
        uniq, local = np.unique(row, return_inverse=True)
        n = self.n_nodes
        new = local * n + node
        # the last write of each pair: a stable sort by pair, keep each run's last element
        order = np.argsort(new, kind="stable")
        new, value = new[order], value[order]
        last = np.ones(new.size, bool)
        last[:-1] = new[1:] != new[:-1]
        new, value = new[last], value[last]
        i, old_node = self.pairs(uniq)
        old = i * n + old_node
        old_vals = self._values_of(uniq)
        keep = ~_found(new, old)  # both sorted and unique: one binary search per old pair
        setv = value != 0
        keys = np.concatenate([old[keep], new[setv]])
        vals = np.concatenate([old_vals[keep], value[setv]])
        order = np.argsort(keys, kind="stable")
        keys, vals = keys[order], vals[order]
        bounds = np.searchsorted(keys, np.arange(uniq.size + 1) * n)
        self._write(uniq, keys % n, None if self._boolean else vals, bounds)

    # --- dense-style indexing, for scripts and tests ----------------------------------------------
    def _rows(self, key: Any) -> np.ndarray:
        if isinstance(key, slice):
            return np.arange(self.n_rows)[key]
        key = np.asarray(key)
        return np.flatnonzero(key) if key.dtype == bool else key.astype(np.int64)

    def __getitem__(self, key: Any) -> np.ndarray:
        if isinstance(key, tuple) and len(key) == 2:
            rows, cols = key
            if np.ndim(rows) == 0 and not isinstance(rows, slice):
                return self.dense(np.array([int(rows)]))[0][cols]
            if isinstance(cols, slice) or isinstance(rows, slice) or np.asarray(cols).dtype == bool:
                return self.dense(self._rows(rows))[:, cols]
            r, c = np.broadcast_arrays(np.asarray(rows), np.asarray(cols))
            return self.get(r, c).reshape(r.shape)
        if np.ndim(key) == 0 and not isinstance(key, slice):
            return self.dense(np.array([int(key)]))[0]
        return self.dense(self._rows(key))

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, tuple) and len(key) == 2:
            rows, cols = key
            if isinstance(cols, slice) or np.asarray(cols).dtype == bool:
                cols = np.arange(self.n_nodes)[cols]
            rows = np.arange(self.n_rows)[rows] if isinstance(rows, slice) else rows
            r, c = np.broadcast_arrays(np.asarray(rows, np.int64), np.asarray(cols, np.int64))
            self.set(r.ravel(), c.ravel(), np.broadcast_to(value, r.shape).ravel())
            return
        rows = self._rows(np.array([key]) if np.ndim(key) == 0 and not isinstance(key, slice) else key)
        if np.ndim(value) == 0:
            self.fill(rows, value) if value else self.clear(rows)
        else:
            self.set_dense(rows, np.broadcast_to(value, (rows.size, self.n_nodes)))

    def set_rows(self, rows: np.ndarray, node: np.ndarray, bounds: np.ndarray) -> None:
        """Row ``rows[i]`` becomes the nodes ``node[bounds[i]:bounds[i + 1]]`` (ascending, boolean rows)."""
        self._write(rows, node, None, bounds)


class PairSet:
    """A set of (item, node) pairs of ``n_items`` items on ``n_nodes`` nodes, kept as the sorted int64 keys
    ``item * n_nodes + node``: the sparse stand-in for an ``(n_items, n_nodes)`` boolean matrix in a
    gossip round (:mod:`workbench.model.gossip`), costing eight bytes per pair that is set.

    It indexes as the matrix does where a gossip round uses it: ``m[item, node]`` reads the pairs (bools),
    ``m[item, node] = True`` / ``False`` adds or removes them (repeated pairs allowed)."""

    def __init__(self, n_items: int, n_nodes: int, keys: np.ndarray | None = None) -> None:
        self.shape = (n_items, n_nodes)
        self.keys = np.zeros(0, np.int64) if keys is None else np.asarray(keys, np.int64)  # sorted, unique

    @classmethod
    def of_rows(cls, n_nodes: int, parts: list[tuple[NodeRows, np.ndarray]]) -> PairSet:
        """The pairs of rows ``rows`` of each ``(NodeRows, rows)`` part, items numbered across the parts in order."""
        keys, first = [], 0
        for m, rows in parts:
            i, node = m.pairs(rows)
            keys.append((i + first) * n_nodes + node)
            first += len(rows)
        return cls(first, n_nodes, np.concatenate(keys) if keys else None)

    def copy(self) -> PairSet:
        return PairSet(*self.shape, self.keys)  # keys are replaced, never written in place

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """``(item, node)`` of every pair, by item, then node (``np.nonzero`` of the dense matrix)."""
        return np.divmod(self.keys, self.shape[1])

    def _key(self, item: np.ndarray, node: np.ndarray) -> np.ndarray:
        return np.asarray(item, np.int64) * self.shape[1] + np.asarray(node, np.int64)

    def contains(self, item: np.ndarray, node: np.ndarray) -> np.ndarray:
        """Whether each pair ``(item[j], node[j])`` is in the set."""
        return _found(self.keys, self._key(item, node))

    def add(self, item: np.ndarray, node: np.ndarray) -> None:
        if np.size(item):
            new = sorted_unique(self._key(item, node))
            new = new[~_found(self.keys, new)]
            self.keys = np.insert(self.keys, np.searchsorted(self.keys, new), new)  # a merge: one copy, no sort

    def remove(self, item: np.ndarray, node: np.ndarray) -> None:
        if np.size(item) and self.keys.size:
            self.keys = self.keys[~_found(sorted_unique(self._key(item, node)), self.keys)]

    def __getitem__(self, key: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        return self.contains(*key)

    def __setitem__(self, key: tuple[np.ndarray, np.ndarray], value: bool) -> None:
        self.add(*key) if value else self.remove(*key)

    def counts(self) -> np.ndarray:
        """``(n_items,)``: pairs per item."""
        return np.bincount(self.keys // self.shape[1], minlength=self.shape[0])

    def bounds(self) -> np.ndarray:
        """``(n_items + 1,)``: item ``i``'s pairs are ``keys[bounds[i]:bounds[i + 1]]``."""
        return np.searchsorted(self.keys, np.arange(self.shape[0] + 1, dtype=np.int64) * self.shape[1])

    def items(self, first: int, stop: int) -> PairSet:
        """The pairs of items ``first .. stop - 1``, renumbered from 0."""
        n = self.shape[1]
        lo, hi = np.searchsorted(self.keys, [first * n, stop * n])
        return PairSet(stop - first, n, self.keys[lo:hi] - first * n)

    def node_lists(self) -> tuple[np.ndarray, np.ndarray]:
        """``(node, bounds)``: item ``i``'s nodes, ascending, are ``node[bounds[i]:bounds[i + 1]]``
        (:meth:`NodeRows.set_rows`' arguments)."""
        return self.keys % self.shape[1], self.bounds()

    def union(self, other: PairSet) -> PairSet:
        return PairSet(*self.shape, sorted_unique(np.concatenate([self.keys, other.keys])))


class PairCounts:
    """Counts per (item, node) pair (int32), kept for the pairs with a count as sorted keys
    ``item * n_nodes + node``: the sparse stand-in for an ``(n_items, n_nodes)`` integer matrix (rumour
    mongering's strikes, :func:`workbench.model.gossip.rumor`). ``m[item, node]`` reads counts (0 where
    none), ``m[item, node] = 0`` resets them, :meth:`add_at` is ``np.add.at``."""

    def __init__(self, n_items: int, n_nodes: int, keys: np.ndarray | None = None, counts: np.ndarray | None = None):
        self.shape = (n_items, n_nodes)
        self.keys = np.zeros(0, np.int64) if keys is None else np.asarray(keys, np.int64)  # sorted, unique
        self.values = np.zeros(self.keys.size, np.int32) if counts is None else np.asarray(counts, np.int32)

    def _key(self, item: np.ndarray, node: np.ndarray) -> np.ndarray:
        return np.asarray(item, np.int64) * self.shape[1] + np.asarray(node, np.int64)

    def __getitem__(self, key: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        want = self._key(*key)
        at = np.minimum(np.searchsorted(self.keys, want), max(self.keys.size - 1, 0))
        out = np.zeros(want.size, np.int32)
        if self.keys.size:
            found = self.keys[at] == want
            out[found] = self.values[at[found]]
        return out

    def __setitem__(self, key: tuple[np.ndarray, np.ndarray], value: int) -> None:
        if value != 0:
            raise ValueError("PairCounts only resets pairs (m[item, node] = 0); add counts with add_at")
        if np.size(key[0]) and self.keys.size:
            keep = ~_found(sorted_unique(self._key(*key)), self.keys)
            self.keys, self.values = self.keys[keep], self.values[keep]

    def add_at(self, item: np.ndarray, node: np.ndarray, amount: int = 1) -> None:
        """``np.add.at(m, (item, node), amount)``: ``amount`` once per entry (repeated pairs add up)."""
        if not np.size(item):
            return
        new, times = sorted_unique(self._key(item, node), counts=True)
        known = _found(self.keys, new)
        at = np.searchsorted(self.keys, new[known])
        values = self.values.copy()
        values[at] += (amount * times[known]).astype(np.int32)
        fresh = ~known
        where = np.searchsorted(self.keys, new[fresh])
        self.keys = np.insert(self.keys, where, new[fresh])
        self.values = np.insert(values, where, (amount * times[fresh]).astype(np.int32))


def _found(sorted_keys: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Whether each of ``want`` is one of ``sorted_keys`` (ascending, unique)."""
    if sorted_keys.size == 0:
        return np.zeros(np.shape(want), bool)
    at = np.minimum(np.searchsorted(sorted_keys, want), sorted_keys.size - 1)
    return sorted_keys[at] == want


def sorted_unique(a: np.ndarray, counts: bool = False) -> Any:
    """``np.unique(a)`` of an integer array by one sort (numpy's hash-based unique is several times slower on
    large int64 arrays); with ``counts``, ``(values, counts)`` as ``return_counts`` gives them.

    The sort is numpy's stable one (timsort for int64): it merges already sorted runs in linear time (the
    keys callers pass are mostly a few sorted runs end to end: about 30 times faster than quicksort on
    those) and is about as fast as quicksort on random keys; the values are the same whichever sort."""
    a = np.sort(np.asarray(a).ravel(), kind="stable")
    first = np.ones(a.size, bool)
    first[1:] = a[1:] != a[:-1]
    if not counts:
        return a[first]
    starts = np.flatnonzero(first)
    return a[starts], np.diff(np.append(starts, a.size))
