"""The ledger interface, run against both backends: appends, reads, bad input, tampering."""

from __future__ import annotations

import math
import sqlite3
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.ledger import (
    COLUMNS,
    GENESIS_HASH,
    Ledger,
    LedgerEntry,
    LedgerError,
    VerifyResult,
    derive_private_key,
    open_ledger,
)

N_NODES = 8
KEY_SEED = 20260501
BACKENDS = ("memory", "sqlite")


def open_backend(backend: str, tmp_path: Path, *, sign: bool = True, name: str = "ledger.sqlite") -> Ledger:
    return open_ledger(
        backend, str(tmp_path / name) if backend == "sqlite" else None, n_nodes=N_NODES, key_seed=KEY_SEED, sign=sign
    )


def batch(step: int, size: int = 5) -> list[tuple[int, str, dict]]:
    kinds = ("signature", "vote", "vote", "decision")
    return [
        ((step + i) % N_NODES, kinds[i % 4], {"sig": f"{step:04x}{i:04x}", "approve": i % 2 == 0, "score": i / 8})
        for i in range(size)
    ]


def fill(ledger: Ledger, steps: int = 4, size: int = 5) -> None:
    for step in range(steps):
        ledger.append_batch(step, batch(step, size))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


# --- the interface ------------------------------------------------------------------------------
def test_append_returns_consecutive_sequence_numbers_from_one(backend, tmp_path):
    with open_backend(backend, tmp_path) as ledger:
        assert len(ledger) == 0
        assert ledger.append_batch(0, batch(0, 3)) == [1, 2, 3]
        assert ledger.append_batch(0, batch(0, 2)) == [4, 5]
        assert ledger.append_batch(1, []) == []
        assert len(ledger) == 5


def test_entries_chain_and_read_back(backend, tmp_path):
    with open_backend(backend, tmp_path) as ledger:
        fill(ledger)
        entries = ledger.entries_after(0)
        assert [e.seq for e in entries] == list(range(1, 21))
        assert entries[0].prev_hash == GENESIS_HASH
        assert all(b.prev_hash == a.hash for a, b in pairwise(entries))
        assert ledger.entries_after(17) == entries[17:]
        assert ledger.entries_after(20) == []
        assert ledger.get(7) == entries[6]
        first = ledger.get(1)
        assert isinstance(first, LedgerEntry)
        assert (first.step, first.node_id, first.kind) == (0, 0, "signature")
        assert first.payload == '{"approve":true,"score":0.0,"sig":"00000000"}'
        assert first.data == {"approve": True, "score": 0.0, "sig": "00000000"}
        assert len(first.signature) == 128
        with pytest.raises(LedgerError, match="seq=21 is out of range"):
            ledger.get(21)


def test_verify_intact(backend, tmp_path):
    with open_backend(backend, tmp_path) as ledger:
        assert ledger.verify() == VerifyResult(True, 0, None, None, True)
        fill(ledger)
        result = ledger.verify()
        assert result.ok and bool(result) and result.n_entries == 20
        assert result.bad_seq is None and result.reason is None
        assert result.summary() == "OK: 20 entries verified"


def test_frame_is_tidy(backend, tmp_path):
    with open_backend(backend, tmp_path) as ledger:
        fill(ledger, steps=3)
        frame = ledger.to_frame()
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == 15
    assert frame["seq"].tolist() == list(range(1, 16))
    assert frame["seq"].dtype == np.int64 and frame["node_id"].dtype == np.int64
    assert frame.groupby("step").size().tolist() == [5, 5, 5]


def test_backends_and_lazy_signing_give_identical_records(tmp_path):
    """Same seed and appends: the same hashes and signatures (memory signs lazily, sqlite eagerly)."""
    frames = {}
    for backend in BACKENDS:
        with open_backend(backend, tmp_path) as ledger:
            fill(ledger)
            frames[backend] = ledger.to_frame()
    pd.testing.assert_frame_equal(frames["memory"], frames["sqlite"])
    with open_backend("memory", tmp_path) as again:
        fill(again)
        assert again.get(20).signature == frames["sqlite"]["signature"].iloc[-1]


