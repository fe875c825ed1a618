"""What a team needs to adopt idealize: a baseline, suppression comments, excludes that reach
the analysis, pull-request annotations, and output plumbing that does what it says."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from idealize.cli import app
from idealize.output.formats import FILENAMES
from tests.conftest import Repo

runner = CliRunner()

LISTING = '''import json
import urllib.request


def {name}(host):
    """Names of the models the server has, sorted."""
    url = host.rstrip("/") + "/api/tags"
    request = urllib.request.Request(url, headers={{"Accept": "application/json"}})
    with urllib.request.urlopen(request, timeout=10) as response:
        payload = json.load(response)
    models = payload.get("models", [])
    names = [model["name"] for model in models if model.get("name")]
    return sorted(names)
'''
SETTINGS = '''import json
import os


def {name}(path):
    """Read the settings file, with defaults from the environment."""
    full = os.path.expanduser(path)
    if not os.path.exists(full):
        return {{"timeout": 30}}
    with open(full, encoding="utf-8") as handle:
        data = json.load(handle)
    data.setdefault("timeout", int(os.environ.get("APP_TIMEOUT", "30")))
    data.setdefault("retries", 3)
    return data
'''


def _branch(repo: Repo, name: str, files: dict[str, str]) -> None:
    repo.git("checkout", "-q", "-b", name, "main")
    for path, text in files.items():
        repo.write(path, text)
    repo.commit(f"{name}: add {', '.join(files)}")
    repo.git("checkout", "-q", "main")


@pytest.fixture
def drift(tmp_path: Path) -> Repo:
    """main, and two unmerged branches that each add a way to list the server's models."""
    repo = Repo(tmp_path / "drift")
    repo.write("app/__init__.py", "")
    repo.commit("base")
    _branch(repo, "agent/a", {"app/listing.py": LISTING.format(name="list_models")})
    _branch(repo, "agent/b", {"app/registry.py": LISTING.format(name="fetch_available")})
    return repo


def cleanup(repo: Repo, *extra: str) -> tuple[dict[str, object], str, int]:
    result = runner.invoke(
        app, ["cleanup", str(repo.path), "--into", "main", "-f", "json", "-q", *extra]
    )
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout), result.stderr, result.exit_code


def kinds_and_names(plan: dict[str, object]) -> list[tuple[str, list[str]]]:
    return [
        (f["kind"], sorted(loc["symbol"] or loc["path"] for loc in f["locations"]))
        for f in plan["findings"]  # type: ignore[attr-defined]
    ]


# -- baseline -------------------------------------------------------------------------------


def test_baseline_round_trip(drift: Repo) -> None:
    before, _, _ = cleanup(drift)
    assert kinds_and_names(before) == [("duplicate", ["fetch_available", "list_models"])]
    written = runner.invoke(app, ["baseline", str(drift.path), "--into", "main", "-q"])
    assert written.exit_code == 0, written.output
    baseline = drift.path / ".idealize-baseline.json"
    data = json.loads(baseline.read_text())
    assert data["schema"] == "idealize.baseline/1"
    assert [f["fingerprint"] for f in data["findings"]] == [before["findings"][0]["fingerprint"]]  # type: ignore[index]
    assert "start_line" not in baseline.read_text()  # keyed by names, never by lines
    text = baseline.read_text()
    drift.commit("commit the baseline")  # as a team would
    # the known finding is neither reported nor gated; the note says it remains
    known, stderr, code = cleanup(drift, "--fail-on", "all")
    assert known["findings"] == [] and code == 0
    assert (
        "Baseline .idealize-baseline.json: 1 known finding(s) remain and are not reported" in stderr
    )
    # a moved definition keeps its fingerprint
    drift.git("checkout", "-q", "agent/a")
    drift.write(
        "app/listing.py", "# a header\n\n\nPAGE = 50\n\n\n" + LISTING.format(name="list_models")
    )
    drift.commit("move list_models down")
    drift.git("checkout", "-q", "main")
    moved, _, _ = cleanup(drift)
    assert moved["findings"] == []
    # a new finding is reported, and gated
    _branch(drift, "agent/c", {"app/config.py": SETTINGS.format(name="read_settings")})
    _branch(drift, "agent/d", {"app/settings.py": SETTINGS.format(name="load_settings")})
    new, stderr, code = cleanup(drift, "--fail-on", "duplicate")
    assert kinds_and_names(new) == [("duplicate", ["load_settings", "read_settings"])]
    assert code == 1 and "1 known finding(s) remain" in stderr
    every, _, _ = cleanup(drift, "--no-baseline")
    assert len(every["findings"]) == 2  # type: ignore[arg-type]
    # written again for the same findings (one of them moved): the same bytes, no diff to commit
    again = runner.invoke(
        app, ["baseline", str(drift.path), "--into", "main", "-b", "agent/a", "-b", "agent/b", "-q"]
    )
    assert again.exit_code == 0 and baseline.read_text() == text


