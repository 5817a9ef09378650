"""Reference outputs of the model: digests of every frame for a few small configurations.

``tests/model/test_golden_frames.py`` recomputes these and requires bit-identical frames, so a refactoring of the
model cannot change results unnoticed.

When a later change DELIBERATELY alters what the model produces: bump ``MODEL_VERSION`` in
``workbench/model/__init__.py`` (the results store recomputes stale runs on it) and rerun::

    PYTHONPATH=. python scripts/golden_frames.py --update

then commit the new ``tests/data/golden_frames.json`` together with the model change.
Without ``--update`` the script prints which configurations differ from the stored file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.model import MODEL_VERSION
from workbench.model.params import ModelParams
from workbench.model.run import run_model

GOLDEN_PATH = Path(__file__).resolve().parents[1] / "tests" / "data" / "golden_frames.json"

_SMALL = {"n_nodes": 30, "flows_per_node": 30, "warmup_steps": 3, "campaign_interval_steps": 6, "n_campaigns": 3}

# name -> (params, seed, steps); small, but each exercises a different branch of the step.
CONFIGS: dict[str, tuple[dict[str, Any], int, int]] = {
    "gossip_collude": (
        dict(_SMALL, sharing="gossip", malicious_fraction=0.2, malicious_behavior="collude", forge_prob=0.3),
        1,
        35,
    ),
    "ledger_forge": (
        dict(
            _SMALL,
            sharing="ledger",
            malicious_fraction=0.2,
            malicious_behavior="forge",
            forge_prob=0.3,
            topology="scale_free",
        ),
        2,
        35,
    ),
    "central": (dict(_SMALL, sharing="central", topology="random"), 3, 30),
    "none": (dict(_SMALL, sharing="none", topology="ring"), 4, 30),
    "independent_trust_supermajority": (
        dict(
            _SMALL,
            sharing="gossip",
            validation="independent",
            consensus="trust_weighted",
            malicious_fraction=0.2,
            malicious_behavior="lie",
            validator_accuracy=0.8,
        ),
        5,
        40,
    ),
    "supermajority_betray": (
        dict(
            _SMALL,
            sharing="ledger",
            consensus="supermajority",
            malicious_fraction=0.15,
            malicious_behavior="betray",
            betray_after_steps=10,
        ),
        6,
        30,
    ),
    "iforest": (dict(_SMALL, detector="iforest", iforest_trees=10, n_nodes=20, topology="complete"), 7, 30),
    # the named worlds (issue 10): easy = the first model's world; realistic/hard exercise rotation,
    # cloud prefixes, contamination, drift, lossy push-pull / rumour gossip, dropping relays, ledger latency
    "preset_easy": (
        ModelParams.preset(
            "easy", **_SMALL, malicious_fraction=0.2, malicious_behavior="forge", forge_prob=0.3
        ).to_dict(),
        8,
        35,
    ),
    "preset_realistic": (
        ModelParams.preset(
            "realistic", **_SMALL, malicious_fraction=0.2, malicious_behavior="collude", prefix_rotation_steps=8
        ).to_dict(),
        9,
        40,
    ),
    "preset_realistic_ledger": (
        ModelParams.preset("realistic", **_SMALL, sharing="ledger", ledger_latency_steps=2).to_dict(),
        10,
        35,
    ),
    "preset_hard": (ModelParams.preset("hard", **_SMALL, malicious_fraction=0.1).to_dict(), 11, 35),
}


def frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's CSV with every float written exactly (17 significant digits)."""
    text = frame.to_csv(index=False, float_format="%.17g")
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    """JSON-safe summary value; NaN as the string ``"nan"`` (NaN != NaN would fail any comparison)."""
    value = float(value) if isinstance(value, float) else value
    return "nan" if isinstance(value, float) and math.isnan(value) else value


def reference(name: str) -> dict[str, Any]:
    """Digests of one configuration's frames, and its summary."""
    params, seed, steps = CONFIGS[name]
    result = run_model(params, seed=seed, steps=steps)
    return {
        "steps": frame_digest(result.steps),
        "signatures": frame_digest(result.signatures),
        "campaigns": frame_digest(result.campaigns),
        "votes": frame_digest(result.votes),
        "summary": {k: _plain(v) for k, v in result.summary.items()},
        # the ledger head hashes every entry's payload (rules, votes, decisions) in order
        "ledger_entries": result.ledger_entries,
        "ledger_head": result.ledger_head,
    }


def compute() -> dict[str, Any]:
    return {"model_version": MODEL_VERSION, "configs": {name: reference(name) for name in CONFIGS}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help=f"rewrite {GOLDEN_PATH.name}")
    args = parser.parse_args(argv)
    current = compute()
    if args.update:
        GOLDEN_PATH.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN_PATH.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
        print(f"wrote {GOLDEN_PATH}")
        return 0
    stored = json.loads(GOLDEN_PATH.read_text())
    differ = [n for n in CONFIGS if stored["configs"].get(n) != current["configs"][n]]
    print("identical" if not differ else f"differ: {', '.join(differ)}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
