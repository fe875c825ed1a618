"""The command line through typer's runner: output formats, files, exit codes, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from idealize.cli import app
from idealize.output.plan_json import check_plan

runner = CliRunner()


def test_cleanup_json_to_stdout_and_files(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    repo = sample_repo("py-model-hub", "merge")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["cleanup", str(repo), "--since", "sample-base", "--format", "json", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    check_plan(data)
    assert data["schema"] == "idealize.plan/1"
    assert json.loads((out / "plan.json").read_text()) == data
    assert (out / "plan.md").read_text().startswith("# idealize plan: py-model-hub")
    assert "running offline" in result.stderr


def test_cleanup_markdown_is_the_default(sample_repo: Callable[[str, str], Path]) -> None:
    repo = sample_repo("ts-settings", "unmerged")
    result = runner.invoke(app, ["cleanup", str(repo)])
    assert result.exit_code == 0, result.output
    assert "## Findings" in result.stdout and "phantom dependency" in result.stdout


def test_errors_are_one_line_with_hint_and_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cleanup", str(tmp_path)])
    assert result.exit_code == 2
    assert "error: " in result.stderr and "hint: " in result.stderr
    assert "Traceback" not in result.output


def test_unknown_ref_exit_2(sample_repo: Callable[[str, str], Path]) -> None:
    result = runner.invoke(
        app, ["cleanup", str(sample_repo("py-model-hub", "merge")), "--since", "nope"]
    )
    assert result.exit_code == 2
    assert "unknown ref 'nope'" in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--debug", "cleanup", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr


def test_unwritable_out_is_an_input_error(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    repo = sample_repo("py-model-hub", "merge")
    result = runner.invoke(
        app, ["cleanup", str(repo), "--since", "sample-base", "--out", str(blocker / "sub")]
    )
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


def test_samples_list_and_build(tmp_path: Path) -> None:
    listed = runner.invoke(app, ["samples", "list"])
    assert listed.exit_code == 0
    assert "py-model-hub" in listed.stdout and "ts-settings" in listed.stdout
    dest = tmp_path / "s"
    built = runner.invoke(
        app, ["samples", "build", "ts-settings", str(dest), "--variant", "squash"]
    )
    assert built.exit_code == 0, built.output
    assert (dest / ".git").is_dir()
    again = runner.invoke(app, ["samples", "build", "ts-settings", str(dest)])
    assert again.exit_code == 2 and "not empty" in again.stderr
    unknown = runner.invoke(app, ["samples", "build", "nope", str(tmp_path / "n")])
    assert unknown.exit_code == 2 and "no sample named" in unknown.stderr
    bad_variant = runner.invoke(
        app, ["samples", "build", "ts-settings", str(tmp_path / "v"), "--variant", "rebase"]
    )
    assert bad_variant.exit_code == 2


def test_demo_runs_offline_on_a_sample() -> None:
    result = runner.invoke(app, ["demo", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {f["kind"] for f in data["findings"]} == {
        "duplicate",
        "phantom_dependency",
        "double_fix",
        "divergence",
    }