def test_the_hook_honours_the_baseline(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    repo = tmp_path / "hub"
    shutil.copytree(sample_repo("py-model-hub", "unmerged"), repo, symlinks=True)
    env = {"PRE_COMMIT_LOCAL_BRANCH": "refs/heads/agent/cli-chat"}
    assert runner.invoke(app, ["hook", "pre-push", "--repo", str(repo)], env=env).exit_code == 1
    assert runner.invoke(app, ["baseline", str(repo), "-q"]).exit_code == 0
    assert runner.invoke(app, ["hook", "pre-push", "--repo", str(repo)], env=env).exit_code == 0


# -- suppressions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "suppressed"),
    [
        ("# idealize: ignore[duplicate]\n", True),
        ("# idealize: ignore[DuplicateImplementation]\n", True),
        ("# idealize: ignore[phantom_dependency, duplicate]\n", True),
        ("# idealize: ignore\n", True),
        ("@staticmethod  # idealize: ignore[duplication]\n", True),
        ("# idealize: ignore[phantom_dependency]\n", False),
        ("# idealize: ignore[dupe]\n", False),
        ("# (no comment)\n", False),
    ],
)
def test_suppression_comments(drift: Repo, comment: str, suppressed: bool) -> None:
    drift.git("checkout", "-q", "agent/a")
    text = LISTING.format(name="list_models").replace(
        "def list_models", comment + "def list_models"
    )
    drift.write("app/listing.py", text)
    drift.commit("mark list_models")
    drift.git("checkout", "-q", "main")
    plan, _, _ = cleanup(drift)
    assert (plan["findings"] == []) is suppressed, plan["findings"]
    notes = " ".join(plan["notes"])  # type: ignore[arg-type]
    if suppressed:
        assert "1 finding(s) suppressed by `idealize: ignore` comments: DUP-1" in notes
    if "dupe" in comment:
        assert "`idealize: ignore[dupe]` names no finding kind" in notes


def test_a_trailing_comment_on_the_definition_line(drift: Repo) -> None:
    drift.git("checkout", "-q", "agent/b")
    drift.write(
        "app/registry.py",
        LISTING.format(name="fetch_available").replace(
            "def fetch_available(host):", "def fetch_available(host):  # idealize: ignore"
        ),
    )
    drift.commit("mark fetch_available")
    drift.git("checkout", "-q", "main")
    plan, _, _ = cleanup(drift)
    assert plan["findings"] == []


# -- excludes -------------------------------------------------------------------------------


def test_excludes_reach_the_analysis(drift: Repo) -> None:
    (drift.path / "idealize.toml").write_text('extend-exclude = ["app/registry.py"]\n')
    plan, _, _ = cleanup(drift)
    assert plan["findings"] == []
    assert {
        "what": "app/registry.py",
        "reason": "excluded by the configuration",
        "branch": "agent/b",
    } in plan["skipped"]  # type: ignore[operator]
    (drift.path / "idealize.toml").unlink()
    flagged, _, _ = cleanup(drift, "--exclude", "registry.py")  # gitignore-style: any folder
    assert flagged["findings"] == []
    kept, _, _ = cleanup(drift, "--exclude", "/registry.py")  # anchored at the root: no match
    assert len(kept["findings"]) == 1  # type: ignore[arg-type]


