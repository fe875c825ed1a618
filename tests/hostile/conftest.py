"""Shared by the hostile-input tests: a snapshot of everything of the user's that idealize
must never change, and the check that an error is one line with a hint and no traceback."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest


def snapshot(repo: Path) -> dict[str, str]:
    """Status, index, stash, worktrees, HEAD, refs and every file's checksum (outside .git
    and idealize's own run folder)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, text=True, check=False
        ).stdout

    state = {
        "status": git("status", "--porcelain=v2", "--untracked-files=all", "--ignored"),
        "index": git("ls-files", "--stage"),
        "stash": git("stash", "list"),
        "worktrees": git("worktree", "list", "--porcelain"),
        "head": git("rev-parse", "HEAD"),
        "refs": git("for-each-ref"),
    }
    for path in sorted(repo.rglob("*")):
        rel = path.relative_to(repo).as_posix()
        if rel.startswith((".git/", ".idealize/")) or rel in (".git", ".idealize"):
            continue
        if path.is_file() and not path.is_symlink():
            state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def assert_clean_error(stderr: str, expected: str | None = None) -> None:
    """One ``error:`` line (and its ``hint:``), never a traceback."""
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, stderr
    assert any(line.startswith("hint:") for line in stderr.splitlines()), stderr
    if expected is not None:
        assert expected in errors[0], errors[0]


@pytest.fixture
def untouched():  # type: ignore[no-untyped-def]
    """Call with the repository before running; the returned check asserts nothing changed."""

    def take(repo: Path):  # type: ignore[no-untyped-def]
        before = snapshot(repo)

        def check() -> None:
            assert snapshot(repo) == before, "the user's repository changed"

        return check

    return take
