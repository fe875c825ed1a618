"""Plan -> one self-contained HTML page (no network: inline CSS and JS, no images).

Each finding shows its locations at HEAD with where they came from, and each piece of code as
a diff of what its branch changed (line numbers on both sides, + and - lines coloured), in
panes that wrap long lines or widen to the full page. Text from the plan (recommendations,
the model's description and steps) renders inline code and lists, with finding ids linked;
model text is untrusted, so raw HTML in it is escaped and images are not rendered. Then the
reviews, the patches (diff, validation, the `idealize apply` command), usage and cost,
branches, the overlap matrix, skipped files and notes.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from idealize.output.anchor import Target, provenance, where
from idealize.output.plan_json import plan_to_dict
from idealize.repo.git import Git
from idealize.types import Branch, Location, Plan

MAX_SNIPPET_LINES = 80


@dataclass(frozen=True)
class Row:
    """One line of a piece: its numbers before and after (None where it has none) and how it
    changed: "+" added by the branch, "-" removed, " " unchanged, "…" lines left out."""

    old: int | None
    new: int | None
    sign: str
    text: str


@dataclass(frozen=True)
class Piece:
    label: str
    caption: str
    kind: str  # "diff": what a branch changed; "code": code as it is (target, or gone)
    rows: tuple[Row, ...]


class _Files:
    """Files read from git objects, once each."""

    def __init__(self, git: Git) -> None:
        self._git = git
        self._seen: dict[str, list[str] | None] = {}

    def lines(self, treeish: str | None, path: str | None) -> list[str] | None:
        if not treeish or not path or "\n" in path:
            return None
        key = f"{treeish}:{path}"
        if key not in self._seen:
            raw = self._git.run("show", key, check=False)
            self._seen[key] = raw.decode("utf-8", "replace").splitlines() if raw else None
        return self._seen[key]


def _diff_rows(old: list[str], new: list[str], start: int, end: int) -> list[Row]:
    """The rows of ``new``'s lines ``start``..``end`` (1-based), with the lines the change
    removed between them."""
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [Row(i1 + k + 1, j1 + k + 1, " ", new[j1 + k]) for k in range(j2 - j1)]
            continue
        rows += [Row(i + 1, None, "-", old[i]) for i in range(i1, i2)]
        rows += [Row(None, j + 1, "+", new[j]) for j in range(j1, j2)]
    picked: list[Row] = []
    next_new = 1
    for row in rows:
        if row.new is not None:
            next_new = row.new + 1
            if start <= row.new <= end:
                picked.append(row)
        elif start < next_new <= end:
            picked.append(row)  # removed between two lines of the window
    return picked


def _code_rows(lines: list[str], start: int, end: int) -> list[Row]:
    return [Row(None, n, " ", lines[n - 1]) for n in range(start, min(end, len(lines)) + 1)]


def _cap(rows: list[Row]) -> tuple[Row, ...]:
    if len(rows) <= MAX_SNIPPET_LINES:
        return tuple(rows)
    left = len(rows) - MAX_SNIPPET_LINES
    return (*rows[:MAX_SNIPPET_LINES], Row(None, None, "…", f"{left} more line(s)"))


def _piece(files: _Files, plan: Plan, branches: dict[str, Branch], loc: Location) -> Piece | None:
    if not loc.start_line:
        return None
    end = max(loc.end_line or loc.start_line, loc.start_line)
    label = where(loc) + (f" {loc.symbol}" if loc.symbol else "")
    caption = provenance(loc)
    branch = branches.get(loc.branch or "")
    if branch is not None and not loc.gone:
        # the branch's side: origin when the location was mapped to HEAD
        if loc.origin is not None:
            path, first, last = loc.origin.path, loc.origin.start_line, loc.origin.end_line
        elif loc.tree == "branch":
            path, first, last = loc.path, loc.start_line, end
        else:
            path, first, last = "", None, None
        change = branch.file(path) if path else None
        new = files.lines(branch.head, path) if path else None
        if new is not None and first:
            old = files.lines(branch.base, (change.old_path if change else None) or path) or []
            rows = _diff_rows(old, new, first, max(last or first, first))
            if rows:
                return Piece(label, caption, "diff", _cap(rows))
    lines = files.lines(loc.commit or plan.target_head, loc.path)
    if lines is None or loc.start_line > len(lines):
        return None
    return Piece(label, caption, "code", _cap(_code_rows(lines, loc.start_line, end)))


def pieces(git: Git | None, plan: Plan) -> dict[str, list[Piece]]:
    """Finding id -> each location's code: as the diff its branch made, or as it is."""
    if git is None:
        return {}
    files = _Files(git)
    branches = {b.name: b for b in plan.branches}
    out: dict[str, list[Piece]] = {}
    for f in plan.findings:
        shown = [_piece(files, plan, branches, loc) for loc in f.locations]
        out[f.id] = [p for p in shown if p is not None]
    return out


