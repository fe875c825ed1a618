"""The plan as JSON, the versioned contract ``idealize.plan/1``: written (``to_json``) and
read back (``load_plan``), validated against ``idealize/schema/plan.schema.json``."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from idealize.errors import UsageError
from idealize.types import (
    PLAN_SCHEMA,
    Branch,
    Commit,
    FileChange,
    Finding,
    Hunk,
    Location,
    ModuleOverlap,
    Origin,
    PatchRecord,
    Plan,
    Skipped,
    SymbolChange,
    SymbolOverlap,
    Unit,
    UnitReview,
    Usage,
    Verdict,
)


def _location(loc: Location) -> dict[str, Any]:
    return {
        "path": loc.path,
        "symbol": loc.symbol,
        "start_line": loc.start_line,
        "end_line": loc.end_line,
        "branch": loc.branch,
        "tree": loc.tree,
        "commit": loc.commit,
        "gone": loc.gone,
        "snippet": loc.snippet,
        "origin": None
        if loc.origin is None
        else {
            "path": loc.origin.path,
            "start_line": loc.origin.start_line,
            "end_line": loc.origin.end_line,
            "commit": loc.origin.commit,
        },
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
    if worktree is not None and root is not None and Path(worktree).is_absolute():
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
        "tier": f.tier,
        "status": f.status,
        "rank": f.rank,
        "fingerprint": f.fingerprint,
        "resolved": f.resolved,
        "verdict": None
        if f.verdict is None
        else {"status": f.verdict.status, "reason": f.verdict.reason, "unit": f.verdict.unit_id},
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
            "answer_path": review.answer_path,
            "cause": review.cause,
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
def _plan_validator() -> Any:
    """The schema's validator, checked against its metaschema once (``jsonschema.validate``
    checks the schema again on every call, which costs more than validating a plan)."""
    import jsonschema  # 0.1 s to import: only when a plan is read back

    schema = plan_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def check_plan(data: Any) -> None:
    """Raise ``jsonschema.ValidationError`` (the most relevant error, as
    ``jsonschema.validate`` picks it) unless ``data`` is a plan under the schema."""
    import jsonschema

    error = jsonschema.exceptions.best_match(_plan_validator().iter_errors(data))
    if error is not None:
        raise error


def _loc(d: dict[str, Any]) -> Location:
    origin = d.get("origin")
    return Location(
        d["path"],
        d["symbol"],
        d["start_line"],
        d["end_line"],
        d["branch"],
        tree=d.get("tree", "branch"),
        commit=d.get("commit"),
        gone=d.get("gone", False),
        snippet=d.get("snippet"),
        origin=None
        if origin is None
        else Origin(origin["path"], origin["start_line"], origin["end_line"], origin["commit"]),
    )


def load_plan(path: Path) -> Plan:
    """A plan.json read back; anything that is not one (a folder, other bytes, other JSON,
    a file edited out of shape) is a UsageError naming the file."""
    import jsonschema  # 0.1 s to import: only when a plan is read back

    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
        check_plan(data)
    except FileNotFoundError as exc:
        raise UsageError(f"no plan at {path}", "pass a run folder that holds plan.json") from exc
    except IsADirectoryError as exc:
        raise UsageError(f"{path} is a folder, not a plan", "pass the run folder") from exc
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}", "check its permissions") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{path} is not an idealize plan: not UTF-8 text (byte at offset {exc.start})",
            "regenerate it",
        ) from exc
    except (json.JSONDecodeError, RecursionError, jsonschema.ValidationError) as exc:
        first = (str(exc).splitlines() or ["unreadable"])[0][:200]
        raise UsageError(f"{path} is not an idealize plan: {first}", "regenerate it") from exc
    try:
        return _plan(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UsageError(
            f"{path} is not an idealize plan: missing or malformed {exc}", "regenerate it"
        ) from exc


def _plan(data: dict[str, Any]) -> Plan:
    branches = tuple(
        Branch(
            name=b["name"],
            kind=b["kind"],
            head=b["head"],
            base=b["base"],
            commits=tuple(Commit(c["sha"], c["subject"]) for c in b["commits"]),
            files=tuple(
                FileChange(
                    path=f["path"],
                    status=f["status"],
                    old_path=f.get("old_path"),
                    language=f.get("language"),
                    hunks=tuple(
                        Hunk(h["old_start"], h["old_lines"], h["new_start"], h["new_lines"])
                        for h in f["hunks"]
                    ),
                    symbols=tuple(
                        SymbolChange(
                            s["name"],
                            s["kind"],
                            s["change"],
                            s.get("old_start"),
                            s.get("old_end"),
                            s.get("new_start"),
                            s.get("new_end"),
                            s.get("renamed_from"),
                        )
                        for s in f["symbols"]
                    ),
                )
                for f in b["files"]
            ),
            uncommitted=b.get("uncommitted", False),
            worktree=b.get("worktree"),
        )
        for b in data["branches"]
    )
    reviews = []
    units = []
    for u in data["units"]:
        units.append(
            Unit(
                u["id"],
                u["title"],
                tuple(_loc(m) for m in u["members"]),
                tuple(u["findings"]),
                tuple(u["modules"]),
            )
        )
        r = u.get("review")
        if r:
            reviews.append(
                UnitReview(
                    unit_id=u["id"],
                    status=r["status"],
                    variant=r["variant"],
                    ideal=r["ideal"],
                    decision=r["decision"],
                    steps=tuple(r["steps"]),
                    open_questions=tuple(r["open_questions"]),
                    agents_md=r["agents_md"],
                    findings=tuple(r["findings"]),
                    omitted=tuple(r["omitted"]),
                    prompt_tokens=r.get("prompt_tokens", 0),
                    budget=r.get("budget", 0),
                    parse_layer=r.get("parse_layer"),
                    error=r.get("error"),
                    dropped=tuple(r.get("dropped", ())),
                    answer_path=r.get("answer_path"),
                    cause=r.get("cause"),
                )
            )
    return Plan(
        repo=data["repo"],
        mode=data["mode"],
        target=data["target"]["ref"],
        target_head=data["target"]["head"],
        since=data.get("since"),
        branches=branches,
        modules=tuple(
            ModuleOverlap(
                m["path"],
                tuple(m["branches"]),
                tuple(
                    SymbolOverlap(
                        s["name"],
                        s["kind"],
                        tuple(s["branches"]),
                        s["change"],
                        tuple(s.get("changes", {}).items()),
                    )
                    for s in m["symbols"]
                ),
                m.get("verdict", ""),
            )
            for m in data["modules"]
        ),
        findings=tuple(
            Finding(
                f["id"],
                f["kind"],
                f["title"],
                f["confidence"],
                f["source"],
                tuple(_loc(x) for x in f["locations"]),
                tuple(f["evidence"]),
                f["recommendation"],
                tier=f.get("tier", "finding"),
                status=f.get("status", "open"),
                rank=f.get("rank", 0),
                fingerprint=f.get("fingerprint", ""),
                resolved=f.get("resolved"),
                verdict=None
                if f.get("verdict") is None
                else Verdict(f["verdict"]["status"], f["verdict"]["reason"], f["verdict"]["unit"]),
            )
            for f in data["findings"]
        ),
        units=tuple(units),
        skipped=tuple(Skipped(s["what"], s["reason"], s.get("branch")) for s in data["skipped"]),
        notes=tuple(data["notes"]),
        usage=Usage(
            data["usage"]["input_tokens"], data["usage"]["output_tokens"], data["usage"]["cost_usd"]
        ),
        offline=data["offline"],
        reviews=tuple(reviews),
        model=data.get("model"),
        redactions=tuple(data.get("redactions", {}).items()),
        patches=tuple(
            PatchRecord(
                x["id"],
                x["unit"],
                x["status"],
                tuple(x.get("layers", ())),
                x.get("reason"),
                tuple(x["files"]),
                x.get("parses"),
                x.get("verify"),
                x.get("verify_detail", ""),
                x["diff"],
            )
            for x in data.get("patches", [])
        ),
    )
