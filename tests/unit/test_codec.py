"""The typed objects the analysis memo stores go to JSON and come back equal; data that does
not fit their types is refused, never half-read."""

from __future__ import annotations

import json

import pytest

from idealize.codec import from_data, to_data
from idealize.types import (
    Finding,
    Location,
    ModuleOverlap,
    Origin,
    SymbolOverlap,
    Unit,
    Verdict,
)

FINDING = Finding(
    id="DUP-1",
    kind="duplicate",
    title="`a` and `b` implement the same thing",
    confidence=0.87,
    source="static",
    locations=(
        Location(
            "src/a.py", "a", 3, 9, "feat/a", commit="abc", origin=Origin("old/a.py", 1, 7, "def")
        ),
        Location("src/b.py", None, None, None, None, tree="head", gone=True, snippet="x = 1"),
    ),
    evidence=("same literals: 'ü', '\\x00'",),
    recommendation="Keep one.",
    tier="candidate",
    status="resolved",
    rank=4,
    resolved="only one copy is left at HEAD",
    verdict=Verdict("amended", "why", "U1"),
)


@pytest.mark.parametrize(
    "obj",
    [
        FINDING,
        Unit("U1", "t", FINDING.locations, ("DUP-1",), ("src/a.py",)),
        ModuleOverlap(
            "src/a.py",
            ("x", "y"),
            (SymbolOverlap("a", "function", ("x", "y"), "added/modified", (("x", "added"),)),),
            "drift",
        ),
    ],
)
def test_a_round_trip_through_json_gives_an_equal_object(obj: object) -> None:
    back = from_data(type(obj), json.loads(json.dumps(to_data(obj))))
    assert back == obj
    assert type(back) is type(obj)


def test_a_whole_number_confidence_comes_back_a_float() -> None:
    data = to_data(FINDING)
    data["confidence"] = 1
    assert from_data(Finding, data).confidence == 1.0
    assert isinstance(from_data(Finding, data).confidence, float)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "not-a-kind"),  # outside the Literal
        ("rank", "4"),  # a string for an int
        ("rank", True),  # a bool is not an int here
        ("evidence", "one string"),  # not a list
        ("locations", [{"path": "a"}]),  # a location missing its fields
        ("verdict", [1, 2]),
    ],
)
def test_data_of_the_wrong_shape_is_refused(field: str, value: object) -> None:
    data = to_data(FINDING)
    data[field] = value
    with pytest.raises((TypeError, KeyError)):
        from_data(Finding, data)


def test_an_object_it_cannot_encode_is_refused_when_written() -> None:
    with pytest.raises(TypeError):
        to_data({"a": 1})
    with pytest.raises(TypeError):
        to_data(Unit("U1", "t", (), frozenset({"x"}), ()))  # type: ignore[arg-type]
