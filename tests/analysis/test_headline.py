"""Headline numbers: the JSON payload, its readable fallback, and the display call notebooks make."""

from __future__ import annotations

import json

import pytest

from workbench.analysis.headline import MIME, format_item, headline_markdown, headline_payload, show_headline


def test_payload_is_json_safe_and_keeps_intervals_text_and_units():
    payload = headline_payload(
        {"f_star": (0.31, 0.28, float("inf")), "median": float("nan"), "verdict": "not reached", "runs": 120},
        labels={"f_star": "breakdown f*"},
        units={"f_star": "of nodes"},
    )
    json.loads(json.dumps(payload, allow_nan=False))  # strict JSON: no NaN or Infinity tokens
    items = {i["name"]: i for i in payload["items"]}
    assert items["f_star"] == {
        "name": "f_star",
        "label": "breakdown f*",
        "unit": "of nodes",
        "value": 0.31,
        "ci_low": 0.28,
        "ci_high": "inf",
    }
    assert format_item(items["f_star"]) == "0.31 [0.28, ∞] of nodes"
    assert format_item(items["median"]) == "n/a" and format_item(items["verdict"]) == "not reached"
    assert format_item(items["runs"]) == "120" and items["runs"]["label"] == "runs"
    assert headline_markdown(payload).splitlines()[0] == "- **breakdown f***: 0.31 [0.28, ∞] of nodes"


def test_bad_headlines_fail():
    with pytest.raises(ValueError, match="unknown headline"):
        headline_payload({"a": 1}, labels={"b": "B"})
    with pytest.raises(ValueError, match="estimate, low, high"):
        headline_payload({"a": (1, 2)})


def test_show_headline_displays_the_mime_bundle_with_a_markdown_fallback(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append((obj, raw)))
    assert show_headline({"a": 0.5}) is None
    bundle, raw = shown[0]
    assert raw and bundle[MIME]["items"][0]["value"] == 0.5 and "**a**: 0.5" in bundle["text/markdown"]


def test_show_headline_refuses_more_values_than_a_card_shows():
    with pytest.raises(ValueError, match="4 headline values .a, b, c, d.; a report card shows at most 3"):
        show_headline({"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0})
