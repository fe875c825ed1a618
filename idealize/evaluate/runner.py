"""Run every (case, variant, model, repeat) cell, record it, resume where a run stopped.

A provider error is an error, not a score: a cell whose run failed (unreachable server, bad
key, a provider that kept failing on some unit) is recorded with its error and no scores,
left out of the statistics, reported apart, and run again on resume."""

from __future__ import annotations

import functools
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from idealize.config import Config
from idealize.errors import BudgetError, ConfigError, IdealizeError
from idealize.evaluate.groundtruth import score
from idealize.evaluate.samples import (
    Planted,
    PlantedLocation,
    build_sample,
    cleanup_config,
    get_sample,
)
from idealize.llm.prompts import Prompts, fence
from idealize.llm.providers import make_provider
from idealize.llm.providers.base import Message, Provider, Request
from idealize.llm.redact import Redactor
from idealize.output.markdown import to_markdown
from idealize.pipeline import run
from idealize.types import Finding, Plan

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class CaseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sample: str | None = None
    landing: str = "merge"
    repo: str | None = None  # a user's own repository
    since: str | None = None
    branches: list[str] = Field(default_factory=list)
    into: str | None = None
    worktrees: bool = False
    truth: str | None = None  # TOML file with [[planted]] items, for a user's repository
    name: str | None = None


class EvalSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cases: list[CaseSpec]
    variants: list[str] = Field(default_factory=lambda: ["idealized", "critique"])
    models: list[str] = Field(default_factory=lambda: ["fake/demo"])
    repeats: int = Field(default=1, ge=1)
    judge: str | None = None  # a model that grades plans (rubric) and compares them (pairwise)
    max_cost: float | None = None
    max_tokens: int = 2048
    # units the model reviews per cell, best-ranked first (as --max-units); None: the
    # cleanup default, 0: every unit
    max_units: int | None = Field(default=None, ge=0)
    budget: int | None = None
    api_base: str | None = None
    prompts: str | None = None
    patches: bool = False  # also score the edits: apply rate, tests passing after them
    verify: str | None = None  # the test command run on each patch (a throwaway worktree)


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Config]
    truth: tuple[Planted, ...]
    label: Callable[[str], str]


def load_spec(path: Path, overrides: dict[str, Any] | None = None) -> EvalSpec:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"no eval config at {path}", "see evals/samples.toml for an example"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}", "fix the file") from exc
    data.update({k: v for k, v in (overrides or {}).items() if v})
    try:
        return EvalSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: {where}: {err['msg']}", "fix the eval config") from exc


def _truth_file(path: Path) -> tuple[Planted, ...]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Planted(
            p.get("id", f"item-{n}"),
            p["kind"],
            p.get("description", ""),
            tuple(
                PlantedLocation(loc["path"], loc.get("symbol"), loc.get("branch"))
                for loc in p["locations"]
            ),
        )
        for n, p in enumerate(data.get("planted", []), start=1)
    )


def cases(spec: EvalSpec, base: Path) -> list[Case]:
    out: list[Case] = []
    for c in spec.cases:
        if c.sample:
            sample = get_sample(c.sample)
            landing = c.landing

            def build(work: Path, sample: Any = sample, landing: str = landing) -> Config:
                dest = work / "cases" / f"{sample.name}-{landing}" / sample.name
                if not dest.exists():
                    build_sample(sample, dest, landing)
                return cleanup_config(sample, landing, dest)

            out.append(
                Case(
                    c.name or f"{c.sample}-{landing}",
                    build,
                    sample.planted,
                    functools.partial(_sample_label, sample, landing),
                )
            )
        elif c.repo:
            repo = (base / c.repo).resolve()
            truth = _truth_file((base / c.truth).resolve()) if c.truth else ()
            cfg = Config(
                repo=repo,
                since=c.since,
                branches=tuple(c.branches),
                into=c.into,
                worktrees=c.worktrees,
            )
            out.append(Case(c.name or repo.name, functools.partial(_fixed, cfg), truth, _same))
        else:
            raise ConfigError("an eval case needs `sample` or `repo`", "see evals/samples.toml")
    return out


def _sample_label(sample: Any, landing: str, branch: str) -> str:
    return str(sample.label(branch, landing))


def _fixed(config: Config, work: Path) -> Config:
    return config


def _same(branch: str) -> str:
    return branch


def cell_key(case: str, variant: str, model: str, epoch: int) -> str:
    return f"{case}|{variant}|{model}|{epoch}"


def _read_folder(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.is_file()}


@functools.cache
def _judge_prompts() -> Prompts:
    return Prompts()


