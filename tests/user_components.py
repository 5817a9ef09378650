"""A researcher's own components (and an outcome), defined outside the package (test helpers, not shipped).

The tests name them by import path (``"user_components:TrustedGossip"``), as a researcher would name a
module of their own. Worker processes import this module by name: process workers through
``sys.path``/``PYTHONPATH`` (``tests/``), Ray workers through the ``runtime_env`` the ``ray_session``
fixture sets (see ``tests/conftest.py``).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from workbench.model.adversaries.base import Adversary
from workbench.model.adversaries.collude import Colluders
from workbench.model.channels.gossip import GossipChannel
from workbench.model.consensus import Tally
from workbench.model.outcomes import MAXIMIZE, Outcome, RunView
from workbench.model.state import ModelState
from workbench.model.voting import Evidence


class PlainGossip(GossipChannel):
    """The built-in gossip channel under another name: runs must equal ``sharing="gossip"`` bit for bit."""


class TrustedGossip(GossipChannel):
    """Gossip that pushes only to neighbours whose Beta trust is at least ``threshold``.

    Trust starts at 1/2 for everyone and moves with agreement with decided outcomes; a neighbour that
    keeps voting against the outcome falls below 1/2 and is no longer pushed to (it still receives
    what others pull, and votes still reach origins along the topology)."""

    threshold = 0.5

    def contacts(self, state: ModelState, t: int) -> sparse.csr_matrix | None:
        trusted = state.trust.trust >= self.threshold
        contacts = state.adjacency.copy()
        contacts.data = contacts.data * trusted[contacts.indices]  # drop the edges to untrusted neighbours
        contacts.eliminate_zeros()
        return contacts


class Mute(GossipChannel):
    """Gossip to nobody: no node has a contact, so signatures never leave their origin."""

    def contacts(self, state: ModelState, t: int) -> sparse.csr_matrix | None:
        n = state.params.n_nodes
        return sparse.csr_matrix((n, n), dtype=np.int8)


class NotAChannel:
    """Lacks every hook of a channel: refused when named."""


class Exploding:
    """A component whose constructor fails: refused when named, with the field and the error."""

    def __init__(self) -> None:
        raise RuntimeError("no such hardware")


# --- detectors ----------------------------------------------------------------------------------------
class Mahalanobis:
    """Squared Mahalanobis distance to the node's warm-up mean, negated (higher = more normal)."""

    def fit(self, X: np.ndarray) -> Mahalanobis:
        self.mean_ = X.mean(axis=0)
        cov = np.cov(X, rowvar=False) + 1e-6 * np.eye(X.shape[1])
        self.precision_ = np.linalg.inv(cov)
        return self

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        d = X - self.mean_
        return -np.einsum("ij,jk,ik->i", d, self.precision_, d)


class SeededNoise:
    """A detector whose scores are random: it draws from its ``random_state``, which the model sets."""

    def __init__(self, random_state: int | None = None) -> None:
        self.random_state = random_state

    def fit(self, X: np.ndarray) -> SeededNoise:
        self.rng_ = np.random.default_rng(self.random_state)
        return self

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        return self.rng_.random(len(X))


def lof():
    """scikit-learn's local outlier factor, as a novelty detector (it must be told ``novelty=True``)."""
    from sklearn.neighbors import LocalOutlierFactor

    return LocalOutlierFactor(n_neighbors=20, novelty=True)


class NoScores:
    """Has ``fit`` but no ``score_samples``: refused as a detector."""

    def fit(self, X: np.ndarray) -> NoScores:
        return self


# --- consensus rules, evidence rules, adversaries ------------------------------------------------------
def unanimous(tally: Tally, quorum: float) -> np.ndarray:
    """Confirmed when every vote cast approves (and at least one was cast)."""
    return (tally.votes_against == 0) & (tally.votes_for > 0)


def all_flagged(evidence: Evidence) -> np.ndarray:
    """Approve only when every matching recent flow was flagged; abstain without any."""
    m, f = evidence.matched, evidence.flagged
    return np.where(m == 0, 0, np.where(f == m, 1, -1)).astype(np.int8)


class PatientColluders(Colluders):
    """Colluders who vote honestly until the quorum is within their reach.

    On a signature, the colluders approve forgeries and reject the rest only once the malicious nodes
    holding it are at least a ``quorum`` share of the nodes that could vote on it (every holder but the
    origin); before that they vote by their evidence, earning trust and staying unremarkable."""

    def votes(
        self, state: ModelState, t: int, sig: np.ndarray, voter: np.ndarray, honest: np.ndarray, independent: bool
    ) -> np.ndarray:
        holders = state.sigs.holds[sig]
        eligible = holders.sum(axis=1) - 1
        malicious_holders = (holders & state.malicious).sum(axis=1) - state.malicious[state.sigs.cols.origin[sig]]
        within_reach = malicious_holders >= state.params.quorum * eligible
        colluding = super().votes(state, t, sig, voter, honest, independent)
        return np.where(within_reach, colluding, honest).astype(np.int8)


class HonestOnlyChecked(Adversary):
    """Inverts every vote it is asked for, and fails if it is ever asked about an honest voter."""

    def votes(
        self, state: ModelState, t: int, sig: np.ndarray, voter: np.ndarray, honest: np.ndarray, independent: bool
    ) -> np.ndarray:
        assert state.malicious[voter].all(), "the adversary was asked for an honest voter's vote"
        return (-honest).astype(np.int8)


SMALL_QUORUM = 0.3  # not a consensus rule: refused when named as one


# --- outcomes -----------------------------------------------------------------------------------------
def _protected_within_10(run: RunView) -> float:
    c = run.campaigns
    return float((c["t50_reached"] & (c["t50_steps"] <= 10)).mean()) if len(c) else float("nan")


protected_within_10 = Outcome(
    "protected_within_10_frac",
    _protected_within_10,
    MAXIMIZE,
    "share of campaigns",
    "campaigns that had half of the honest nodes protected within 10 steps of their start",
    group="protection",
    denominator="campaigns started",
)

# another outcome under a built-in's name: refused when named
recall_again = Outcome("recall", lambda run: 0.0, MAXIMIZE, "share", "clashes with the built-in recall")
