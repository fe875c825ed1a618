"""Stopping a run: SIGTERM and SIGHUP during `--verify` remove the throwaway worktree (and
stop the test command) as SIGINT does; a run killed outright leaves a worktree that the next
run recognises, never analyses as the user's work, and prunes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from idealize.evaluate.samples import build_sample, get_sample
from tests.hostile.conftest import invoke, snapshot

IDEALIZE = Path(sys.executable).parent / "idealize"


def _worktrees(repo: Path) -> list[str]:
    out = subprocess.run(
        ["git", "worktree", "list", "--porcelain"], cwd=repo, capture_output=True, text=True
    ).stdout
    return [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("worktree ")]


def _wait_for(condition: Callable[[], bool], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()


@pytest.fixture
def hub(sample_repo: Callable[[str, str], Path], tmp_path: Path) -> Path:
    repo = tmp_path / "hub"
    shutil.copytree(sample_repo("py-model-hub", "merge"), repo, symlinks=True)
    return repo


@pytest.mark.skipif(
    not IDEALIZE.exists(), reason="the idealize script is not installed next to python"
)
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_during_verify_removes_the_throwaway_worktree(
    hub: Path, tmp_path: Path, signum: int, code: int
) -> None:
    pidfile = tmp_path / "verify.pid"
    before = snapshot(hub)
    proc = subprocess.Popen(
        [
            str(IDEALIZE),
            "cleanup",
            str(hub),
            "--since",
            "sample-base",
            "-m",
            "fake/demo",
            "--patches",
            "--verify",
            f"echo $$ > {pidfile}; sleep 120",
            "-q",
            "--out",
            str(tmp_path / "run"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a run started as usual: under `nohup` (SIGHUP inherited as ignored) idealize keeps
        # ignoring SIGHUP, as it should, and this test would wait for nothing
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL),
    )
    try:
        _wait_for(lambda: pidfile.exists() and pidfile.read_text().strip() != "")
        verify_pid = int(pidfile.read_text())
        throwaway = [w for w in _worktrees(hub) if "idealize-worktree-" in w]
        assert len(throwaway) == 1
        proc.send_signal(signum)
        _out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == f"interrupted by {signal.Signals(signum).name}"
    assert _worktrees(hub) == [str(hub)]
    assert not Path(throwaway[0]).parent.exists()
    _wait_for(lambda: not _alive(verify_pid), 10)  # the test command was stopped too
    assert snapshot(hub).diff(before) == []


_HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from idealize.repo.git import Git
    from idealize.repo.throwaway import throwaway_worktree
    with throwaway_worktree(Git(sys.argv[1]), "HEAD") as tree:
        (tree / "hub").mkdir(exist_ok=True)
        (tree / "hub" / "from_the_throwaway.py").write_text("def only_in_the_throwaway():\\n    return 1\\n")
        print(tree, flush=True)
        time.sleep(120)
    """
)


@pytest.fixture
def worktree_repo(tmp_path: Path) -> Path:
    dest = tmp_path / "wt" / "hub"
    build_sample(get_sample("py-model-hub"), dest, "worktree")
    return dest


def _hold_a_throwaway(repo: Path) -> tuple[subprocess.Popen[str], Path]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(repo)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    return proc, Path(proc.stdout.readline().strip())


def _analysed(result_stdout: str) -> list[str]:
    plan = json.loads(result_stdout)
    return [b["worktree"] or "" for b in plan["branches"]] + [
        loc["path"] for f in plan["findings"] for loc in f["locations"]
    ]


def test_a_killed_run_leaves_a_worktree_the_next_run_prunes(worktree_repo: Path) -> None:
    proc, tree = _hold_a_throwaway(worktree_repo)
    proc.send_signal(signal.SIGKILL)  # no chance to clean up
    proc.wait()
    assert str(tree) in _worktrees(worktree_repo)
    result = invoke(["cleanup", str(worktree_repo), "--worktrees", "-f", "json", "-q"])
    assert result.exit_code == 0, result.output
    assert not any(
        "idealize-worktree-" in p or "from_the_throwaway" in p for p in _analysed(result.stdout)
    )
    assert any(
        "throwaway worktree(s) a killed run left behind" in n
        for n in json.loads(result.stdout)["notes"]
    )
    assert str(tree) not in _worktrees(worktree_repo)
    assert not tree.parent.exists()


def test_a_live_runs_worktree_is_neither_analysed_nor_pruned(worktree_repo: Path) -> None:
    proc, tree = _hold_a_throwaway(worktree_repo)
    try:
        result = invoke(["cleanup", str(worktree_repo), "--worktrees", "-f", "json", "-q"])
        assert result.exit_code == 0, result.output
        assert not any("idealize-worktree-" in p for p in _analysed(result.stdout))
        assert str(tree) in _worktrees(worktree_repo)  # its run is still going
        proc.send_signal(signal.SIGTERM)  # the library cleans up on SIGTERM too
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert str(tree) not in _worktrees(worktree_repo)
    assert not tree.parent.exists()
