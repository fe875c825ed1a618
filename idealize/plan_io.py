"""plan.json -> Plan, for tools that work on a finished run (the report page)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from .emit import plan_schema
from .errors import UsageError
from .model import (
    Branch,
    Commit,
    FileChange,
    Finding,
    Hunk,
    Location,
    ModuleOverlap,
    PatchRecord,
    Plan,
    Skipped,
    SymbolChange,
    SymbolOverlap,
    Unit,
    UnitReview,
    Usage,
)


def _loc(d: dict[str, Any]) -> Location:
    return Location(d["path"], d["symbol"], d["start_line"], d["end_line"], d["branch"])


def load_plan(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.validate(data, plan_schema())
    except FileNotFoundError as exc:
        raise UsageError(f"no plan at {path}", "pass a run folder that holds plan.json") from exc
    except (json.JSONDecodeError, jsonschema.ValidationError) as exc:
        raise UsageError(
            f"{path} is not an idealize plan: {str(exc).splitlines()[0]}", "regenerate it"
        ) from exc
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
