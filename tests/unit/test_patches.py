"""Patches: the corpus verdicts, the repair layers, the worktree validation, apply and check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from idealize.cli import app
from idealize.patches.check import check_patch, path_problem
from idealize.patches.edits import Edit
from idealize.patches.repair import apply_edit
from idealize.patches.sandbox import validate_in_worktree

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CORPUS = Path(__file__).parents[1] / "patches"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text())["case"]
runner = CliRunner()


@pytest.fixture
def corpus_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(CORPUS / "repo", root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "vendor").mkdir()
    os.symlink(outside, root / "vendor" / "link")
    (root / "assets").mkdir()
    (root / "assets" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00PNG")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
    }
    subprocess.run(["git", "commit", "-qm", "corpus"], cwd=root, check=True, env=env)
    return root


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_corpus_verdicts(corpus_repo: Path, case: dict[str, str]) -> None:
    before = _snapshot(corpus_repo.parent)
    verdict = check_patch(corpus_repo, (CORPUS / case["file"]).read_text())
    assert verdict.status == case["status"], verdict
    if "layer" in case:
        assert case["layer"] in verdict.layers
    if "reason" in case:
        assert case["reason"] in (verdict.reason or "")
    assert _snapshot(corpus_repo.parent) == before  # checking writes nothing


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("app/a\x00b.py", "NUL or newline"),
        ("app/a\nb.py", "NUL or newline"),
        ("C:\\windows\\x.py", "absolute path"),
        ("/etc/passwd", "absolute path"),
        ("app/../../x.py", "leaves the repository"),
        (".git/hooks/pre-commit", "inside .git/"),
        ("", "no file path"),
    ],
)
def test_hostile_paths(corpus_repo: Path, bad: str, why: str) -> None:
    assert why in (path_problem(corpus_repo, bad, creating=True) or "")


def test_no_hostile_patch_touches_anything_outside_a_throwaway_worktree(corpus_repo: Path) -> None:
    before = _snapshot(corpus_repo.parent)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=corpus_repo, capture_output=True, text=True
    ).stdout.strip()
    for name in (
        "../escape.py",
        ".git/hooks/pre-commit",
        "vendor/link/evil.py",
        "/tmp/idealize-evil.py",
    ):
        result = validate_in_worktree(corpus_repo, head, {name: "print('pwned')\n"}, "true")
        assert "refused" in result.detail
    good = validate_in_worktree(
        corpus_repo,
        head,
        {"app/calc.py": "def add(a, b):\n    return a + b\n"},
        "test -f app/calc.py",
    )
    assert good.parses and good.verify == "passed"
    broken = validate_in_worktree(corpus_repo, head, {"app/calc.py": "def add(:\n"}, None)
    assert not broken.parses and "calc.py" in broken.detail
    assert _snapshot(corpus_repo.parent) == before
    assert not Path("/tmp/idealize-evil.py").exists()
    worktrees = subprocess.run(
        ["git", "worktree", "list"], cwd=corpus_repo, capture_output=True, text=True
    ).stdout
    assert len(worktrees.strip().splitlines()) == 1  # every throwaway worktree removed


def test_each_repair_layer_on_its_own() -> None:
    text = "def f():\n    if x:\n        return 1\n    return 2\n"
    assert apply_edit(text, Edit("f.py", "        return 1\n", "        return 3\n")) == (
        text.replace("return 1", "return 3"),
        "exact",
    )
    assert (
        apply_edit(
            text, Edit("f.py", "    if x:  \n\t    return 1\n", "    if x:\n        return 9\n")
        )[1]
        == "whitespace"
    )  # type: ignore[index]
    new, layer = apply_edit(text, Edit("f.py", "if x:\n    return 1\n", "if x:\n    return 4\n"))  # type: ignore[misc]
    assert layer == "indentation" and "        return 4\n" in new
    new, layer = apply_edit(text, Edit("f.py", "3:         return 1\n", "3:         return 5\n"))  # type: ignore[misc]
    assert layer == "line-numbers" and "return 5" in new
    assert apply_edit(text, Edit("f.py", "nothing like it\n", "x\n")) is None


def test_cleanup_with_patches_and_verify(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    src = sample_repo("py-model-hub", "merge")
    repo = tmp_path / "hub"
    shutil.copytree(src, repo, symlinks=True)
    before = _snapshot(repo)
    out = tmp_path / "run"
    env_path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    result = runner.invoke(
        app,
        [
            "cleanup",
            str(repo),
            "--since",
            "sample-base",
            "-m",
            "fake/demo",
            "--patches",
            "--verify",
            "pytest -q",
            "--out",
            str(out),
            "-f",
            "json",
        ],
        env={"PATH": env_path},
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    applied = [p for p in plan["patches"] if p["status"] in ("applies", "repaired")]
    assert applied and all(p["verify"] == "passed" and p["parses"] for p in applied)
    assert applied[0]["files"] == ["hub/chat.py"] and "render_prompt" in applied[0]["diff"]
    assert _snapshot(repo) == before  # the user's tree was never touched
    # idealize apply puts the chosen patch into the working tree
    applied_now = runner.invoke(app, ["apply", str(out), applied[0]["id"], "--repo", str(repo)])
    assert applied_now.exit_code == 0, applied_now.output
    assert "render_prompt" in (repo / "hub" / "chat.py").read_text()
    again = runner.invoke(app, ["apply", str(out), applied[0]["id"], "--repo", str(repo)])
    assert (
        again.exit_code == 2
        and "uncommitted changes in files the patches touch: hub/chat.py" in again.stderr
    )
    subprocess.run(["git", "checkout", "-q", "--", "hub/chat.py"], cwd=repo, check=True)
    subprocess.run(
        ["git", "commit", "-q", "--allow-empty", "-m", "moved on"],
        cwd=repo,
        check=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@e",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@e",
        },
    )
    moved = runner.invoke(app, ["apply", str(out), applied[0]["id"], "--repo", str(repo)])
    assert moved.exit_code == 2 and "HEAD moved on" in moved.stderr


def test_patch_check_command(corpus_repo: Path) -> None:
    ok = runner.invoke(
        app,
        ["patch", "check", str(CORPUS / "sr-indent.txt"), "--repo", str(corpus_repo), "-f", "json"],
    )
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.stdout)
    assert data["status"] == "repaired" and data["layers"] == ["indentation"]
    bad = runner.invoke(
        app, ["patch", "check", str(CORPUS / "hostile-git-hooks.txt"), "--repo", str(corpus_repo)]
    )
    assert bad.exit_code == 1 and bad.stdout.startswith("rejected: ") and ".git/" in bad.stdout
    missing = runner.invoke(
        app, ["patch", "check", str(CORPUS / "nope.txt"), "--repo", str(corpus_repo)]
    )
    assert missing.exit_code == 2
