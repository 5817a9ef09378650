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
# # 10 · When does sharing pay?
#
# **Question:** For each way of sharing threat signatures (a central aggregator, a shared ledger, gossip), how much
# better is the network protected over time than by isolated nodes (`none`) and than by the central aggregator, at
# what cost in benign flows blocked, forged harm and messages, and which factors flip the answer?
#
# **Method.** Every design runs at a base point of the realistic world and, one factor at a time, at other levels of
# each factor that could flip the answer: how many prefixes the attackers spread over and how often they rotate, the
# isolated node's evidence threshold (`min_flagged`), detector quality (`attack_separation`), spread speed, network
# size N, the malicious fraction and behaviour, and the attack's share of a targeted node's flows. Every cell runs the
# same replicate seeds, so each design is compared with `none` and with `central` replicate by replicate: the paired
# difference, with a Student-t 95% interval over replicates; "significant" when the interval excludes zero. Runs are
# long enough that every campaign's evaluation window is complete. Primary outcomes: **protection over time** (share
# of honest nodes protected against a campaign, averaged over every step of its window, then over campaigns),
# **attack flows blocked**, **forged harm**, **benign flows blocked** and **messages per node per step**. A value
# zero by definition (messages of `none`; forged harm without malicious nodes) is a structural zero: reported as
# such, with no interval, and never counted as a design doing better.
#
# **Sizes.** `size = "small"` (default; 132 runs of 20 nodes, 3 replicates, two levels per factor; about half a
# minute on one core): enough to draw the map, not to quote it. `size = "full"`: 2,480 runs of 50 nodes, 20
# replicates, 3-5 levels per factor, e.g.
# `papermill notebooks/10_when_sharing_pays.ipynb out.ipynb -p size full -p backend processes`.

# %% tags=["parameters"]
size = "small"  # "small" (132 runs) or "full" (2,480 runs, 20 replicates per cell)
backend = "local"  # "local", "processes" or "ray" (the full size: "processes" or "ray")
seed = 20261130  # root seed of the replicate seeds
store = None  # None: data/sweeps/<sweep name>/; else a directory holding one store per sweep block
quiet = False

# %%
import time

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from workbench.analysis.run_plots import provenance_markdown
from workbench.analysis.studies import sharing as study

design = study.design(size, seed=seed)
display(Markdown(study.describe(design)))

# %%
started = time.perf_counter()
results = design.run(backend=backend, store=store, quiet=quiet)
wall_s = time.perf_counter() - started
print(f"{len(results)} runs ({int((results.status != 'ok').sum())} failed) in {wall_s:.0f} s on backend {backend!r}")
found = study.analyse(design, results, design.kept(results, "steps"), design.kept(results, "campaigns"))

# %% [markdown]
# ## Against isolated nodes
#
# Each column is a factor, each row a primary outcome; in each panel, the paired difference of each design against
# `none` at each level of the factor (the base point's level in bold). Filled: the 95% interval excludes zero; hollow:
# it does not; grey cross: both values are structural zeros.

# %%
study.plot_differences(found, "none")
plt.show()

# %%
display(Markdown(study.prose(found, "none")))
study.headline(found).show()

# %% [markdown]
# ## Against the central aggregator

# %%
study.plot_differences(found, "central")
plt.show()

# %%
display(Markdown(study.prose(found, "central")))

# %% [markdown]
# Every paired difference at the base point (the full tables are `found.vs_none` and `found.vs_central`):

# %%
study.base_table(found)

# %% [markdown]
# ## Limits
#
# One factor moves at a time: the map shows where each factor flips the answer from the base point, not how factors
# interact (notebook 08 varies them together). The intervals are per cell and not corrected for the many cells
# compared; at the small size (3 replicates) read them as a sketch. The malicious behaviours are compared at one
# malicious fraction (20%). The outcomes depend on the world held at the realistic defaults of the model version in
# the provenance block.

# %% [markdown]
# ## Provenance

# %%
record = design.provenance(
    "10_when_sharing_pays.ipynb", results, size=size, backend=backend, seed=seed, wall_s=round(wall_s, 1)
)
display(Markdown(provenance_markdown(record)))
