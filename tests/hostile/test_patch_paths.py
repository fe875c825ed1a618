"""`idealize patch check` agrees with git on where a patch may write: `git apply --check`
with core.protectNTFS and core.protectHFS on, over a corpus of path tricks (the spellings of
`.git` on Windows and macOS, traversal, empty and dot components). Where idealize is
stricter, on purpose, the corpus says why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Repo
from tests.hostile.conftest import invoke, unchanged

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CORPUS = tomllib.loads((Path(__file__).parent / "corpus" / "path-tricks.toml").read_text())


def _creation(path: str) -> str:
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        "@@ -0,0 +1 @@\n+print('hello')\n"
    )


@pytest.fixture(scope="module")
def corpus_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = Repo(tmp_path_factory.mktemp("paths") / "repo")
    repo.write("ok/a.py", "x = 1\n")
    repo.commit("base")
    return repo.path


def _git_accepts(repo: Path, diff: str) -> tuple[bool, str]:
    proc = subprocess.run(
        [
            "git",
            "-c",
            "core.protectNTFS=true",
            "-c",
            "core.protectHFS=true",
            "apply",
            "--check",
            "-",
        ],
        cwd=repo,
        input=diff.encode(),
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull},
    )
    return proc.returncode == 0, proc.stderr.decode("utf-8", "replace").strip()


def _idealize_accepts(repo: Path, diff: str, tmp_path: Path) -> tuple[bool, str]:
    patch = tmp_path / "trick.patch"
    patch.write_bytes(diff.encode())
    result = invoke(["patch", "check", str(patch), "--repo", str(repo)])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    return result.exit_code == 0, result.stdout.strip()


@pytest.mark.parametrize("path", [c["path"] for c in CORPUS["agree"]], ids=ascii)
def test_patch_check_agrees_with_git(corpus_repo: Path, tmp_path: Path, path: str) -> None:
    diff = _creation(path)
    with unchanged(corpus_repo):
        git_ok, git_says = _git_accepts(corpus_repo, diff)
        ours_ok, ours_says = _idealize_accepts(corpus_repo, diff, tmp_path)
    assert ours_ok == git_ok, f"git: {git_says or 'applies'}; idealize: {ours_says}"


@pytest.mark.parametrize("case", CORPUS["stricter"], ids=lambda c: ascii(c["path"]))
def test_patch_check_is_stricter_where_it_says_so(
    corpus_repo: Path, tmp_path: Path, case: dict[str, str]
) -> None:
    diff = _creation(case["path"])
    with unchanged(corpus_repo):
        git_ok, _ = _git_accepts(corpus_repo, diff)
        ours_ok, ours_says = _idealize_accepts(corpus_repo, diff, tmp_path)
    assert git_ok and not ours_ok
    assert case["why"] in ours_says
