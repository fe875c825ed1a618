"""Plan -> SARIF 2.1.0, so findings show up in code-scanning views (GitHub, GitLab, IDEs).

Results point only at locations that exist in the analysed tree (see ``output/anchor.py``),
each with a region; locations in a branch's tree or gone from HEAD become related locations
that name their commit. A finding with no location in the analysed tree gets no result: the
run's properties count and name them. Rules carry the registry's help; a result whose unit
has a validated patch carries it as a ``fixes`` entry.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from unidiff import PatchSet  # type: ignore[attr-defined]
from unidiff.errors import UnidiffParseError

from idealize.analyze.rules import RULES, rule
from idealize.output.anchor import anchor_commit, head_name, present, provenance, uri
from idealize.types import Finding, Location, PatchRecord, Plan
from idealize.version import installed_version

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


def _physical(loc: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": uri(loc.path), "uriBaseId": "%SRCROOT%"}
    }
    if loc.start_line:
        region: dict[str, Any] = {"startLine": loc.start_line}
        if loc.end_line and loc.end_line >= loc.start_line:
            region["endLine"] = loc.end_line
        physical["region"] = region
    return physical


def _location(loc: Location, index: int | None = None, head: str = "HEAD") -> dict[str, Any]:
    out: dict[str, Any] = {"physicalLocation": _physical(loc)}
    if loc.symbol:
        out["logicalLocations"] = [{"fullyQualifiedName": loc.symbol, "kind": "function"}]
    if index is not None:
        out["id"] = index
        name = f"`{loc.symbol}`" if loc.symbol else loc.path
        out["message"] = {"text": f"{name} ({provenance(loc, head)})"}
        out["properties"] = {
            "tree": loc.tree,
            "commit": loc.commit,
            "branch": loc.branch,
            "gone": loc.gone,
        }
    return out


def _fix(patch: PatchRecord) -> dict[str, Any] | None:
    """A validated patch as a SARIF fix: each hunk replaces its lines of the analysed tree."""
    try:
        files = PatchSet(patch.diff)
    except UnidiffParseError:
        return None
    changes = []
    for pf in files:
        if pf.is_added_file:
            return None  # a fix may only change files that exist
        replacements = []
        for h in pf:
            new_text = "".join(line.value for line in h if not line.is_removed)
            if h.source_length:
                # whole lines, without the last one's newline (SARIF regions without
                # columns end there), so the inserted text drops its last newline too
                region = {
                    "startLine": h.source_start,
                    "endLine": h.source_start + h.source_length - 1,
                }
                new_text = new_text[:-1] if new_text.endswith("\n") else new_text
            else:  # an insertion: an empty region at the start of the next line
                line = h.source_start + 1
                region = {"startLine": line, "startColumn": 1, "endLine": line, "endColumn": 1}
            replacements.append({"deletedRegion": region, "insertedContent": {"text": new_text}})
        changes.append(
            {
                "artifactLocation": {"uri": uri(pf.path), "uriBaseId": "%SRCROOT%"},
                "replacements": replacements,
            }
        )
    if not changes:
        return None
    verified = f", and `{patch.verify_detail}` {patch.verify}" if patch.verify else ""
    return {
        "description": {"text": f"idealize patch {patch.id} ({patch.status}; parses{verified})"},
        "artifactChanges": changes,
    }


def _message(f: Finding) -> str:
    text = f"{f.title}. {f.recommendation}"
    if f.verdict is not None:
        text += f" Model verdict ({f.verdict.unit_id}): {f.verdict.status}" + (
            f": {f.verdict.reason}" if f.verdict.reason else ""
        )
    return text


def _validated(p: PatchRecord) -> bool:
    return (
        p.status in ("applies", "repaired")
        and bool(p.diff)
        and p.parses is not False
        and p.verify in (None, "passed")
    )


def _result(
    f: Finding, plan: Plan, anchor: str, fixes: dict[str, list[dict[str, Any]]]
) -> dict[str, Any] | None:
    here = [loc for loc in f.locations if present(loc, plan, anchor)]
    if not here:
        return None
    primary = here[0]
    related = [loc for loc in f.locations if loc is not primary]
    fingerprint = (
        f.fingerprint
        or hashlib.sha256(
            json.dumps(
                [f.kind, sorted((loc.path, loc.symbol or "") for loc in f.locations)]
            ).encode()
        ).hexdigest()[:32]
    )
    index = next(i for i, r in enumerate(RULES) if r.kind == f.kind)
    result: dict[str, Any] = {
        "ruleId": rule(f.kind).name,
        "ruleIndex": index,
        # a finding the model refuted stays listed (the static evidence is real) as a note
        "level": "note"
        if f.verdict is not None and f.verdict.status == "refuted"
        else rule(f.kind).level,
        "message": {"text": _message(f)},
        "locations": [_location(primary)],
        "relatedLocations": [
            _location(loc, i, head_name(plan, anchor)) for i, loc in enumerate(related, start=1)
        ],
        "partialFingerprints": {"idealizeFinding/v1": fingerprint},
        "properties": {
            "idealizeId": f.id,
            "kind": f.kind,
            "confidence": round(f.confidence, 2),
            "source": f.source,
            "tier": f.tier,
            "branches": sorted({loc.branch for loc in f.locations if loc.branch}),
            "evidence": list(f.evidence),
            "verdict": None
            if f.verdict is None
            else {
                "status": f.verdict.status,
                "reason": f.verdict.reason,
                "unit": f.verdict.unit_id,
            },
        },
    }
    if fixes.get(f.id):
        result["fixes"] = fixes[f.id]
    return result


def to_sarif(plan: Plan, checked_out: str | None = None) -> str:
    """The plan as SARIF; ``checked_out``: the commit the repository has checked out (see
    ``anchor_commit``), None for the plan's HEAD."""
    anchor = anchor_commit(plan, checked_out)
    fixes: dict[str, list[dict[str, Any]]] = {}
    if anchor == plan.target_head:  # patches are made against HEAD's lines
        unit_findings = {u.id: u.findings for u in plan.units}
        for p in plan.patches:
            fix = _fix(p) if _validated(p) else None
            if fix is not None:
                for fid in unit_findings.get(p.unit_id, ()):
                    fixes.setdefault(fid, []).append(fix)
    rules = [
        {
            "id": r.name,
            "name": r.name,
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": f"idealize finding of kind {r.kind}: {r.title.lower()}."},
            "help": {"text": r.help, "markdown": f"**{r.title}.** {r.help}"},
            "defaultConfiguration": {"level": r.level},
            "properties": {"kind": r.kind, "idPrefix": r.prefix},
        }
        for r in RULES
    ]
    results = []
    elsewhere = []
    for f in plan.findings:
        res = _result(f, plan, anchor, fixes)
        if res is None:
            elsewhere.append(f.id)
        else:
            results.append(res)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "idealize",
                        "version": installed_version(),
                        "informationUri": "https://pypi.org/project/idealize/",
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "The repository root."}}
                },
                "results": results,
                "properties": {
                    "mode": plan.mode,
                    "target": plan.target,
                    "revision": anchor,
                    "analysedHead": plan.target_head,
                    "offline": plan.offline,
                    "findings": len(plan.findings),
                    # findings with no location in this tree: in the plan, not here
                    "findingsWithoutLocationInTree": len(elsewhere),
                    "findingsWithoutLocationInTreeIds": elsewhere,
                },
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
