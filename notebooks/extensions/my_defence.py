"""A researcher's own components for notebook 11 (not part of the package; named by import path).

Each object here is found by ``ModelParams`` through ``"my_defence:<name>"`` once this folder is on
``sys.path`` (the notebook puts it there; process workers inherit the driver's path, Ray workers get it
through ``runtime_env={"env_vars": {"PYTHONPATH": ...}}``). Edit this file and restart the kernel: the run
identity hashes its source, so a results store never serves runs of the older code.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from workbench.model.adversaries.collude import Colluders
from workbench.model.channels.gossip import GossipChannel
from workbench.model.outcomes import MAXIMIZE, Outcome, RunView
from workbench.model.state import ModelState


# --- a detector: distance to the k-th nearest warm-up flow (higher score = more normal) ----------------
class KnnDistance:
    """Negated distance of a flow to its ``k``-th nearest neighbour among the node's warm-up flows.

    Features are standardised by the warm-up mean and spread first (log bytes and packet counts have
    different scales). The model fits one instance per node and flags below the node's own warm-up
    percentile, as it does for every per-node detector."""

    k = 5

    def fit(self, X: np.ndarray) -> KnnDistance:
        from sklearn.neighbors import NearestNeighbors

        self.mean_, self.scale_ = X.mean(axis=0), X.std(axis=0) + 1e-9
        self.index_ = NearestNeighbors(n_neighbors=self.k + 1).fit((X - self.mean_) / self.scale_)
        return self

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        distances, _ = self.index_.kneighbors((X - self.mean_) / self.scale_, n_neighbors=self.k)
        return -distances[:, -1]


def local_outlier_factor():
    """scikit-learn's LOF told to act as a novelty detector (a factory: the model calls it per node)."""
    from sklearn.neighbors import LocalOutlierFactor

    return LocalOutlierFactor(n_neighbors=20, novelty=True)


# --- a channel: gossip that pushes only to neighbours it trusts ----------------------------------------
class TrustedOnlyGossip(GossipChannel):
    """Gossip whose nodes push only to neighbours with Beta trust of at least ``min_trust``.

    Trust (``state.trust``) starts at 1/2 and follows agreement with decided outcomes, so a neighbour
    that keeps voting against what the network decides stops receiving pushes (it still pulls)."""

    min_trust = 0.5

    def contacts(self, state: ModelState, t: int) -> sparse.csr_matrix | None:
        keep = sparse.diags((state.trust.trust >= self.min_trust).astype(np.int8))
        contacts = (state.adjacency @ keep).tocsr()
        contacts.eliminate_zeros()
        return contacts


# --- an adversary: sleepers who behave until they have earned trust -----------------------------------
class Sleepers(Colluders):
    """Colluders who vote and relay honestly until step ``wake_step``, then approve forgeries, reject
    everything else and forge: trust earned while asleep makes their votes weigh more once awake."""

    wake_step = 20

    def colluding(self, state: ModelState, t: int) -> np.ndarray:
        return super().colluding(state, t) & (t >= self.wake_step)


# --- an outcome: how many of the flows the blocklists stopped were attacks -------------------------------
def _blocking_precision(run: RunView) -> float:
    totals = run.state.totals
    blocked = totals.attack_flows_blocked + totals.benign_flows_blocked
    return totals.attack_flows_blocked / blocked if blocked else float("nan")


blocking_precision = Outcome(
    "blocking_precision",
    _blocking_precision,
    MAXIMIZE,
    "share of blocked flows",
    "attack flows among the flows honest nodes' blocklists stopped",
    group="protection",
    denominator="flows blocked at honest nodes (NaN when none was)",
)
