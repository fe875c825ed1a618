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


@pytest.mark.parametrize(
    ("path", "why"),
    [
        (".GIT/hooks/x", "inside .git/"),
        ("GIT~1/x", "'GIT~1' is .git on Windows or macOS"),
        (".git./x", "inside .git/"),
        ("a/git~1/x", "inside .git/"),
        (".git::$INDEX_ALLOCATION/x", "inside .git/"),
        (".g\u200cit/x", "inside .git/"),
        ("\ufeff.GIT/x", "inside .git/"),
        ("a//b.py", "empty path component"),
        ("a/./b.py", ". component"),
        ("a\\b.py", "backslash"),
    ],
)
def test_git_path_rules(path: str, why: str) -> None:
    from idealize.patches.check import git_path_problem

    assert why in (git_path_problem(path) or "")


@pytest.mark.parametrize(
    "path", [".gi\u200bt/x", ".gitignore", ".github/ci.yml", "git~2/x", ".git~1/x", "ünï/x.py"]
)
def test_git_path_rules_accept_real_names(path: str) -> None:
    from idealize.patches.check import git_path_problem

    assert git_path_problem(path) is None


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("new file mode 120000", "symbolic link"),
        ("new file mode 100755", "mode 100755"),
        ("old mode 100644\nnew mode 100755", "changes a file mode"),
        ("deleted file mode 100644", "deletes a file"),
        ("similarity index 90%\nrename from a\nrename to b", "renames a file"),
        ("copy from a\ncopy to b", "copies a file"),
        ("GIT binary patch\nliteral 0", "binary patch"),
        ("new file mode 100644", None),
    ],
)
def test_diff_headers(header: str, why: str | None) -> None:
    from idealize.patches.edits import diff_header_problem

    problem = diff_header_problem(f"diff --git a/a b/a\n{header}\n")
    assert (problem is None) if why is None else why in (problem or "")


def test_diffs_round_trip_line_endings_and_missing_final_newlines(tmp_path: Path) -> None:
    from idealize.patches.check import unified_diff

    (tmp_path / "crlf.txt").write_bytes(b"a\r\nb\r\n")
    (tmp_path / "bare.py").write_bytes(b"x = 1\ny = 2")
    diff = (
        unified_diff("crlf.txt", "a\r\nb\r\n", "a\r\nB\r\n")
        + unified_diff("bare.py", "x = 1\ny = 2", "x = 1\ny = 3")
        + unified_diff("new.py", None, "z = 3")
    )
    verdict = check_patch(tmp_path, diff)
    assert verdict.status == "applies", verdict.reason
    assert verdict.new_contents == {
        "crlf.txt": "a\r\nB\r\n",
        "bare.py": "x = 1\ny = 3",
        "new.py": "z = 3",
    }
    assert verdict.old_contents["new.py"] is None
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert (
        subprocess.run(
            ["git", "apply", "--check", "-"], cwd=tmp_path, input=diff.encode(), capture_output=True
        ).returncode
        == 0
    )  # and git takes the same diff


def test_a_hunk_goes_to_its_stated_line_when_its_text_is_there_twice() -> None:
    text = "x = 1\n" * 3 + "pass\n" + "x = 1\n"
    edit = Edit("f.py", "x = 1\n", "x = 2\n", hint_line=5)
    assert apply_edit(text, edit) == ("x = 1\n" * 3 + "pass\n" + "x = 2\n", "exact")
