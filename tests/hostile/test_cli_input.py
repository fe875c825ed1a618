"""Bad input on the command line and in files: one `error:` line (and a `hint:`), exit 2, no
traceback, nothing of the user's changed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile.conftest import assert_error, invoke, unchanged


@pytest.fixture
def hub(sample_repo: Callable[[str, str], Path], tmp_path: Path) -> Path:
    repo = tmp_path / "hub"
    shutil.copytree(sample_repo("py-model-hub", "merge"), repo, symlinks=True)
    return repo


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("idealize.toml", b'model = "caf\xe9"\n'),
        ("pyproject.toml", b'[project]\nname = "x\xff"\n\n[tool.idealize]\nbudget = 10\n'),
    ],
)
def test_a_latin_1_byte_in_the_configuration(hub: Path, name: str, content: bytes) -> None:
    (hub / name).write_bytes(content)
    with unchanged(hub):
        result = invoke(["cleanup", str(hub), "--since", "sample-base"])
    assert_error(result, 2, name, "not UTF-8")


def test_a_configuration_file_that_is_a_folder(hub: Path) -> None:
    (hub / "idealize.toml").mkdir()
    with unchanged(hub):
        result = invoke(["config", "show", str(hub)])
    assert_error(result, 2, "idealize.toml", "folder")


@pytest.mark.parametrize(
    "extra",
    [
        ["--dry-run", "-m", "fake/demo"],
        ["-m", "fake/demo"],
        ["--offline"],
        ["-f", "sarif"],
    ],
    ids=["dry run", "with a model", "offline", "sarif"],
)
def test_out_naming_an_existing_file(hub: Path, tmp_path: Path, extra: list[str]) -> None:
    target = tmp_path / "taken.txt"
    target.write_text("mine\n")
    with unchanged(hub, tmp_path / "taken.txt"):
        result = invoke(
            ["cleanup", str(hub), "--since", "sample-base", "--out", str(target), *extra]
        )
    assert_error(result, 2, "--out", "is a file")
    assert target.read_text() == "mine\n"


def test_prompts_render_out_naming_a_file(hub: Path, tmp_path: Path) -> None:
    target = tmp_path / "taken.txt"
    target.write_text("mine\n")
    with unchanged(hub):
        result = invoke(
            ["prompts", "render", str(hub), "--since", "sample-base", "--out", str(target)]
        )
    assert_error(result, 2, "--out", "is a file")
    assert target.read_text() == "mine\n"


def test_review_out_naming_a_file(hub: Path, tmp_path: Path) -> None:
    target = tmp_path / "taken.txt"
    target.write_text("mine\n")
    with unchanged(hub):
        result = invoke(
            ["review", "hub/chat.py", "--repo", str(hub), "--dry-run", "--out", str(target)]
        )
    assert_error(result, 2, "is a file")


def test_eval_with_a_missing_truth_file(tmp_path: Path, hub: Path) -> None:
    config = tmp_path / "eval.toml"
    config.write_text(
        f'models = ["fake/demo"]\n[[cases]]\nrepo = "{hub}"\nsince = "sample-base"\n'
        'truth = "nowhere.toml"\n'
    )
    out = tmp_path / "results"
    with unchanged(hub):
        result = invoke(["eval", str(config), "--out", str(out)])
    assert_error(result, 2, "nowhere.toml", "does not exist")
    assert not out.exists()


def test_eval_out_naming_a_file(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("mine\n")
    result = invoke(["eval", "evals/samples.toml", "--out", str(target)])
    assert_error(result, 2, "--out", "is a file")
    assert target.read_text() == "mine\n"


def test_eval_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "mine.toml"
    target.write_text("# mine\n")
    with unchanged(tmp_path):
        result = invoke(["eval", "--init", str(target)])
    assert_error(result, 2, "already exists")


def test_samples_build_into_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("mine\n")
    with unchanged(tmp_path):
        result = invoke(["samples", "build", "ts-settings", str(target)])
    assert_error(result, 2, "is a file")


def test_demo_keep_naming_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("mine\n")
    with unchanged(tmp_path):
        result = invoke(["demo", "--keep", str(target)])
    assert_error(result, 2, "--keep", "is a file")


def test_report_without_a_plan(tmp_path: Path) -> None:
    with unchanged(tmp_path):
        result = invoke(["report", str(tmp_path)])
    assert_error(result, 2, "no plan at")


def test_report_out_naming_a_folder(hub: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    made = invoke(["cleanup", str(hub), "--since", "sample-base", "--out", str(run), "-q"])
    assert made.exit_code == 0, made.output
    folder = tmp_path / "folder"
    folder.mkdir()
    with unchanged(hub, run):
        result = invoke(["report", str(run), "--out", str(folder)])
    assert_error(result, 2, "cannot write")


def test_a_dry_run_refuses_the_model_names_a_real_run_refuses(hub: Path) -> None:
    with unchanged(hub):
        dry = invoke(["cleanup", str(hub), "--since", "sample-base", "-m", "sonnet", "--dry-run"])
        real = invoke(["cleanup", str(hub), "--since", "sample-base", "-m", "sonnet"])
        fake = invoke(
            ["cleanup", str(hub), "--since", "sample-base", "-m", "fake/nope", "--dry-run"]
        )
    assert_error(dry, 2, "no provider prefix")
    assert_error(real, 2, "no provider prefix")
    assert_error(fake, 2, "no fake model")
    assert not (hub / ".idealize").exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["cleanup", ".", "--format", "pdf"], "unknown format 'pdf'"),
        (["cleanup", ".", "-f", "md,xml"], "unknown format 'xml'"),
        (["patch", "check", "x.patch", "--format", "sarif"], "'sarif' is not one of"),
        (["report", ".", "--format", "md,json"], "one format at a time"),
        (["apply", ".", "--format", "json"], "No such option: --format"),
        (["cleanup", "--frobnicate"], "No such option: --frobnicate"),
        (["cleanup", ".", "--fail-on", "dupe"], "unknown finding kind 'dupe'"),
        (["cleanup", ".", "--min-confidence", "lots"], "Invalid value for '--min-confidence'"),
        (["nosuchcommand"], "No such command"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_usage_errors_are_one_line(hub: Path, args: list[str], fragment: str) -> None:
    args = [str(hub) if a == "." else a for a in args]
    with unchanged(hub):
        result = invoke(args)
    assert_error(result, 2, fragment)


def test_a_missing_baseline_is_named(hub: Path) -> None:
    with unchanged(hub):
        result = invoke(["cleanup", str(hub), "--since", "sample-base", "--baseline", "gone.json"])
    assert_error(result, 2, "no baseline at", "gone.json")


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe", b"{}", b'{"schema": "idealize.baseline/1", "findings": [1]}', b"[" * 50_000],
    ids=["latin-1", "no schema", "bad entries", "nested"],
)
def test_a_damaged_baseline_is_named(hub: Path, content: bytes) -> None:
    (hub / ".idealize-baseline.json").write_bytes(content)
    with unchanged(hub):
        result = invoke(["cleanup", str(hub), "--since", "sample-base"])
    assert_error(result, 2, ".idealize-baseline.json")


def test_a_bad_exclude_pattern_is_named(hub: Path) -> None:
    (hub / "idealize.toml").write_text('extend-exclude = ["ok/", "\\\\"]\n')
    with unchanged(hub):
        result = invoke(["cleanup", str(hub), "--since", "sample-base"])
    assert_error(result, 2, "bad exclude pattern")


@pytest.mark.parametrize("kind", ["folder", "latin-1"])
def test_patch_check_on_something_that_is_not_a_patch(hub: Path, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "p"
    if kind == "folder":
        target.mkdir()
    else:
        target.write_bytes(b"caf\xe9\n")
    with unchanged(hub):
        result = invoke(["patch", "check", str(target), "--repo", str(hub)])
    assert_error(result, 2, str(target))


def test_the_cli_writes_nothing_on_a_bad_plan_for_report(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "plan.json").write_text(json.dumps({"schema": "idealize.plan/1", "repo": 3}))
    with unchanged(tmp_path):
        result = invoke(["report", str(run)])
    assert_error(result, 2, "is not an idealize plan")
