"""Plan -> one self-contained HTML page: branches, the overlap matrix, each finding with its
code side by side across branches, and the model's idealized description and steps."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from idealize.output.plan_json import plan_to_dict
from idealize.repo.git import Git
from idealize.types import Plan

MAX_SNIPPET_LINES = 60


def snippets(git: Git | None, plan: Plan) -> dict[str, list[dict[str, str]]]:
    """Finding id -> the code at each location, read from the branch it came from."""
    if git is None:
        return {}
    heads = {b.name: (b.head, b.base) for b in plan.branches}
    out: dict[str, list[dict[str, str]]] = {}
    files: dict[str, list[str] | None] = {}

    def lines_at(treeish: str, path: str) -> list[str] | None:
        key = f"{treeish}:{path}"
        if key not in files:
            raw = git.run("show", key, check=False)
            files[key] = raw.decode("utf-8", "replace").splitlines() if raw else None
        return files[key]

    for f in plan.findings:
        blocks = []
        for loc in f.locations:
            if not loc.start_line:
                continue
            head, base = heads.get(loc.branch or "", (plan.target_head, plan.target_head))
            text = None
            for treeish in (head, base):
                lines = lines_at(treeish, loc.path)
                if lines is None:
                    continue
                end = min(loc.end_line or loc.start_line, loc.start_line + MAX_SNIPPET_LINES - 1)
                chunk = lines[loc.start_line - 1 : end]
                short = (loc.symbol or "").rsplit(".", 1)[-1]
                if chunk and (not short or any(short in line for line in chunk)):
                    text = "\n".join(chunk)
                    break
            if text is not None:
                label = f"{loc.path}:{loc.start_line}" + (f" {loc.symbol}" if loc.symbol else "")
                blocks.append(
                    {"label": label, "branch": loc.branch or "on the target", "code": text}
                )
        out[f.id] = blocks
    return out


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("idealize.output", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def to_html(plan: Plan, root: Path | None = None, git: Git | None = None) -> str:
    data = plan_to_dict(plan, root)
    modules = data["modules"]
    branch_names = [b["name"] for b in data["branches"]]
    matrix_branches = [n for n in branch_names if any(n in m["branches"] for m in modules)]
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            plan=data,
            snippets=snippets(git, plan),
            matrix_branches=matrix_branches,
            # raw text inside <script>: only "</" could end it early
            plan_json=Markup(
                json.dumps({"findings": [f["id"] for f in data["findings"]]}).replace("</", "<\\/")
            ),
        )
    )


def report_from_run(run_dir: Path) -> str:
    """Rebuild the page from a run folder's plan.json (and its repository, when still there)."""
    from idealize.output.plan_json import load_plan

    plan = load_plan(run_dir / "plan.json")
    git: Git | None = None
    config = run_dir / "config.json"
    if config.exists():
        repo = json.loads(config.read_text(encoding="utf-8")).get("repo")
        if repo and Path(repo).exists():
            git = Git(Path(repo))
    return to_html(plan, git.root if git else None, git)
