"""Prose built from sensitivity results, for notebooks and reports: every number in the text comes from the
result frames passed in (Markdown strings; display with ``IPython.display.Markdown``).

Screening rules, stated so that a reader can check them:

- Sobol: a factor is *influential* when the lower end of its total-index interval, ``ST - ST_conf``, exceeds
  ``min_effect`` (default 0.05: it explains at least 5% of the variance, alone or through interactions);
  ``1 - sum(S1)`` is the share of variance due to interactions.
- Morris: factors are ranked by ``mu_star``; a factor is *negligible* when ``mu_star + mu_star_conf`` is below
  ``min_effect`` times the largest ``mu_star`` (default 0.1); ``sigma / mu_star`` above 1 flags effects that
  change with the other factors (non-linear or interacting).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from workbench.analysis.prim import PrimResult


def _list(items: list[str]) -> str:
    if not items:
        return "none"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _dropped(indices: pd.DataFrame, unit: str) -> str:
    dropped = int(indices.attrs.get("n_units_dropped", 0))
    if not dropped:
        return ""
    return (
        f" ({dropped} of {indices.attrs['n_units']} {unit} left out because the outcome is undefined at one of "
        "their points)"
    )


def sobol_text(outcome: str, indices: pd.DataFrame, min_effect: float = 0.05) -> str:
    """One paragraph on one outcome's Sobol indices."""
    ranked = indices.sort_values("ST", ascending=False)
    influential = [
        f"`{f}` (ST {r.ST:.2f} ± {r.ST_conf:.2f}, S1 {r.S1:.2f})"
        for f, r in ranked.iterrows()
        if r.ST - r.ST_conf > min_effect
    ]
    others = [f"`{f}`" for f, r in ranked.iterrows() if not r.ST - r.ST_conf > min_effect]
    total = float(indices["S1"].sum())
    confidence = indices.attrs.get("confidence", 0.95)
    if total <= 1:
        interactions = (
            f"First-order effects add up to {total:.2f}, so about {1 - total:.0%} of the variance comes "
            "from interactions between factors."
        )
    else:  # estimation error: the estimates cannot apportion interactions at this sample size
        interactions = (
            f"First-order estimates add up to {total:.2f} (> 1, estimation error): the share of "
            "interactions cannot be told at this sample size."
        )
    return (
        f"**{outcome}**{_dropped(indices, 'base samples')}: influential factors (lower end of the "
        f"{confidence:.0%} interval of the total index above {min_effect:g}): {_list(influential)}. "
        f"Not shown to matter at this sample size: {_list(others)}. {interactions}"
    )


def morris_text(outcome: str, indices: pd.DataFrame, min_effect: float = 0.1) -> str:
    """One paragraph on one outcome's Morris screening."""
    ranked = indices.sort_values("mu_star", ascending=False)
    top = float(ranked["mu_star"].iloc[0])
    important = [
        f"`{f}` (mu* {r.mu_star:.3g} ± {r.mu_star_conf:.2g}{', sigma/mu* %.1f' % (r.sigma / r.mu_star) if r.mu_star else ''})"
        for f, r in ranked.iterrows()
        if r.mu_star + r.mu_star_conf >= min_effect * top
    ]
    negligible = [f"`{f}`" for f, r in ranked.iterrows() if r.mu_star + r.mu_star_conf < min_effect * top]
    nonlinear = [f"`{f}`" for f, r in ranked.iterrows() if r.mu_star and r.sigma / r.mu_star > 1]
    if top == 0:
        return f"**{outcome}**: no factor changed this outcome in any elementary step (mu* = 0 for all)."
    return (
        f"**{outcome}**{_dropped(indices, 'trajectories')}: by mean absolute elementary effect, {_list(important)}. Negligible (mu* plus its "
        f"interval below {min_effect:.0%} of the largest): {_list(negligible)}. Effects that depend on the other "
        f"factors (sigma > mu*): {_list(nonlinear)}."
    )


def indices_text(results: Mapping[str, pd.DataFrame]) -> str:
    """A paragraph per outcome (Sobol or Morris, from the columns), plus the outcomes that were skipped."""
    parts = [sobol_text(o, i) if "ST" in i.columns else morris_text(o, i) for o, i in results.items()]
    skipped = getattr(results, "skipped", {})
    parts += [f"**{outcome}** was not analysed: {reason}" for outcome, reason in skipped.items()]
    return "\n\n".join(parts)


def prim_text(result: PrimResult, label: str | None = None) -> str:
    """A paragraph on a PRIM box: how common the cases are, where they concentrate, and how well the box does."""
    box = result.box
    sign = ">" if result.direction == "above" else "<"
    label = label or f"`{result.outcome}` {sign} {result.threshold:g}"
    share = result.n_of_interest / result.n_cases
    dropped = f" ({result.n_dropped} points with an undefined outcome left out)" if result.n_dropped else ""
    restrictions = box.describe()
    text = (
        f"Cases with {label}: {result.n_of_interest} of {result.n_cases} design points ({share:.0%}){dropped}. "
        f"PRIM's chosen box (step {box.step} of {len(result.boxes) - 1}{', pasted' if box.pasted else ''}) is "
        f"{restrictions}: it holds {box.coverage:.0%} of those cases (coverage) and {box.density:.0%} of the points "
        f"inside it are such cases (density, against {share:.0%} overall), in {box.mass:.0%} of the sampled space."
    )
    weak = [name for name in box.restricted if name not in box.significant()]
    if weak:
        text += (
            f" Restrictions on {_list([f'`{w}`' for w in weak])} are not significant (quasi-p > 0.05) and are omitted."
        )
    return text
