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
# # 03 · Auditing a run's ledger
#
# **Question.** Every signature a node claimed, every vote it cast and every decision the network
# reached is written to the shared ledger. Can a researcher who only has the ledger file check, after
# the fact, that this record is complete and unaltered, and see what was written when?
#
# This report runs the model once with `ledger="sqlite"`, so the ledger is a file, then reads the file
# back as anyone could: entries per kind over time, a full verification of its hash chain and
# Ed25519 signatures, and what verification says about copies tampered with in four ways.
# The file format is documented in `docs/ledger-schema.md`.

# %% tags=["parameters"]
# Parameters (papermill overrides these)
seed = 7
steps = 60
n_nodes = 50
malicious_fraction = 0.1
malicious_behavior = "forge"
ledger_path = "../data/runs/03_ledger_audit.sqlite"  # relative to notebooks/; rewritten on every run

# %%
# %matplotlib inline
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from workbench import ModelParams, run_model
from workbench.analysis.headline import show_headline
from workbench.analysis.run_plots import provenance_markdown
from workbench.ledger import kinds_overview, open_ledger, plot_entries_per_kind, verify_file
from workbench.ledger.tamper import TAMPERINGS, tamper_copy
from workbench.provenance import provenance

# Start from no file: the model appends to an existing ledger, and re-running must give the same file.
path = Path(ledger_path)
for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
    stale.unlink(missing_ok=True)
params = ModelParams.from_dict(
    {
        "n_nodes": n_nodes,
        "malicious_fraction": malicious_fraction,
        "malicious_behavior": malicious_behavior,
        "ledger": "sqlite",
        "ledger_path": str(path),
    }
)
result = run_model(params, seed=seed, steps=steps)

# Read the file back on its own, read-only: no key seed, no model objects.
with open_ledger("sqlite", str(path)) as ledger:
    frame = ledger.to_frame()
    verification = ledger.verify()
    head = ledger.head_hash()  # the head as written by the run (what RunResult.ledger_head records)

# %% [markdown]
# ## What the ledger holds
#
# One row per entry. A *signature* entry is a node publishing a threat signature it derived from
# its own flagged traffic (or, for a malicious node, a forged one); a *vote* is a node's verdict on
# someone else's signature; a *decision* records the consensus outcome for a signature.

# %%
display(kinds_overview(frame))
display(frame.head(5))

# %% [markdown]
# ## Entries per kind over time
#
# Entries written at each step (left) and in total (right). Nothing is written during the
# detectors' warm-up; signatures appear as attack campaigns start, votes follow each signature
# within the voting deadline, and a decision closes each signature.

# %%
fig, (ax_step, ax_total) = plt.subplots(1, 2, figsize=(11, 3.5))
plot_entries_per_kind(frame, ax=ax_step)
plot_entries_per_kind(frame, ax=ax_total, cumulative=True)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Verification
#
# `verify()` recomputes every entry's SHA-256 hash from its content and the previous entry's hash,
# checks each Ed25519 signature against the writing node's public key (stored in the file's
# `nodes` table), and checks that no entry is missing up to the recorded head. The same check runs
# from the command line: `python -m workbench ledger verify data/runs/03_ledger_audit.sqlite`.

# %%
display(
    Markdown(
        f"**{verification.summary()}** — `{path.name}`, {len(frame):,} entries, "
        f"last hash `{frame['hash'].iloc[-1][:16]}…`"
        if len(frame)
        else f"**{verification.summary()}**"
    )
)

# %% [markdown]
# ### Tampered copies
#
# To see what a failed audit looks like, `workbench.ledger.tamper` makes copies of the file altered
# with plain SQL, as anyone holding the file could, and each copy is verified on its own: one bit
# of a vote's payload flipped; the same change with every later hash recomputed so that the chain
# is consistent again; an entry deleted; and the last entries deleted with the head rewritten to
# match. The last one verifies on its own: only the head hash the run recorded (`result.ledger_head`,
# kept in the provenance) exposes it, via `verify_file(path, expect_head=...)` or
# `python -m workbench ledger verify PATH --expect-head HASH`.

# %%
copy = path.with_name(path.stem + "_tampered.sqlite")
votes = frame.loc[frame["kind"] == "vote", "seq"]
rows = []
if len(votes):
    victim = int(votes.iloc[len(votes) // 2])
    for kind in TAMPERINGS:
        done = tamper_copy(path, copy, kind, seq=victim)
        alone, with_head = verify_file(str(copy)), verify_file(str(copy), expect_head=head)
        rows.append(
            {
                "tampering": kind,
                "what was changed": done.description,
                "verify": alone.summary(),
                "verify --expect-head": with_head.summary(),
            }
        )
    for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
        leftover.unlink(missing_ok=True)
tampered = pd.DataFrame(rows)
with pd.option_context("display.max_colwidth", None):
    display(tampered)
caught = int((~tampered["verify --expect-head"].str.startswith("OK")).sum()) if rows else 0
caught_alone = int((~tampered["verify"].str.startswith("OK")).sum()) if rows else 0
display(
    Markdown(
        f"**{caught} of {len(rows)}** tampered copies fail verification against the recorded head; "
        f"**{caught_alone}** fail without it."
    )
)
show_headline(
    {
        "entries": len(frame) if verification.ok else verification.summary(),
        "caught_head": f"{caught} of {len(rows)}",
        "caught_alone": f"{caught_alone} of {len(rows)}",
    },
    labels={
        "entries": "ledger entries verified (hashes and signatures)",
        "caught_head": "tampered copies caught, against the recorded head",
        "caught_alone": "tampered copies caught, file alone",
    },
)

# %% [markdown]
# Verification stops at the altered entry and names it: its recomputed hash no longer matches the
# stored one, or, when the hashes were recomputed to hide the change, the node's signature no longer
# covers the entry; a deleted entry breaks the chain at the gap. A truncated copy is a consistent
# shorter ledger, which is why a run records its ledger's head hash.
#
# ## Provenance

# %%
display(Markdown(provenance_markdown(provenance(seed=seed, steps=steps, parameters=params.to_dict()))))
