"""The memory ledger's compact rows are the rows the tuples were: same seq, hashes, chain and signatures."""

from __future__ import annotations

from workbench.ledger.entry import GENESIS_HASH, chain_rows, prepare_batch
from workbench.ledger.keys import NodeKeys
from workbench.ledger.row_store import RowStore

N_NODES = 5


def _batches() -> list[tuple[int, list[tuple[int, str, str]]]]:
    payloads = [{"sig": f"s{i}", "approve": i % 2 == 0} for i in range(7)]
    batch = [(i % N_NODES, "vote", payloads[i]) for i in range(7)]
    # not ASCII: the store counts bytes, not characters (canonical JSON escapes it; a raw text need not)
    wide = [(2, "signature", '{"note":"caf\u00e9 \u2192 \u00fc"}'), (0, "decision", "{}")]
    # equal payloads in a batch, one object or several, are kept once
    same = [(1, "vote", payloads[0])] * 3 + [(2, "vote", {"approve": True, "sig": "s0"}), (3, "vote", payloads[1])]
    return [
        (1, prepare_batch(batch, N_NODES)),
        (1, wide),
        (4, prepare_batch(batch[:3], N_NODES)),
        (5, prepare_batch(same, N_NODES)),
    ]


def test_rows_are_the_chained_tuples_and_signatures_those_of_the_keys():
    store, expected, seq, head = RowStore(), [], 0, GENESIS_HASH
    for step, prepared in _batches():
        last = store.append_chain(step, prepared, seq, head)
        rows = chain_rows(step, prepared, seq, head)
        expected += rows
        assert last == rows[-1]
        seq, head = rows[-1][0], rows[-1][6]
    assert list(store) == expected and store[:] == expected and store[3] == expected[3] and store[-1] == expected[-1]
    keys = NodeKeys(7, N_NODES)
    store.sign_from(0, lambda node, digest: keys.private(node).sign(digest), keys.sign_rows)
    assert list(store) == keys.sign_rows(expected)
    assert all(row[7] is not None for row in store)


def test_a_vote_row_on_a_signature_many_voted_on_costs_about_fifty_bytes():
    store, prepared = (
        RowStore(),
        prepare_batch([(i % N_NODES, "vote", {"sig": "ab" * 8, "approve": True}) for i in range(1000)], N_NODES),
    )
    store.append_chain(1, prepared, 0, GENESIS_HASH)
    assert store.nbytes / len(store) < 50


def test_replacing_or_deleting_a_row_keeps_what_was_put_and_appends_after_it():
    store = RowStore()
    step, prepared = _batches()[0]
    rows = chain_rows(step, prepared, 0, GENESIS_HASH)
    store.append_chain(step, prepared, 0, GENESIS_HASH)
    odd = (*rows[2][:4], "not json", *rows[2][5:])
    store[2] = odd
    del store[0]
    assert list(store) == [rows[1], odd, *rows[3:]]
    more = prepare_batch([(1, "vote", {"x": 1})], N_NODES)
    store.append_chain(2, more, rows[-1][0], rows[-1][6])
    assert list(store)[-1] == chain_rows(2, more, rows[-1][0], rows[-1][6])[0]
