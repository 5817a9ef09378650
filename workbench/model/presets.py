"""Named worlds: preset name -> values of the ``ModelParams`` fields that make a world hard or easy.

Data only. ``"easy"`` reproduces the first version of the model (traffic bit for bit: see
:func:`workbench.model.traffic.easy_difficulty`). ``"realistic"`` is calibrated so that on the
generator's own traffic the z-score detector (threshold 4, the default) has a per-flow
false-positive rate between 0.5% and 3% and a recall between 0.5 and 0.95;
``"hard"`` is a stress case with more false positives (3.6-4.1% per flow over 15 steps, above 2.5%
for every seed tested) and far lower recall (0.29 after 15 steps; 0.63, at 5.7% false positives,
after 200: the z-score baseline keeps flagged and near-threshold tail flows out, see the refit guard
of :mod:`workbench.model.phases.detection`, and so tightens over a run), attackers that hide in cloud prefixes and move
every 10 steps, lossy gossip by rumour mongering and dropping malicious relays. The measured
figures are printed by ``benchmarks/bench_calibration.py`` and checked by
``tests/model/test_preset_calibration.py``.

Fields (units and ranges; traffic knobs are documented in :data:`workbench.model.traffic.DIFFICULTY`):

* ``attack_separation`` benign sds, 0 <= x <= 50, 0 = native campaign features;
* ``attacker_prefixes`` integer 1..64; ``prefix_rotation_steps`` integer >= 0, 0 = never;
* ``attacker_cloud_share`` 0..1; ``benign_drift`` benign sds per step, 0..1;
* ``warmup_contamination`` 0..0.5; ``benign_tail_share`` 0..0.5; ``benign_tail_index`` 0.5..10;
* ``gossip_mode`` one of ``"push"``, ``"push_pull"``, ``"rumor"``; ``rumor_k`` >= 1 (a node loses
  interest with probability ``1 / rumor_k`` on pushing to a node that knew);
* ``message_loss`` 0 <= x < 1, per message; ``malicious_relay`` ``"forward"`` or ``"drop"``;
* ``ledger_latency_steps`` integer >= 0, steps before a ledger entry reaches the other nodes;
* ``vote_deadline_steps`` (not a difficulty knob, but tied to the latency: a ledger entry reaches the
  voters after the latency and their votes come back after it again, so the "hard" world's 3-step
  latency needs a deadline of at least 6 steps, longer than the default 4, else no vote ever arrives in
  time; :func:`workbench.model.channels.ledger.min_vote_deadline`, enforced by ``ModelParams``).
"""

from __future__ import annotations

from typing import Any

PRESET_NAMES = ("easy", "realistic", "hard")

PRESETS: dict[str, dict[str, Any]] = {
    "easy": {
        "attack_separation": 0.0,
        "attacker_prefixes": 1,
        "prefix_rotation_steps": 0,
        "attacker_cloud_share": 0.0,
        "benign_drift": 0.0,
        "warmup_contamination": 0.0,
        "benign_tail_share": 0.0,
        "benign_tail_index": 1.5,
        "gossip_mode": "push",
        "rumor_k": 2.0,
        "message_loss": 0.0,
        "malicious_relay": "forward",
        "ledger_latency_steps": 0,
        "vote_deadline_steps": 4,
    },
    "realistic": {
        "attack_separation": 4.5,
        "attacker_prefixes": 4,
        "prefix_rotation_steps": 20,
        "attacker_cloud_share": 0.1,
        "benign_drift": 0.05,
        "warmup_contamination": 0.02,
        "benign_tail_share": 0.05,
        "benign_tail_index": 1.5,
        "gossip_mode": "push_pull",
        "rumor_k": 3.0,
        "message_loss": 0.01,
        "malicious_relay": "drop",
        "ledger_latency_steps": 1,
        "vote_deadline_steps": 4,
    },
    "hard": {
        "attack_separation": 4.5,
        "attacker_prefixes": 8,
        "prefix_rotation_steps": 10,
        "attacker_cloud_share": 0.3,
        "benign_drift": 0.1,
        "warmup_contamination": 0.05,
        "benign_tail_share": 0.15,
        "benign_tail_index": 1.2,
        "gossip_mode": "rumor",
        "rumor_k": 2.0,
        "message_loss": 0.1,
        "malicious_relay": "drop",
        "ledger_latency_steps": 3,
        # votes on the ledger arrive after twice the latency (6 steps): the deadline leaves 2 steps more
        "vote_deadline_steps": 8,
    },
}

# What each preset promises, per-flow, for the z-score detector at threshold 4 on the generator's
# own traffic (the calibration test checks these over several seeds).
ZSCORE_TARGETS: dict[str, dict[str, tuple[float, float]]] = {
    "realistic": {"fpr": (0.005, 0.03), "recall": (0.5, 0.95)},
    "hard": {"fpr": (0.025, 1.0), "recall": (0.0, 0.5)},
}
