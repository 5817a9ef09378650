"""Demers et al.'s push rumour mongering written again from the paper, sharing no code with the model.

The model's rumours (:func:`workbench.model.gossip.rumor` inside the sharing phase) are checked against this
second implementation of the same process, and this one against the paper's Tables 1 and 2, so that a
disagreement with the paper can be told apart from a model error. The process (Demers et al. 1987,
section 1.4), on ``N`` sites of the complete graph, one rumour:

- round 0: one site (the origin) is infective, every other site susceptible;
- round ``r = 1, 2, ...`` (synchronous cycles): every infective site pushes the rumour to one site drawn
  uniformly from the ``N - 1`` others; a susceptible receiver becomes infective and pushes from round
  ``r + 1`` on; its arrival round is ``r``;
- a push is *unnecessary* when the receiver knew the rumour at the start of the round (``feedback``) or
  always (blind);
- the sender then loses interest: ``"counter"`` after ``k`` unnecessary pushes in a row (a necessary push
  restarts the count; Table 1), ``"coin"`` with probability ``1 / k`` per unnecessary push (Table 2),
  ``"never"`` not at all (pure push, which ends when every site is reached).

Measured per rumour, as the paper defines them and as the model's signatures frame names them: ``residue``
(share of sites never reached), ``traffic_per_node`` (pushes over ``N``), ``t_ave_rounds`` (mean arrival
round over the sites reached, the origin at 0) and ``t_last_rounds`` (arrival round of the last site
reached). :func:`simulate` is a Monte Carlo of that process, vectorised over runs; :func:`mean_field` the
deterministic recursion of its expected counts (exact as ``N`` grows once the rumour has reached many sites;
the blind ``k = 1`` rumour is a single chain that the recursion does not describe).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STOPS = ("counter", "coin", "never")
MEASURES = ("residue", "traffic_per_node", "t_ave_rounds", "t_last_rounds")


def _check(n_sites: int, k: int, stop: str) -> None:
    if n_sites < 2:
        raise ValueError(f"n_sites={n_sites!r} is out of range; expected an integer with 2 <= x")
    if stop not in STOPS:
        raise ValueError(f"stop={stop!r} is not allowed; choose one of {', '.join(map(repr, STOPS))}")
    if k < 1:
        raise ValueError(f"k={k!r} is out of range; expected an integer with 1 <= x")


def _batch(
    n_sites: int, k: int, feedback: bool, stop: str, runs: int, rng: np.random.Generator, max_rounds: int
) -> pd.DataFrame:
    knows = np.zeros((runs, n_sites), bool)
    infective = np.zeros((runs, n_sites), bool)
    strikes = np.zeros((runs, n_sites), np.int32)
    knows[:, 0] = infective[:, 0] = True  # site 0 is the origin of every run
    reached = np.ones(runs, np.int64)
    round_sum = np.zeros(runs, np.int64)
    last = np.zeros(runs, np.int64)
    pushes = np.zeros(runs, np.int64)
    for r in range(1, max_rounds + 1):
        run, site = np.nonzero(infective)
        if run.size == 0:
            break
        target = rng.integers(0, n_sites - 1, run.size)
        target += target >= site  # uniform over the other N - 1 sites
        pushes += np.bincount(run, minlength=runs)
        knew = knows[run, target]  # the start-of-round state: every push to a fresh site is news
        if stop == "coin":
            unnecessary = knew if feedback else np.ones(run.size, bool)
            bored = unnecessary & (rng.random(run.size) < 1.0 / k)
        elif stop == "counter":
            unnecessary = knew if feedback else np.ones(run.size, bool)
            strikes[run[~unnecessary], site[~unnecessary]] = 0
            strikes[run[unnecessary], site[unnecessary]] += 1  # one push per infective site and round
            bored = unnecessary & (strikes[run, site] >= k)
        else:
            bored = np.zeros(run.size, bool)
        fresh_run, fresh_site = run[~knew], target[~knew]
        newly = np.zeros((runs, n_sites), bool)
        newly[fresh_run, fresh_site] = True  # several pushes may reach the same fresh site
        knows |= newly
        infective |= newly
        infective[run[bored], site[bored]] = False
        arrived = newly.sum(axis=1)
        reached += arrived
        round_sum += r * arrived
        last[arrived > 0] = r
        if stop == "never":
            infective[reached == n_sites] = False  # pure push ends when every site knows
    else:
        raise RuntimeError(f"a rumour was still spreading after {max_rounds} rounds")
    return pd.DataFrame(
        {
            "residue": 1.0 - reached / n_sites,
            "traffic_per_node": pushes / n_sites,
            "t_ave_rounds": round_sum / reached,
            "t_last_rounds": last.astype(float),
        }
    )


def simulate(
    n_sites: int,
    k: int,
    *,
    feedback: bool,
    stop: str,
    runs: int,
    rng: np.random.Generator,
    batch: int = 250,
    max_rounds: int = 10_000,
) -> pd.DataFrame:
    """``runs`` independent rumours of the process in the module docstring: one row each, columns
    :data:`MEASURES` (share, pushes per site, rounds, rounds). Table 1 is ``feedback=True, stop="counter"``,
    Table 2 ``feedback=False, stop="coin"``. Works in batches of ``batch`` runs (memory ``batch * n_sites``
    bytes per state array). Raises ``RuntimeError`` if a rumour still spreads after ``max_rounds``."""
    _check(n_sites, k, stop)
    frames = [
        _batch(n_sites, k, feedback, stop, min(batch, runs - start), rng, max_rounds) for start in range(0, runs, batch)
    ]
    return pd.concat(frames, ignore_index=True)


def mean_field(n_sites: int, k: int, *, feedback: bool, stop: str, max_rounds: int = 10_000) -> dict[str, float]:
    """The expected counts of the process, round by round, taken as the counts themselves: with ``S``
    susceptible and ``I`` infective sites, ``S (1 - (1 - 1/(N - 1))^I)`` sites are reached and a push is
    unnecessary with probability ``(N - S - 1) / (N - 1)`` (feedback). Returns ``residue``,
    ``traffic_per_node`` and ``t_ave_rounds`` of that deterministic epidemic (no ``t_last``: its tail is
    not a count)."""
    _check(n_sites, k, stop)
    susceptible = n_sites - 1.0
    by_strikes = np.zeros(k)  # infective sites by unnecessary pushes in a row (counter), or all in [0]
    by_strikes[0] = 1.0
    round_sum, pushes = 0.0, 0.0
    for r in range(1, max_rounds + 1):
        pushing = float(by_strikes.sum())
        if pushing < 1e-9:
            break
        pushes += pushing
        useless = (n_sites - susceptible - 1.0) / (n_sites - 1.0) if feedback else 1.0
        new = susceptible * (1.0 - (1.0 - 1.0 / (n_sites - 1.0)) ** pushing)
        if stop == "counter":
            nxt = np.zeros(k)
            nxt[0] = pushing * (1.0 - useless)
            nxt[1:] = by_strikes[:-1] * useless
            by_strikes = nxt
        elif stop == "coin":
            by_strikes = by_strikes * (1.0 - useless / k)
        by_strikes[0] += new
        susceptible -= new
        round_sum += r * new
        if stop == "never" and susceptible < 0.5:
            break
    reached = n_sites - susceptible
    return {
        "residue": susceptible / n_sites,
        "traffic_per_node": pushes / n_sites,
        "t_ave_rounds": round_sum / reached,
    }
