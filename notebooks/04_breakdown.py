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
# # 04 · Breakdown points: how much malice does each design survive?
#
# **Question:** For each sharing mode and consensus rule, and each malicious behaviour, at what fraction of malicious
# nodes do forgeries start reaching honest blocklists, and at what fraction does protection of honest nodes collapse?
#
# **Method.** For every design (sharing `ledger` and `gossip` with each consensus rule; at the full size also
# `central`, whose aggregator decides without votes, and `none`, the isolated reference) and every malicious
# behaviour, `malicious_fraction` is swept over whole numbers of nodes (each level at least one malicious node more,
# the grid generated from the network size) and each cell is replicated over seeds. Every run lasts until each
# campaign's evaluation window is complete (`ModelParams.steps_covering_windows`). Three breakdown points f* are
# estimated with `workbench.analysis.breakdown.breakdown_point`: the smallest fraction at which the mean share of
# forged signatures that reach an honest node's blocklist (`forged_reach_frac`) exceeds `forged_threshold`; the
# smallest at which the mean share of honest nodes protected against a campaign over its window
# (`protected_time_frac_mean`) falls below `protected_level`; and, the question the study asks, the smallest at
# which a sharing design protects fewer honest nodes over time than isolated nodes with the same seeds (the mean
# paired difference falls below 0: where sharing stops paying; it rests on no fixed level, which designs may
# already sit near without malice). Between grid levels the crossing is interpolated; its
# 95% interval is a percentile bootstrap over replicates within each level; "not reached" means the mean curve never
# crosses in the swept range, and a design already across the level with no malice has no breakdown point (it never
# held). Beside the security f*: the band the model's own voter model gives for it, computed exactly
# (`workbench.model.consensus.forgery_confirm_probability`, checked against `run_model` in
# `tests/analysis/test_voter_model_thresholds.py`): the voters are a forgery's holders but its origin, colluders
# approve, votes count over those that arrived with the `min_participation` turnout floor; its lower end is where
# colluders alone meet the floor (every honest voter abstains), its upper end where they outvote every honest voter
# (the textbook threshold, all nodes voting).
#
# **Sizes.** `size = "small"` (default; about a minute on 2 cores): 2 sharing modes x 2 rules x 2 behaviours x 5
# fractions (steps of 3 nodes) x 3 replicates = 120 runs of a 20-node network. `size = "full"`: 10 designs (ledger and
# gossip x 4 rules, central, none) x 4 behaviours x 13 fractions (0 to 12 nodes of 20) x 30 replicates = 15,600 runs
# (betrayers turn after 10 steps), e.g.
# `papermill notebooks/04_breakdown.ipynb out.ipynb -p size full -p backend processes`.

# %% tags=["parameters"]
size = "small"  # "small" (120 runs) or "full" (15,600 runs, 30 replicates per cell)
backend = "processes"  # "local", "processes" or "ray"
seed = 20261130  # root seed of the replicate seeds and of the bootstrap
store = None  # None: data/sweeps/<sweep name>/; else a directory holding one store per sweep block
quiet = False
forged_threshold = 0.1  # security breaks down when more than this share of forgeries reach honest blocklists
protected_level = 0.5  # protection breaks down when fewer than this share of honest nodes are protected
n_boot = 2000  # bootstrap resamples per breakdown point

# %%
import time

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from workbench.analysis.run_plots import provenance_markdown
from workbench.analysis.studies import breakdown as study

design = study.design(size, seed=seed)
display(Markdown(study.describe(design)))

# %%
started = time.perf_counter()
results = design.run(backend=backend, store=store, quiet=quiet)
wall_s = time.perf_counter() - started
print(f"{len(results)} runs ({int((results.status != 'ok').sum())} failed) in {wall_s:.0f} s on backend {backend!r}")
found = study.analyse(design, results, forged_threshold, protected_level, n_boot=n_boot, seed=seed)

# %% [markdown]
# ## Curves
#
# Top row: share of forged signatures that reached at least one honest blocklist, pooled over the replicates of a
# cell, with its Wilson 95% interval (behaviours that never forge have no curve). Bottom row: mean over replicates
# of the share of honest nodes protected per campaign over its window (`protected_time_frac_mean`), with a
# Student-t 95% interval. Dashed: the thresholds.

# %%
study.plot_curves(found)
plt.show()

# %% [markdown]
# ## Breakdown points

# %%
study.display_table(found)

# %%
display(Markdown(study.prose(found)))
study.headline(found).show()

# %% [markdown]
# ## Limits
#
# The breakdown point is read off a grid: between levels it is a linear interpolation, and with few replicates per
# level (3 at the small size) the bootstrap interval is narrow and optimistic; use the full size (30) before quoting
# one. "Not reached" holds only for the swept range. The voter model's band brackets honest turnout, it does not
# predict it: where a design's f* falls inside the band depends on how often honest evidence voters see traffic that
# matches a forged rule, which the simulation decides. The band assumes every node holds the forgery by its
# deadline (the ledger); a gossip forgery may reach fewer. Protection has no such formula. The outcomes depend on
# the world (traffic, detector, campaigns) held at the defaults here, and on the model version in the provenance
# block.

# %% [markdown]
# ## Provenance

# %%
record = design.provenance(
    "04_breakdown.ipynb", results, size=size, backend=backend, seed=seed, wall_s=round(wall_s, 1)
)
display(Markdown(provenance_markdown(record)))
