"""The idealized-diff stage with the scripted provider: packing, prompts, answers, run folder."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from idealize.cli import app
from idealize.config import Config
from idealize.evaluate.samples import cleanup_config, load_samples
from idealize.llm.providers import ScriptedProvider
from idealize.llm.providers.fake import demo_answer
from idealize.output.plan_json import check_plan, plan_to_dict
from idealize.pipeline import run
from tests.conftest import GOLDEN, Repo

runner = CliRunner()
CASES = [(s.name, v) for s in load_samples() for v in s.variants]


def _config(path: Path, name: str, variant: str, **extra: object) -> Config:
    sample = next(s for s in load_samples() if s.name == name)
    return cleanup_config(sample, variant, path, **extra)


def test_fake_provider_end_to_end(sample_repo: Callable[[str, str], Path], tmp_path: Path) -> None:
    path = sample_repo("py-model-hub", "merge")
    provider = ScriptedProvider(demo_answer)
    plan = run(_config(path, "py-model-hub", "merge", run_dir=tmp_path / "run"), provider)
    assert [r.status for r in plan.reviews] == ["ok"] * len(plan.units)
    assert len(provider.requests) == 2 * len(plan.units)  # idealized: describe, then compare
    step2 = [r for r in provider.requests if "step 2 of 2" in r.messages[-1].content]
    assert all("The ideal keeps one implementation" in r.messages[-1].content for r in step2)
    # the scripted model confirms every static finding: verdicts, not copies
    assert [f for f in plan.findings if f.source == "model"] == []
    assert all(f.verdict is not None and f.verdict.status == "confirmed" for f in plan.findings)
    assert [r.answer_path for r in plan.reviews] == ["repaired"] * len(plan.units)
    data = plan_to_dict(plan, path)
    check_plan(data)
    assert data["offline"] is False and data["model"] == "fake/fake-model"
    assert data["usage"]["input_tokens"] > 0
    run_dir = tmp_path / "run"
    for name in ("config.json", "usage.json", "plan.json", "plan.md"):
        assert (run_dir / name).exists(), name
    assert len(list((run_dir / "prompts").glob("*.md"))) == len(provider.requests)
    assert len(list((run_dir / "responses").glob("*.txt"))) == len(provider.requests)
    # an unchanged re-run is served from the response cache: not one request
    again = ScriptedProvider([])
    rerun = run(_config(path, "py-model-hub", "merge"), again)
    assert again.requests == [] and [r.status for r in rerun.reviews] == ["ok"] * len(plan.units)


def test_unreadable_answers_fail_the_unit_not_the_plan(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    path = sample_repo("ts-settings", "unmerged")
    out = tmp_path / "run"
    result = runner.invoke(
        app, ["cleanup", str(path), "-m", "fake/garbage", "--out", str(out), "--format", "json"]
    )
    assert result.exit_code == 4, result.output
    data = json.loads(result.stdout)
    assert {u["review"]["status"] for u in data["units"]} == {"failed"}
    assert all("not readable" in u["review"]["error"] for u in data["units"])
    assert len(list((out / "responses").glob("*.txt"))) == 2 * len(data["units"])
    assert sorted(f["kind"] for f in data["findings"]) == [
        "duplicate",
        "phantom_dependency",
    ]  # static findings kept


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_dry_run_puts_every_planted_item_in_one_prompt(
    sample_repo: Callable[[str, str], Path],
    sample_cache: Callable[[str, str], Path],
    tmp_path: Path,
    name: str,
    variant: str,
) -> None:
    sample = next(s for s in load_samples() if s.name == name)
    out = tmp_path / "dry"
    # the analysis from the offline run's cache: what is tested here is the packing
    config = _config(sample_repo(name, variant), name, variant, dry_run=True, run_dir=out)
    plan = run(replace(config, cache_dir=sample_cache(name, variant)))
    prompts = {p.name: p.read_text() for p in (out / "prompts").glob("*-1-*.md")}
    for review in plan.reviews:
        assert review.status == "dry-run" and review.prompt_tokens <= review.budget + 4000
    for item in sample.planted:
        if item.expect == "model":
            continue  # nothing static leads to it: no unit is built around it
        holders = [
            text
            for text in prompts.values()
            # the symbol itself, or its members (planted `Class` ~ shown `Class.method`)
            if all(
                re.search(rf"`{re.escape(loc.path)}` · `{re.escape(loc.symbol)}[`.]", text)
                if loc.symbol
                else loc.path in text  # a removed module: named, its code is gone
                for loc in item.locations
            )
        ]
        assert holders, (
            f"{item.id}: no prompt holds all of {[(loc.path, loc.symbol) for loc in item.locations]}"
        )


@pytest.mark.parametrize("name", ["py-model-hub", "ts-settings"])
def test_rendered_prompts_match_golden(
    sample_repo: Callable[[str, str], Path], tmp_path: Path, name: str
) -> None:
    out = tmp_path / "dry"
    run(_config(sample_repo(name, "merge"), name, "merge", dry_run=True, run_dir=out))
    folder = GOLDEN / "prompts" / name
    for path in sorted((out / "prompts").glob("*.md")):
        golden = folder / path.name
        text = path.read_text()
        if os.environ.get("UPDATE_GOLDEN"):
            folder.mkdir(parents=True, exist_ok=True)
            golden.write_text(text)
        assert golden.exists(), f"missing golden prompt {golden}"
        assert text == golden.read_text(), f"{golden.name} differs (UPDATE_GOLDEN=1 to accept)"


def test_secrets_never_reach_the_provider(repo: Repo) -> None:
    keys = {
        "anthropic": "sk-ant-api03-" + "A1b2C3d4" * 6,
        "aws": "AKIA" + "ABCDEFGHIJKLMNOP",
        "github": "ghp_" + "x1Y2z3" * 6,
        "url": "postgres://admin:hunter2hunter2@db.internal:5432/app",
        "assigned": "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    }
    repo.write("app/__init__.py", "")
    repo.write("app/config.py", "def load():\n    return {}\n")
    repo.commit("base")
    for branch, extra in (("a", "one"), ("b", "two")):
        repo.git("checkout", "-q", "-b", branch, "main")
        repo.write(
            f"app/{extra}.py",
            f'''import os

ANTHROPIC = "{keys["anthropic"]}"
AWS_KEY = "{keys["aws"]}"
GITHUB = "{keys["github"]}"
DATABASE_URL = "{keys["url"]}"
api_key = "{keys["assigned"]}"


def read_settings(path="settings.json"):
    with open(os.environ.get("APP_SETTINGS", path)) as fh:
        return fh.read().split("\\n")
''',
        )
        repo.write(".env", f"ANTHROPIC_API_KEY={keys['anthropic']}\n")
        repo.commit(f"settings reader {extra}")
        repo.git("checkout", "-q", "main")
    provider = ScriptedProvider(demo_answer)
    plan = run(Config(repo=repo.path, branches=("a", "b"), into="main"), provider)
    assert provider.requests, "the units were sent"
    sent = "\n".join(m.content for r in provider.requests for m in r.messages)
    for name, secret in keys.items():
        assert secret not in sent, f"{name} key reached the provider"
    assert "hunter2" not in sent
    assert dict(plan.redactions).get("anthropic key", 0) >= 1


def test_budget_degrades_and_lists_what_it_left_out(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    out = tmp_path / "dry"
    plan = run(
        _config(
            sample_repo("py-model-hub", "merge"),
            "py-model-hub",
            "merge",
            dry_run=True,
            run_dir=out,
            budget=300,
        )
    )
    reviews = {r.unit_id: r for r in plan.reviews}
    degraded = [
        r
        for r in reviews.values()
        if any(re.search(r"body replaced by its (hunks|signature)", o) for o in r.omitted)
    ]
    assert degraded
    text = (out / "prompts" / f"{degraded[0].unit_id}-1-ideal.md").read_text()
    assert "Left out to fit the budget" in text
    assert "shown as" in text


def test_review_a_module(sample_repo: Callable[[str, str], Path], tmp_path: Path) -> None:
    path = sample_repo("py-model-hub", "unmerged")
    out = tmp_path / "review"
    result = runner.invoke(
        app,
        [
            "review",
            "hub/client.py::ServerClient",
            "hub/urls.py",
            "--repo",
            str(path),
            "-m",
            "fake/demo",
            "--out",
            str(out),
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["mode"] == "review" and data["units"][0]["review"]["status"] == "ok"
    prompt = (out / "prompts" / "U1-1-ideal.md").read_text()
    assert "ServerClient" in prompt and "join_url" in prompt
    dry = runner.invoke(
        app, ["review", "hub/urls.py", "--repo", str(path), "--out", str(tmp_path / "dry")]
    )
    assert dry.exit_code == 0 and (tmp_path / "dry" / "prompts" / "U1-1-ideal.md").exists()
    bad = runner.invoke(app, ["review", "hub/urls.py::nope", "--repo", str(path)])
    assert bad.exit_code == 2 and "no symbol" in bad.stderr
    missing = runner.invoke(app, ["review", "hub/nothing.py", "--repo", str(path)])
    assert missing.exit_code == 2


def test_prompt_variants_list_show_and_a_users_own(
    tmp_path: Path, sample_repo: Callable[[str, str], Path]
) -> None:
    listed = runner.invoke(app, ["prompts", "list"])
    assert listed.exit_code == 0
    for name in ("idealized", "idealized-single", "critique", "refactor"):
        assert name in listed.stdout
    shown = runner.invoke(app, ["prompts", "show", "critique"])
    assert "What is wrong with this code?" in shown.stdout
    mine = tmp_path / "mine" / "terse"
    mine.mkdir(parents=True)
    (mine / "1-ask.j2").write_text(
        '{% include "_shared/context.j2" %}\nBe terse.\n{% include "_shared/answer_format.j2" %}\n'
    )
    path = sample_repo("ts-settings", "merge")
    rendered = runner.invoke(
        app,
        [
            "prompts",
            "render",
            str(path),
            "--since",
            "sample-base",
            "--variant",
            "terse",
            "--prompts",
            str(tmp_path / "mine"),
        ],
    )
    assert rendered.exit_code == 0, rendered.output
    assert "Be terse." in rendered.stdout
    (mine / "1-ask.j2").write_text("{{ pack.no_such_field }}\n")
    broken = runner.invoke(
        app,
        [
            "prompts",
            "render",
            str(path),
            "--since",
            "sample-base",
            "--variant",
            "terse",
            "--prompts",
            str(tmp_path / "mine"),
        ],
    )
    assert broken.exit_code == 2 and "no_such_field" in broken.stderr


def test_cost_cap_refuses_to_start(sample_repo: Callable[[str, str], Path]) -> None:
    from idealize.errors import BudgetError
    from idealize.llm.providers.base import Pricing

    path = sample_repo("py-model-hub", "merge")
    provider = ScriptedProvider(demo_answer, pricing=Pricing(input=1000.0, output=1000.0))
    with pytest.raises(BudgetError):
        run(_config(path, "py-model-hub", "merge", max_cost=0.01), provider)
    assert provider.requests == []


def test_batch_mode_sends_one_batch_per_step(
    sample_repo: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from idealize.llm.providers.fake import ScriptedBatchProvider

    monkeypatch.setattr("time.sleep", lambda s: None)
    path = sample_repo("py-model-hub", "merge")
    provider = ScriptedBatchProvider(demo_answer)
    plan = run(_config(path, "py-model-hub", "merge", batch=True, poll_seconds=0.0), provider)
    assert [r.status for r in plan.reviews] == ["ok"] * len(plan.units)
    assert len(provider.batches) == 2  # step 1 for every unit, then step 2
    assert sorted(provider.batches[0]) == sorted(f"{u.id}-1-ideal" for u in plan.units)
    plain = ScriptedProvider(demo_answer)
    with pytest.raises(Exception, match="no batch API"):
        run(
            _config(
                path, "py-model-hub", "merge", batch=True, cache_dir=path.parent / "other-cache"
            ),
            plain,
        )


def test_confirmed_static_findings_are_not_duplicated_in_any_format(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    from idealize.output.html import to_html
    from idealize.output.markdown import to_markdown
    from idealize.output.sarif import to_sarif

    path = sample_repo("py-model-hub", "merge")
    offline = run(_config(path, "py-model-hub", "merge"))
    plan = run(
        _config(path, "py-model-hub", "merge"), ScriptedProvider(demo_answer, structured=True)
    )
    # every finding confirmed: the same findings, in the same rank order
    assert {f.id: f.rank for f in plan.findings} == {f.id: f.rank for f in offline.findings}
    ids = [f.id for f in offline.findings]
    markdown = to_markdown(plan, path, candidates=True)  # the wrapper double fix is one
    sarif = json.loads(to_sarif(plan))
    page = to_html(plan, path, None)
    data = plan_to_dict(plan, path)
    assert len(data["findings"]) == len(ids)
    assert len(sarif["runs"][0]["results"]) == len(ids)
    assert sorted(r["properties"]["idealizeId"] for r in sarif["runs"][0]["results"]) == sorted(ids)
    assert all(
        r["properties"]["verdict"]["status"] == "confirmed" for r in sarif["runs"][0]["results"]
    )
    tiers = {f.id: f.tier for f in plan.findings}
    for fid in ids:
        shown = f"### {fid} ·" if tiers[fid] == "finding" else f"- **{fid}** ·"
        assert markdown.count(shown) == 1
        assert page.count(f'id="finding-{fid}"') == 1
    assert markdown.count("**Model verdict (") == len(ids)
    assert "confirms" not in markdown and "confirms" not in page
    assert [r.answer_path for r in plan.reviews] == ["structured"] * len(plan.units)


def test_a_refuted_finding_keeps_its_place_in_the_plan_but_drops_in_rank(
    sample_repo: Callable[[str, str], Path],
) -> None:
    path = sample_repo("ts-settings", "merge")
    offline = run(_config(path, "ts-settings", "merge"))
    best = min(offline.findings, key=lambda f: f.rank)

    def refute_best(request):  # type: ignore[no-untyped-def]
        ids = re.findall(r"^- ([A-Z]+-\d+) \(", request.messages[-1].content, re.M)
        return json.dumps(
            {
                "ideal": "x",
                "verdicts": [
                    {
                        "finding": i,
                        "verdict": "refuted" if i == best.id else "confirmed",
                        "reason": "r",
                    }
                    for i in ids
                ],
                "findings": [],
                "decision": "",
                "steps": [],
                "open_questions": [],
                "agents_md": "",
            }
        )

    plan = run(
        replace(_config(path, "ts-settings", "merge"), variant="idealized-single"),
        ScriptedProvider(refute_best, structured=True),
    )
    refuted = next(f for f in plan.findings if f.id == best.id)
    assert refuted.verdict is not None and refuted.verdict.status == "refuted"
    assert refuted.rank == len(plan.findings) and len(plan.findings) == len(offline.findings)


def test_max_units_reviews_the_best_ranked_units_and_lists_the_rest(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    from idealize.llm.stage import rank_units

    path = sample_repo("py-model-hub", "merge")
    provider = ScriptedProvider(demo_answer)
    plan = run(_config(path, "py-model-hub", "merge", max_units=2), provider)
    ranked = rank_units(plan.units, plan.findings)
    reviewed = [r.unit_id for r in plan.reviews if r.status == "ok"]
    assert reviewed == sorted(u.id for u in ranked[:2])
    rest = [r for r in plan.reviews if r.cause == "max-units"]
    assert {r.unit_id for r in rest} == {u.id for u in ranked[2:]}
    assert all(r.status == "skipped" and "beyond --max-units 2" in (r.error or "") for r in rest)
    assert len(provider.requests) == 2 * 2
    assert any("not reviewed (beyond --max-units 2" in n for n in plan.notes)
    best = min(plan.findings, key=lambda f: f.rank)
    assert any(best.id in u.findings for u in ranked[:1])  # the top finding's unit goes first
    dry = runner.invoke(
        app,
        ["cleanup", str(path), "--since", "sample-base", "-m", "fake/demo", "--dry-run",
         "--max-units", "1", "--out", str(tmp_path / "dry")],
    )  # fmt: skip
    assert dry.exit_code == 0, dry.output
    assert "for 1 unit(s) of 5 (--max-units 1)" in dry.stderr


def test_a_unit_refused_as_too_long_is_packed_again_smaller(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    """A local 8k server refused a go-fleet unit that cl100k counted inside the window (its
    own tokenizer counts more). The unit is packed again, smaller by what the server said it
    was over, and answered; a refusal that says nothing of length is not retried."""
    from idealize.errors import ProviderError
    from idealize.llm.stage import overflow

    path = sample_repo("go-fleet", "merge")
    asked: list[int] = []

    def small_window(request):  # type: ignore[no-untyped-def]
        asked.append(sum(len(m.content) for m in request.messages))
        if len(asked) == 1:  # the first unit's prompt is over the window
            raise ProviderError(
                "openai answered 400: This model's maximum context length is 8192 tokens. "
                "However, you requested 8955 tokens (8355 in the messages, 600 in the completion)."
            )
        return demo_answer(request)

    provider = ScriptedProvider(small_window, max_concurrency=1)
    config = _config(path, "go-fleet", "merge", budget=4_000, run_dir=tmp_path / "run")
    plan = run(replace(config, variant="idealized-single"), provider)
    assert [r.status for r in plan.reviews] == ["ok"] * len(plan.reviews), plan.reviews
    refused = next(r for r in plan.reviews if r.budget != 4_000)  # the first unit asked
    assert refused.budget == 4_000 - 2 * 763  # packed again, smaller by twice what was over
    assert asked[1] < asked[0]  # the same unit, asked again with less of its code
    assert (
        overflow("anthropic answered 400: prompt is too long: 210000 tokens > 200000 maximum")
        == 10_000
    )
    assert overflow("openai answered 400: invalid model") is None
