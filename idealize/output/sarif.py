"""Plan -> SARIF 2.1.0, so findings show up in code-scanning views (GitHub, GitLab, IDEs)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from idealize import __version__
from idealize.types import Finding, Location, Plan

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

RULES: dict[str, tuple[str, str, str]] = {
    # kind: (name, short description, default level)
    "duplicate": (
        "DuplicateImplementation",
        "The same concept implemented again under another name",
        "warning",
    ),
    "phantom_dependency": (
        "PhantomDependency",
        "Code uses something another branch removed or renamed",
        "error",
    ),
    "double_fix": ("DoubleFix", "Two branches fix the same defect in two ways", "warning"),
    "divergence": ("Divergence", "One branch replaces a mechanism that another extends", "warning"),
}


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
    return {
        "ruleId": RULES[f.kind][0],
        "level": RULES[f.kind][2],
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
        },
    }


def to_sarif(plan: Plan) -> str:
    rules = [
        {
            "id": name,
            "name": name,
            "shortDescription": {"text": short},
            "fullDescription": {"text": f"idealize finding of kind {kind}: {short.lower()}."},
            "defaultConfiguration": {"level": level},
            "properties": {"kind": kind},
        }
        for kind, (name, short, level) in RULES.items()
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
