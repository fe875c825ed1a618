"""The verdict on a patch: every path checked (the text is untrusted), every edit placed
(with repair when needed), the result as a unified diff. Nothing is written."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

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
    # each edited file's text before the patch; None: the patch creates it
    old_contents: dict[str, str | None] = field(default_factory=dict)


# Code points HFS+ ignores when it compares names: git's ``next_hfs_char`` skips them, so
# ``.g\u200cit`` is ``.git`` on a Mac (core.protectHFS).
_HFS_IGNORED = frozenset(
    [0x200C, 0x200D, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x206A, 0x2070), 0xFEFF]
)


def _ascii_lower(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text)


def _is_ntfs_dotgit(component: str) -> bool:
    """git's ``is_ntfs_dotgit``: ``.git`` or its 8.3 short name ``git~1``, in any case, followed
    only by spaces and dots (which NTFS drops) up to the end or an alternate stream (``:``)."""
    low = _ascii_lower(component)
    for name in (".git", "git~1"):
        if low.startswith(name):
            rest = component[len(name) :].split(":", 1)[0]
            return all(c in " ." for c in rest)
    return False


def _is_hfs_dotgit(component: str) -> bool:
    """git's ``is_hfs_dotgit``: ``.git`` in any case once the code points HFS+ ignores are dropped."""
    return _ascii_lower("".join(c for c in component if ord(c) not in _HFS_IGNORED)) == ".git"


def git_path_problem(path: str) -> str | None:
    """Why git itself would refuse this path in a patch (``verify_path`` with core.protectNTFS
    and core.protectHFS on), or None. Checked on the text alone; see ``path_problem``."""
    if not path:
        return "no file path"
    if "\x00" in path or "\n" in path or "\r" in path:
        return "path contains a NUL or newline"
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", path):
        return "absolute path"
    if "\\" in path:
        # git on Linux takes a backslash as part of a name; on Windows it is a separator
        return "path contains a backslash"
    for part in path.split("/"):
        if part == "":
            return "empty path component (// or a trailing /)"
        if part in (".", ".."):
            return "path leaves the repository (..)" if part == ".." else "path has a . component"
        if _is_ntfs_dotgit(part) or _is_hfs_dotgit(part):
            alias = "" if part.lower() == ".git" else f" ({part!r} is .git on Windows or macOS)"
            return f"path inside .git/{alias}"
    return None


def path_problem(root: Path, path: str, creating: bool) -> str | None:
    """Why a path must not be written, or None. The path is model output (or a hand-edited
    run folder): untrusted. git's own rules first, then what is on disk: no symbolic link
    on the way, nothing outside the root, only regular text files."""
    problem = git_path_problem(path)
    if problem:
        return problem
    parts = path.split("/")
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
        with target.open("rb") as fh:
            head = fh.read(8000)
        if b"\x00" in head:
            return "binary file"
    elif not creating:
        return "file does not exist (an empty SEARCH creates a file)"
    return None


def _read_text(root: Path, path: str) -> str | None:
    """A file's text as it is on disk (line endings kept), or None when there is none."""
    target = root / path
    return target.read_bytes().decode("utf-8") if target.is_file() else None


def check_patch(
    root: Path, text: str, read: Callable[[str], str | None] | None = None
) -> PatchVerdict:
    """The verdict for a patch against the files under ``root`` (nothing is written)."""
    edits, problems = parse_edits(text)
    if problems and not edits:
        return PatchVerdict("rejected", (), problems[0], (), ())
    reader = read or (lambda p: _read_text(root, p))
    contents: dict[str, str] = {}
    originals: dict[str, str | None] = {}
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
            if edit.creates and current is not None:
                reason = f"{edit.path}: the patch creates it, but it already exists"
                return PatchVerdict("rejected", (), reason, (), ())
            contents[edit.path] = current or ""
            originals[edit.path] = current
        placed = apply_edit(contents[edit.path], edit)
        if placed is None:
            reason = f"{edit.path}: the text to replace is not in the file, even after every repair"
            results.append(EditResult(edit.path, "rejected", None, reason))
            return PatchVerdict("rejected", (), reason, tuple(results), ())
        contents[edit.path], layer = placed
        results.append(EditResult(edit.path, "applies" if layer == "exact" else "repaired", layer))
    diff = "".join(
        unified_diff(p, originals[p], contents[p])
        for p in contents
        if contents[p] != (originals[p] or "") or originals[p] is None
    )
    layers = tuple(dict.fromkeys(r.layer for r in results if r.layer and r.layer != "exact"))
    status = "repaired" if layers else "applies"
    return PatchVerdict(
        status,
        layers,
        None,
        tuple(results),
        tuple(contents),
        diff,
        dict(contents),
        {p: text for p, text in originals.items()},
    )


def unified_diff(path: str, old: str | None, new: str) -> str:
    """A git-style unified diff of one file that ``git apply`` takes: a header naming a new
    file, and the "no newline at end of file" marker where a last line has none."""
    head = f"diff --git a/{path} b/{path}\n"
    if old is None:
        head += "new file mode 100644\n"
    body = []
    for line in difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{path}" if old is not None else "/dev/null",
        tofile=f"b/{path}",
    ):
        body.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return head + "".join(body) if body else ""


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
