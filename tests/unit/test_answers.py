"""Model answers are untrusted: the schema they are asked for, the structured path, each
repair layer, what cannot be repaired, and how verdicts update static findings."""

from __future__ import annotations

import json

import pytest

from idealize.llm.answers import (
    Answer,
    answer_schema,
    apply_verdicts,
    base_schema,
    clip,
    layer1_fenced,
    layer2_braces,
    layer3_relax,
    layer4_lenient,
    model_findings,
    parse_answer,
    reconcile,
)
from idealize.llm.answers import _worst as worst_case_chars
from idealize.types import Finding, Location

GOOD = {
    "ideal": "one helper",
    "verdicts": [],
    "findings": [
        {
            "kind": "duplicate",
            "title": "t",
            "locations": [{"path": "a.py", "symbol": "f", "branch": ""}],
            "evidence": "e",
            "confidence": 0.7,
        }
    ],
    "decision": "keep a.f",
    "steps": ["move callers"],
    "open_questions": [],
    "agents_md": "use a.f",
}


def _static(fid: str, kind: str, *where: tuple[str, str], rank: int = 1) -> Finding:
    return Finding(
        id=fid,
        kind=kind,  # type: ignore[arg-type]
        title=f"{kind} {fid}",
        confidence=0.9,
        source="static",
        locations=tuple(Location(p, s, 1, 2, "b") for p, s in where),
        evidence=(),
        recommendation="r",
        rank=rank,
    )


# -- the schema -----------------------------------------------------------------------------


def test_the_schema_is_generated_from_the_model_the_parser_validates() -> None:
    schema = base_schema()
    assert schema["required"] == list(Answer.model_fields)  # every key required, in order
    finding = schema["properties"]["findings"]["items"]
    assert finding["properties"]["kind"]["enum"] == [
        "duplicate",
        "divergence",
        "double_fix",
        "phantom_dependency",
    ]
    assert (
        schema["properties"]["ideal"]["maxLength"]
        == Answer.model_fields["ideal"].metadata[0].max_length
    )
    assert "$defs" not in json.dumps(schema) and "$ref" not in json.dumps(schema)
    verdict = schema["properties"]["verdicts"]["items"]["properties"]["verdict"]
    assert verdict["enum"] == ["confirmed", "refuted", "amended"]


@pytest.mark.parametrize("max_tokens", [150, 300, 600, 1200, 4096])
def test_bounds_shrink_until_the_longest_answer_fits_the_token_cap(max_tokens: int) -> None:
    full = base_schema()
    fitted = answer_schema(max_tokens)
    assert worst_case_chars(fitted) <= max(max_tokens * 3.0, worst_case_chars(answer_schema(1)))
    assert worst_case_chars(fitted) <= worst_case_chars(full)
    # never looser than the model's own bounds: what the grammar allows, the parser reads
    assert fitted["properties"]["ideal"]["maxLength"] <= full["properties"]["ideal"]["maxLength"]
    assert fitted["properties"]["steps"]["maxItems"] >= 1


def test_an_answer_as_long_as_the_fitted_schema_allows_still_parses() -> None:
    schema = answer_schema(300)
    p = schema["properties"]
    longest = {
        "ideal": "x" * p["ideal"]["maxLength"],
        "verdicts": [],
        "findings": [],
        "decision": "d" * p["decision"]["maxLength"],
        "steps": ["s" * p["steps"]["items"]["maxLength"]] * p["steps"]["maxItems"],
        "open_questions": [],
        "agents_md": "a" * p["agents_md"]["maxLength"],
    }
    parsed = parse_answer(json.dumps(longest), structured=True)
    assert parsed.path == "structured" and parsed.dropped == ()


def test_clip_cuts_what_exceeds_the_model_bounds_and_says_so() -> None:
    data = {**GOOD, "ideal": "i" * 5000, "steps": ["s"] * 15}
    clipped, notes = clip(data, base_schema())
    assert len(clipped["ideal"]) == 4000 and len(clipped["steps"]) == 10
    assert any("ideal cut to 4000" in n for n in notes) and any(
        "first 10 of 15" in n for n in notes
    )


# -- the structured path and the repair layers ---------------------------------------------


def test_structured_answers_are_read_as_they_came() -> None:
    parsed = parse_answer(json.dumps(GOOD), structured=True)
    assert parsed.path == "structured" and parsed.layer == 1 and parsed.answer is not None
    # the same text from a provider that did not constrain it: the repair path, layer 1
    free = parse_answer(json.dumps(GOOD))
    assert free.path == "repaired" and free.layer == 1


def test_raw_newlines_inside_strings_are_read() -> None:
    """What llama-cpp-python's grammar let SmolLM2 write: a newline inside a JSON string."""
    text = json.dumps(GOOD).replace('"move callers"', '"move\ncallers"')
    assert "\n" in text.split('"steps"')[1]
    parsed = parse_answer(text, structured=True)
    assert parsed.path == "structured" and parsed.answer is not None
    assert parsed.answer.steps == ["move\ncallers"]


