"""Shared helpers for hostile-input tests: what the user has must come out unchanged, and an
error must be one ``error:`` line (with an optional ``hint:``), never a traceback.

    with unchanged(repo):                      # git status, index, stash, worktrees, refs,
        result = invoke(["cleanup", ...])      # HEAD, hooks, config and every file's checksum
    assert_error(result, 2, "not UTF-8")       # exit code, one error line, no traceback

``snapshot(path)`` works on any folder; for a git repository it also records git's view.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner, Result

from idealize.cli import app

runner = CliRunner()


def _git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
    )
    return proc.stdout.decode("utf-8", "surrogateescape") + f"[exit {proc.returncode}]"


def _checksums(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (inside .git too): file checksums, link targets, folders."""
    found: dict[str, str] = {}
    if not folder.exists():
        return found
    for dirpath, dirnames, filenames in os.walk(folder):
        base = Path(dirpath)
        for name in dirnames:
            p = base / name
            if p.is_symlink():
                found[str(p.relative_to(folder))] = f"link -> {os.readlink(p)}"
            else:
                found[str(p.relative_to(folder))] = f"dir {p.stat().st_mode & 0o7777:o}"
        for name in filenames:
            p = base / name
            rel = str(p.relative_to(folder))
            if rel.startswith((".git/objects/", ".git/logs/")):
                continue  # content-addressed objects (reading a work tree adds blobs) and reflogs
            if p.is_symlink():
                found[rel] = f"link -> {os.readlink(p)}"
            else:
                mode = p.stat().st_mode & 0o7777
                found[rel] = f"{mode:o} {hashlib.sha256(p.read_bytes()).hexdigest()}"
    return found


@dataclass(frozen=True)
class Snapshot:
    """What a user has in a folder, and (for a repository) what git says about it."""

    git: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)

    def diff(self, other: Snapshot) -> list[str]:
        changes = [
            f"git {key}: {self.git.get(key)!r} -> {other.git.get(key)!r}"
            for key in sorted(set(self.git) | set(other.git))
            if self.git.get(key) != other.git.get(key)
        ]
        for path in sorted(set(self.files) | set(other.files)):
            if self.files.get(path) != other.files.get(path):
                changes.append(f"{path}: {self.files.get(path)} -> {other.files.get(path)}")
        return changes


GIT_VIEWS: dict[str, Sequence[str]] = {
    "status": ("status", "--porcelain=v2", "--untracked-files=all", "--ignored"),
    "index": ("ls-files", "--stage", "--debug"),
    "stash": ("stash", "list"),
    "worktrees": ("worktree", "list", "--porcelain"),
    "refs": ("for-each-ref", "--format=%(refname) %(objectname)"),
    "head": ("symbolic-ref", "-q", "HEAD"),
    "head_commit": ("rev-parse", "-q", "--verify", "HEAD"),
    "config": ("config", "--local", "--list"),
}


def snapshot(folder: Path) -> Snapshot:
    """The state of ``folder``: every file's checksum, and git's view when it is a repository."""
    views: dict[str, str] = {}
    if (folder / ".git").exists():
        views = {name: _git(folder, *args) for name, args in GIT_VIEWS.items()}
    return Snapshot(views, _checksums(folder))


@contextmanager
def unchanged(*folders: Path) -> Iterator[None]:
    """Assert that nothing in ``folders`` changed while the block ran."""
    before = [snapshot(f) for f in folders]
    yield
    for folder, then in zip(folders, before, strict=True):
        changes = then.diff(snapshot(folder))
        assert not changes, f"{folder} changed:\n" + "\n".join(changes[:20])


def invoke(
    args: Sequence[str], input: str | None = None, env: Mapping[str, str] | None = None
) -> Result:
    """Run the CLI in-process; a traceback would surface as ``result.exception``."""
    return runner.invoke(app, list(args), input=input, env=dict(env or {}))


def assert_error(result: Result, code: int, *fragments: str) -> None:
    """Exit ``code``; stderr is one ``error:`` line and at most one ``hint:`` line, with
    every fragment in the error line; no traceback anywhere."""
    output = f"{result.stdout}\n{result.stderr}"
    assert "Traceback" not in output, output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code, f"exit {result.exit_code}, wanted {code}:\n{output}"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, f"wanted one error line:\n{result.stderr}"
    hints = [line for line in lines if line.startswith("hint: ")]
    assert len(hints) <= 1, result.stderr
    assert lines[-1] in (errors[0], *hints), f"the error must come last:\n{result.stderr}"
    for fragment in fragments:
        assert fragment in errors[0], f"{fragment!r} not in {errors[0]!r}"
