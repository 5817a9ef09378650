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
# # 12 · The ledger under attack
#
# **Question:** When the ledger has to order its entries with a real protocol, what do the crash-tolerant
# (Raft-like) and Byzantine-tolerant (PBFT-like) ledgers give up against the ideal ledger, and how do they compare
# with the central aggregator and gossip, under an equivocating leader, a censoring leader, a leader crash,
# Sybil identities (below and above N/3 malicious nodes) and churn?
#
# **Method.** Five designs: the ideal ledger (an idealised log that cannot fail, `ledger_protocol="ideal"`), the
# crash-tolerant and the BFT ledger (`docs/ledger-protocols.md`), the central aggregator and gossip. Four
# scenarios: malicious nodes that equivocate as leader (`malicious_behavior="equivocate"`), that censor honest
# entries as leader and withhold their votes as replicas (`"censor"`), colluding nodes with Sybil identities
# (`sybil_identities`, no admission control), each at the BFT ledger's fault bound f = floor((N - 1) / 3) malicious
# nodes and at f + 1 (below and above N/3, in whole nodes); and, with no malicious node, the leader of the moment
# crashing (the central aggregator goes down at the same step) and churn (`churn_leave_rate`, `churn_join_rate`,
# `docs/churn.md`: new nodes take empty positions at 0.1 per step and catch up from their channel -- the
# aggregator's confirmed list, the log, a present gossip neighbour -- while present nodes leave at 0.02 or 0.1
# per step; outcomes are taken over the nodes present, catch-up messages count among the messages). Every cell runs the same replicate seeds, so each
# design is compared with the ideal ledger replicate by replicate: the paired difference, with a Student-t 95%
# interval over replicates, "better" or "worse" when the interval excludes zero. (Under churn the pairing shares
# the seed but not the churn path: the churn draws follow design-dependent draws of the run's Generator, so each
# design's replicate sees its own leaves and joins, from the same law.) Every campaign's evaluation
# window is complete. Primary outcomes: **protection over time**, **attack flows blocked**, **forged harm**,
# **benign flows blocked**, **messages** and **bytes** per node and step, and for the ledgers **conflicting log
# entries** (log positions at which two honest nodes applied different entries) and the **longest entry wait**
# (steps from an honest node's entry to its first application). A value fixed by the design (the ideal ledger's
# conflicting entries; forged harm where no behaviour forges) is reported by definition, without interval; a
# measured value the same in every run (the BFT ledger's 0 conflicts at f) as "0 in all 20 runs", without a
# zero-width interval; the ledger outcomes are not defined for central and gossip. The longest entry wait counts an
# entry still waiting at the run's end with its wait so far: where a ledger commits nothing (the prose counts those
# runs) it is the run's length, not a wait.
#
# **Sizes.** `size = "small"` (default; 135 runs of 10 nodes, 3 replicates, 20 steps; well under a minute on one
# core): a sketch of the comparison, not numbers to quote. `size = "full"`: the run count is printed below from
# the design (31 nodes, f = 10, 20 replicates), e.g.
# `papermill notebooks/12_ledger_under_attack.ipynb out.ipynb -p size full -p backend processes`.

# %% tags=["parameters"]
size = "small"  # "small" (135 runs) or "full" (20 replicates per cell, 31 nodes)
backend = "local"  # "local", "processes" or "ray" (the full size: "processes" or "ray")
seed = 20261203  # root seed of the replicate seeds
store = None  # None: data/sweeps/<sweep name>/; else a directory holding one store per sweep block
quiet = False

# %%
import time

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from workbench.analysis.run_plots import provenance_markdown
from workbench.analysis.studies import ledger as study

design = study.design(size, seed=seed)
display(Markdown(study.describe(design)))
full = study.design("full", seed=seed)
print(f"this run: size {size!r}, {design.runs:,} runs; the full size: {full.runs:,} runs of {full.base.n_nodes} nodes")

# %%
started = time.perf_counter()
results = design.run(backend=backend, store=store, quiet=quiet)
wall_s = time.perf_counter() - started
print(f"{len(results)} runs ({int((results.status != 'ok').sum())} failed) in {wall_s:.0f} s on backend {backend!r}")
found = study.analyse(design, results)

# %% [markdown]
# ## Against the ideal ledger
#
# One row per primary outcome; along x the cells (scenario, malicious nodes); in each cell the paired difference
# of every other design from the ideal ledger. Filled: the 95% interval excludes zero; hollow: it does not; grey
# cross: a difference by definition; no mark: the design does not define the outcome (no ledger).

# %%
study.plot_differences(found)
plt.show()

# %%
display(Markdown(study.prose(found)))
study.headline(found).show()

# %% [markdown]
# Every design's value per cell (means with 95% intervals over replicates; the paired differences are
# `found.vs_ideal`):

# %%
study.table(found)

# %% [markdown]
# ## Limits
#
# A malicious leader acts only while it leads: the leader of view v is node v mod N, so an equivocating or
# censoring leader acts in the replicates where node 0 (or the leader after a view change) is malicious, about f/N
# of the seeds; the means over replicates mix those runs with runs in which the attack never took place, and the
# intervals are wide. The small size (10 nodes, 3 replicates, one campaign) is a sketch; the full size runs 31
# nodes with 20 replicates. Protocol messages are counted per block by the protocol's formula and are never lost;
# after a fork both branches go on (conflicting entries are a lower bound on what a fork costs). The intervals are
# per cell and not corrected for the many cells compared. A fork happens only in the runs whose leader is an
# equivocating node (node 0, as no view change occurs): the conflict means are that share of runs times the fork's
# size, which grows with the run (the prose counts the runs that forked). Every protocol message takes
# `ledger_latency_steps` = 1 step (60 s): an ordered block commits 3 steps after it is cut, the ideal ledger's entry
# arrives after 1, so the ordered ledgers' loss of protection without malice is decided by this latency (at the
# small size, 10 replicates, the leader-crash gap of -0.09 and -0.11 is not shown to differ from 0 at latency 0).
# Under churn a joiner catches up at once, in the step it joins (no transfer delay), and an ordering ledger's
# protocol treats a departed replica as a crashed one and a joiner as a fresh replica (no protocol-level membership
# change is modelled): the replica set stays the N positions, so at a leave rate of 0.1 (half the positions empty)
# a BFT quorum of 21 of 31 is present at about 6% of the steps and the crash-tolerant majority of 16 at about half
# (the prose gives the shares): the ordered ledgers' churn results are decided by this model, not measured against a
# ledger that reconfigures its membership. At 10 nodes a leave rate of 0.1 leaves about 6 present, so the churn
# cells' intervals are wide. The world is held at the realistic defaults of the model version in the provenance block.

# %% [markdown]
# ## Provenance

# %%
record = design.provenance(
    "12_ledger_under_attack.ipynb", results, size=size, backend=backend, seed=seed, wall_s=round(wall_s, 1)
)
display(Markdown(provenance_markdown(record)))
