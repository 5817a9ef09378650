"""Sybil identities: a malicious node that controls ``sybil_identities`` identities besides its own.

In a channel that admits identities (:meth:`~workbench.model.channels.base.Channel.admits_identities`: one that
counts votes without admission control) each of a malicious node's ``k`` extra identities casts the vote its
node casts, so the node's vote counts ``1 + k`` times: in the approvals and rejections, in the trust-weighted
sums (the identities share their node's trust) and in the number of votes cast (``min_votes``). Its identities
also count toward turnout: the eligible voters of a signature are its holders but the origin, and every
malicious one of them stands for ``1 + k``. Identities do not exist in the network otherwise: they hold what
their node holds, their votes travel with their node's (one message; a lost vote loses them all), and the
votes frame, the ledger and ``votes_cast`` list nodes' votes, not identities'.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from workbench.model.signatures import SignatureTable


class SybilVotes(NamedTuple):
    """What a malicious node's extra identities add to the tally of ``S`` signatures (each ``(S,)``):
    approvals and rejections (int64), their trust weights (float) and eligible voters (int64)."""

    votes_for: np.ndarray
    votes_against: np.ndarray
    weight_for: np.ndarray
    weight_against: np.ndarray
    eligible: np.ndarray


def sybil_votes(
    sigs: SignatureTable, rows: np.ndarray, malicious: np.ndarray, trust: np.ndarray, identities: int
) -> SybilVotes:
    """The votes and eligible voters that ``identities`` extra identities per malicious node (``malicious``,
    ``(N,)`` bools; ``trust``, ``(N,)``) add to signatures ``rows`` (see the module's docstring)."""
    i, node, vote = sigs.arrived.of_rows_entries(rows)
    bad = malicious[node]
    i, node, vote = i[bad], node[bad], vote[bad]
    size = rows.size
    approve, reject = vote > 0, vote < 0
    holders = sigs.holds.counts(rows, where=malicious) - malicious[sigs.cols.origin[rows]]
    return SybilVotes(
        identities * np.bincount(i[approve], minlength=size),
        identities * np.bincount(i[reject], minlength=size),
        identities * np.bincount(i[approve], weights=trust[node[approve]], minlength=size),
        identities * np.bincount(i[reject], weights=trust[node[reject]], minlength=size),
        identities * holders,
    )
