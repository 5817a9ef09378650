"""Sizes of the messages the channels send, in bytes: what ``bytes_per_node_step`` counts.

A message is a fixed header plus its payload; sizes are those of a compact binary encoding (no
compression, no transport overhead such as TCP/IP or TLS framing). Integers: node ids 4 B (up to 2^32
nodes), steps 4 B, signature ids 8 B (the 16 hex digits of :func:`workbench.model.signatures.content_id`).
Every message a node originates is signed with Ed25519 (64 B signature, RFC 8032) and carries the signer's
32 B public key, so a receiver can check it without a key directory.

===================  =====  ==================================================================================
kind                 bytes  contents
===================  =====  ==================================================================================
``signature``          138  kind 1 + signature id 8 + origin 4 + created step 4 + rule 25 (prefix 4, protocol 1,
                            port range 2 + 2, log-bytes and log-packets ranges 4 x float32 16) + Ed25519
                            signature 64 + public key 32
``vote``               110  kind 1 + signature id 8 + voter 4 + vote 1 + Ed25519 signature 64 + public key 32
``decision``           118  kind 1 + signature id 8 + outcome 1 + votes for / against 4 + 4 + decider 4 +
                            Ed25519 signature 64 + public key 32
``confirmation``       256  a decision that carries its signature (gossiped confirmations, the central
                            aggregator's broadcast): ``decision`` + ``signature``
``pull_request``        37  kind 1 + sender 4 + a 32 B digest of the items the sender holds (push-pull)
``ledger_header``       76  added to every ledger entry: index 8 + step 4 + previous entry's hash 32 + entry
                            hash 32 (SHA-256)
``block_header``       185  kind 1 + height 8 + view 4 + leader 4 + step 4 + entry count 4 + previous block's
                            hash 32 + entries' Merkle root 32 + Ed25519 signature 64 + public key 32 (before
                            the block's entries, each its ``signature``, ``vote`` or ``decision`` payload)
``block_vote``         145  kind 1 + view 4 + height 8 + block hash 32 + replica 4 + Ed25519 signature 64 +
                            public key 32: a Raft append's acknowledgement or commit notice, a PBFT prepare or
                            commit
``view_change``        145  kind 1 + view 4 + replica 4 + last committed height 8 + its block hash 32 + Ed25519
                            signature 64 + public key 32: a Raft vote request or reply, a PBFT view-change or
                            new-view message (its certificate by digest only)
``membership``         101  kind 1 + node 4 + the node's public key 32 + the enrolment authority's Ed25519
                            signature 64: a node's membership certificate (``admission_control="membership"``)
===================  =====  ==================================================================================

With ``ledger_protocol="ideal"`` a ledger entry is ``ledger_header`` plus its payload (``signature``, ``vote`` or
``decision``), sent to each of the ``N - 1`` other nodes. With an ordering protocol an entry is sent once to the
leader (its payload), then travels in blocks: a block message (a Raft append, a PBFT pre-prepare) is
``block_header`` plus its entries' payloads; the protocol's votes are ``block_vote``, its leader changes
``view_change`` (:mod:`workbench.model.ledger_protocols`).
"""

from __future__ import annotations

from types import MappingProxyType

from workbench.model.state import StepCounts

ED25519_SIGNATURE = 64  # bytes, RFC 8032
ED25519_PUBLIC_KEY = 32
_SIGNED = ED25519_SIGNATURE + ED25519_PUBLIC_KEY
_KIND, _SIG_ID, _NODE, _STEP = 1, 8, 4, 4
RULE = 4 + 1 + 2 + 2 + 4 * 4  # prefix, protocol, port range, two float32 ranges

SIGNATURE = _KIND + _SIG_ID + _NODE + _STEP + RULE + _SIGNED
VOTE = _KIND + _SIG_ID + _NODE + 1 + _SIGNED
DECISION = _KIND + _SIG_ID + 1 + 4 + 4 + _NODE + _SIGNED
CONFIRMATION = DECISION + SIGNATURE
PULL_REQUEST = _KIND + _NODE + 32
LEDGER_HEADER = 8 + 4 + 32 + 32
_HASH = 32  # SHA-256
BLOCK_HEADER = _KIND + 8 + 4 + _NODE + _STEP + 4 + _HASH + _HASH + _SIGNED
BLOCK_VOTE = _KIND + 4 + 8 + _HASH + _NODE + _SIGNED
VIEW_CHANGE = _KIND + 4 + _NODE + 8 + _HASH + _SIGNED
MEMBERSHIP = _KIND + _NODE + ED25519_PUBLIC_KEY + ED25519_SIGNATURE

#: bytes per message, by kind (the table of the module docstring)
MESSAGE_BYTES = MappingProxyType(
    {
        "signature": SIGNATURE,
        "vote": VOTE,
        "decision": DECISION,
        "confirmation": CONFIRMATION,
        "pull_request": PULL_REQUEST,
        "ledger_header": LEDGER_HEADER,
        "block_header": BLOCK_HEADER,
        "block_vote": BLOCK_VOTE,
        "view_change": VIEW_CHANGE,
        "membership": MEMBERSHIP,
    }
)


def sent(kind: str, n: int, *, ledger: bool = False) -> StepCounts:
    """The counts of ``n`` messages of ``kind`` (:data:`MESSAGE_BYTES`), each a ledger entry if ``ledger``."""
    size = MESSAGE_BYTES[kind] + (LEDGER_HEADER if ledger else 0)
    return StepCounts(messages=int(n), bytes=int(n) * size)


def blocks(n: int, payload_bytes: int) -> StepCounts:
    """The counts of ``n`` block messages (a Raft append, a PBFT pre-prepare) whose entries' payloads add up
    to ``payload_bytes`` over all ``n`` (each message is a ``block_header`` plus its entries)."""
    return StepCounts(messages=int(n), bytes=int(n) * BLOCK_HEADER + int(payload_bytes))