def test_keys_are_deterministic_and_per_node():
    a, b = derive_private_key(KEY_SEED, 3), derive_private_key(np.int64(KEY_SEED), 3)
    assert a.private_bytes_raw() == b.private_bytes_raw()
    assert a.private_bytes_raw() != derive_private_key(KEY_SEED, 4).private_bytes_raw()
    assert a.private_bytes_raw() != derive_private_key(KEY_SEED + 1, 3).private_bytes_raw()


def test_signatures_interoperate_between_cryptography_and_pynacl():
    """Signed with ``cryptography``, verified with libsodium (PyNaCl), and the other way round."""
    from cryptography.exceptions import InvalidSignature
    from nacl.signing import SigningKey

    from workbench.ledger.keys import public_key_hex
    from workbench.ledger.verify import signature_is_valid

    private = derive_private_key(KEY_SEED, 5)
    public = bytes.fromhex(public_key_hex(private))
    nacl_key = SigningKey(private.private_bytes_raw())
    assert bytes(nacl_key.verify_key) == public
    other = bytes.fromhex(public_key_hex(derive_private_key(KEY_SEED, 6)))
    message = bytes.fromhex("ab" * 32)  # what the ledger signs: an entry's 32-byte hash
    by_cryptography = private.sign(message)
    by_nacl = nacl_key.sign(message).signature
    assert by_cryptography == by_nacl  # Ed25519 is deterministic: the same key signs alike
    assert signature_is_valid(public, by_cryptography, message)
    private.public_key().verify(by_nacl, message)  # raises if invalid
    forged = bytes([by_cryptography[0] ^ 1]) + by_cryptography[1:]
    for key, signature, signed in (
        (public, forged, message),
        (other, by_cryptography, message),
        (public, by_cryptography, message[:-1] + b"\0"),
        (public, by_cryptography[:63], message),
    ):
        assert not signature_is_valid(key, signature, signed)
    with pytest.raises(InvalidSignature):
        private.public_key().verify(forged, message)


def test_workers_argument(backend, tmp_path):
    with open_backend(backend, tmp_path) as ledger:
        fill(ledger)
        assert ledger.verify(workers=None).ok and ledger.verify(workers=2).ok
        for bad in (0, -1, True, 1.5, "2"):
            with pytest.raises(LedgerError, match="workers="):
                ledger.verify(workers=bad)


def test_unsigned_ledger_chains_without_signatures(backend, tmp_path):
    with open_backend(backend, tmp_path, sign=False) as ledger:
        fill(ledger)
        assert ledger.get(3).signature is None
        result = ledger.verify()
    assert result.ok and not result.signed
    assert result.summary() == "OK: 20 entries verified (unsigned: hash chain only)"


def test_numpy_values_are_accepted(backend, tmp_path):
    with open_backend(backend, tmp_path) as ledger:
        ledger.append_batch(np.int64(2), [(np.int64(1), "vote", {"approve": np.bool_(True), "n": np.int32(3)})])
        entry = ledger.get(1)
    assert (entry.step, entry.node_id, entry.payload) == (2, 1, '{"approve":true,"n":3}')
    assert type(entry.step) is int and type(entry.node_id) is int


def test_closed_ledger_refuses_everything(backend, tmp_path):
    ledger = open_backend(backend, tmp_path)
    fill(ledger, steps=1)
    ledger.close()
    ledger.close()  # idempotent
    for call in (
        lambda: len(ledger),
        ledger.verify,
        ledger.to_frame,
        lambda: ledger.get(1),
        lambda: ledger.entries_after(0),
        lambda: ledger.append_batch(1, batch(1)),
    ):
        with pytest.raises(LedgerError, match="closed"):
            call()


# --- bad input: a clear error, nothing written ---------------------------------------------------
BAD_ENTRIES = {
    "unserialisable payload": ((1, "vote", {"approve": object()}), "payload is not JSON-serialisable"),
    "set in payload": ((1, "vote", {"ids": {1, 2}}), "payload is not JSON-serialisable"),
    "NaN in payload": ((1, "vote", {"score": math.nan}), "payload is not JSON-serialisable"),
    "payload not a mapping": ((1, "vote", ["approve"]), "payload must be a mapping"),
    "unknown kind": ((1, "claim", {}), "kind='claim' is not allowed"),
    "node id too large": (
        (N_NODES, "vote", {}),
        f"node_id={N_NODES} is not a known node; expected an integer with 0 <= x <= {N_NODES - 1}",
    ),
    "negative node id": ((-1, "vote", {}), "node_id=-1 is not a known node"),
    "node id not an int": (("3", "vote", {}), "node_id='3' is not a known node"),
    "bool node id": ((True, "vote", {}), "node_id=True is not a known node"),
    "not a triple": ((1, "vote"), "is not a \\(node_id, kind, payload\\) triple"),
}


