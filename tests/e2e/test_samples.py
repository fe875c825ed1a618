"""End to end on every sample in every landing variant: the planted list, the overlap,
the schema, and golden plan files (UPDATE_GOLDEN=1 rewrites them)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from idealize.evaluate.groundtruth import score
from idealize.evaluate.samples import get_sample, load_samples
from idealize.output.markdown import to_markdown
from idealize.output.plan_json import check_plan, load_plan, to_json
from idealize.types import Plan
from tests.conftest import GOLDEN

CASES = [(s.name, v) for s in load_samples() for v in s.variants]


PlanOf = Callable[[str, str], Plan]


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_findings_match_planted_list(sample_plan: PlanOf, name: str, variant: str) -> None:
    sample, plan = get_sample(name), sample_plan(name, variant)
    label = lambda b: sample.label(b, variant)  # noqa: E731
    # what the plan reports by default: verified, open findings (not candidates)
    reported = [f for f in plan.findings if f.tier == "finding" and f.status == "open"]
    leads = [f for f in plan.findings if f.status == "open"]
    strong = [p for p in sample.planted if p.expect == "finding"]
    weak = [p for p in sample.planted if p.expect == "candidate"]
    result = score(reported, strong, label)
    assert result.missed == (), f"missed planted drift: {result.missed}"
    found_weak = score(leads, weak, label)
    assert found_weak.missed == (), f"planted drift not even a candidate: {found_weak.missed}"
    everything = score(reported, sample.planted, label)
    assert everything.extra == (), (
        f"findings nobody planted: {[f for f in reported if f.id in everything.extra]}"
    )
    for finding in plan.findings:
        assert finding.source == "static"
        assert all(loc.branch is not None or loc.symbol for loc in finding.locations)


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_every_branch_listed_and_exactly_the_overlapping_modules(
    sample_plan: PlanOf, name: str, variant: str
) -> None:
    sample, plan = get_sample(name), sample_plan(name, variant)
    assert sorted(b.name for b in plan.branches) == sorted(
        sample.label(b.name, variant) for b in sample.branches
    )
    touched: dict[str, set[str]] = {}
    for branch in sample.branches:
        for commit in branch.commits:
            paths = (
                [p for p, _ in commit.files] + [e.path for e in commit.edits] + list(commit.delete)
            )
            paths += [p for pair in commit.rename for p in pair]
            for p in paths:
                touched.setdefault(p, set()).add(branch.name)
    expected = sorted(p for p, names in touched.items() if len(names) >= 2)
    assert [m.path for m in plan.modules] == expected
    benign = {b.path for b in sample.benign}
    for module in plan.modules:
        if module.path in benign:
            # never drift; a candidate (a lead below the bar) may point there and say so
            assert module.verdict.startswith(("Benign:", "Unverified:")), module
            assert not any(
                loc.path == module.path
                for f in plan.findings
                if f.tier == "finding"
                for loc in f.locations
            )


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_every_finding_lands_in_one_unit(sample_plan: PlanOf, name: str, variant: str) -> None:
    plan = sample_plan(name, variant)
    for finding in plan.findings:
        if finding.status != "open":
            continue  # resolved since: nothing to review
        holders = [u for u in plan.units if finding.id in u.findings]
        assert len(holders) == 1, finding.id
        members = {(m.branch, m.path, m.symbol or m.start_line) for m in holders[0].members}
        for loc in finding.locations:
            # two lines of one function are one member: the function
            assert (loc.branch, loc.path, loc.symbol or loc.start_line) in members, loc


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_plan_validates_and_matches_golden(
    sample_repo: Callable[[str, str], Path], sample_plan: PlanOf, name: str, variant: str
) -> None:
    path = sample_repo(name, variant)
    plan = sample_plan(name, variant)
    text = to_json(plan, path)
    data = json.loads(text)
    check_plan(data)
    md = to_markdown(plan, path)
    for suffix, content in ((".json", text), (".md", md)):
        golden = GOLDEN / f"{name}-{variant}{suffix}"
        if os.environ.get("UPDATE_GOLDEN"):
            golden.write_text(content, encoding="utf-8")
        assert golden.exists(), f"missing golden file {golden.name}: run with UPDATE_GOLDEN=1"
        assert content == golden.read_text(encoding="utf-8"), (
            f"{golden.name} differs (UPDATE_GOLDEN=1 to accept)"
        )


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_written_plan_reads_back_as_the_same_plan(
    sample_repo: Callable[[str, str], Path],
    sample_plan: PlanOf,
    tmp_path: Path,
    name: str,
    variant: str,
) -> None:
    """plan.json is a contract: what `report` and `apply` read back is what was written."""
    path = sample_repo(name, variant)
    plan = sample_plan(name, variant)
    written = tmp_path / "plan.json"
    written.write_text(to_json(plan, path), encoding="utf-8")
    again = load_plan(written)
    assert to_json(again, path) == to_json(plan, path)
    assert again.findings == plan.findings and again.units == plan.units
