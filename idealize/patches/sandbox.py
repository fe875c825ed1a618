"""Validation in a throwaway ``git worktree`` at the plan's commit: the patched files must
parse, and the project's own test command may run there. The user's tree is never touched."""

from __future__ import annotations

import ast
import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from idealize.patches.check import path_problem
from idealize.repo.git import Git
from idealize.repo.throwaway import throwaway_worktree


@dataclass(frozen=True)
class Validation:
    parses: bool
    verify: str | None  # "passed", "failed", "timeout", or None when no command was given
    detail: str


def validate_in_worktree(
    repo_root: Path, commit: str, contents: dict[str, str], verify: str | None, timeout: float = 600
) -> Validation:
    """Write the patched files into a throwaway worktree at ``commit``; the user's tree is
    untouched, and the worktree is removed afterwards (also on SIGINT, SIGTERM or SIGHUP)."""
    with throwaway_worktree(Git(repo_root), commit) as tree:
        for path, text in contents.items():
            if path_problem(tree, path, creating=True):
                return Validation(False, None, f"refused path {path!r}")
            target = tree / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        for path, text in contents.items():
            if path.endswith(".py"):
                try:
                    ast.parse(text, filename=path)
                except SyntaxError as exc:
                    return Validation(False, None, f"{path}:{exc.lineno}: {exc.msg}")
        if verify is None:
            return Validation(True, None, "parses")
        return _run_verify(verify, tree, timeout)


_POLL = 0.5  # seconds between looks at signals while the test command runs


def _run_verify(verify: str, tree: Path, timeout: float) -> Validation:
    """The test command in its own process group, so a timeout or an interrupted run stops
    everything it started (a test runner's children too) before the worktree goes."""
    proc = subprocess.Popen(
        verify,
        shell=True,
        cwd=tree,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    try:
        while True:
            # short waits: a SIGTERM the kernel hands to another thread only sets a flag, and
            # the main thread acts on it when it wakes up, not at the end of a 600 s wait
            try:
                out, _ = proc.communicate(timeout=min(_POLL, max(0.0, deadline - time.monotonic())))
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    _kill_group(proc)
                    return Validation(True, "timeout", f"`{verify}` ran past {timeout:.0f}s")
    except BaseException:
        _kill_group(proc)
        raise
    tail = out.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    return Validation(True, "passed" if proc.returncode == 0 else "failed", tail[0][:300])


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
