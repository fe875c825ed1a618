"""Model answers are untrusted: each repair layer, and what cannot be repaired."""

from __future__ import annotations

import json

from idealize.llm.answers import (
    layer1_fenced,
    layer2_braces,
    layer3_relax,
    layer4_lenient,
    model_findings,
    parse_answer,
)

GOOD = {
    "ideal": "one helper",
    "findings": [
        {
            "kind": "duplicate",
            "title": "t",
            "locations": [{"path": "a.py", "symbol": "f"}],
            "evidence": "e",
            "confidence": 0.7,
        }
    ],
    "decision": "keep a.f",
    "steps": ["move callers"],
    "open_questions": [],
    "agents_md": "use a.f",
}


def test_layer1_fenced_block_as_written() -> None:
    text = "Here you go:\n```json\n" + json.dumps(GOOD) + "\n```\nthanks"
    parsed = parse_answer(text)
    assert parsed.layer == 1 and parsed.answer is not None and parsed.answer.decision == "keep a.f"
    assert layer1_fenced("no json") is None


def test_layer2_braces_in_prose() -> None:
    text = "Sure! " + json.dumps(GOOD) + " Hope that helps {not json}"
    assert layer2_braces(text) == json.dumps(GOOD)
    parsed = parse_answer(text)
    assert parsed.layer == 2 and parsed.answer is not None


def test_layer3_relaxed_json() -> None:
    sloppy = '{"ideal": "x", // a comment\n "steps": ["a", "b",], "open_questions": [], "decision": \u201cd\u201d, "flag": True}'
    assert json.loads(layer3_relax(sloppy))["steps"] == ["a", "b"]
    parsed = parse_answer("```json\n" + sloppy + "\n```")
    assert parsed.layer == 3 and parsed.answer is not None and parsed.answer.decision == "d"


def test_layer4_lenient_fields() -> None:
    data = {
        "ideal": ["a", "b"],
        "steps": "- one\n- two",
        "findings": [
            {"kind": "Duplication", "locations": {"path": "a.py"}},
            {"kind": "style"},
            "junk",
        ],
    }
    fixed, dropped = layer4_lenient(data)
    assert fixed["steps"] == ["one", "two"] and fixed["ideal"] == "a\nb"
    assert fixed["findings"][0]["kind"] == "duplicate" and fixed["findings"][0]["locations"] == [
        {"path": "a.py"}
    ]
    assert len(dropped) == 2
    parsed = parse_answer(json.dumps(data))
    assert parsed.layer == 4 and parsed.answer is not None and len(parsed.dropped) == 2


def test_unreadable_answers_fail_with_a_reason() -> None:
    for text in ("", "I think it is fine.", '```json\n{"steps": [\n```', "[1, 2, 3]"):
        parsed = parse_answer(text)
        assert parsed.answer is None and parsed.error


def test_model_findings_keep_only_locations_of_the_unit() -> None:
    parsed = parse_answer(
        json.dumps(
            {
                **GOOD,
                "findings": [
                    *GOOD["findings"],
                    {"kind": "double_fix", "locations": [{"path": "../../etc/passwd"}]},
                ],
            }
        )
    )
    assert parsed.answer is not None
    found, dropped = model_findings(parsed.answer, {"a.py"}, "U1")
    assert [f.id for f in found] == ["U1-M1"] and found[0].source == "model"
    assert any("etc/passwd" in d for d in dropped)
