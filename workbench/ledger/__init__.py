"""Append-only ledger of signatures, votes and decisions (used by the model)."""