@pytest.mark.parametrize("case", sorted(BAD_ENTRIES))
def test_bad_input_raises_and_writes_nothing(backend, tmp_path, case):
    bad, message = BAD_ENTRIES[case]
    with open_backend(backend, tmp_path) as ledger:
        fill(ledger, steps=2)
        before = ledger.to_frame()
        with pytest.raises(LedgerError, match=message) as info:
            ledger.append_batch(2, [*batch(2, 3), bad, *batch(2, 2)])
        assert str(info.value).startswith("entries[3]")
        pd.testing.assert_frame_equal(ledger.to_frame(), before)
        assert len(ledger) == 10 and ledger.verify().ok
        assert ledger.append_batch(2, batch(2, 2)) == [11, 12]  # the chain continues normally
        assert ledger.verify().ok


def test_bad_step_raises_and_writes_nothing(backend, tmp_path):
    with open_backend(backend, tmp_path) as ledger:
        fill(ledger, steps=3)
        for step in (1, -1, 2.5, "3", True):
            with pytest.raises(LedgerError, match=f"step={step!r} is out of range"):
                ledger.append_batch(step, batch(3))
        with pytest.raises(LedgerError, match="sequence of"):
            ledger.append_batch(3, {"node": 1})
        assert len(ledger) == 15 and ledger.verify().ok


def test_bad_open_arguments(tmp_path):
    with pytest.raises(LedgerError, match="kind='postgres' is not allowed"):
        open_ledger("postgres", n_nodes=2, key_seed=1)
    with pytest.raises(LedgerError, match="path=None is not allowed"):
        open_ledger("sqlite", n_nodes=2, key_seed=1)
    with pytest.raises(LedgerError, match="n_nodes=0 is out of range"):
        open_ledger("memory", n_nodes=0, key_seed=1)


# --- tampering is always detected, at the tampered entry -----------------------------------------
STEPS, SIZE = 6, 5
LAST = STEPS * SIZE


def _flip_byte(text: str, at: int) -> str:
    return text[:at] + chr(ord(text[at]) ^ 1) + text[at + 1 :]