def _judge_request(template: str, **values: str) -> Request:
    """A judge's prompt: the plans it grades quote code and evidence, so the text goes
    through the redactor like every other prompt, and the plans sit in fences."""
    fenced = {k: fence(v, "markdown") for k, v in values.items()}
    text = _judge_prompts().env.get_template(f"_judge/{template}.j2").render(**fenced)
    return Request((Message("user", Redactor()(text)),), max_tokens=5)


def judge_rubric(judge: Provider, plan_md: str) -> int | None:
    text = judge.complete(_judge_request("rubric", plan=plan_md)).text
    digits = [ch for ch in text if ch in "12345"]
    return int(digits[0]) if digits else None


def judge_pairwise(judge: Provider, first: str, second: str, rng: random.Random) -> int | None:
    """0 if the first plan wins, 1 if the second; the judge sees them as A/B in random order."""
    swap = rng.random() < 0.5
    a, b = (second, first) if swap else (first, second)
    text = judge.complete(_judge_request("pairwise", a=a, b=b)).text.strip().upper()
    if not text or text[0] not in "AB":
        return None
    picked_a = text[0] == "A"
    return (1 if picked_a else 0) if swap else (0 if picked_a else 1)


@dataclass(frozen=True)
class CellRecord:
    """One (case, variant, model, repeat) cell: its scores and the material behind them."""

    key: str
    case: str
    variant: str
    model: str
    epoch: int
    latency_s: float
    error: str | None = None
    recall: float | None = None
    precision: float | None = None
    found_all: bool = False
    missed: tuple[str, ...] = ()
    units: int = 0
    units_ok: int = 0
    plan_chars: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    patches: int = 0
    patches_applied: int = 0
    patches_passed: int = 0
    rubric: int | None = None
    pairwise_vs_base: int | None = None  # 0: this variant won, 1: the base variant won
    pairwise_judged: bool = False
    plan_md: str = ""
    prompts: tuple[tuple[str, str], ...] = ()
    responses: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> str:
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["missed"] = list(self.missed)
        data["prompts"] = dict(self.prompts)
        data["responses"] = dict(self.responses)
        if not data.pop("pairwise_judged"):
            data.pop("pairwise_vs_base")
        return json.dumps(data)

    @classmethod
    def from_json(cls, line: str) -> CellRecord:
        data = json.loads(line)
        data["pairwise_judged"] = "pairwise_vs_base" in data
        data["missed"] = tuple(data.get("missed", ()))
        data["prompts"] = tuple(data.get("prompts", {}).items())
        data["responses"] = tuple(data.get("responses", {}).items())
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def read_records(records_path: Path) -> dict[str, CellRecord]:
    """The latest record of each cell (a cell that failed and ran again has two lines)."""
    found: dict[str, CellRecord] = {}
    if records_path.exists():
        for line in records_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = CellRecord.from_json(line)
                found[rec.key] = rec
    return found


