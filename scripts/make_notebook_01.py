"""Writes notebooks/01_single_run.ipynb (kept as code so the notebook stays reviewable in diffs)."""

import nbformat as nbf

nb = nbf.v4.new_notebook()
md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
nb.cells = [
    md("# One run of the threat-intelligence network\n\n"
       "**Question.** When AI-powered nodes detect traffic anomalies locally, turn them into threat signatures, "
       "share them and confirm them by peer consensus, how quickly does protection catch up with attacks "
       "spreading through the network, and at what cost in false blocks and messages?\n\n"
       "This report runs the model once with the parameters below (papermill can change any of them) and reads "
       "the figures. Every number is regenerated from the seed and parameters in the provenance block."),
    code("# Parameters (papermill overrides these)\n"
         "seed = 7\nsteps = 60\nn_nodes = 50\ntopology = \"small_world\"\nsharing = \"gossip\"\n"
         "validation = \"evidence\"\nconsensus = \"majority\"\nmalicious_fraction = 0.1\n"
         "malicious_behavior = \"forge\"\ndetector = \"zscore\"", metadata={"tags": ["parameters"]}),
    code("%matplotlib inline\nimport matplotlib.pyplot as plt\nfrom IPython.display import Markdown, display\n\n"
         "from workbench import ModelParams, run_model\n"
         "from workbench.analysis.run_plots import (describe_run, plot_blocking, plot_detection, plot_signature_outcomes,\n"
         "                                          plot_spread_vs_protection, provenance_markdown)\n"
         "from workbench.provenance import provenance\n\n"
         "params = ModelParams(n_nodes=n_nodes, topology=topology, sharing=sharing, validation=validation,\n"
         "                     consensus=consensus, malicious_fraction=malicious_fraction,\n"
         "                     malicious_behavior=malicious_behavior, detector=detector)\n"
         "result = run_model(params, seed=seed, steps=steps)"),
    md("## What the run shows"),
    code("display(Markdown(describe_run(result)))"),
    code("# NBVAL_CHECK_OUTPUT\n# integer outcomes of this seed: nbval checks they do not change\n"
         "print({k: result.summary[k] for k in ('signatures_proposed', 'signatures_confirmed', 'signatures_forged', 'votes_cast')})"),
    md("## Local detection\n\nEach node fits its detector on its own warm-up traffic and then scores every flow it sees. "
       "Recall is the share of attack flows flagged; the false-positive rate is the share of benign flows flagged."),
    code("plot_detection(result.steps)\nplt.show()"),
    md("## Attack spread against protection\n\nFor each campaign: the fraction of honest nodes the attack has reached "
       "(red) and the fraction protected by a confirmed signature they know of (green). Protection ahead of the red "
       "curve means nodes were protected before they were hit."),
    code("plot_spread_vs_protection(result)\nplt.tight_layout()\nplt.show()\ndisplay(result.campaigns.round(3))"),
    md("## Blocking\n\nAttack flows blocked and let through at honest nodes, and benign flows blocked (collateral damage "
       "from false or forged signatures)."),
    code("plot_blocking(result.steps)\nplt.show()"),
    md("## Signature outcomes\n\nGenuine signatures match attack traffic; false positives come from honest detectors "
       "flagging benign traffic; forged ones were published by malicious nodes to block benign services."),
    code("plot_signature_outcomes(result.signatures)\nplt.show()"),
    md("## Provenance"),
    code("display(Markdown(provenance_markdown(provenance(seed=seed, steps=steps, parameters=params.to_dict()))))"),
]
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nb.metadata["language_info"] = {"name": "python"}
nbf.write(nb, "notebooks/01_single_run.ipynb")
