"""The static detectors on small, purpose-built histories."""

from __future__ import annotations

from pathlib import Path

from idealize.config import Config
from idealize.pipeline import run
from idealize.types import Branch, concurrent
from tests.conftest import Repo

FETCH = """import json
import urllib.request


def {name}(host):
    with urllib.request.urlopen(host + "/api/tags") as response:
        data = json.load(response)
    return [m["name"] for m in data.get("models", [])]
"""


def _branch(repo: Repo, name: str, path: str, text: str, message: str, start: str = "main") -> None:
    repo.git("checkout", "-q", "-b", name, start)
    repo.write(path, text)
    repo.commit(message)
    repo.git("checkout", "-q", "main")


def _base(repo: Repo) -> None:
    repo.write("app/__init__.py", "")
    repo.write(
        "app/api.py",
        "def send(url, payload, timeout=10, retries=3):\n    return (url, payload, timeout, retries)\n",
    )
    repo.commit("base")
    repo.git("tag", "base")


def test_parallel_duplicates_are_found_sequential_ones_are_not(repo: Repo) -> None:
    _base(repo)
    _branch(repo, "a", "app/one.py", FETCH.format(name="list_models"), "list models")
    _branch(repo, "b", "app/two.py", FETCH.format(name="fetch_available"), "available models")
    parallel = run(Config(repo=repo.path, branches=("a", "b"), into="main"))
    assert [f.kind for f in parallel.findings] == ["duplicate"]
    # merged one after the other, b started after a landed: sequential, no drift between them
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'a'", "a")
    _branch(repo, "c", "app/three.py", FETCH.format(name="get_models"), "models again")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'c'", "c")
    plan = run(Config(repo=repo.path, since="base"))
    a, c = plan.branches
    assert not concurrent(a, c)
    assert not [
        f
        for f in plan.findings
        if f.kind == "duplicate" and {loc.branch for loc in f.locations} == {"a", "c"}
    ]


def test_removed_parameter_still_passed_by_another_branch(repo: Repo) -> None:
    _base(repo)
    _branch(
        repo,
        "simplify",
        "app/api.py",
        "def send(url, payload, timeout=10):\n    return (url, payload, timeout)\n",
        "Drop retries from send",
    )
    _branch(
        repo,
        "caller",
        "app/job.py",
        "from .api import send\n\n\ndef job():\n    return send('/x', {}, retries=5)\n",
        "Add job",
    )
    plan = run(Config(repo=repo.path, branches=("simplify", "caller"), into="main"))
    (finding,) = plan.findings
    assert finding.kind == "phantom_dependency"
    assert "parameter `retries`" in finding.title
    assert {loc.branch for loc in finding.locations} == {"simplify", "caller"}


def test_formatting_only_changes_raise_nothing(repo: Repo) -> None:
    _base(repo)
    _branch(
        repo,
        "fmt",
        "app/api.py",
        "def send(url, payload, timeout=10, retries=3):\n    return (\n        url,\n        payload,\n        timeout,\n        retries,\n    )\n",
        "Reformat",
    )
    _branch(
        repo,
        "fix",
        "app/api.py",
        "def send(url, payload, timeout=10, retries=3):\n    return (url.strip(), payload, timeout, retries)\n",
        "Fix whitespace in url",
    )
    plan = run(Config(repo=repo.path, branches=("fmt", "fix"), into="main"))
    assert plan.findings == ()
    (module,) = plan.modules
    assert module.path == "app/api.py" and module.verdict.startswith("Benign")


def test_same_branch_lookalikes_are_not_drift(repo: Repo) -> None:
    _base(repo)
    repo.git("checkout", "-q", "-b", "solo")
    repo.write("app/one.py", FETCH.format(name="list_models"))
    repo.write("app/two.py", FETCH.format(name="fetch_available"))
    repo.commit("two ways, one agent")
    repo.git("checkout", "-q", "main")
    plan = run(Config(repo=repo.path, branches=("solo",), into="main"))
    assert plan.findings == ()


def test_concurrency_windows() -> None:
    def b(window: tuple[int, int] | None) -> Branch:
        return Branch("x", "merge", "0" * 40, "0" * 40, window=window)

    assert concurrent(b((0, 5)), b((2, 7)))
    assert not concurrent(b((0, 3)), b((3, 6)))  # started right where the other landed
    assert concurrent(b(None), b((3, 6)))


def test_unwritable_cache_does_not_stop_a_run(repo: Repo, tmp_path: Path) -> None:
    _base(repo)
    _branch(repo, "a", "app/one.py", FETCH.format(name="list_models"), "list models")
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    plan = run(Config(repo=repo.path, branches=("a",), into="main", cache_dir=blocker / "cache"))
    assert [b.name for b in plan.branches] == ["a"]
