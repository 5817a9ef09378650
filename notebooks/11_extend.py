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
# # 11 · Bring your own detector, channel, adversary and outcome
#
# **Question:** Does a component of your own — a detector you trained, a sharing protocol from a paper, an
# adversary that adapts — do better or worse than the built-ins, with intervals, without editing the package?
#
# **Method.** Four components live in a module of the researcher's own, `notebooks/extensions/my_defence.py`
# (not in `workbench/`), and are named by import path `"my_defence:<name>"`: a k-nearest-neighbour distance
# detector (`KnnDistance`) and scikit-learn's local outlier factor as a novelty detector (`local_outlier_factor`),
# beside scikit-learn's `EllipticEnvelope` named directly by its own import path; gossip that pushes only to
# trusted neighbours (`TrustedOnlyGossip`); colluders who behave until step 20 (`Sleepers`); and an outcome, the
# share of blocked flows that were attacks (`blocking_precision`). Each is swept against the built-ins on the
# same replicate seeds, and compared replicate by replicate with a reference: the paired difference with a
# Student-t 95% interval over replicates ("better"/"worse" by the outcome's declared direction only when the
# interval excludes zero). Every run is long enough that every campaign's evaluation window is complete.
# `docs/extending.md` is the guide to writing such components.
#
# **Sizes.** `size = "small"` (default; 3 replicates of 20 nodes: enough to show the mechanics, not to quote);
# `size = "full"` (20 replicates of 40 nodes), e.g.
# `papermill notebooks/11_extend.ipynb out.ipynb -p size full -p backend processes`.

# %% tags=["parameters"]
size = "small"  # "small" (3 replicates of 20 nodes) or "full" (20 replicates of 40 nodes)
backend = "local"  # "local", "processes" or "ray" (Ray workers need the module's folder: see the guide)
seed = 20261202  # root seed of the replicate seeds
quiet = False

# %%
import sys
from pathlib import Path

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from workbench.analysis import component_comparison as compare
from workbench.analysis.run_plots import provenance_markdown

sys.path.insert(0, str(Path("extensions").resolve()))  # where my_defence.py lives; workers inherit the path
study = compare.ComparisonStudy(size, seed=seed, extra_outcomes=("my_defence:blocking_precision",))
display(Markdown(study.describe()))

# %% [markdown]
# ## A detector of your own
#
# Detectors are compared on the isolated design (`sharing="none"`), so that what differs is what each node's
# detector sees; `zscore` (the fast batched default) is the reference. Per-flow recall and false-positive rate are
# measured inside the runs, with campaigns on.

# %%
detectors = study.run(
    "detector",
    [
        "zscore",
        "iforest",
        "my_defence:KnnDistance",
        "my_defence:local_outlier_factor",
        "sklearn.covariance:EllipticEnvelope",
    ],
    base={"sharing": "none"},
    outcomes=["recall", "fpr", "attack_blocked_frac", "blocking_precision"],
    backend=backend,
    quiet=quiet,
)
compare.plot_paired(detectors, "Detectors against zscore (isolated nodes)")
plt.show()
display(Markdown(compare.prose(detectors)))

# %% [markdown]
# ## A channel of your own
#
# Gossip that pushes only to trusted neighbours against the built-in gossip, with 20% colluding nodes that forge:
# does withholding pushes from distrusted neighbours cut forged harm (benign flows blocked by forged rules), and
# what does it cost in protection over time and messages?

# %%
channels = study.run(
    "sharing",
    ["gossip", "my_defence:TrustedOnlyGossip"],
    base={"malicious_fraction": 0.2, "malicious_behavior": "collude"},
    outcomes=[
        "protected_time_frac_mean",
        "forged_benign_blocked_frac",
        "benign_blocked_frac",
        "messages_per_node_step",
    ],
    backend=backend,
    quiet=quiet,
)
compare.plot_paired(channels, "Trusted-only gossip against gossip (20% colluders)")
plt.show()
display(Markdown(compare.prose(channels)))

# %% [markdown]
# ## An adversary of your own
#
# Sleepers collude only from step 20 on, after voting honestly long enough to earn trust. Against colluders from the
# first step, on gossip with trust-weighted votes (the rule that reads the trust they earn):

# %%
adversaries = study.run(
    "malicious_behavior",
    ["collude", "my_defence:Sleepers"],
    base={"malicious_fraction": 0.2, "sharing": "gossip", "consensus": "trust_weighted"},
    outcomes=["forged_benign_blocked_frac", "forged_reach_frac", "protected_time_frac_mean", "blocking_precision"],
    backend=backend,
    quiet=quiet,
)
compare.plot_paired(adversaries, "Sleepers against colluders (gossip, trust-weighted votes)")
plt.show()
display(Markdown(compare.prose(adversaries)))

# %% [markdown]
# ## Headline
#
# The first challenger of each comparison against its reference, on the first outcome listed (paired difference and
# 95% interval):

# %%
study.headline().show()

# %% [markdown]
# ## Limits
#
# At the small size (3 replicates of 20 nodes) the intervals are wide: read them as a demonstration of the
# mechanics. The detectors are compared on isolated nodes only, the channel and the adversary at one malicious
# fraction (20%); `Sleepers` wake at step 20 of runs whose first campaign starts after the warm-up, so how much their
# earned trust buys depends on that timing. A per-node scikit-learn detector is fitted once on the warm-up and
# never updated (the batched banks update their baselines): part of any detector difference is that. Each detector
# runs at its default operating point (`zscore_threshold`, `detector_contamination`), so a recall difference comes
# with a false-positive difference; read recall and `fpr` together, or sweep the threshold to compare at equal FPR.

# %% [markdown]
# ## Provenance

# %%
record = study.provenance(backend=backend)
display(Markdown(provenance_markdown(record)))
