"""Exact theory for gossip on the complete graph ``K_N``: Markov chains and closed forms.

Everything here is computed, not fitted: the spreading time of push and push-pull gossip by exact
Markov chains on the number of informed nodes, and the residue of rumour mongering by its
fixed-point equation. Used by tests to check the simulation (:mod:`workbench.model.gossip`).

The round model matches :mod:`workbench.model.gossip` exactly: synchronous rounds; each message
goes to a uniformly random *other* node, drawn with replacement; each message is lost
independently with probability ``loss``.

Push (fanout ``k``), from ``i`` informed of ``N``, ``m = N - i`` uninformed: the ``k i`` messages
are sent one after another in thought; message ``b + 1`` reaches a not-yet-hit uninformed node with
probability ``(1 - loss) (m - j) / (N - 1)`` when ``j`` distinct uninformed nodes have been hit,
so the distribution of the number of newly informed nodes ``D`` is an exact dynamic programme
over messages (the occupancy distribution, thinned by loss). Hits are not independent across
nodes, so no binomial shortcut is used.

Push-pull adds pulls: each of the ``m`` uninformed nodes contacts ``k`` random others and gets the
item if a contacted node is informed and both its request and the reply arrive, independently of
the pushes and of each other: probability ``q = 1 - (1 - (1 - loss)^2 i / (N - 1))^k``. So
``D = D_push + Binomial(m - D_push, q)``.

The spreading time ``T`` (rounds from one informed node until all ``N`` are informed) is the
absorption time of the chain; with ``Q`` its transient part, ``E = (I - Q)^-1 1`` and
``E[T^2] = (I - Q)^-1 (1 + 2 Q E)`` (both triangular solves).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy.linalg import solve_triangular
from scipy.special import gammaln


@dataclass(frozen=True)
class SpreadingTime:
    """Exact moments of the spreading time (rounds) from one informed node to all ``n_nodes``."""

    n_nodes: int
    mean: float
    var: float

    def mean_interval(self, n_samples: int, z: float = 2.5758293035489) -> tuple[float, float]:
        """Where the mean of ``n_samples`` independent spreading times falls with probability about
        99% (``z`` = 2.576, the normal approximation of the sample mean)."""
        half = z * math.sqrt(self.var / n_samples)
        return self.mean - half, self.mean + half


def _check(n_nodes: int, fanout: int, loss: float) -> None:
    if n_nodes < 2:
        raise ValueError(f"n_nodes={n_nodes!r} is out of range; expected an integer with 2 <= x")
    if fanout < 1:
        raise ValueError(f"fanout={fanout!r} is out of range; expected an integer with 1 <= x")
    if not 0.0 <= loss < 1.0:
        raise ValueError(f"loss={loss!r} is out of range; expected a number with 0.0 <= x < 1.0")


def push_transitions(n_nodes: int, fanout: int = 1, loss: float = 0.0) -> np.ndarray:
    """Transition matrix ``P[i, i + d]`` of push gossip on ``K_N`` (rows and columns 0..N; row 0 unused).

    Rows are computed together: a DP over messages ``b = 0 .. k (N - 1)``, where row ``i`` stops
    after its ``k i`` messages. Cost ``O(k N^3)`` floating-point operations, vectorised over rows.
    """
    _check(n_nodes, fanout, loss)
    n = n_nodes
    i = np.arange(n + 1)
    m = n - i  # uninformed per state
    j = np.arange(n + 1)
    # hit[i, j]: probability that a message hits a new uninformed node, with j already hit
    hit = (1.0 - loss) * np.clip(m[:, None] - j[None, :], 0, None) / (n - 1)
    dist = np.zeros((n + 1, n + 1))
    dist[:, 0] = 1.0
    messages = fanout * i
    for b in range(int(messages.max())):
        rows = np.flatnonzero(messages > b)
        d, h = dist[rows], hit[rows]
        moved = d * h
        d = d - moved
        d[:, 1:] += moved[:, :-1]
        dist[rows] = d
    P = np.zeros((n + 1, n + 1))
    for state in range(1, n + 1):  # a loop over states (not flows): shift row i by i
        P[state, state:] = dist[state, : n + 1 - state]
    return P


def _binomial_pmf_matrix(n_max: int, p: float) -> np.ndarray:
    """``B[r, u] = P(Binomial(r, p) = u)`` for ``r, u`` in 0..n_max."""
    r = np.arange(n_max + 1)[:, None]
    u = np.arange(n_max + 1)[None, :]
    valid = u <= r
    if p <= 0.0:
        return np.broadcast_to(u == 0, valid.shape).astype(float)
    if p >= 1.0:
        return (u == r).astype(float)
    with np.errstate(invalid="ignore"):
        log = (
            gammaln(r + 1)
            - gammaln(u + 1)
            - gammaln(np.maximum(r - u, 0) + 1)
            + u * math.log(p)
            + np.maximum(r - u, 0) * math.log1p(-p)
        )
    return np.where(valid, np.exp(np.where(valid, log, 0.0)), 0.0)


def push_pull_transitions(n_nodes: int, fanout: int = 1, loss: float = 0.0) -> np.ndarray:
    """Transition matrix of push-pull gossip on ``K_N`` (see the module docstring); ``O(N^3)``."""
    n = n_nodes
    push = push_transitions(n, fanout, loss)
    P = np.zeros_like(push)
    for i in range(1, n + 1):  # a loop over states
        m = n - i
        d_push = push[i, i : n + 1]  # over newly pushed j1 = 0..m
        q = 1.0 - (1.0 - (1.0 - loss) ** 2 * i / (n - 1)) ** fanout
        # remaining R = m - j1 uninformed each pull with prob q: D = j1 + Bin(R, q)
        B = _binomial_pmf_matrix(m, q)  # [R, u]
        remaining = d_push[::-1]  # over R = m - j1
        pulled = remaining[:, None] * B  # [R, u]: j = m - R + u newly informed
        R = np.arange(m + 1)[:, None]
        new = m - R + np.arange(m + 1)[None, :]
        ok = np.arange(m + 1)[None, :] <= R
        np.add.at(P[i], i + new[ok], pulled[ok])
    return P


def absorption_time(P: np.ndarray, start: int = 1) -> tuple[float, float]:
    """Mean and variance of the rounds until state ``N`` (the last) is reached from ``start``.

    ``P`` is upper triangular (the informed count never falls), so both moments are triangular solves.
    """
    n = P.shape[0] - 1
    Q = P[start:n, start:n]
    A = np.eye(n - start) - Q
    ones = np.ones(n - start)
    mean = solve_triangular(A, ones, lower=False)
    second = solve_triangular(A, ones + 2.0 * Q @ mean, lower=False)
    return float(mean[0]), float(second[0] - mean[0] ** 2)


def push_spreading_time(n_nodes: int, fanout: int = 1, loss: float = 0.0) -> SpreadingTime:
    """Exact mean and variance of push gossip's spreading time on ``K_N`` (rounds)."""
    mean, var = absorption_time(push_transitions(n_nodes, fanout, loss))
    return SpreadingTime(n_nodes, mean, var)


