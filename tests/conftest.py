from __future__ import annotations

import functools
import os
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import typer.testing

from idealize.evaluate.samples import build_sample, cleanup_config, get_sample
from idealize.pipeline import run
from idealize.types import Plan

GOLDEN = Path(__file__).parent / "golden"

# typer's runner builds the click command again for every invoke (about 35 ms: the app's
# commands, their options and help); the app never changes within a session, so the tests
# build it once. Nothing else of the runner changes.
typer.testing._get_command = functools.cache(typer.testing._get_command)  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDEALIZE_CACHE_DIR", str(tmp_path / "cache"))
    for var in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "IDEALIZE_MODEL"):
        monkeypatch.delenv(var, raising=False)


_built: dict[tuple[str, str], Path] = {}


@pytest.fixture(scope="session")
def sample_repo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    """Build each (sample, variant) once per session; the folder is named after the sample."""

    def build(name: str, variant: str) -> Path:
        key = (name, variant)
        if key not in _built:
            dest = tmp_path_factory.mktemp(f"{variant}") / name
            build_sample(get_sample(name), dest, variant)
            _built[key] = dest
        return _built[key]

    return build


_plans: dict[tuple[str, str], tuple[Plan, Path]] = {}


@pytest.fixture(scope="session")
def sample_run(
    sample_repo: Callable[[str, str], Path], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str, str], tuple[Plan, Path]]:
    """The offline plan of each (sample, variant), computed once per session from a cold
    cache, and the cache folder that run filled."""

    def plan(name: str, variant: str) -> tuple[Plan, Path]:
        key = (name, variant)
        if key not in _plans:
            cache = tmp_path_factory.mktemp("plan-cache")
            config = cleanup_config(get_sample(name), variant, sample_repo(name, variant))
            _plans[key] = (run(replace(config, cache_dir=cache)), cache)
        return _plans[key]

    return plan


@pytest.fixture(scope="session")
def sample_plan(sample_run: Callable[[str, str], tuple[Plan, Path]]) -> Callable[[str, str], Plan]:
    """The offline plan of each (sample, variant): plans are immutable, so every end-to-end
    check of one case reads the same run."""
    return lambda name, variant: sample_run(name, variant)[0]


@pytest.fixture(scope="session")
def sample_cache(sample_run: Callable[[str, str], tuple[Plan, Path]]) -> Callable[[str, str], Path]:
    """The cache an offline run of (sample, variant) filled: for tests of the stages after
    the analysis, which need not pay for a cold one each time. It holds no model answers."""
    return lambda name, variant: sample_run(name, variant)[1]


def git(cwd: Path, *args: str) -> str:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


class Repo:
    """A scratch repository for tests that need a particular history."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        git(path, "init", "-q", "-b", "main")

    def write(self, rel: str, text: str | bytes) -> None:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")

    def commit(self, message: str) -> str:
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "-m", message)
        return git(self.path, "rev-parse", "HEAD").strip()

    def git(self, *args: str) -> str:
        return git(self.path, *args)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")
