"""Plan -> JSON (the versioned contract) and markdown (rendered from a template)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from .model import PLAN_SCHEMA, Branch, FileChange, Finding, Location, Plan, Unit, UnitReview


def _location(loc: Location) -> dict[str, Any]:
    return {
        "path": loc.path,
        "symbol": loc.symbol,
        "start_line": loc.start_line,
        "end_line": loc.end_line,
        "branch": loc.branch,
    }


def _file(f: FileChange) -> dict[str, Any]:
    return {
        "path": f.path,
        "old_path": f.old_path,
        "status": f.status,
        "language": f.language,
        "hunks": [
            {
                "old_start": h.old_start,
                "old_lines": h.old_lines,
                "new_start": h.new_start,
                "new_lines": h.new_lines,
            }
            for h in f.hunks
        ],
        "symbols": [
            {
                k: v
                for k, v in {
                    "name": s.name,
                    "kind": s.kind,
                    "change": s.change,
                    "old_start": s.old_start,
                    "old_end": s.old_end,
                    "new_start": s.new_start,
                    "new_end": s.new_end,
                    "renamed_from": s.renamed_from,
                }.items()
                if v is not None
            }
            for s in f.symbols
        ],
    }


def _branch(b: Branch, root: Path | None) -> dict[str, Any]:
    worktree = b.worktree
    if worktree is not None and root is not None:
        try:
            worktree = Path(worktree).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            worktree = Path(worktree).name
    return {
        "name": b.name,
        "kind": b.kind,
        "head": b.head,
        "base": b.base,
        "uncommitted": b.uncommitted,
        "worktree": worktree,
        "commits": [{"sha": c.sha, "subject": c.subject} for c in b.commits],
        "files": [_file(f) for f in b.files],
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "kind": f.kind,
        "title": f.title,
        "confidence": round(f.confidence, 2),
        "source": f.source,
        "locations": [_location(loc) for loc in f.locations],
        "evidence": list(f.evidence),
        "recommendation": f.recommendation,
    }


def _unit(u: Unit, review: UnitReview | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": u.id,
        "title": u.title,
        "members": [_location(m) for m in u.members],
        "findings": list(u.findings),
        "modules": list(u.modules),
    }
    if review is not None:
        row["review"] = {
            "status": review.status,
            "variant": review.variant,
            "ideal": review.ideal,
            "decision": review.decision,
            "steps": list(review.steps),
            "open_questions": list(review.open_questions),
            "agents_md": review.agents_md,
            "findings": list(review.findings),
            "omitted": list(review.omitted),
            "prompt_tokens": review.prompt_tokens,
            "budget": review.budget,
            "parse_layer": review.parse_layer,
            "error": review.error,
            "dropped": list(review.dropped),
        }
    return row


def plan_to_dict(plan: Plan, root: Path | None = None) -> dict[str, Any]:
    reviews = {r.unit_id: r for r in plan.reviews}
    return {
        "schema": PLAN_SCHEMA,
        "repo": plan.repo,
        "mode": plan.mode,
        "since": plan.since,
        "target": {"ref": plan.target, "head": plan.target_head},
        "offline": plan.offline,
        "model": plan.model,
        "branches": [_branch(b, root) for b in plan.branches],
        "modules": [
            {
                "path": m.path,
                "branches": list(m.branches),
                "verdict": m.verdict,
                "symbols": [
                    {
                        "name": s.name,
                        "kind": s.kind,
                        "branches": list(s.branches),
                        "change": s.change,
                        "changes": dict(s.changes),
                    }
                    for s in m.symbols
                ],
            }
            for m in plan.modules
        ],
        "findings": [_finding(f) for f in plan.findings],
        "units": [_unit(u, reviews.get(u.id)) for u in plan.units],
        "skipped": [{"what": s.what, "reason": s.reason, "branch": s.branch} for s in plan.skipped],
        "notes": list(plan.notes),
        "redactions": dict(plan.redactions),
        "patches": [
            {
                "id": x.id,
                "unit": x.unit_id,
                "status": x.status,
                "layers": list(x.layers),
                "reason": x.reason,
                "files": list(x.files),
                "parses": x.parses,
                "verify": x.verify,
                "verify_detail": x.verify_detail,
                "diff": x.diff,
            }
            for x in plan.patches
        ],
        "usage": {
            "input_tokens": plan.usage.input_tokens,
            "output_tokens": plan.usage.output_tokens,
            "cost_usd": round(plan.usage.cost_usd, 6),
        },
    }


def to_json(plan: Plan, root: Path | None = None) -> str:
    return json.dumps(plan_to_dict(plan, root), indent=2, ensure_ascii=False) + "\n"


@cache
def plan_schema() -> dict[str, Any]:
    text = (
        resources.files("idealize").joinpath("schema/plan.schema.json").read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("idealize", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["loc"] = format_location
    env.filters["pct"] = lambda x: f"{round(float(x) * 100)}%"
    env.filters["mdcode"] = lambda s: "`" + str(s).replace("`", "'") + "`"
    return env


def format_location(loc: dict[str, Any]) -> str:
    where = loc["path"]
    if loc.get("start_line"):
        where += f":{loc['start_line']}"
        if loc.get("end_line") and loc["end_line"] != loc["start_line"]:
            where += f"-{loc['end_line']}"
    text = f"`{where}`"
    if loc.get("symbol"):
        text += f" `{loc['symbol']}`"
    if loc.get("branch"):
        text += f" ({loc['branch']})"
    return text


def to_markdown(plan: Plan, root: Path | None = None) -> str:
    data = plan_to_dict(plan, root)
    return _templates().get_template("plan.md.j2").render(plan=data)
