"""NodeRows, the sparse per-signature node sets, behaves as the dense matrix it replaces."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.model.node_rows import NodeRows


@pytest.mark.parametrize("dtype", [bool, np.int8])
def test_random_writes_and_reads_match_a_dense_matrix(dtype):
    rng = np.random.default_rng(3)
    n_rows, n_nodes = 12, 40
    dense = np.zeros((n_rows, n_nodes), dtype)
    sparse = NodeRows(n_nodes, dtype, n_rows)
    values = [True, False] if dtype is bool else [-1, 0, 1, 2]
    for _ in range(200):
        op = rng.integers(5)
        rows = np.unique(rng.integers(0, n_rows, rng.integers(1, 4)))
        if op == 0:  # scattered pairs, repeats included (the last value counts)
            row, node = rng.integers(0, n_rows, 30), rng.integers(0, n_nodes, 30)
            value = rng.choice(values, 30).astype(dtype)
            dense[row, node] = value
            sparse.set(row, node, value)
        elif op == 1:
            mat = (rng.choice(values, (rows.size, n_nodes)) * (rng.random((rows.size, n_nodes)) < 0.2)).astype(dtype)
            dense[rows] = mat
            sparse.set_dense(rows, mat)
        elif op == 2:
            dense[rows] = 0
            sparse.clear(rows)
        elif op == 3:
            dense[rows] = values[0]
            sparse.fill(rows, values[0])
        else:  # dense-style indexing
            node = int(rng.integers(0, n_nodes))
            sparse[rows, node] = values[-1]
            dense[rows, node] = values[-1]
            np.testing.assert_array_equal(sparse[rows, node], dense[rows, node])
            np.testing.assert_array_equal(sparse[int(rows[0])], dense[rows[0]])
        np.testing.assert_array_equal(sparse[:], dense)
    asked = rng.integers(0, n_rows, 7)
    np.testing.assert_array_equal(sparse.dense(asked), dense[asked])
    np.testing.assert_array_equal(sparse.counts(asked), np.count_nonzero(dense[asked], axis=1))
    where = rng.random(n_nodes) < 0.5
    np.testing.assert_array_equal(sparse.counts(asked, where), np.count_nonzero(dense[asked][:, where], axis=1))
    np.testing.assert_array_equal(sparse.any_of(asked), dense[asked].any(axis=0))
    np.testing.assert_array_equal(sparse.any_of(asked, positive=True), (dense[asked] > 0).any(axis=0))
    i, node = sparse.pairs(asked)
    np.testing.assert_array_equal(np.stack([i, node]), np.stack(np.nonzero(dense[asked])))
    row, node = rng.integers(0, n_rows, 50), rng.integers(0, n_nodes, 50)
    np.testing.assert_array_equal(sparse.get(row, node), dense[row, node])
    assert sparse.pairs_stored() == np.count_nonzero(dense)


def test_full_rows_share_one_array_and_stay_unchanged_by_later_writes():
    m = NodeRows(1000, bool, 3)
    m.fill(np.array([0, 1]))
    m.set(np.array([1]), np.array([5]), False)
    assert m.counts(np.arange(3)).tolist() == [1000, 999, 0]
    assert m.nbytes() < 2 * 1000 * 4  # row 0 is the shared arange(N); row 1 its own copy


def test_pair_set_and_pair_counts_behave_as_dense_matrices():
    from workbench.model.node_rows import PairCounts, PairSet

    rng = np.random.default_rng(4)
    shape = (5, 30)
    dense, counts = np.zeros(shape, bool), np.zeros(shape, np.int32)
    pairs, strikes = PairSet(*shape), PairCounts(*shape)
    for _ in range(100):
        item, node = rng.integers(0, shape[0], 20), rng.integers(0, shape[1], 20)
        op = rng.integers(3)
        if op == 0:
            dense[item, node] = True
            pairs[item, node] = True
            np.add.at(counts, (item, node), 1)
            strikes.add_at(item, node, 1)
        elif op == 1:
            dense[item, node] = False
            pairs[item, node] = False
            counts[item, node] = 0
            strikes[item, node] = 0
        else:
            np.testing.assert_array_equal(pairs[item, node], dense[item, node])
            np.testing.assert_array_equal(strikes[item, node], counts[item, node])
        assert (pairs.keys == np.flatnonzero(dense)).all()
        np.testing.assert_array_equal(pairs.counts(), dense.sum(axis=1))
    part = pairs.items(1, 4)
    assert (part.keys == np.flatnonzero(dense[1:4])).all()
    node, bounds = part.node_lists()
    assert [node[bounds[i] : bounds[i + 1]].tolist() for i in range(3)] == [
        np.flatnonzero(r).tolist() for r in dense[1:4]
    ]
