"""The trace settings are defined once (workbench.trace_config.TraceConfig): ModelParams' trace fields
take their ranges, choices and documentation from it, and the binned trace is cached under it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from workbench.model.params import ModelParams
from workbench.model.trace_params import trace_config
from workbench.trace_config import PARAM_NAMES, TraceConfig

CIC17 = Path(__file__).resolve().parents[2] / "data" / "samples" / "cic-ids2017_FORMAT-SAMPLE_traffic-labelling.csv"


def test_model_params_trace_fields_are_the_config_fields():
    params = {f.name: f for f in dataclasses.fields(ModelParams)}
    for f in dataclasses.fields(TraceConfig):
        mine = params[PARAM_NAMES[f.name]]
        for key in ("range", "choices", "pairs"):
            assert mine.metadata.get(key) == f.metadata.get(key), (f.name, key)
        if f.name != "flows_per_node":  # the model's own field (synthetic traffic too), with the config's range
            assert mine.metadata["doc"] == f.metadata["doc"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_nodes", 0), ("step_seconds", 0.0), ("rows_per_step", -1), ("node_rule", "dst"), ("trace_format", "pcap")],
)
def test_a_bad_value_is_refused_alike_by_both(field, value):
    config_name = {v: k for k, v in PARAM_NAMES.items()}[field]
    with pytest.raises(ValueError) as by_params:
        ModelParams(**{field: value})
    with pytest.raises(ValueError) as by_config:
        TraceConfig(str(CIC17), **{config_name: value})
    assert str(by_params.value) == str(by_config.value)
    assert str(by_params.value).startswith(f"{field}=")


def test_params_give_one_hashable_config_that_round_trips():
    params = ModelParams(
        traffic="trace",
        trace_path=str(CIC17),
        trace_format="cic-ids2017",
        trace_options={"pm_before_hour": 8, "benign_labels": ["benign", "normal"]},
        max_nodes=20,
        flows_per_node=16,
    )
    config = trace_config(params)
    assert config == TraceConfig.from_params(params) and hash(config) == hash(trace_config(params))
    assert config.max_nodes == 20 and config.flows_per_node == 16 and config.rows_per_step == 0
    assert config.reader_options() == {"pm_before_hour": 8, "benign_labels": ["benign", "normal"]}
    again = TraceConfig(
        **{k: v for k, v in zip(PARAM_NAMES, json.loads(json.dumps(config.to_dict())).values(), strict=True)}
    )
    assert again == config


def test_relations_are_checked_by_the_config():
    with pytest.raises(ValueError, match=r"trace_columns=.* is only used with trace_format='table'"):
        TraceConfig(str(CIC17), "cic-ids2017", columns={"bytes": "b"})
    with pytest.raises(ValueError, match=r"trace_options: give 'columns' as the field trace_columns"):
        TraceConfig(str(CIC17), "table", options={"columns": {"bytes": "b"}})
    with pytest.raises(ValueError, match=r"trace_path='' is not allowed"):
        TraceConfig("")
    with pytest.raises(ValueError, match=r"trace_path=None is not allowed with traffic='trace'"):
        ModelParams(traffic="trace")
