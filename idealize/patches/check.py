"""The verdict on a patch: every path checked (the text is untrusted), every edit placed
(with repair when needed), the result as a unified diff. Nothing is written."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from idealize.patches.edits import parse_edits
from idealize.patches.repair import apply_edit


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


def verdict_to_dict(verdict: PatchVerdict) -> dict[str, object]:
    """The verdict as `idealize patch check --format json` prints it."""
    return {
        "status": verdict.status,
        "layers": list(verdict.layers),
        "reason": verdict.reason,
        "files": list(verdict.files),
        "edits": [
            {"path": e.path, "status": e.status, "layer": e.layer, "reason": e.reason}
            for e in verdict.edits
        ],
    }
