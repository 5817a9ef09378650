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
# # 06 · Correlated votes: do honest voters err independently?
#
# **Question:** Condorcet's jury theorem assumes that voters err independently; evidence voters share a detector
# family and overlapping traffic, so do their votes on a signature err together, and does that break the theory's
# promise that more voters give more reliable decisions?
#
# **Method.** Networks of honest nodes share signatures on a ledger (so every node may vote on every signature) and
# decide by majority. Per cell (topology x kind of voter), the honest votes of all replicates form a matrix of
# signatures x nodes (approve 1, reject 0, no vote empty), one signature class at a time. From it:
# the intra-class correlation rho of votes on the same signature (ANOVA estimator, bootstrap 95% interval over
# signatures; `workbench.analysis.votes.vote_correlation`), the effective number of independent voters
# n_eff = n / (1 + (n - 1) rho), and the share of signatures on which the honest votes met the majority rule
# (Wilson 95%), against three predictions for the same signatures: binomial with the pooled approval share
# (independent voters), the binomial rule on n_eff voters, and a fitted beta-binomial
# (`workbench.analysis.confirmation`). Kinds of voter: evidence voters with the z-score detector at two thresholds
# and with the isolation forest, and a **control** of independent voters with accuracy 0.7 (`validation =
# "independent"`), for which the binomial must hold.
#
# **Sizes.** `size = "small"` (default; under a minute): 2 topologies x 4 kinds of voter x 4 replicates = 32 runs of
# 20 nodes for 30 steps. `size = "full"`: 3 topologies x 4 kinds x 30 replicates = 360 runs of 30 nodes for 40
# steps (`-p size full`). Six campaigns start 4 steps apart; the study reads votes, not protection, so each
# campaign is measured until the next one starts (`eval_window_steps = 4`) and every window ends inside the run.

# %% tags=["parameters"]
size = "small"  # "small" (32 runs) or "full" (360 runs, 30 replicates per cell)
backend = "processes"  # "local", "processes" or "ray"
seed = 20261130  # root seed of the replicate seeds and of the bootstrap
store = None  # None: data/sweeps/<sweep name>/; else a directory holding one store per sweep block
quiet = False
n_boot = 499  # bootstrap resamples for each correlation interval

# %%
import time

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from workbench.analysis.run_plots import provenance_markdown
from workbench.analysis.studies import votes as study

design = study.design(size, seed=seed)
display(Markdown(study.describe(design)))

# %%
started = time.perf_counter()
results = design.run(backend=backend, store=store, quiet=quiet)
votes = design.kept(results, "votes")
wall_s = time.perf_counter() - started
print(
    f"{len(results)} runs ({int((results.status != 'ok').sum())} failed), {len(votes)} votes, "
    f"in {wall_s:.0f} s on backend {backend!r}"
)

# %% [markdown]
# ## Correlation, effective voters, and observed against predicted

# %%
found = study.analyse(design, votes, n_boot=n_boot, seed=seed)
found.table.round(3)

# %%
study.plot_observed_vs_predicted(found)
plt.show()

# %%
display(Markdown(study.prose(found)))
study.headline(found).show()

# %% [markdown]
# ## Condorcet's promise under the fitted correlation
#
# For each cell with a positive fitted correlation: the chance that a majority of n voters approves, for committees
# of 1 to 61 (odd sizes), if they were independent (dashed, binomial with the observed approval share) and with the fitted
# correlation (solid, beta-binomial). Independence promises a curve rising to 1; correlation bends it towards a
# ceiling below 1 (the share of signatures whose own approval chance exceeds one half).

# %%
study.plot_promise(found)
plt.show()

# %% [markdown]
# ## Limits
#
# Evidence voters abstain when none of their recent flows match a rule, so the committee of each signature is the
# nodes that saw its traffic; abstention is not counted as an error here, and its own correlation (nodes that see
# the same campaign) is outside this measure. Signatures are pooled over replicates, and a run's signatures are
# treated as independent draws. With near-unanimous votes, the comparison of observed and predicted shares has
# little power: "consistent with independence" then means the data cannot tell, not that the votes are
# independent. Results depend on the world (traffic, detectors) of the model version in the provenance block.

# %% [markdown]
# ## Provenance

# %%
record = design.provenance(
    "06_correlated_votes.ipynb", results, size=size, backend=backend, seed=seed, wall_s=round(wall_s, 1)
)
display(Markdown(provenance_markdown(record)))
