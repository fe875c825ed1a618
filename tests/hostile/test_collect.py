"""Collection on hostile repositories: a clear error or a clean run, never a traceback or a
hang, and nothing of the user's changed."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import Repo

CLI = (sys.executable, "-c", "from idealize.cli import main; main()")


def _snapshot(repo: Repo) -> tuple[str, ...]:
    """What the user would notice: status, refs, stash, worktrees, files."""
    files = sorted(p for p in repo.path.rglob("*") if p.is_file() and ".git" not in p.parts)
    return (
        repo.git("status", "--porcelain", "--untracked-files=all"),
        repo.git("for-each-ref"),
        repo.git("stash", "list"),
        repo.git("worktree", "list", "--porcelain"),
        *(f"{p}:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in files),
    )


def _cleanup(repo: Repo, since: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "cleanup", str(repo.path), "--since", since, "--offline", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "IDEALIZE_WORKERS": "2", "IDEALIZE_CACHE_DIR": str(cache)},
    )


def _history(repo: Repo, branches: int, text: str) -> None:
    repo.write("app/base.py", "def base():\n    return 1\n")
    repo.commit("base")
    repo.git("tag", "start")
    for i in range(branches):
        repo.git("checkout", "-q", "-b", f"agent/{i}")
        repo.write(f"app/m{i}.py", text.replace("N", str(i)))
        repo.commit(f"agent {i}")
        repo.git("checkout", "-q", "main")
        repo.git("merge", "-q", "--no-ff", "-m", f"Merge branch 'agent/{i}'", f"agent/{i}")


def test_a_missing_object_is_skipped_not_a_traceback_or_a_hang(repo: Repo, tmp_path: Path) -> None:
    """A damaged repository, a partial clone offline or a mirror without its largest files:
    git refuses a diff touching the missing blob, and the rest of the history is still read;
    the file is listed as skipped with the reason, and nothing in the repository changes."""
    _history(repo, 6, "def f_N(x):\n    return x + N\n")
    blob = repo.git("rev-parse", "HEAD:app/m3.py").strip()
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # a damaged repository
    before = _snapshot(repo)
    proc = _cleanup(repo, "start", tmp_path / "cache")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    plan = json.loads(proc.stdout)
    assert [s["what"] for s in plan["skipped"] if "missing from this clone" in s["reason"]] == [
        "app/m3.py"
    ]
    assert len(plan["branches"]) == 6
    assert _snapshot(repo) == before


def test_definitions_nested_thousands_deep_are_parsed_without_overflowing(
    repo: Repo, tmp_path: Path
) -> None:
    # 600 levels overflowed Python's stack in the walk over the syntax tree. One space per
    # level (valid Python): each class's text holds every class inside it, so four would
    # make the file, and the work over every nested definition, four times larger
    deep = "".join(" " * i + f"class C{i}_N:\n" for i in range(600)) + " " * 600 + "pass\n"
    _history(repo, 3, deep)
    before = _snapshot(repo)
    proc = _cleanup(repo, "start", tmp_path / "cache")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    plan = json.loads(proc.stdout)
    (changed,) = [f for f in plan["branches"][0]["files"] if f["path"] == "app/m0.py"]
    assert changed["symbols"] and all(s["kind"] == "class" for s in changed["symbols"])
    assert _snapshot(repo) == before
