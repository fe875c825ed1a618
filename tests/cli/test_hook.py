"""The pre-push hook both ways: git's ref lines on stdin (`idealize hook install`) and
pre-commit's PRE_COMMIT_* variables, through a real pre-commit install in a temporary
repository. pre-commit runs offline: the hook is a `repo: local` hook made from the shipped
.pre-commit-hooks.yaml, so nothing is cloned or installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))},
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def pushing(sample_repo: Callable[[str, str], Path], tmp_path: Path) -> tuple[Path, Path]:
    """A clone of the unmerged sample with an empty bare remote to push to."""
    repo = tmp_path / "repo"
    shutil.copytree(sample_repo("py-model-hub", "unmerged"), repo, symlinks=True)
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    subprocess.run(["git", "remote", "add", "origin", str(remote)], cwd=repo, check=True)
    subprocess.run(["git", "push", "-q", "origin", "main"], cwd=repo, check=True)
    return repo, remote


@pytest.fixture
def pre_commit_config(tmp_path: Path) -> Path:
    """The shipped hook as a local one (language system: idealize is already installed)."""
    (shipped,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = {**shipped, "language": "system"}
    config = tmp_path / "pre-commit-config.yaml"
    config.write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}))
    return config


def _pre_commit() -> str:
    found = BIN / "pre-commit"
    if not found.exists():
        pytest.fail("pre-commit is not installed next to python: pip install '.[test]'")
    return str(found)


def _remote_has(remote: Path, branch: str) -> bool:
    out = subprocess.run(
        ["git", "for-each-ref", "--format=%(refname)", f"refs/heads/{branch}"],
        cwd=remote,
        capture_output=True,
        text=True,
    ).stdout
    return bool(out.strip())


def test_pre_commit_run_blocks_a_phantom_dependency_and_allows_a_clean_branch(
    pushing: tuple[Path, Path], pre_commit_config: Path, tmp_path: Path
) -> None:
    repo, _ = pushing
    env = _env(tmp_path)
    base = [_pre_commit(), "run", "--hook-stage", "pre-push", "-c", str(pre_commit_config)]
    blocked = _run([*base, "--from-ref", "main", "--to-ref", "agent/cli-chat"], repo, env)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    out = blocked.stdout + blocked.stderr
    assert "idealize drift check" in out and "Failed" in out
    assert "push blocked: 1 finding(s) of kind phantom_dependency involve agent/cli-chat" in out
    assert "format_prompt" in out
    # only the findings that block, and the command that shows the rest
    assert out.count("### ") == 1 and "## Branches" not in out and "duplicate" not in out
    assert re.search(
        r"see every finding \(\d+ more not blocking\): idealize cleanup --into main", out
    )
    allowed = _run([*base, "--from-ref", "main", "--to-ref", "agent/ollama-registry"], repo, env)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "Passed" in allowed.stdout


def test_a_real_push_through_pre_commits_hook(
    pushing: tuple[Path, Path], pre_commit_config: Path, tmp_path: Path
) -> None:
    repo, remote = pushing
    env = _env(tmp_path)
    installed = _run(
        [_pre_commit(), "install", "--hook-type", "pre-push", "-c", str(pre_commit_config)],
        repo,
        env,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    blocked = _run(["git", "push", "origin", "agent/cli-chat"], repo, env)
    assert blocked.returncode != 0
    assert "push blocked" in blocked.stdout + blocked.stderr
    assert not _remote_has(remote, "agent/cli-chat")
    allowed = _run(["git", "push", "origin", "agent/ollama-registry"], repo, env)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert _remote_has(remote, "agent/ollama-registry")


def test_a_real_push_through_idealizes_own_hook(pushing: tuple[Path, Path], tmp_path: Path) -> None:
    repo, remote = pushing
    env = _env(tmp_path)
    installed = _run([str(BIN / "idealize"), "hook", "install"], repo, env)
    assert installed.returncode == 0, installed.stderr
    blocked = _run(["git", "push", "origin", "agent/cli-chat"], repo, env)
    assert blocked.returncode != 0 and "push blocked" in blocked.stderr
    assert "idealize: push anyway: git push --no-verify" in blocked.stderr
    assert not _remote_has(remote, "agent/cli-chat")
    allowed = _run(["git", "push", "origin", "agent/ollama-registry"], repo, env)
    assert allowed.returncode == 0, allowed.stderr
    assert _remote_has(remote, "agent/ollama-registry")


def test_the_hook_reads_pre_commits_variables_before_stdin(
    pushing: tuple[Path, Path], tmp_path: Path
) -> None:
    """pre-commit sets PRE_COMMIT_LOCAL_BRANCH (as the hook) or only FROM/TO_REF (`run`);
    with neither, and nothing on stdin, the current branch is checked."""
    repo, _ = pushing
    idealize = str(BIN / "idealize")
    env = _env(tmp_path)
    as_hook = {**env, "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/agent/cli-chat"}
    assert _run([idealize, "hook", "pre-push"], repo, as_hook).returncode == 1
    sha = _run(["git", "rev-parse", "agent/cli-chat"], repo, env).stdout.strip()
    by_range = {**env, "PRE_COMMIT_FROM_REF": "main", "PRE_COMMIT_TO_REF": sha}
    assert _run([idealize, "hook", "pre-push"], repo, by_range).returncode == 1
    clean = {**env, "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/agent/ollama-registry"}
    assert _run([idealize, "hook", "pre-push"], repo, clean).returncode == 0
    subprocess.run(["git", "checkout", "-q", "agent/cli-chat"], cwd=repo, check=True)
    assert _run([idealize, "hook", "pre-push"], repo, env).returncode == 1  # the current branch
