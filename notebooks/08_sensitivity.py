# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 08 · Which parameters matter? Global sensitivity and scenario discovery
#
# **Question.** The model has many parameters. Which of them drive protection (attack flows blocked), security
# (forged signatures reaching an honest node's blocklist), false blocks and cost (messages per signature), and in which region of the
# parameter space do forgeries get through?
#
# **Method.** All main parameters are varied *together* over their ranges, with sharing fixed (gossip by default),
# in a design made for global sensitivity analysis (SALib): a **Morris** screening design at the small size (N
# trajectories of D + 1 runs, each step moving one factor) and a **Sobol** design at the full size (Saltelli/Sobol
# sequences, N(2D + 2) runs, giving first-order, total and second-order indices with bootstrap intervals).
# A tree-ensemble importance (as EMA Workbench's feature scoring) is computed on the same runs, and **PRIM**
# (Friedman & Fisher's patient rule induction) looks for the box of parameter space where forgeries get through to honest blocklists.
# An integer factor's range starts at the smallest value the fixed parameters accept: with `sharing = "ledger"` a
# vote deadline shorter than the ledger's round trip (`max(1, L) + L` steps for `ledger_latency_steps = L`) is
# refused, so `vote_deadline_steps` is sampled from that minimum (the design's description below says so).
# The analysis is `workbench.analysis.sensitivity`, `workbench.analysis.prim` and their figures and prose helpers;
# this notebook only sets parameters and calls them.
#
# **Sizes.** `size = "small"` (default, about a minute on 2 cores): Morris, 20 trajectories (160 runs) of a
# 20-node network with two campaigns measured over 20 steps each, for 35 steps (every window complete).
# `size = "full"`: Sobol with second-order indices, N = 256 base samples
# (4,096 runs) of a 40-node network with the default three campaigns for 60 steps, for a processes or Ray backend (about half an hour on 2 cores,
# minutes on a cluster). Run it with papermill, e.g.
# `papermill notebooks/08_sensitivity.ipynb out.ipynb -p size full -p backend ray`.

# %% tags=["parameters"]
size = "small"  # "small" (Morris screening, ~1 min on 2 cores) or "full" (Sobol with second order, ~4,096 runs)
backend = "processes"  # "local", "processes" or "ray" (RAY_ADDRESS selects an existing cluster)
seed = 20261130  # root seed: design sampling, replicate seeds, bootstrap intervals, tree ensembles
store = None  # None: data/sweeps/<sweep name>/; else a directory holding one store per sweep block
quiet = False
sharing = "gossip"  # fixed sharing mode: "gossip" or "ledger"
# The outcomes, by role (summary columns of a run). Rename here, once, if the outcome names change.
outcomes = {
    "protection": "attack_blocked_frac",
    "security": "forged_reach_frac",
    "false_blocks": "benign_blocked_frac",
    "cost": "messages_per_signature",
}
# Factors and their (low, high) ranges; integer parameters are sampled over the integers in the range.
factors = {
    "malicious_fraction": [0.1, 0.45],
    "quorum": [0.55, 0.95],
    "gossip_fanout": [1, 6],
    "vote_deadline_steps": [1, 8],  # sharing="ledger": from the ledger's minimum, max(1, L) + L for latency L
    "spread_prob": [0.05, 0.4],
    "zscore_threshold": [2.5, 6.0],
    "forge_prob": [0.1, 0.5],
}
forgery_threshold = 0.1  # PRIM looks for points where the security outcome exceeds this
prim_min_density = 0.8  # PRIM's chosen box: the highest coverage among boxes at least this dense

# %%

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from workbench.analysis.run_plots import provenance_markdown
from workbench.analysis.studies import sensitivity as study
from workbench.provenance import provenance

design = study.design(size, seed=seed, sharing=sharing, factors=factors)
print(study.describe(design))

# %%
results = design.run(backend=backend, store=store, quiet=quiet)
print(f"{len(results)} runs, {int((results.status != 'ok').sum())} failed; store: {results.attrs['store']}")
found = study.analyse(design, results, outcomes, forgery_threshold, prim_min_density, seed=seed)
results[[*factors, *outcomes.values()]].describe().T.round(3)

# %% [markdown]
# ## Sensitivity indices
#
# Morris (small size): `mu*` is the mean absolute change of the outcome when one factor moves by a grid step (in
# outcome units per full factor range); error bars are bootstrap 95% intervals. Sobol (full size): `S1` is the share
# of the outcome's variance a factor explains alone, `ST` alone or through interactions; error bars are bootstrap 95%
# intervals. Where an outcome is undefined at a point (e.g. no forgery was made in that run, so no share of forgeries
# was confirmed), the design unit holding it (a Morris trajectory, a Sobol base sample) is left out for that outcome;
# the text below says how many.

# %%
if study.plot_indices(found):
    plt.show()

# %%
display(Markdown(study.indices_prose(found)))

# %%
if study.plot_morris_planes(found):
    plt.show()
for outcome, second in study.second_order(found).items():
    print(outcome, "second-order indices (largest first):")
    display(second)

# %% [markdown]
# ## Feature scores
#
# Impurity importances of an extra-trees ensemble (250 trees, seeded) fitted per outcome on the same runs, as EMA
# Workbench's feature scoring: they sum to 1 per outcome and need no special design. Points where an outcome is
# undefined are left out for that outcome.

# %%
study.plot_scores(found)
plt.show()
found.scores.round(3)

# %% [markdown]
# ## Where do forgeries get through?
#
# PRIM on the security outcome: the box of parameter space where the share of forged signatures reaching honest blocklists exceeds
# `forgery_threshold`. The first figure is the peeling trajectory (coverage against density, one point per box);
# the second the chosen box's limits on each factor, scaled to the sampled range (grey: restrictions that are not
# significant).

# %%
if found.discovery is not None:
    study.plot_prim_trajectory(found)
    plt.show()
    study.plot_prim_box(found)
    plt.show()
display(Markdown(study.prim_prose(found)))
if found.discovery is not None:
    display(found.discovery.box.limits.round(3))
study.headline(found).show()

# %% [markdown]
# ## Reading the results
#
# The paragraphs above are computed from this run's indices and box; they rank factors only where the intervals
# separate them. At the small size Morris screens: it tells which factors can be left at their defaults, not how
# much variance each explains; use `size = "full"` (Sobol) before quoting shares of variance. PRIM's box is a
# description of the sampled runs at these ranges and sizes, not a guarantee: check its coverage and density, and
# that it holds when rerun with another `seed`.

# %% [markdown]
# ## Provenance

# %%
sweep = design.sweeps[0]
record = provenance(
    notebook="08_sensitivity.ipynb",
    sweep=sweep.to_dict(),
    spec_hash=sweep.spec_hash,
    model_version=sweep.model_version,
    backend=backend,
    store=results.attrs["store"],
    size=size,
)
display(Markdown(provenance_markdown(record)))