def push_pull_spreading_time(n_nodes: int, fanout: int = 1, loss: float = 0.0) -> SpreadingTime:
    """Exact mean and variance of push-pull gossip's spreading time on ``K_N`` (rounds)."""
    mean, var = absorption_time(push_pull_transitions(n_nodes, fanout, loss))
    return SpreadingTime(n_nodes, mean, var)


def spreading_time_pmf(P: np.ndarray, max_rounds: int = 10_000, tol: float = 1e-12) -> np.ndarray:
    """``pmf[t] = P(T = t)`` of the absorption time from state 1, until the unabsorbed mass is below ``tol``."""
    n = P.shape[0] - 1
    p = np.zeros(n + 1)
    p[1] = 1.0
    pmf = [0.0]
    for _ in range(max_rounds):
        before = p[n]
        p = p @ P
        pmf.append(p[n] - before)
        if 1.0 - p[n] < tol:
            break
    return np.asarray(pmf)


def rumor_residue(k: float) -> float:
    """Residue of push rumour mongering with feedback and coin (Demers et al. 1987): the share of
    nodes never reached, the root in (0, 1) of ``s = exp(-(k + 1)(1 - s))`` (``k >= 1``: a node
    loses interest with probability ``1 / k`` after pushing to a node that already knew)."""
    if not k >= 1:
        raise ValueError(f"k={k!r} is out of range; expected a number with 1 <= x")
    a = k + 1.0

    def f(s: float) -> float:
        return s - math.exp(-a * (1.0 - s))

    # f(0) < 0, and f > 0 just below the trivial root s = 1 because f'(1) = 1 - a < 0
    upper = 1.0 - 1e-6
    while f(upper) <= 0:  # pragma: no cover - only for k extremely close to 0
        upper = 1.0 - (1.0 - upper) / 10
    return optimize.brentq(f, 0.0, upper, xtol=1e-14)
