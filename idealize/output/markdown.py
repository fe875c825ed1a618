"""The plan as markdown, rendered from ``templates/plan.md.j2``."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from idealize.llm.prompts import text_environment
from idealize.output.plan_json import plan_to_dict
from idealize.types import Plan


@cache
def _templates() -> jinja2.Environment:
    env = text_environment(jinja2.PackageLoader("idealize.output", "templates"))
    env.filters["loc"] = format_location
    env.filters["pct"] = lambda x: f"{round(float(x) * 100)}%"
    env.filters["mdcode"] = lambda s: "`" + str(s).replace("`", "'") + "`"
    return env


def _lines(path: str, start: int | None, end: int | None) -> str:
    where = path
    if start:
        where += f":{start}"
        if end and end != start:
            where += f"-{end}"
    return where


def format_location(loc: dict[str, Any]) -> str:
    """``path:lines`` `symbol` (branch), as it is at HEAD, with where the branch had it."""
    text = f"`{_lines(loc['path'], loc.get('start_line'), loc.get('end_line'))}`"
    if loc.get("symbol"):
        text += f" `{loc['symbol']}`"
    origin = loc.get("origin")
    commit = (loc.get("commit") or "")[:10]
    if loc.get("gone"):
        text += f" (gone at HEAD; last seen at {commit}" if commit else " (gone at HEAD"
        text += f", {loc['branch']})" if loc.get("branch") else ")"
    elif origin:
        branch = loc.get("branch") or "the target"
        text += (
            f" (at HEAD; {branch} brought it as "
            f"`{_lines(origin['path'], origin.get('start_line'), origin.get('end_line'))}` "
            f"at {origin['commit'][:10]})"
        )
    elif loc.get("branch"):
        text += f" ({loc['branch']})"
    return text


TOP = 20  # findings shown before "and N more" (--all shows every one)


def to_markdown(
    plan: Plan, root: Path | None = None, candidates: bool = False, everything: bool = False
) -> str:
    """The plan for a person: verified findings by rank (the top 20 unless ``everything``),
    candidates only when asked for, and a short list of what was resolved since."""
    data = plan_to_dict(plan, root)
    ranked = sorted(data["findings"], key=lambda f: f["rank"] or 10**9)
    verified = [f for f in ranked if f["status"] == "open" and f["tier"] == "finding"]
    leads = [f for f in ranked if f["status"] == "open" and f["tier"] == "candidate"]
    # what was resolved is listed as findings are: the top 20 (a folder moved in two steps,
    # copied by one line of work and deleted by another, resolved 1,494 findings on
    # claude-code-router), and leads that resolved only with the candidates
    resolved = [
        f
        for f in ranked
        if f["status"] == "resolved" and (candidates or everything or f["tier"] == "finding")
    ]
    shown = verified if everything else verified[:TOP]
    return (
        _templates()
        .get_template("plan.md.j2")
        .render(
            plan=data,
            shown=shown,
            hidden=len(verified) - len(shown),
            verified=len(verified),
            candidates=(leads if everything else leads[:TOP]) if candidates else [],
            candidate_count=len(leads),
            resolved=resolved if everything else resolved[:TOP],
            resolved_count=len(resolved),
        )
    )


def findings_markdown(plan: Plan, root: Path | None = None) -> str:
    """Only the findings section, every finding in the plan: what the pre-push hook shows
    when it blocks."""
    data = plan_to_dict(plan, root)
    return _templates().get_template("findings.md.j2").render(plan=data)