def test_vendored_code_is_excluded_unless_exclude_is_replaced(drift: Repo) -> None:
    _branch(drift, "agent/v", {"vendor/lib/models.py": LISTING.format(name="vendored_models")})

    def files(plan: dict[str, object]) -> list[str]:
        return [f["path"] for b in plan["branches"] for f in b["files"]]  # type: ignore[attr-defined,index]

    plan, _, _ = cleanup(drift, "-b", "agent/a", "-b", "agent/v")
    assert "vendor/lib/models.py" not in files(plan)
    assert {
        "what": "vendor/lib/models.py",
        "reason": "excluded by the configuration",
        "branch": "agent/v",
    } in plan["skipped"]  # type: ignore[operator]
    (drift.path / "idealize.toml").write_text("exclude = []\n")  # replaces the defaults
    plan, _, _ = cleanup(drift, "-b", "agent/a", "-b", "agent/v")
    assert "vendor/lib/models.py" in files(plan)
    (drift.path / "idealize.toml").write_text('exclude = ["app/"]\n')  # replaces them too
    plan, _, _ = cleanup(drift, "-b", "agent/a", "-b", "agent/v")
    assert files(plan) == ["vendor/lib/models.py"]


def test_excluded_files_never_reach_a_prompt(drift: Repo) -> None:
    _branch(drift, "agent/c", {"app/third.py": LISTING.format(name="models_on_server")})
    args = ["prompts", "render", str(drift.path), "--into", "main"]
    every = runner.invoke(app, args)
    assert every.exit_code == 0 and "fetch_available" in every.stdout
    (drift.path / "idealize.toml").write_text('extend-exclude = ["app/registry.py"]\n')
    excluded = runner.invoke(app, args)
    assert excluded.exit_code == 0, excluded.output
    assert "list_models" in excluded.stdout and "models_on_server" in excluded.stdout
    assert "fetch_available" not in excluded.stdout and "registry.py" not in excluded.stdout


# -- pull-request output --------------------------------------------------------------------


