"""End to end against a real model: SmolLM2-135M-Instruct served by llama-cpp-python on 127.0.0.1.

.ci/run starts the server and sets IDEALIZE_LOCAL_MODEL_URL; without it these tests are
skipped (say so in the output). Such a small model writes poor plans, but under the answer
schema (structured outputs: llama-cpp-python's grammar) its answers are well formed, so the
plan, patch and eval stages run on real answers. The parse rate per sample is measured by
benchmarks/structured_outputs.py, not here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from idealize.cli import app
from idealize.output.plan_json import check_plan

URL = os.environ.get("IDEALIZE_LOCAL_MODEL_URL")
MODEL = os.environ.get("IDEALIZE_LOCAL_MODEL", "openai/smollm2")
pytestmark = [
    pytest.mark.skipif(not URL, reason="no local model server (IDEALIZE_LOCAL_MODEL_URL unset)"),
    # one server, one request at a time: these run one after another on one worker
    pytest.mark.xdist_group("local-model"),
]
runner = CliRunner()
# the best-ranked unit alone goes to the model: each answer takes seconds on CI's two cores,
# and one real answer shows each stage working on it
ONE_UNIT = ("--max-units", "1")


def _check(result_stdout: str, out: Path) -> dict[str, object]:
    data = json.loads(result_stdout)
    check_plan(data)
    assert data["offline"] is False
    # units past --max-units are listed as skipped; every other unit was sent
    sent = [u for u in data["units"] if u["review"]["status"] != "skipped"]  # type: ignore[union-attr]
    assert sent
    reviews = [unit["review"] for unit in sent]
    for unit, review in zip(sent, reviews, strict=True):
        assert review["status"] in ("ok", "failed"), review
        if review["status"] == "failed":
            assert review["error"]
            assert list((out / "responses").glob(f"{unit['id']}-*.txt")), "raw answer kept"
    # real answers, read as the server's grammar constrained them
    structured = [r for r in reviews if r["answer_path"] == "structured"]
    assert structured and all(r["status"] == "ok" and r["parse_layer"] == 1 for r in structured)
    assert data["usage"]["input_tokens"] > 0  # type: ignore[index]
    return data


def _with_local_model(args: list[str], out: Path, max_tokens: str = "300") -> dict[str, object]:
    """Run a command against the local model, writing its run to ``out``; check and return the
    plan."""
    flags = [
        "-m",
        MODEL,
        "--api-base",
        str(URL),
        "--max-tokens",
        max_tokens,
        "--out",
        str(out),
        "--format",
        "json",
    ]
    result = runner.invoke(app, [*args, *flags])
    assert result.exit_code in (0, 4), result.output
    return _check(result.stdout, out)


def test_cleanup_with_the_local_model(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    path = sample_repo("ts-settings", "unmerged")
    data = _with_local_model(
        ["cleanup", str(path), "--variant", "idealized-single", *ONE_UNIT], tmp_path / "run"
    )
    # the static findings are all still there, whatever the model's verdicts on them
    assert sorted(f["kind"] for f in data["findings"] if f["source"] == "static") == [  # type: ignore[attr-defined, index]
        "duplicate",
        "phantom_dependency",
    ]


def test_review_with_the_local_model(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    path = sample_repo("py-model-hub", "unmerged")
    _with_local_model(["review", "hub/urls.py", "--repo", str(path)], tmp_path / "review")


def test_eval_with_the_local_model(tmp_path: Path) -> None:
    config = Path(__file__).parents[2] / "evals" / "local-model.toml"
    out = tmp_path / "eval"
    result = runner.invoke(
        app, ["eval", str(config), "--out", str(out), "--api-base", str(URL), "--model", MODEL]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    assert {r["variant"] for r in records} == {"idealized-single", "critique"}
    assert all(r["input_tokens"] > 0 and r["responses"] for r in records)
    # scored on parsed answers: no provider error, at least one unit read per cell
    assert all(r["error"] is None and r["recall"] is not None and r["units_ok"] for r in records)
    results = json.loads((out / "results.json").read_text())
    assert results["comparisons"] and (out / "report.html").exists()


def test_patch_stage_with_the_local_model(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    path = sample_repo("ts-settings", "unmerged")
    data = _with_local_model(
        ["cleanup", str(path), "--variant", "idealized-single", "--patches", *ONE_UNIT],
        tmp_path / "patches",
        max_tokens="200",
    )
    patches = data["patches"]
    assert patches, "the patch stage ran for the units with findings"
    for p in patches:  # type: ignore[attr-defined]
        assert p["status"] in ("applies", "repaired", "rejected", "none")
        if p["status"] in ("rejected", "none"):
            assert p["reason"], "what did not apply says why"