def tamper(ledger: Ledger, how: str, seq: int, other: int | None = None) -> Ledger:
    """Alter a closed-over ledger as an attacker would; returns the ledger to verify."""
    if ledger.backend == "memory":
        ledger.verify()  # materialise the lazily computed signatures first
        rows = ledger._rows
        i = seq - 1
        if how == "payload":
            row = rows[i]
            rows[i] = (*row[:4], _flip_byte(row[4], len(row[4]) // 2), *row[5:])
        elif how == "delete":
            del rows[i]
        elif how == "swap":
            j = other - 1
            rows[i], rows[j] = (seq, *rows[j][1:]), (other, *rows[i][1:])
        elif how == "resign":
            row = rows[i]
            rows[i] = (*row[:7], derive_private_key(KEY_SEED, (row[2] + 1) % N_NODES).sign(bytes.fromhex(row[6])).hex())
        return ledger
    path = ledger.path
    ledger.close()
    with sqlite3.connect(path) as conn:  # what anyone with the file and the sqlite3 shell can do
        if how == "payload":
            (payload,) = conn.execute("SELECT payload FROM entries WHERE seq = ?", (seq,)).fetchone()
            conn.execute("UPDATE entries SET payload = ? WHERE seq = ?", (_flip_byte(payload, len(payload) // 2), seq))
        elif how == "delete":
            conn.execute("DELETE FROM entries WHERE seq = ?", (seq,))
        elif how == "swap":
            conn.execute("UPDATE entries SET seq = -1 WHERE seq = ?", (seq,))
            conn.execute("UPDATE entries SET seq = ? WHERE seq = ?", (seq, other))
            conn.execute("UPDATE entries SET seq = ? WHERE seq = -1", (other,))
        elif how == "resign":
            node_id, digest = conn.execute("SELECT node_id, hash FROM entries WHERE seq = ?", (seq,)).fetchone()
            forged = derive_private_key(KEY_SEED, (node_id + 1) % N_NODES).sign(bytes.fromhex(digest)).hex()
            conn.execute("UPDATE entries SET signature = ? WHERE seq = ?", (forged, seq))
    conn.close()
    return open_ledger("sqlite", str(path))


TAMPERING = [
    *[("payload", seq, None) for seq in (1, 13, LAST)],
    *[("delete", seq, None) for seq in (1, 13, LAST)],
    *[("swap", a, b) for a, b in ((1, 2), (7, 19), (LAST - 1, LAST))],
    *[("resign", seq, None) for seq in (1, 13, LAST)],
]


@pytest.mark.parametrize("how, seq, other", TAMPERING, ids=[f"{h}-{s}" for h, s, _ in TAMPERING])
def test_tampering_is_detected_at_that_entry(backend, tmp_path, how, seq, other):
    ledger = open_backend(backend, tmp_path)
    fill(ledger, STEPS, SIZE)
    assert ledger.verify().ok
    with tamper(ledger, how, seq, other) as tampered:
        result = tampered.verify()
    assert not result.ok
    assert result.bad_seq == seq, result
    assert result.n_entries == seq - 1
    assert result.reason and "\n" not in result.reason
    assert result.summary().startswith(f"FAIL at entry {seq}: ")


def test_rewriting_the_chain_after_an_edit_is_caught_by_the_signature(backend, tmp_path):
    """An attacker who edits a payload and recomputes every later hash still cannot sign."""
    from workbench.ledger.entry import entry_hash

    with open_backend(backend, tmp_path) as ledger:
        fill(ledger, STEPS, SIZE)
        rows = [tuple(getattr(e, c) for c in COLUMNS) for e in ledger.entries_after(0)]
        forged, prev = [], GENESIS_HASH
        for seq, step, node, kind, payload, _, _, sig in rows:
            if seq == 9:
                payload = payload.replace("true", "false") if "true" in payload else payload.replace("false", "true")
            digest = entry_hash(seq, step, node, kind, payload, prev)
            forged.append((seq, step, node, kind, payload, prev, digest, sig))
            prev = digest
        if backend == "memory":
            ledger._rows[:] = forged
            ledger._head_hash = prev
            result = ledger.verify()
        else:
            ledger.close()
            with sqlite3.connect(ledger.path) as conn:
                conn.execute("DELETE FROM entries")
                conn.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)", forged)
                conn.execute("UPDATE head SET hash = ?", (prev,))
            conn.close()
            with open_ledger("sqlite", str(ledger.path)) as reopened:
                result = reopened.verify()
    assert (result.ok, result.bad_seq) == (False, 9)
    assert "signature" in result.reason


def test_tampering_an_unsigned_ledger_is_detected_by_the_chain(backend, tmp_path):
    ledger = open_backend(backend, tmp_path, sign=False)
    fill(ledger, STEPS, SIZE)
    with tamper(ledger, "payload", 11) as tampered:
        result = tampered.verify()
    assert (result.ok, result.bad_seq) == (False, 11)


# --- summaries for reports ------------------------------------------------------------------------
def test_entries_per_kind_is_tidy_and_complete(tmp_path):
    from workbench.ledger import entries_per_kind, kinds_overview

    with open_backend("memory", tmp_path) as ledger:
        ledger.append_batch(2, [(0, "signature", {}), (1, "vote", {}), (2, "vote", {})])
        ledger.append_batch(4, [(1, "decision", {})])
        frame = ledger.to_frame()
    counts = entries_per_kind(frame)
    assert list(counts.columns) == ["step", "kind", "n_entries"]
    assert len(counts) == 3 * 3  # steps 2..4 x three kinds, zeros included
    assert counts.set_index(["step", "kind"])["n_entries"].to_dict()[(2, "vote")] == 2
    assert counts["n_entries"].sum() == 4
    assert entries_per_kind(frame.iloc[:0]).empty
    overview = kinds_overview(frame)
    assert overview["kind"].tolist() == ["signature", "vote", "decision"]
    assert overview.set_index("kind").loc["vote", ["n_entries", "n_writers", "first_step"]].tolist() == [2, 2, 2]
