"""Edits from a model (untrusted): parse, check paths, apply with repair layers, validate.

Formats: search/replace blocks (the default we ask for)::

    path/to/file.py
    <<<<<<< SEARCH
    old lines
    =======
    new lines
    >>>>>>> REPLACE

and unified diffs (parsed with unidiff). An empty SEARCH creates the file.

Repair layers, tried in order when the text is not found as written (each tested):
1. ``exact``; 2. ``whitespace`` (trailing spaces, tabs, CRLF); 3. ``indentation`` (the block
moved in or out: matched dedented, the replacement re-indented); 4. ``line-numbers``
(``12: `` or ``12 | `` prefixes a model copied from a numbered listing); 5. ``split`` (a
hunk whose parts moved apart: each part anchored on its own); for unified diffs the stated
line numbers are hints only, and a hunk found elsewhere is ``re-anchored``.
"""

from __future__ import annotations

import ast
import difflib
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from unidiff import PatchSet  # type: ignore[attr-defined]
from unidiff.errors import UnidiffParseError

_BLOCK = re.compile(
    r"^(?P<path>[^\n]*)\n(?:```[^\n]*\n)?<{5,9} SEARCH[^\n]*\n(?P<search>.*?)^={5,9}[ \t]*\n(?P<replace>.*?)^>{5,9} REPLACE[^\n]*$",
    re.M | re.S,
)
_NUMBERED = re.compile(r"^\s*\d+\s*(?:[:|]\s?|\s{2,})")


@dataclass(frozen=True)
class Edit:
    path: str
    search: str
    replace: str
    hint_line: int | None = None  # a unified diff's stated position


@dataclass(frozen=True)
class EditResult:
    path: str
    status: str  # "applies", "repaired", "rejected"
    layer: str | None
    reason: str | None = None


@dataclass(frozen=True)
class PatchVerdict:
    status: str  # "applies", "repaired", "rejected"
    layers: tuple[str, ...]
    reason: str | None
    edits: tuple[EditResult, ...]
    files: tuple[str, ...]
    diff: str = ""  # the resulting change as a unified diff (for `idealize apply`)
    new_contents: dict[str, str] = field(default_factory=dict)


def parse_edits(text: str) -> tuple[list[Edit], list[str]]:
    """Search/replace blocks, else unified diffs. Returns the edits and what could not be read."""
    edits: list[Edit] = []
    problems: list[str] = []
    for m in _BLOCK.finditer(text):
        path = m.group("path").strip().strip("`*").strip()
        if path.startswith("```"):
            path = ""
        edits.append(Edit(path, m.group("search"), m.group("replace")))
    if edits:
        return edits, problems
    diff_text = "\n".join(_fenced(text)) or text
    if "--- " in diff_text and "+++ " in diff_text:
        try:
            for pf in PatchSet(diff_text):
                path = pf.path
                if pf.is_added_file:
                    edits.append(
                        Edit(
                            path,
                            "",
                            "".join(line.value for h in pf for line in h if not line.is_removed),
                        )
                    )
                    continue
                for h in pf:
                    old = "".join(line.value for line in h if not line.is_added)
                    new = "".join(line.value for line in h if not line.is_removed)
                    edits.append(Edit(path, old, new, hint_line=h.source_start))
        except UnidiffParseError as exc:
            problems.append(f"unreadable unified diff: {exc}")
    if not edits and not problems:
        problems.append("no search/replace blocks and no unified diff in the text")
    return edits, problems


def _fenced(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"```(?:diff|patch)?\n(.*?)```", text, re.S)]


def path_problem(root: Path, path: str, creating: bool) -> str | None:
    """Why a path must not be written, or None. The path is model output: untrusted."""
    if not path:
        return "no file path"
    if "\x00" in path or "\n" in path or "\r" in path:
        return "path contains a NUL or newline"
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", path):
        return "absolute path"
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if ".." in parts:
        return "path leaves the repository (..)"
    if (parts and parts[0] == ".git") or ".git" in parts:
        return "path inside .git/"
    target = root / path
    # every existing component must be a real directory or file inside the root: no symlinks
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            return f"path goes through a symbolic link ({current.relative_to(root)})"
    try:
        resolved = target.resolve()
        resolved.relative_to(root.resolve())
    except (ValueError, OSError):
        return "path resolves outside the repository"
    if target.exists():
        if not target.is_file():
            return "not a regular file"
        head = target.read_bytes()[:8000]
        if b"\x00" in head:
            return "binary file"
    elif not creating:
        return "file does not exist (an empty SEARCH creates a file)"
    return None


def _norm_ws(line: str) -> str:
    return line.rstrip().replace("\t", "    ")


