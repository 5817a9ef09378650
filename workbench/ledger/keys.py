"""Node signing keys: Ed25519, derived deterministically from the run's key seed.

Node ``i``'s private key is the Ed25519 key whose 32-byte seed is
``SHA-256("workbench-ledger-key-v1:{key_seed}:{i}")``; the same run seed therefore gives the same
keys, hashes and signatures on every machine. The key seed is never stored in a ledger; the
public keys are (``nodes`` table), so anyone can verify a ledger file on its own.
"""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from workbench.ledger.entry import Row

__all__ = ["InvalidSignature", "NodeKeys", "derive_private_key", "public_key_hex"]


def derive_private_key(key_seed: int, node_id: int) -> Ed25519PrivateKey:
    """Node ``node_id``'s private key for a run with ``key_seed`` (any Python or numpy int)."""
    seed = hashlib.sha256(f"workbench-ledger-key-v1:{int(key_seed)}:{int(node_id)}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """Raw 32-byte public key as 64 hex digits."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


class NodeKeys:
    """The private keys of nodes ``0 .. n_nodes - 1``, derived on first use and cached."""

    def __init__(self, key_seed: int, n_nodes: int) -> None:
        self.key_seed = int(key_seed)
        self.n_nodes = n_nodes
        self._private: dict[int, Ed25519PrivateKey] = {}

    def private(self, node_id: int) -> Ed25519PrivateKey:
        key = self._private.get(node_id)
        if key is None:
            key = self._private[node_id] = derive_private_key(self.key_seed, node_id)
        return key

    def public_hex(self, node_id: int) -> str:
        return public_key_hex(self.private(node_id))

    def public(self, node_id: int) -> Ed25519PublicKey:
        return self.private(node_id).public_key()

    def sign_rows(self, rows: list[Row]) -> list[Row]:
        """The rows with each signature set: Ed25519 by the row's node over its 32-byte hash."""
        private = self.private
        return [(*row[:7], private(row[2]).sign(bytes.fromhex(row[6])).hex()) for row in rows]
