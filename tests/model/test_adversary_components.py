"""An adversary behaviour says how malicious nodes vote, forge and relay; only malicious votes come from it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench import ModelParams, ThreatIntelModel, run_model
from workbench.model.adversaries import ADVERSARIES

SMALL = dict(n_nodes=20, flows_per_node=30, warmup_steps=3, n_campaigns=3, campaign_interval_steps=5)


def _frames(params: ModelParams, seed: int, steps: int = 30) -> dict[str, pd.DataFrame]:
    r = run_model(params, seed=seed, steps=steps)
    return {name: getattr(r, name) for name in ("steps", "signatures", "campaigns", "votes")}


def test_the_built_in_behaviours_are_registered_in_order():
    assert ADVERSARIES.names() == ("forge", "lie", "collude", "betray", "equivocate", "censor")


def test_the_adversary_is_asked_only_for_malicious_voters_and_its_votes_are_theirs():
    params = ModelParams.preset(
        "easy", malicious_fraction=0.25, malicious_behavior="user_components:HonestOnlyChecked", **SMALL
    )
    votes = run_model(params, seed=2, steps=30).votes  # the adversary asserts it only sees malicious voters
    assert votes.node_malicious.any() and (~votes.node_malicious).any()
    # inverting evidence votes, the malicious voters reject genuine rules that honest voters approve
    genuine = votes[votes.genuine]
    assert (genuine[genuine.node_malicious].vote < 0).mean() > (genuine[~genuine.node_malicious].vote < 0).mean()


def test_without_malicious_nodes_the_behaviour_changes_nothing():
    base = ModelParams.preset("realistic", malicious_fraction=0.0, **SMALL)
    reference = _frames(base, seed=3)
    for behaviour in ("forge", "lie", "user_components:PatientColluders", "user_components:HonestOnlyChecked"):
        frames = _frames(base.replace(malicious_behavior=behaviour), seed=3)
        for name, frame in frames.items():
            pd.testing.assert_frame_equal(frame, reference[name], obj=f"{behaviour} {name}")


def test_patient_colluders_vote_honestly_until_the_quorum_is_within_their_reach():
    model = ThreatIntelModel(
        ModelParams.preset("easy", malicious_fraction=0.3, consensus="supermajority", quorum=0.6, **SMALL), rng=4
    )
    for _ in range(10):
        model.step()
    state = model.state
    s = state.sigs
    row = int(np.flatnonzero(~s.view.forged)[0])  # a signature colluders would reject
    bad = np.flatnonzero(state.malicious)
    good = np.flatnonzero(~state.malicious & (np.arange(state.params.n_nodes) != s.view.origin[row]))
    patient = ADVERSARIES.get("user_components:PatientColluders")
    sig, voter, honest = np.array([row]), bad[:1], np.array([1], np.int8)
    s.holds[row] = False
    s.holds[row, s.view.origin[row]] = True
    s.holds[row, bad[:2]] = True
    s.holds[row, good[:8]] = True  # 2 of 10 possible voters malicious: out of reach
    assert patient.votes(state, 11, sig, voter, honest, False).tolist() == [1]
    s.holds[row, good[2:8]] = False  # 2 of 4: still below 0.6
    assert patient.votes(state, 11, sig, voter, honest, False).tolist() == [1]
    s.holds[row, good[1]] = False  # 2 of 3: within reach, the colluders reject a genuine rule
    assert patient.votes(state, 11, sig, voter, honest, False).tolist() == [-1]


def test_relaying_is_the_adversarys_and_the_built_ins_follow_malicious_relay():
    for relay, expected in (("forward", None), ("drop", "honest")):
        model = ThreatIntelModel(
            ModelParams.preset("easy", malicious_fraction=0.2, malicious_relay=relay, **SMALL), rng=1
        )
        state = model.state
        assert (state.relays is None) if expected is None else (state.relays == state.honest).all()


def test_a_behaviour_lacking_the_protocol_is_refused_naming_the_field():
    with pytest.raises(
        ValueError, match=r"malicious_behavior='user_components:NotAChannel': .* lacks forging, votes, relays"
    ):
        ModelParams(malicious_behavior="user_components:NotAChannel")
    with pytest.raises(ValueError, match=r"malicious_behavior='colude' is not allowed; .*\(closest: 'collude'\)"):
        ModelParams(malicious_behavior="colude")