def _find(lines: list[str], needle: list[str], key: Callable[[str], str]) -> int | None:
    want = [key(x) for x in needle]
    n = len(want)
    if n == 0:
        return None
    first = want[0]
    for i in range(len(lines) - n + 1):
        if key(lines[i]) == first and [key(x) for x in lines[i : i + n]] == want:
            return i
    return None


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def apply_edit(content: str, edit: Edit) -> tuple[str, str] | None:
    """The new content and the layer that placed the edit, or None."""
    if edit.search == "":
        return (edit.replace if content == "" else content + edit.replace), "exact"
    if edit.search in content:
        if edit.hint_line is not None:
            at = content[: content.index(edit.search)].count("\n") + 1
            layer = "exact" if abs(at - edit.hint_line) <= 1 else "re-anchored"
        else:
            layer = "exact"
        return content.replace(edit.search, edit.replace, 1), layer
    lines = content.splitlines(keepends=True)
    search = edit.search.splitlines(keepends=True)
    replace = edit.replace.splitlines(keepends=True)
    # 2. whitespace
    found = _find(lines, search, _norm_ws)
    if found is not None:
        return "".join(lines[:found] + replace + lines[found + len(search) :]), "whitespace"
    # 3. indentation: compare stripped, re-indent the replacement by the difference
    found = _find(lines, search, lambda s: s.strip())
    if found is not None:
        at = found
        have = _indent(lines[at])
        had = _indent(search[0])
        fixed = [
            (have + r[len(had) :] if r.startswith(had) else have + r.lstrip()) if r.strip() else r
            for r in replace
        ]
        return "".join(lines[:at] + fixed + lines[at + len(search) :]), "indentation"
    # 4. line numbers copied from a listing
    if all(_NUMBERED.match(s) or not s.strip() for s in search):
        cleaned = Edit(
            edit.path,
            "".join(_NUMBERED.sub("", s, count=1) for s in search),
            "".join(_NUMBERED.sub("", r, count=1) for r in replace),
        )
        result = apply_edit(content, cleaned)
        if result is not None:
            return result[0], "line-numbers"
    # 5. split: the block's halves moved apart; anchor each part where the lines differ
    return _split(content, search, replace)


def _split(content: str, search: list[str], replace: list[str]) -> tuple[str, str] | None:
    matcher = difflib.SequenceMatcher(a=search, b=replace, autojunk=False)
    ops = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    if len(ops) < 2:
        return None
    new = content
    for _tag, i1, i2, j1, j2 in ops:
        ctx_before = search[max(0, i1 - 2) : i1]
        old_part = search[i1:i2]
        needle = "".join(ctx_before + old_part)
        if not needle.strip() or new.count(needle) != 1:
            return None
        new = new.replace(needle, "".join(ctx_before + replace[j1:j2]), 1)
    return new, "split"


def check_patch(
    root: Path, text: str, read: Callable[[str], str | None] | None = None
) -> PatchVerdict:
    """The verdict for a patch against the files under ``root`` (nothing is written)."""
    edits, problems = parse_edits(text)
    if problems and not edits:
        return PatchVerdict("rejected", (), problems[0], (), ())
    reader = read or (
        lambda p: (root / p).read_text(encoding="utf-8") if (root / p).is_file() else None
    )
    contents: dict[str, str] = {}
    originals: dict[str, str] = {}
    results: list[EditResult] = []
    for edit in edits:
        problem = path_problem(root, edit.path, creating=edit.search == "")
        if problem:
            return PatchVerdict(
                "rejected",
                (),
                f"{edit.path!r}: {problem}",
                (EditResult(edit.path, "rejected", None, problem),),
                (),
            )
        if edit.path not in contents:
            try:
                current = reader(edit.path)
            except UnicodeDecodeError:
                return PatchVerdict("rejected", (), f"{edit.path}: not UTF-8 text", (), ())
            contents[edit.path] = current or ""
            originals[edit.path] = current or ""
        placed = apply_edit(contents[edit.path], edit)
        if placed is None:
            reason = f"{edit.path}: the text to replace is not in the file, even after every repair"
            results.append(EditResult(edit.path, "rejected", None, reason))
            return PatchVerdict("rejected", (), reason, tuple(results), ())
        contents[edit.path], layer = placed
        results.append(EditResult(edit.path, "applies" if layer == "exact" else "repaired", layer))
    diff = "".join(
        "".join(
            difflib.unified_diff(
                originals[p].splitlines(keepends=True),
                contents[p].splitlines(keepends=True),
                fromfile=f"a/{p}" if originals[p] else "/dev/null",
                tofile=f"b/{p}",
            )
        )
        for p in contents
        if contents[p] != originals[p]
    )
    layers = tuple(dict.fromkeys(r.layer for r in results if r.layer and r.layer != "exact"))
    status = "repaired" if layers else "applies"
    return PatchVerdict(status, layers, None, tuple(results), tuple(contents), diff, dict(contents))


@dataclass(frozen=True)
class Validation:
    parses: bool
    verify: str | None  # "passed", "failed", "timeout", or None when no command was given
    detail: str


def validate_in_worktree(
    repo_root: Path, commit: str, contents: dict[str, str], verify: str | None, timeout: float = 600
) -> Validation:
    """Write the patched files into a throwaway worktree at ``commit``; the user's tree is untouched."""
    from .git import Git

    with Git(repo_root).throwaway_worktree(commit) as tree:
        for path, text in contents.items():
            if path_problem(tree, path, creating=True):
                return Validation(False, None, f"refused path {path!r}")
            target = tree / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        for path, text in contents.items():
            if path.endswith(".py"):
                try:
                    ast.parse(text, filename=path)
                except SyntaxError as exc:
                    return Validation(False, None, f"{path}:{exc.lineno}: {exc.msg}")
        if verify is None:
            return Validation(True, None, "parses")
        try:
            proc = subprocess.run(
                verify, shell=True, cwd=tree, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return Validation(True, "timeout", f"`{verify}` ran past {timeout:.0f}s")
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-1:] or [""]
        return Validation(True, "passed" if proc.returncode == 0 else "failed", tail[0][:300])
