"""Identical inputs give a byte-identical plan, whatever the number of workers and whatever
Python's hash seed: the process pool that parses, the threads that read git and the order
sets happen to iterate in must not leak into the plan."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks.history_scale import generate
from idealize.analyze import engine
from idealize.config import Config
from idealize.evaluate.samples import cleanup_config, get_sample, load_samples
from idealize.output.plan_json import to_json
from idealize.pipeline import run
from idealize.repo.symbols import PARALLEL_MIN
from idealize.timings import Clock, Timings
from idealize.types import Plan

BRANCHES = 40
CLI = (sys.executable, "-c", "from idealize.cli import main; main()")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A generated history: merges, squashes and rebase merges of branches that overlap in
    time and touch shared Python, TypeScript and Go modules (see benchmarks/history_scale.py)."""
    dest = tmp_path_factory.mktemp("history") / "repo"
    refs = generate(dest, BRANCHES, seed=5, scale=0.25)
    return dest, refs[BRANCHES]


def _plan(repo: Path, since: str, workers: int, cache: Path) -> tuple[str, Timings]:
    clock = Clock()
    plan = run(Config(repo=repo, since=since, cache_dir=cache, workers=workers), clock=clock)
    return to_json(plan, repo), clock.timings()


def test_one_worker_and_many_give_the_same_plan(history: tuple[Path, str], tmp_path: Path) -> None:
    repo, since = history
    one, _ = _plan(repo, since, 1, tmp_path / "one")
    many, timings = _plan(repo, since, 3, tmp_path / "many")
    # enough files that the parsing pool really ran
    assert timings.count("symbols parsed") > PARALLEL_MIN
    assert json.loads(one)["findings"], "a history with nothing to report proves little"
    assert many == one
    again, timings = _plan(repo, since, 3, tmp_path / "many")  # from the cache this time
    assert timings.count("diffs cached") == BRANCHES
    assert again == one


def test_the_hash_seed_does_not_change_the_plan(history: tuple[Path, str], tmp_path: Path) -> None:
    """Each run in its own interpreter, with its own hash seed (so its own set order) and
    its own number of workers, from IDEALIZE_WORKERS."""
    repo, since = history
    outputs = []
    for seed, workers in (("1", "1"), ("2", "3")):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "IDEALIZE_WORKERS": workers,
            "IDEALIZE_CACHE_DIR": str(tmp_path / seed),
        }
        proc = subprocess.run(
            [*CLI, "-q", "cleanup", str(repo), "--since", since, "--offline", "--format", "json"],
            capture_output=True,
            env=env,
            timeout=300,  # a hung worker fails the test instead of the whole run
        )
        assert proc.returncode == 0, proc.stderr.decode()
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(
    ("name", "variant"), [(s.name, v) for s in load_samples() for v in s.variants]
)
def test_samples_give_the_same_plan_with_one_worker(
    sample_repo: Callable[[str, str], Path],
    sample_plan: Callable[[str, str], Plan],
    tmp_path: Path,
    name: str,
    variant: str,
) -> None:
    repo = sample_repo(name, variant)
    config = cleanup_config(get_sample(name), variant, repo, cache_dir=tmp_path, workers=1)
    assert to_json(run(config), repo) == to_json(sample_plan(name, variant), repo)


@pytest.mark.parametrize("child_dies", [False, True], ids=["answers", "dies"])
def test_duplicates_found_in_a_forked_process_are_the_ones_found_here(
    sample_repo: Callable[[str, str], Path],
    sample_plan: Callable[[str, str], Plan],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    child_dies: bool,
) -> None:
    """With two workers, the duplicates rule runs in a forked process beside the others
    (here on a sample, below the size at which a run forks by itself). A child that dies
    before it answers leaves the rule to this process: the same plan either way."""
    name, variant = "py-agent-drift", "merge"
    repo = sample_repo(name, variant)
    forked = tmp_path / "forked"
    child = engine._detect_in_child

    def spy(*args: Any) -> None:
        forked.touch()  # in the forked process
        if child_dies:
            os._exit(3)
        child(*args)

    monkeypatch.setattr(engine, "FORK_MIN_PIECES", 0)
    monkeypatch.setattr(engine, "_detect_in_child", spy)
    config = cleanup_config(get_sample(name), variant, repo, cache_dir=tmp_path / "c", workers=2)
    plan = run(config)
    assert forked.exists()
    assert any(f.kind == "duplicate" for f in plan.findings)
    assert to_json(plan, repo) == to_json(sample_plan(name, variant), repo)
