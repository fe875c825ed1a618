"""Plan -> SARIF 2.1.0, so findings show up in code-scanning views (GitHub, GitLab, IDEs)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from idealize.analyze.rules import RULES, rule
from idealize.types import Finding, Location, Plan
from idealize.version import __version__

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


def _physical(loc: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": loc.path, "uriBaseId": "%SRCROOT%"}}
    if loc.start_line:
        region: dict[str, Any] = {"startLine": loc.start_line}
        if loc.end_line and loc.end_line >= loc.start_line:
            region["endLine"] = loc.end_line
        physical["region"] = region
    return physical


def _location(loc: Location, index: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"physicalLocation": _physical(loc)}
    if loc.symbol:
        out["logicalLocations"] = [{"fullyQualifiedName": loc.symbol, "kind": "function"}]
    if index is not None:
        out["id"] = index
        where = f"`{loc.symbol}`" if loc.symbol else loc.path
        out["message"] = {"text": f"{where} ({loc.branch or 'already on the target'})"}
    return out


def _result(f: Finding) -> dict[str, Any]:
    primary, *related = f.locations
    fingerprint = hashlib.sha256(
        json.dumps([f.kind, sorted((loc.path, loc.symbol or "") for loc in f.locations)]).encode()
    ).hexdigest()[:32]
    text = f"{f.title}. {f.recommendation}"
    if f.verdict is not None:
        text += f" Model verdict ({f.verdict.unit_id}): {f.verdict.status}" + (
            f": {f.verdict.reason}" if f.verdict.reason else ""
        )
    return {
        "ruleId": rule(f.kind).name,
        # a finding the model refuted stays listed (the static evidence is real) as a note
        "level": "note"
        if f.verdict is not None and f.verdict.status == "refuted"
        else rule(f.kind).level,
        "message": {"text": text},
        "locations": [_location(primary)],
        "relatedLocations": [_location(loc, i) for i, loc in enumerate(related, start=1)],
        "partialFingerprints": {"idealizeFinding/v1": fingerprint},
        "properties": {
            "idealizeId": f.id,
            "kind": f.kind,
            "confidence": round(f.confidence, 2),
            "source": f.source,
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


def to_sarif(plan: Plan) -> str:
    rules = [
        {
            "id": r.name,
            "name": r.name,
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": f"idealize finding of kind {r.kind}: {r.title.lower()}."},
            "help": {"text": r.help, "markdown": r.help},
            "defaultConfiguration": {"level": r.level},
            "properties": {"kind": r.kind},
        }
        for r in RULES
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "idealize",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/idealize/",
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "The repository root."}}
                },
                "results": [_result(f) for f in plan.findings],
                "properties": {
                    "mode": plan.mode,
                    "target": plan.target,
                    "revision": plan.target_head,
                    "offline": plan.offline,
                },
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