def test_a_structured_answer_that_does_not_validate_falls_back_to_the_layers() -> None:
    bad = {**GOOD, "steps": "- one\n- two"}
    parsed = parse_answer(json.dumps(bad), structured=True)
    assert parsed.path == "repaired" and parsed.layer == 4
    assert parsed.answer is not None and parsed.answer.steps == ["one", "two"]


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
    # a stray unclosed brace before the object does not hide it
    assert layer2_braces("use {x and then " + json.dumps(GOOD)) == json.dumps(GOOD)


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
            {"kind": "Duplication", "locations": {"path": "a.py"}, "evidence": ["x", "y"]},
            {"kind": "style"},
            "junk",
        ],
        "verdicts": [{"finding": "DUP-1", "verdict": "Agree"}, {"finding": "X", "verdict": "?"}],
    }
    fixed, dropped = layer4_lenient(data)
    assert fixed["steps"] == ["one", "two"] and fixed["ideal"] == "a\nb"
    assert fixed["findings"][0]["kind"] == "duplicate" and fixed["findings"][0]["locations"] == [
        {"path": "a.py"}
    ]
    assert fixed["findings"][0]["evidence"] == "x; y"
    assert fixed["verdicts"] == [{"finding": "DUP-1", "verdict": "confirmed", "reason": ""}]
    assert len(dropped) == 3
    parsed = parse_answer(json.dumps(data))
    assert parsed.layer == 4 and parsed.answer is not None and len(parsed.dropped) == 3


def test_unreadable_answers_fail_with_a_reason() -> None:
    for text in ("", "I think it is fine.", '```json\n{"steps": [\n```', "[1, 2, 3]"):
        parsed = parse_answer(text)
        assert parsed.answer is None and parsed.error


# -- hostile answers stay inside parse_answer ---------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        "{" * 100_000,
        '{"ideal": ' + "[" * 50_000 + "]" * 50_000 + "}",
    ],
    ids=["list-100k", "object-100k", "unbalanced-100k", "deep-field"],
)
@pytest.mark.parametrize("structured", [True, False])
def test_deeply_nested_answers_are_an_error_not_a_crash(text: str, structured: bool) -> None:
    parsed = parse_answer(text, structured=structured)
    assert parsed.answer is None and parsed.error


def test_an_enormous_answer_is_not_read() -> None:
    parsed = parse_answer("x" * 3_000_000)
    assert parsed.answer is None and "not read" in (parsed.error or "")


def test_lone_surrogates_and_wrong_types_do_not_escape() -> None:
    text = json.dumps({**GOOD, "ideal": "\ud800 broken", "findings": [{"kind": 7}]})
    parsed = parse_answer(text, structured=True)
    assert parsed.answer is not None
    parsed.answer.ideal.encode("utf-8")  # writable into plan.json
    for weird in ('{"findings": {"kind": "duplicate"}}', '{"steps": 5, "ideal": null}', "null"):
        result = parse_answer(weird)
        assert result.answer is not None or result.error


# -- verdicts: one finding per issue --------------------------------------------------------


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


def test_verdicts_update_static_findings_and_copies_become_confirmations() -> None:
    static = [
        _static("DUP-1", "duplicate", ("a.py", "f"), ("b.py", "g"), rank=1),
        _static("PHA-1", "phantom_dependency", ("c.py", "h"), rank=2),
    ]
    answer = Answer.model_validate(
        {
            "verdicts": [
                {"finding": "pha-1", "verdict": "refuted", "reason": "h is still defined"},
                {"finding": "NOPE-9", "verdict": "confirmed"},
            ],
            "findings": [
                # the same duplicate again: a confirmation, not a second finding
                {
                    "kind": "duplicate",
                    "title": "f and g",
                    "locations": [{"path": "a.py", "symbol": "f"}],
                },
                # new drift the static engine did not report
                {"kind": "double_fix", "title": "fixed twice", "locations": [{"path": "c.py"}]},
            ],
        }
    )
    result = reconcile(answer, static, {"a.py", "b.py", "c.py"}, "U1")
    assert result.verdicts["PHA-1"].status == "refuted"
    assert result.verdicts["DUP-1"].status == "confirmed"
    assert [f.kind for f in result.new] == ["double_fix"] and result.new[0].id == "U1-M1"
    assert any("NOPE-9" in d for d in result.dropped)
    findings = apply_verdicts(static, result.verdicts, result.new)
    ranks = {f.id: f.rank for f in findings}
    assert ranks == {"DUP-1": 1, "U1-M1": 2, "PHA-1": 3}  # the refuted finding drops last
    assert {f.id: f.verdict.status for f in findings if f.verdict} == {
        "DUP-1": "confirmed",
        "PHA-1": "refuted",
    }
    assert len(findings) == 3  # one finding per issue