def run_cells(
    spec: EvalSpec,
    spec_dir: Path,
    out: Path,
    provider_for: Callable[[str], Provider] | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> list[CellRecord]:
    """Run what is missing from out/records.jsonl (and the cells that failed with an error);
    return the latest record of every cell."""
    out.mkdir(parents=True, exist_ok=True)
    records_path = out / "records.jsonl"
    done = read_records(records_path)
    factory = provider_for or (lambda model: make_provider(model, spec.api_base))
    spent = sum(r.cost_usd for r in done.values())
    all_cases = cases(spec, spec_dir)
    providers: dict[str, Provider] = {}
    for case in all_cases:
        for model in spec.models:
            if model not in providers:
                providers[model] = factory(model)
                if spec.max_cost is not None and providers[model].pricing is None:
                    raise BudgetError(
                        f"no price is known for {model}, so the eval's max_cost cannot be kept",
                        "drop max_cost from the eval config, or use a model the catalog prices",
                    )
            provider = providers[model]
            for variant in spec.variants:
                for epoch in range(spec.repeats):
                    key = cell_key(case.name, variant, model, epoch)
                    if key in done and done[key].error is None:
                        continue
                    if spec.max_cost is not None and spent >= spec.max_cost:
                        raise ConfigError(
                            f"the eval reached its cost cap (${spent:.4f} of ${spec.max_cost:.2f})",
                            "raise max_cost; finished cells are kept and the run resumes",
                        )
                    progress(f"{key}" + (" (again: it failed before)" if key in done else ""))
                    record = _run_cell(case, variant, model, epoch, spec, out, provider, progress)
                    spent += record.cost_usd
                    with records_path.open("a", encoding="utf-8") as fh:
                        fh.write(record.to_json() + "\n")
                    done[key] = record
                    if record.error:
                        progress(f"{key}: error, not scored: {record.error}")
    if spec.judge:
        _judge(spec, done, factory(spec.judge), records_path)
    return list(done.values())


def reported_findings(plan: Plan) -> list[Finding]:
    """What the model stage reports as drift: the model's own findings, and the static
    findings whose verdict it gave and did not refute."""
    return [
        f
        for f in plan.findings
        if f.source == "model" or (f.verdict is not None and f.verdict.status != "refuted")
    ]


def _provider_failure(plan: Plan) -> str | None:
    failed = [r for r in plan.reviews if r.cause == "provider"]
    if not failed:
        return None
    return f"provider error in {len(failed)} unit(s): {failed[0].error}"


def _run_cell(
    case: Case,
    variant: str,
    model: str,
    epoch: int,
    spec: EvalSpec,
    out: Path,
    provider: Provider,
    progress: Callable[[str], None] = lambda line: None,
) -> CellRecord:
    safe = cell_key(case.name, variant, model, epoch).replace("/", "_").replace("|", "__")
    run_dir = out / "runs" / safe
    built = case.build(out)
    config = replace(
        built,
        variant=variant,
        model=model,
        max_tokens=spec.max_tokens,
        max_units=built.max_units if spec.max_units is None else spec.max_units,
        budget=spec.budget,
        run_dir=run_dir,
        epoch=epoch,
        prompts_dir=Path(spec.prompts) if spec.prompts else None,
        patches=spec.patches,
        verify=spec.verify,
    )
    start = time.perf_counter()
    error = None

    def retries(stage: str, done: int, total: int) -> None:
        if stage.startswith("retry: "):
            progress(f"{stage[7:]} (attempt {done} of {total})")

    plan: Plan | None
    try:
        plan = run(config, provider, retries)
    except IdealizeError as exc:
        error = exc.message
        plan = None
    if plan is not None:
        error = _provider_failure(plan)
    base = CellRecord(
        key=cell_key(case.name, variant, model, epoch),
        case=case.name,
        variant=variant,
        model=model,
        epoch=epoch,
        latency_s=round(time.perf_counter() - start, 3),
        error=error,
        prompts=tuple(_read_folder(run_dir / "prompts").items()),
        responses=tuple(_read_folder(run_dir / "responses").items()),
    )
    if plan is None or error is not None:
        return base
    model_findings = reported_findings(plan)
    result = score(model_findings, case.truth, case.label)
    matched = len(model_findings) - len(result.extra)
    plan_md = to_markdown(plan)
    return replace(
        base,
        recall=result.recall if case.truth else None,
        precision=(matched / len(model_findings)) if model_findings else None,
        found_all=bool(case.truth) and not result.missed,
        missed=result.missed,
        units=len(plan.reviews),
        units_ok=sum(1 for r in plan.reviews if r.status == "ok"),
        plan_chars=len(plan_md),
        input_tokens=plan.usage.input_tokens,
        output_tokens=plan.usage.output_tokens,
        cost_usd=round(plan.usage.cost_usd, 6),
        plan_md=plan_md,
        patches=sum(1 for p in plan.patches if p.status != "none"),
        patches_applied=sum(1 for p in plan.patches if p.status in ("applies", "repaired")),
        patches_passed=sum(1 for p in plan.patches if p.verify == "passed"),
    )


def _judge(
    spec: EvalSpec, done: dict[str, CellRecord], judge: Provider, records_path: Path
) -> None:
    """Rubric grades per cell, and blind pairwise votes between the first variant and the others."""
    rng = random.Random(7)
    changed = False
    for key, rec in done.items():
        if rec.rubric is None and rec.plan_md and rec.error is None:
            done[key] = replace(rec, rubric=judge_rubric(judge, rec.plan_md))
            changed = True
    base = spec.variants[0]
    for key, rec in done.items():
        if rec.variant == base or rec.pairwise_judged or rec.error is not None:
            continue
        other = done.get(cell_key(rec.case, base, rec.model, rec.epoch))
        if other is None or other.error is not None:
            continue
        vote = judge_pairwise(judge, rec.plan_md, other.plan_md, rng)
        done[key] = replace(rec, pairwise_vs_base=vote, pairwise_judged=True)
        changed = True
    if changed:
        records_path.write_text(
            "".join(r.to_json() + "\n" for r in done.values()), encoding="utf-8"
        )
