"""Every tampering the helper offers is caught: by verify(), or (truncation) by a recorded head."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.__main__ import main as workbench_main
from workbench.ledger import GENESIS_HASH, LedgerError, open_ledger, verify_file
from workbench.ledger.tamper import TAMPERINGS, tamper_copy


@pytest.fixture(scope="module")
def ledger_file(tmp_path_factory) -> tuple[Path, str]:
    """A signed 24-entry ledger file and its head hash."""
    path = tmp_path_factory.mktemp("tamper") / "ledger.sqlite"
    with open_ledger("sqlite", str(path), n_nodes=8, key_seed=11) as ledger:
        for step in range(4):
            ledger.append_batch(
                step, [(i, ("signature", "vote", "decision")[i % 3], {"i": i, "step": step}) for i in range(6)]
            )
        head = ledger.head_hash()
        assert head == ledger.get(len(ledger)).hash
    return path, head


def test_original_verifies_with_its_head(ledger_file):
    path, head = ledger_file
    assert verify_file(str(path), expect_head=head).ok
    assert verify_file(str(path), expect_head=head.upper()).ok


@pytest.mark.parametrize("kind", [k for k in TAMPERINGS if k != "truncate"])
@pytest.mark.parametrize("seq", [1, 13, 24])
def test_verify_catches_tampering_at_the_entry(ledger_file, tmp_path, kind, seq):
    path, _ = ledger_file
    copy = tmp_path / "copy.sqlite"
    done = tamper_copy(path, copy, kind, seq=seq)
    assert done.caught_by_verify and done.seq == seq
    result = verify_file(str(copy))
    assert not result.ok and result.bad_seq == seq, result.summary()
    assert verify_file(str(path)).ok  # the original is untouched


def test_truncation_passes_verify_but_not_the_recorded_head(ledger_file, tmp_path):
    path, head = ledger_file
    copy = tmp_path / "copy.sqlite"
    done = tamper_copy(path, copy, "truncate", seq=20)
    assert not done.caught_by_verify
    assert verify_file(str(copy)).ok  # internally consistent: the gap --expect-head closes
    result = verify_file(str(copy), expect_head=head)
    assert not result.ok and result.bad_seq == 21 and "expected head" in result.reason
    with open_ledger("sqlite", str(copy)) as ledger:
        assert verify_file(str(copy), expect_head=ledger.head_hash()).ok


def test_cli_expect_head(ledger_file, tmp_path, capsys):
    path, head = ledger_file
    assert workbench_main(["ledger", "verify", str(path), "--expect-head", head]) == 0
    assert capsys.readouterr().out == f"OK: 24 entries verified; head matches the expected {head[:12]}...\n"
    copy = tmp_path / "copy.sqlite"
    tamper_copy(path, copy, "truncate", seq=10)
    assert workbench_main(["ledger", "verify", str(copy)]) == 0
    capsys.readouterr()
    assert workbench_main(["ledger", "verify", str(copy), "--expect-head", head]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL at entry 11: the ledger ends at entry 10") and out.count("\n") == 1
    assert workbench_main(["ledger", "verify", str(path), "--expect-head", "abc"]) == 1
    assert "64 hex digits" in capsys.readouterr().err


def test_head_hash_of_an_empty_ledger():
    with open_ledger("memory", n_nodes=2, key_seed=1) as ledger:
        assert ledger.head_hash() == GENESIS_HASH


def test_bad_tampering_requests(ledger_file, tmp_path):
    path, _ = ledger_file
    with pytest.raises(LedgerError, match="kind='erase' is not allowed"):
        tamper_copy(path, tmp_path / "c.sqlite", "erase")
    with pytest.raises(LedgerError, match="seq=25 is out of range"):
        tamper_copy(path, tmp_path / "c.sqlite", "flip", seq=25)
    with pytest.raises(LedgerError, match="seq=24 is out of range"):
        tamper_copy(path, tmp_path / "c.sqlite", "truncate", seq=24)