def test_format_github_annotates_the_checked_out_lines(drift: Repo) -> None:
    drift.git("checkout", "-q", "agent/a")  # the pull request's head
    result = runner.invoke(
        app,
        [
            "cleanup",
            str(drift.path),
            "-b",
            "agent/a",
            "-b",
            "agent/b",
            "--into",
            "main",
            "-f",
            "github",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    m = re.fullmatch(
        r"::warning file=([^,]+),line=(\d+),endLine=(\d+),title=DUP-1 duplicate::(.+)", lines[0]
    )
    assert m, lines[0]
    path, start = m.group(1), int(m.group(2))
    assert (drift.path / path).read_text().splitlines()[start - 1].startswith("def list_models")
    assert "Also: app/registry.py:5-13 fetch_available (in agent/b at " in m.group(4)
    assert "%0A" not in m.group(1)


def test_format_github_without_a_location_here_says_so(drift: Repo) -> None:
    # on main, neither copy exists: no annotation, a notice that counts them
    result = runner.invoke(app, ["cleanup", str(drift.path), "--into", "main", "-f", "github"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "::notice title=idealize::1 finding(s) have no location in this tree (DUP-1); the plan (--format md or json) lists them"
    ]


# -- plumbing -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FILENAMES))
def test_out_writes_the_chosen_format(
    sample_repo: Callable[[str, str], Path], tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "cleanup",
            str(sample_repo("ts-settings", "merge")),
            "--since",
            "sample-base",
            "-f",
            fmt,
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (out / FILENAMES[fmt]).read_text() == result.stdout
    assert {p.name for p in out.iterdir()} == {"plan.json", "plan.md", FILENAMES[fmt]}


def test_out_writes_several_formats_and_prints_the_first(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "cleanup",
            str(sample_repo("ts-settings", "merge")),
            "--since",
            "sample-base",
            "-f",
            "github,sarif",
            "-f",
            "html",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {
        "plan.json",
        "plan.md",
        "annotations.txt",
        "plan.sarif",
        "plan.html",
    }
    assert (out / "annotations.txt").read_text() == result.stdout
    assert json.loads((out / "plan.sarif").read_text())["version"] == "2.1.0"


def test_report_writes_any_format(sample_repo: Callable[[str, str], Path], tmp_path: Path) -> None:
    out = tmp_path / "run"
    made = runner.invoke(
        app,
        [
            "cleanup",
            str(sample_repo("ts-settings", "merge")),
            "--since",
            "sample-base",
            "--out",
            str(out),
        ],
    )
    assert made.exit_code == 0
    md = runner.invoke(app, ["report", str(out), "-f", "md"])
    assert md.exit_code == 0 and md.stdout == (out / "plan.md").read_text()
    sarif = runner.invoke(
        app, ["report", str(out), "-f", "sarif", "--out", str(tmp_path / "x.sarif")]
    )
    assert sarif.exit_code == 0 and json.loads((tmp_path / "x.sarif").read_text())["runs"]


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout == f"idealize {version('idealize')}\n"


def test_quiet_and_verbose_after_the_subcommand(sample_repo: Callable[[str, str], Path]) -> None:
    path = str(sample_repo("ts-settings", "merge"))
    quiet = runner.invoke(app, ["cleanup", path, "--since", "sample-base", "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    verbose = runner.invoke(app, ["cleanup", path, "--since", "sample-base", "--verbose"])
    assert "idealize: analyze: 5/5" in verbose.stderr
    assert re.search(r"idealize: timings: total \d+\.\d+s = ", verbose.stderr)
    nested = runner.invoke(app, ["samples", "list", "-q"])
    assert nested.exit_code == 0


def _commands() -> list[tuple[str, ...]]:
    from typer.main import get_command

    found: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                walk(child, (*path, name))
        else:
            found.append(path)

    walk(get_command(app), ())
    return found


@pytest.mark.parametrize("path", _commands(), ids=" ".join)
def test_every_command_honours_format_or_refuses_it(path: tuple[str, ...]) -> None:
    from typer.main import get_command

    command = get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    takes = any("--format" in getattr(p, "opts", ()) for p in command.params)
    result = runner.invoke(app, [*path, "--format", "md", "--help"])
    if takes:
        assert result.exit_code == 0
    else:
        assert result.exit_code == 2
        assert result.stderr.startswith("error: No such option: --format")


@pytest.mark.parametrize("path", [(), *_commands()], ids=lambda p: " ".join(p) or "idealize")
def test_help_texts_read_cleanly(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert not re.search(r"<(list|int|float|str|bool|path|text)", text), text
    assert not re.search(r"[a-z] \.(\s|$)", text), text  # a word, a space, a lone full stop
    assert "[default: no-" not in text
    if path == ("config", "show"):
        assert "(flag > env > repo file > user file > default)" in text


def test_config_help_keeps_its_brackets() -> None:
    result = runner.invoke(app, ["config", "--help"], env={"COLUMNS": "200"})
    assert "[tool.idealize]" in result.stdout


def test_demo_keep_and_try_next(tmp_path: Path) -> None:
    keep = tmp_path / "hub"
    result = runner.invoke(app, ["demo", "--keep", str(keep), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert (keep / ".git").is_dir() and json.loads(result.stdout)["findings"]
    assert f"try next: idealize cleanup {keep} --since sample-base" in result.stderr
    again = runner.invoke(app, ["cleanup", str(keep), "--since", "sample-base", "-q"])
    assert again.exit_code == 0
    temporary = runner.invoke(app, ["demo", "-f", "md"])
    assert temporary.exit_code == 0
    assert "idealize-demo-" not in temporary.stderr  # never the path of a folder already gone
    assert "try next: idealize demo --keep DIR" in temporary.stderr


def test_eval_init_writes_a_config_that_runs(tmp_path: Path) -> None:
    made = runner.invoke(app, ["eval", "--init", str(tmp_path / "my-eval.toml")])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "my-eval.toml").exists() and (tmp_path / "idealize-truth.toml").exists()
    ran = runner.invoke(
        app, ["eval", str(tmp_path / "my-eval.toml"), "--out", str(tmp_path / "out"), "-q"]
    )
    assert ran.exit_code == 0, ran.output
    assert "| idealized |" in ran.stdout and (tmp_path / "out" / "report.html").exists()


@pytest.mark.parametrize(
    ("lines", "start", "kinds"),
    [
        (["// idealize: ignore[divergence]", "export function f() {}"], 2, {"divergence"}),
        (["#[derive(Debug)]", "// idealize: ignore", "fn f() {}"], 3, None),
        (["/* idealize: ignore[double_fix] */", "func F() {}"], 2, {"double_fix"}),
        (
            ["@Override", "  public void f() {} // idealize: ignore[phantom]"],
            2,
            {"phantom_dependency"},
        ),
        (["# idealize: ignore[duplicate]", "", "def f(): pass"], 3, set()),  # not right above
        (["x = 1  # idealize: ignore", "def f(): pass"], 2, set()),  # code, not a comment block
    ],
)
def test_which_comments_suppress_which_kinds(
    lines: list[str], start: int, kinds: set[str] | None
) -> None:
    from idealize.analyze.suppress import ignored_kinds

    found, unknown = ignored_kinds(lines, start)
    assert (None if found is None else set(found)) == kinds and unknown == []
