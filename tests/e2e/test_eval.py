"""`idealize eval` end to end with the scripted provider: records, resume, results, report."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from idealize.cli import app
from idealize.evaluate.runner import CaseSpec, EvalSpec, judge_pairwise, run_cells
from idealize.evaluate.summary import summarize
from idealize.llm.providers import ScriptedProvider
from idealize.llm.providers.fake import demo_answer

runner = CliRunner()


def _spec(tmp_path: Path) -> Path:
    config = tmp_path / "eval.toml"
    config.write_text(
        'variants = ["idealized", "critique"]\nmodels = ["fake/demo", "fake/garbage"]\nrepeats = 1\n'
        '[[cases]]\nsample = "ts-settings"\nlanding = "unmerged"\n'
        '[[cases]]\nsample = "py-model-hub"\nlanding = "merge"\n'
    )
    return config


def test_eval_writes_records_results_and_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["eval", str(_spec(tmp_path)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    assert len(records) == 2 * 2 * 2  # cases x variants x models
    demo = [r for r in records if r["model"] == "fake/demo"]
    garbage = [r for r in records if r["model"] == "fake/garbage"]
    assert all(
        r["recall"] == 1.0 and r["found_all"] for r in demo
    )  # the scripted answer confirms the static findings
    assert all(r["units_ok"] == 0 and r["recall"] == 0.0 for r in garbage)
    assert all(r["prompts"] and r["responses"] for r in records)  # the material behind each cell
    results = json.loads((out / "results.json").read_text())
    assert set(results["variants"]) == {"idealized", "critique"}
    comparison = results["comparisons"][0]
    assert comparison["pairs"] == 4 and "too few" in comparison["verdict"]
    assert "| idealized |" in result.stdout and "recall difference" in result.stdout
    page = (out / "report.html").read_text()
    assert "<svg" in page and "idealized" in page and "<link" not in page


def test_eval_resumes_and_keeps_finished_cells(tmp_path: Path) -> None:
    out = tmp_path / "out"
    config = _spec(tmp_path)
    first = runner.invoke(app, ["eval", str(config), "--out", str(out), "--model", "fake/demo"])
    assert first.exit_code == 0, first.output
    before = (out / "records.jsonl").read_text()
    again = runner.invoke(app, ["eval", str(config), "--out", str(out), "--model", "fake/demo"])
    assert again.exit_code == 0 and "idealize: eval " not in again.stderr  # nothing re-run
    assert (out / "records.jsonl").read_text() == before
    more = runner.invoke(
        app, ["eval", str(config), "--out", str(out), "--model", "fake/demo", "--repeats", "2"]
    )
    assert more.exit_code == 0
    assert (
        len((out / "records.jsonl").read_text().splitlines()) == 2 * 2 * 2
    )  # only the epoch-1 cells were added


def test_judges_are_blind_and_positions_randomised(tmp_path: Path) -> None:
    import random

    seen: list[str] = []

    def judge(request):  # type: ignore[no-untyped-def]
        text = request.messages[-1].content
        seen.append(text)
        return (
            "A" if text.index("PLAN-ONE") < text.index("PLAN-TWO") else "B"
        )  # always prefers PLAN-ONE

    provider = ScriptedProvider(judge)
    rng = random.Random(1)
    votes = [judge_pairwise(provider, "PLAN-ONE", "PLAN-TWO", rng) for _ in range(20)]
    assert set(votes) == {0}  # the first plan wins wherever it was shown
    firsts = [t.index("PLAN-ONE") < t.index("PLAN-TWO") for t in seen]
    assert any(firsts) and not all(firsts)
    assert all("idealized" not in t and "critique" not in t for t in seen)


def test_summary_pairs_cells_by_case_model_and_epoch(tmp_path: Path) -> None:
    spec = EvalSpec(
        cases=[CaseSpec(sample="ts-settings", landing="unmerged")],
        variants=["idealized", "critique"],
        models=["fake/demo"],
    )
    providers = {"fake/demo": ScriptedProvider(demo_answer)}
    records = run_cells(spec, tmp_path, tmp_path / "o", provider_for=providers.__getitem__)
    s = summarize(records)
    assert s["variants"]["idealized"]["recall"]["estimate"] == 1.0
    assert s["comparisons"][0]["recall_difference"]["estimate"] == 0.0


def test_a_users_own_repository_with_a_ground_truth_file(tmp_path: Path) -> None:
    from idealize.evaluate.samples import build_sample, get_sample

    repo = tmp_path / "mine"
    build_sample(get_sample("ts-settings"), repo, "unmerged")
    (tmp_path / "truth.toml").write_text(
        '[[planted]]\nid = "rename"\nkind = "phantom_dependency"\nlocations = [\n'
        '  { path = "src/api.ts", symbol = "fetchJson" },\n  { path = "src/status.ts" },\n]\n'
    )
    (tmp_path / "mine.toml").write_text(
        'variants = ["idealized"]\nmodels = ["fake/demo"]\n[[cases]]\nrepo = "mine"\nbranches = '
        '["agent/api-cleanup", "agent/status", "agent/theme", "agent/user-prefs"]\ntruth = "truth.toml"\n'
    )
    result = runner.invoke(app, ["eval", str(tmp_path / "mine.toml"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    (record,) = [
        json.loads(line) for line in (tmp_path / "o" / "records.jsonl").read_text().splitlines()
    ]
    assert record["case"] == "mine" and record["recall"] == 1.0
    bad = tmp_path / "bad.toml"
    bad.write_text('variants = ["idealized"]\nrepeats = 0\n[[cases]]\nsample = "ts-settings"\n')
    refused = runner.invoke(app, ["eval", str(bad), "--out", str(tmp_path / "b")])
    assert refused.exit_code == 2 and "repeats" in refused.stderr


def test_patch_scorers(tmp_path: Path) -> None:
    config = tmp_path / "p.toml"
    config.write_text(
        'variants = ["idealized"]\nmodels = ["fake/demo"]\npatches = true\nverify = "test -f hub/chat.py"\n'
        '[[cases]]\nsample = "py-model-hub"\nlanding = "merge"\n'
    )
    result = runner.invoke(app, ["eval", str(config), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    (record,) = [
        json.loads(line) for line in (tmp_path / "o" / "records.jsonl").read_text().splitlines()
    ]
    assert (
        record["patches"] >= 1
        and record["patches_applied"] == record["patches"] == record["patches_passed"]
    )
    results = json.loads((tmp_path / "o" / "results.json").read_text())
    assert results["variants"]["idealized"]["patches_applied"]["estimate"] == 1.0


def test_judge_grades_and_votes_are_recorded_and_kept_on_resume(tmp_path: Path) -> None:
    spec = EvalSpec(
        cases=[CaseSpec(sample="ts-settings", landing="unmerged")],
        variants=["idealized", "critique"],
        models=["fake/demo"],
        judge="fake/judge",
    )

    def judge(request):  # type: ignore[no-untyped-def]
        return "A" if "## Plan A" in request.messages[-1].content else "4"

    providers = {"fake/demo": ScriptedProvider(demo_answer), "fake/judge": ScriptedProvider(judge)}
    records = run_cells(spec, tmp_path, tmp_path / "o", provider_for=providers.__getitem__)
    assert {r.rubric for r in records} == {4}
    critique = next(r for r in records if r.variant == "critique")
    assert critique.pairwise_judged and critique.pairwise_vs_base in (0, 1)
    assert summarize(records)["comparisons"][0]["pairwise_judge"]["votes"] == 1
    lines = (tmp_path / "o" / "records.jsonl").read_text().splitlines()
    assert all(json.loads(line)["rubric"] == 4 for line in lines)
    judged = len(providers["fake/judge"].requests)
    again = run_cells(spec, tmp_path, tmp_path / "o", provider_for=providers.__getitem__)
    assert len(providers["fake/judge"].requests) == judged  # nothing judged twice
    assert {r.key: r.rubric for r in again} == {r.key: r.rubric for r in records}


def test_max_units_in_the_eval_config_bounds_the_units_each_cell_reviews(tmp_path: Path) -> None:
    def units(extra: str) -> list[int]:
        config = tmp_path / f"eval{len(extra)}.toml"
        config.write_text(
            f'variants = ["idealized-single"]\nmodels = ["fake/demo"]\n{extra}'
            '[[cases]]\nsample = "py-model-hub"\nlanding = "merge"\n'
        )
        out = tmp_path / f"out{len(extra)}"
        result = runner.invoke(app, ["eval", str(config), "--out", str(out)])
        assert result.exit_code == 0, result.output
        lines = (out / "records.jsonl").read_text().splitlines()
        return [json.loads(line)["units_ok"] for line in lines]  # every answer parses

    (every,) = units("")  # the cleanup default (20) covers every unit of this sample
    assert every > 1
    assert units("max_units = 1\n") == [1]
