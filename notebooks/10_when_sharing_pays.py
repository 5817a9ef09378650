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
# size N, the malicious fraction and behaviour, the attack's share of a targeted node's flows (`attack_share`, a
# rate: each targeted node-step draws Binomial(50, share) attack flows; the base point sends exactly 5 of its 50
# flows, a count, so the attack-share block runs each of its levels itself), the central aggregator
# failing (down from the second campaign, or compromised and forging) and the ledger's ordering protocol (the base
# pins the idealised ledger, `ledger_protocol = "ideal"`, an ordered log that cannot fail: docs/ledger-protocols.md;
# the crash-tolerant ledger runs at an 8-step vote deadline, which its commit latency needs). Besides `none`, a
# reference arm **`none (tuned)`** runs the isolated node at its best settings (min_flagged = 2,
# proposal_window_steps = 6, calibrated by `benchmarks/bench_isolated_tuning.py`), so sharing is also compared with
# an isolated node not handicapped by thresholds calibrated for the voting designs; the headline counts are against
# it. Every cell runs the same replicate seeds (pairing by seed, not identical traffic: one Generator draws traffic
# and sharing alike), so each design is compared replicate by replicate: the paired difference, with a per-cell
# Student-t 95% interval; a verdict ("better"/"worse") needs the paired t test's p value, **Holm-corrected within
# each (design, outcome, reference) family** over its cells, below 5%. Runs are long enough that every campaign's
# evaluation window is complete. Primary outcomes: **protection over time** (share of all honest nodes protected
# against a campaign, averaged over every step of its window, then over campaigns) and **attack flows blocked**,
# read together (they disagree where an isolated node contains the spread: the nodes it kept the campaign away
# from count as unprotected), then **forged harm**, **benign flows blocked** and **messages per node per step**. A
# value zero by definition (messages of `none`; forged harm without forgeries, and of `none`, whose forgeries block
# only at the forger) is a structural zero: reported as such, with no interval; a design measured against one is
# not compared (its own value is given, no verdict).
#
# **Sizes.** `size = "small"` (default; 207 runs of 20 nodes, 3 replicates, one or two levels per factor; about two
# minutes on one core): enough to draw the map, not to quote it. `size = "full"`: 3,440 runs of 50 nodes, 20
# replicates, 2-5 levels per factor, e.g.
# `papermill notebooks/10_when_sharing_pays.ipynb out.ipynb -p size full -p backend processes`.

# %% tags=["parameters"]
size = "small"  # "small" (207 runs) or "full" (3,440 runs, 20 replicates per cell)
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
# `none` at each level of the factor (the base point's level in bold), with its per-cell 95% interval. Filled:
# significant after Holm's correction within the design's and outcome's family of cells; hollow: not; grey cross:
# both values are structural zeros; a value against a structural zero (messages against `none`) is not drawn.

# %%
study.plot_differences(found, "none")
plt.show()

# %%
display(Markdown(study.prose(found, "none")))
study.headline(found).show()

# %% [markdown]
# ## Against the isolated node at its best (`none (tuned)`)

# %%
study.plot_differences(found, study.TUNED)
plt.show()

# %%
display(Markdown(study.prose(found, study.TUNED)))

# %% [markdown]
# ## Against the central aggregator

# %%
study.plot_differences(found, "central")
plt.show()

# %%
display(Markdown(study.prose(found, "central")))

# %% [markdown]
# Every paired difference at the base point (the full tables are `found.vs_none`, `found.vs_tuned` and
# `found.vs_central`):

# %%
study.base_table(found)

# %% [markdown]
# ## Limits
#
# One factor moves at a time: the map shows where each factor flips the answer from the base point, not how factors
# interact (notebook 08 varies them together). The intervals are per cell and not corrected; the verdicts are
# (Holm, within each design, outcome and reference). At the small size (3 replicates) the verdicts are illustrative.
# The malicious behaviours are compared at one malicious fraction (20%; collude there is the malicious-fraction
# block's 0.2 cell, not run twice). The aggregator and ledger-protocol levels change only central or the ledger; the
# other designs' runs there repeat the base point's. The outcomes depend on the world held at the realistic defaults of the model version in
# the provenance block.

# %% [markdown]
# ## Provenance

# %%
record = design.provenance(
    "10_when_sharing_pays.ipynb", results, size=size, backend=backend, seed=seed, wall_s=round(wall_s, 1)
)
display(Markdown(provenance_markdown(record)))