def _patch_rows(diff: str) -> list[Row]:
    """A unified diff as rows with both line numbers."""
    rows: list[Row] = []
    old = new = 0
    for line in diff.splitlines():
        m = re.match(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$", line)
        if m:
            old, new = int(m.group(1)), int(m.group(2))
            rows.append(Row(None, None, "@", line))
        elif line.startswith(("diff --git", "--- ", "+++ ", "new file mode", "index ")):
            rows.append(Row(None, None, "h", line))
        elif line.startswith("+"):
            rows.append(Row(None, new, "+", line[1:]))
            new += 1
        elif line.startswith("-"):
            rows.append(Row(old, None, "-", line[1:]))
            old += 1
        elif line.startswith("\\"):
            rows.append(Row(None, None, "h", line))
        else:
            rows.append(Row(old, new, " ", line[1:]))
            old += 1
            new += 1
    return rows


@cache
def _markdown() -> MarkdownIt:
    # untrusted text: raw HTML is escaped (html=False), links are checked by markdown-it
    # (no javascript:), and images are off so the page never loads anything
    return MarkdownIt("commonmark", {"html": False}).disable("image")


_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def _linker(ids: list[str]) -> Callable[[str], str]:
    if not ids:
        return lambda text: text
    pattern = re.compile(
        r"(?<![\w/#-])("
        + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
        + r")(?![\w-])"
    )

    def link(text: str) -> str:
        parts = []
        last = 0
        for m in _CODE_SPAN.finditer(text):  # ids inside `code` stay as they are
            parts.append(pattern.sub(r"[\1](#finding-\1)", text[last : m.start()]))
            parts.append(m.group(0))
            last = m.end()
        parts.append(pattern.sub(r"[\1](#finding-\1)", text[last:]))
        return "".join(parts)

    return link


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("idealize.output", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def to_html(
    plan: Plan, root: Path | None = None, git: Git | None = None, run_dir: Path | None = None
) -> str:
    data = plan_to_dict(plan, root)
    modules = data["modules"]
    branch_names = [b["name"] for b in data["branches"]]
    matrix_branches = [n for n in branch_names if any(n in m["branches"] for m in modules)]
    link = _linker([f["id"] for f in data["findings"]])

    def inline(text: object) -> Markup:
        return Markup(_markdown().renderInline(link(str(text or ""))))

    def block(text: object) -> Markup:
        return Markup(_markdown().render(link(str(text or ""))))

    by_id = {f.id: f for f in plan.findings}
    locations = {
        fid: [
            {
                "where": where(loc),
                "symbol": loc.symbol,
                "provenance": provenance(loc),
                "gone": loc.gone,
                "tree": loc.tree,
            }
            for loc in f.locations
        ]
        for fid, f in by_id.items()
    }
    apply_dir = str(run_dir) if run_dir is not None else "RUN_DIR"
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            plan=data,
            pieces=pieces(git, plan),
            locations=locations,
            patch_rows={p.id: _patch_rows(p.diff) for p in plan.patches},
            apply_dir=apply_dir,
            matrix_branches=matrix_branches,
            inline=inline,
            block=block,
            # raw text inside <script>: only "</" could end it early
            plan_json=Markup(
                json.dumps(
                    {
                        "findings": [f["id"] for f in data["findings"]],
                        "patches": [p["id"] for p in data["patches"]],
                    }
                ).replace("</", "<\\/")
            ),
            escape=escape,
        )
    )


def run_target(run_dir: Path, plan: Plan) -> Target:
    """Where a finished run's code is read: the repository its config.json names (recorded as
    an absolute path), else the repository the run folder sits in; either only when it still
    holds the run's commit. Never the current folder's repository."""
    from idealize.errors import IdealizeError

    candidates: list[Path] = []
    config = run_dir / "config.json"
    try:
        repo = json.loads(config.read_bytes().decode("utf-8")).get("repo")
        if isinstance(repo, str) and repo:
            path = Path(repo)
            candidates.append(path if path.is_absolute() else (run_dir / path))
    except (OSError, ValueError, AttributeError):
        pass
    candidates.append(run_dir.resolve())
    for candidate in candidates:
        try:
            git = Git(candidate)
        except IdealizeError:
            continue
        known = git.run(
            "rev-parse", "--verify", "--quiet", f"{plan.target_head}^{{commit}}", check=False
        )
        if known.strip():
            return Target.of(git, run_dir)
    return Target(run_dir=run_dir)
