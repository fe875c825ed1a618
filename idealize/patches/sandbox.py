"""Validation in a throwaway ``git worktree`` at the plan's commit: the patched files must
parse, and the project's own test command may run there. The user's tree is never touched."""

from __future__ import annotations

import ast
import subprocess
from dataclasses import dataclass
from pathlib import Path

from idealize.patches.check import path_problem


@dataclass(frozen=True)
class Validation:
    parses: bool
    verify: str | None  # "passed", "failed", "timeout", or None when no command was given
    detail: str


def validate_in_worktree(
    repo_root: Path, commit: str, contents: dict[str, str], verify: str | None, timeout: float = 600
) -> Validation:
    """Write the patched files into a throwaway worktree at ``commit``; the user's tree is untouched."""
    from idealize.repo.git import Git

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
