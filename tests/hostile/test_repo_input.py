"""Hostile or unusual repositories (issue 11, items 3, 8, 11, 13): a clear one-line error or
a correct plan, never a traceback, and nothing of the user's changed."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from idealize.cli import app
from idealize.config import Config
from idealize.pipeline import run
from tests.conftest import Repo

runner = CliRunner()


def _state(path: Path) -> tuple[str, ...]:
    """Everything of the user's a run could touch: status, index, stash, worktrees, files."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=path, capture_output=True, text=True, check=False
        ).stdout

    files = []
    for root, dirs, names in os.walk(path):
        dirs[:] = [d for d in dirs if d not in (".git", ".idealize")]
        for n in sorted(names):
            p = Path(root) / n
            if p.is_symlink():
                files.append(f"{p.relative_to(path)} -> {os.readlink(p)}")
            elif p.is_file():
                files.append(f"{p.relative_to(path)} {hashlib.sha256(p.read_bytes()).hexdigest()}")
    index = (path / ".git" / "index").read_bytes() if (path / ".git" / "index").exists() else b""
    return (
        git("status", "--porcelain", "--untracked-files=all"),
        hashlib.sha256(index).hexdigest(),
        git("stash", "list"),
        git("worktree", "list", "--porcelain"),
        git("rev-parse", "HEAD"),
        *sorted(files),
    )


def _one_line_error(output: str, code: int, expected: int = 2) -> None:
    assert code == expected, output
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, output


def _review(repo: Repo, *targets: str) -> tuple[str, int]:
    result = runner.invoke(app, ["review", *targets, "--repo", str(repo.path), "--dry-run"])
    return result.output, result.exit_code


@pytest.fixture
def project(repo: Repo, tmp_path: Path) -> Repo:
    repo.write("app/__init__.py", "")
    repo.write("app/core.py", "def parse(text):\n    return text.strip()\n")
    repo.commit("base")
    return repo


def test_review_refuses_a_symlink_out_of_the_repository(project: Repo, tmp_path: Path) -> None:
    secret = tmp_path / "outside.py"
    secret.write_text("API_TOKEN = 'from-outside-the-repo'\n")
    os.symlink(secret, project.path / "app" / "leak.py")
    project.commit("add a link")
    before = _state(project.path)
    out, code = _review(project, "app/leak.py")
    _one_line_error(out, code)
    assert "symbolic link" in out and "from-outside-the-repo" not in out
    assert not (project.path / ".idealize").exists() or not any(
        "from-outside-the-repo" in p.read_text() for p in (project.path / ".idealize").rglob("*.md")
    )
    assert _state(project.path) == before


def test_review_refuses_a_symlinked_folder(project: Repo, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.py").write_text("def x():\n    return 'outside'\n")
    os.symlink(outside, project.path / "linked")
    before = _state(project.path)
    out, code = _review(project, "linked/x.py")
    _one_line_error(out, code)
    assert "symbolic link" in out
    out, code = _review(project, "linked")
    _one_line_error(out, code)
    assert _state(project.path) == before


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("app", "a folder or a submodule"),
        ("../outside.py", "leaves the repository"),
        ("/etc/passwd", "not a path inside the repository"),
        ("app/missing.py", "not a tracked"),
        ("app/core.py::nope", "has no symbol 'nope'"),
    ],
)
def test_review_bad_targets(project: Repo, target: str, why: str) -> None:
    before = _state(project.path)
    out, code = _review(project, target)
    _one_line_error(out, code)
    assert why in out
    assert _state(project.path) == before


def test_review_of_a_submodule(project: Repo, tmp_path: Path) -> None:
    inner = Repo(tmp_path / "inner")
    inner.write("lib.py", "x = 1\n")
    inner.commit("inner")
    project.git(
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        str(inner.path),
        "vendor/inner",
    )
    project.commit("add submodule")
    before = _state(project.path)
    out, code = _review(project, "vendor/inner")
    _one_line_error(out, code)
    assert _state(project.path) == before


def test_review_of_a_binary_file(project: Repo) -> None:
    project.write("app/blob.py", b"\x00\x01\x02 binary \xff")
    project.commit("binary")
    out, code = _review(project, "app/blob.py")
    _one_line_error(out, code)
    assert "binary" in out


def test_worktrees_on_a_repository_without_commits(tmp_path: Path) -> None:
    empty = Repo(tmp_path / "empty")
    empty.write("a.py", "x = 1\n")
    for args in (["cleanup", str(empty.path), "--worktrees"], ["cleanup", str(empty.path)]):
        result = runner.invoke(app, args)
        _one_line_error(result.output, result.exit_code)
        assert "no commits yet" in result.output


def test_many_identical_copies_are_one_finding(repo: Repo) -> None:
    """300 agents adding the same function is the strongest duplicate there is, not noise
    that a rarity weighting can discount (it gave 0 findings above 250 copies)."""
    repo.write("app/__init__.py", "")
    repo.commit("base")
    body = (
        "def {name}(items):\n    seen = set()\n    out = []\n    for item in items:\n"
        "        key = item.strip().lower()\n        if key and key not in seen:\n"
        "            seen.add(key)\n            out.append(key)\n    return out\n"
    )
    n = 60
    for i in range(n):
        repo.git("checkout", "-q", "-b", f"agent/{i}", "main")
        repo.write(f"app/m{i}.py", body.format(name="unique_keys"))
        repo.commit(f"agent {i}")
    repo.git("checkout", "-q", "main")
    plan = run(Config(repo=repo.path, branches=tuple(f"agent/{i}" for i in range(n)), into="main"))
    dups = [f for f in plan.findings if f.kind == "duplicate" and f.tier == "finding"]
    assert len(dups) == 1, [f.title for f in plan.findings]
    assert any(f"identical code in {n} places" in e for e in dups[0].evidence)


def test_conflict_markers_committed_by_a_merge_are_not_benign(repo: Repo) -> None:
    repo.write("app/settings.py", "TIMEOUT = 10\n")
    repo.commit("base")
    repo.git("tag", "base")
    for name, value in (("a", "20"), ("b", "30")):
        repo.git("checkout", "-q", "-b", name, "base")
        repo.write("app/settings.py", f"TIMEOUT = {value}\n")
        repo.commit(f"timeout {value}")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'a'", "a")
    subprocess.run(
        ["git", "merge", "--no-ff", "-m", "Merge branch 'b'", "b"],
        cwd=repo.path,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "T",
            "GIT_AUTHOR_EMAIL": "t@e",
            "GIT_COMMITTER_NAME": "T",
            "GIT_COMMITTER_EMAIL": "t@e",
        },
    )
    repo.git("add", "-A")  # the markers are committed as they are
    repo.git("commit", "-q", "--no-edit")
    assert "<<<<<<<" in (repo.path / "app/settings.py").read_text()
    plan = run(Config(repo=repo.path, since="base"))
    module = next(m for m in plan.modules if m.path == "app/settings.py")
    assert module.verdict.startswith("Conflict: unresolved conflict markers at HEAD"), module
    assert any("conflict markers" in n for n in plan.notes)
