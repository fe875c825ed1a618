"""The idealized-diff stage: for each review unit, pack -> render -> call -> parse.

Units run in parallel up to the provider's concurrency limit; the steps of one unit run
in order (step 2 of the `idealized` variant sees step 1's description of the ideal).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from idealize.analyze.engine import Analysis
from idealize.cache import Cache
from idealize.config import Config
from idealize.errors import AuthError, BudgetError, ProviderError, UnknownModel, UsageError
from idealize.llm.answers import model_findings, parse_answer
from idealize.llm.calls import Caller
from idealize.llm.pack import Pack, PieceIndex, build_pack, conventions
from idealize.llm.prompts import Prompts, RenderedPrompt, Variant, overhead
from idealize.llm.providers.base import BatchProvider, Provider
from idealize.llm.providers.catalog import context_of, price_of
from idealize.llm.redact import DEFAULT_EXCLUDES, Redactor
from idealize.repo.git import Git
from idealize.runfolder import Recorder
from idealize.types import Finding, Plan, Progress, Unit, UnitReview

MAX_DEFAULT_BUDGET = 60_000


@dataclass(frozen=True)
class Session:
    """What later stages (patches) reuse of a model stage that made calls."""

    prompts: Prompts
    packs: dict[str, Pack]
    caller: Caller


@dataclass(frozen=True)
class _Outcome:
    review: UnitReview
    findings: tuple[Finding, ...]


def default_budget(window: int, max_tokens: int, template_tokens: int) -> int:
    return max(1_000, min(window - max_tokens - template_tokens, MAX_DEFAULT_BUDGET))


def run_model_stage(
    git: Git,
    plan: Plan,
    analysis: Analysis,
    config: Config,
    provider: Provider | None,
    cache: Cache,
    recorder: Recorder,
    progress: Progress,
) -> tuple[Plan, Session | None]:
    """The plan with each unit's review; the session when calls were made (None for a dry
    run), for the patch stage to reuse."""
    prompts = Prompts(config.prompts_dir)
    variant = prompts.variant(config.variant)
    redactor = Redactor(excludes=(*DEFAULT_EXCLUDES, *config.excludes))
    project = conventions(git, plan.target_head, redactor) if plan.target_head else ()
    model = provider.model if provider else (config.model or "")
    window = (
        provider.context_window
        if provider
        else context_of(model.partition("/")[2] or model, 32_000)
    )
    empty = Pack(Unit("U0", "", ()), (), (), (), (), (), (), 0, 0)
    budget = config.budget or default_budget(
        window, config.max_tokens, overhead(prompts, variant, empty)
    )
    index = PieceIndex(analysis.pieces, analysis.existing)
    packs = [
        build_pack(
            unit,
            plan.findings,
            index,
            plan.branches,
            project,
            budget,
            redactor,
        )
        for unit in plan.units
    ]
    if config.dry_run or provider is None:
        planned = [_dry_run(prompts, variant, pack, recorder) for pack in packs]
        pricing = provider.pricing if provider else price_of(model.partition("/")[2])
        tokens_in = sum(r.prompt_tokens for r in planned)
        calls = len(planned) * len(variant.steps)
        estimate = pricing.cost(tokens_in, calls * config.max_tokens) if pricing else None
        note = (
            f"Dry run: {len(planned)} unit(s), {calls} call(s), about {tokens_in:,} input tokens"
            + (
                f", at most ${estimate:.4f} with {config.max_tokens} output tokens per call"
                if estimate is not None
                else ", cost unknown for this model"
            )
            + "."
        )
        dry = replace(
            plan,
            reviews=tuple(planned),
            notes=(*plan.notes, note),
            model=model or None,
            redactions=tuple(sorted(redactor.counts.items())),
        )
        return dry, None
    caller = Caller(provider, cache, config.max_cost)
    if config.max_cost is not None and provider.pricing is not None:
        first_steps = sum(
            prompts.render(variant, variant.steps[0], p, dict.fromkeys(variant.steps, "")).tokens
            for p in packs
        )
        floor = provider.pricing.cost(first_steps, 0)
        if floor > config.max_cost:
            raise BudgetError(
                f"the prompts alone would cost about ${floor:.4f}, over --max-cost ${config.max_cost:.2f}",
                "raise --max-cost or lower --budget; --dry-run shows the estimate",
            )
    done = 0
    outcomes: list[_Outcome] = []

    def work(pack: Pack) -> _Outcome:
        return _review(prompts, variant, pack, caller, config, recorder, budget)

    if config.batch:
        outcomes = _batched(prompts, variant, packs, provider, caller, config, recorder, budget)
        progress("model", len(packs), len(packs))
    else:
        with ThreadPoolExecutor(max_workers=max(1, provider.max_concurrency)) as pool:
            for outcome in pool.map(work, packs):
                outcomes.append(outcome)
                done += 1
                progress("model", done, len(packs))
    reviews = tuple(o.review for o in outcomes)
    model_found = tuple(f for o in outcomes for f in o.findings)
    recorder.json(
        "usage.json",
        {
            "model": provider.model,
            "calls": caller.calls,
            "cache_hits": caller.cache_hits,
            "retries": caller.retries,
            "input_tokens": caller.input_tokens,
            "output_tokens": caller.output_tokens,
            "cost_usd": round(caller.cost, 6),
            "price_known": provider.pricing is not None,
        },
    )
    notes = list(plan.notes)
    if provider.pricing is None:
        notes.append(f"No price is known for {provider.model}: cost is reported as 0.")
    failed = [r.unit_id for r in reviews if r.status == "failed"]
    if failed:
        notes.append(
            f"Unit(s) {', '.join(failed)} failed; their raw answers are in the run folder."
        )
    reviewed = replace(
        plan,
        reviews=reviews,
        findings=(*plan.findings, *model_found),
        offline=False,
        model=f"{provider.name}/{provider.model}",
        notes=tuple(notes),
        redactions=tuple(sorted(redactor.counts.items())),
    )
    return replace(reviewed, usage=caller.usage()), Session(
        prompts, {p.unit.id: p for p in packs}, caller
    )


def _dry_run(prompts: Prompts, variant: Variant, pack: Pack, recorder: Recorder) -> UnitReview:
    previous = {step: f"(the model's answer to step {step} goes here)" for step in variant.steps}
    rendered = [prompts.render(variant, step, pack, previous) for step in variant.steps]
    for p in rendered:
        recorder.prompt(p)
    return UnitReview(
        unit_id=pack.unit.id,
        status="dry-run",
        variant=variant.name,
        omitted=pack.omitted,
        prompt_tokens=sum(p.tokens for p in rendered),
        budget=pack.budget,
    )


def _review(
    prompts: Prompts,
    variant: Variant,
    pack: Pack,
    caller: Caller,
    config: Config,
    recorder: Recorder,
    budget: int,
) -> _Outcome:
    previous: dict[str, str] = {}
    total_tokens = 0
    base = UnitReview(
        unit_id=pack.unit.id,
        status="failed",
        variant=variant.name,
        omitted=pack.omitted,
        budget=budget,
    )
    for step in variant.steps:
        rendered = prompts.render(variant, step, pack, previous)
        recorder.prompt(rendered)
        total_tokens += rendered.tokens
        try:
            completion = caller.call(
                rendered.request(config.max_tokens),
                rendered.template_hash,
                rendered.tokens,
                config.epoch,
            )
        except BudgetError as exc:
            return _Outcome(
                replace(base, status="skipped", error=exc.message, prompt_tokens=total_tokens), ()
            )
        except (AuthError, UnknownModel):
            raise  # no other unit can succeed either
        except ProviderError as exc:
            return _Outcome(replace(base, error=exc.message, prompt_tokens=total_tokens), ())
        recorder.response(pack.unit.id, step, completion.text)
        previous[step] = completion.text
    return _conclude(pack, variant, previous, base, total_tokens, budget)


def _conclude(
    pack: Pack,
    variant: Variant,
    previous: dict[str, str],
    base: UnitReview,
    total_tokens: int,
    budget: int,
) -> _Outcome:
    """Parse the last step's answer into the unit's review and model findings."""
    parsed = parse_answer(previous[variant.steps[-1]])
    if parsed.answer is None:
        return _Outcome(
            replace(base, error=f"answer not readable: {parsed.error}", prompt_tokens=total_tokens),
            (),
        )
    answer = parsed.answer
    ideal = answer.ideal or (previous[variant.steps[0]] if len(variant.steps) > 1 else "")
    known = {loc.path for loc in pack.unit.members} | {c.path for c in pack.code}
    found, dropped = model_findings(answer, known, pack.unit.id)
    review = UnitReview(
        unit_id=pack.unit.id,
        status="ok",
        variant=variant.name,
        ideal=ideal.strip(),
        decision=answer.decision.strip(),
        steps=tuple(s.strip() for s in answer.steps if s.strip()),
        open_questions=tuple(q.strip() for q in answer.open_questions if q.strip()),
        agents_md=answer.agents_md.strip(),
        findings=tuple(f.id for f in found),
        omitted=pack.omitted,
        prompt_tokens=total_tokens,
        budget=budget,
        parse_layer=parsed.layer,
        dropped=(*parsed.dropped, *dropped),
    )
    return _Outcome(review, tuple(found))


def _batched(
    prompts: Prompts,
    variant: Variant,
    packs: Sequence[Pack],
    provider: Provider,
    caller: Caller,
    config: Config,
    recorder: Recorder,
    budget: int,
) -> list[_Outcome]:
    """Every unit's step N goes in one batch; step N+1 waits for its answers."""
    if not isinstance(provider, BatchProvider):
        raise UsageError(
            f"{provider.name} has no batch API here", "drop --batch, or use anthropic/ or openai/"
        )
    previous: dict[str, dict[str, str]] = {p.unit.id: {} for p in packs}
    tokens_used = dict.fromkeys(previous, 0)
    failed: dict[str, str] = {}
    for step in variant.steps:
        todo: list[tuple[str, RenderedPrompt]] = []
        for pack in packs:
            uid = pack.unit.id
            if uid in failed:
                continue
            rendered = prompts.render(variant, step, pack, previous[uid])
            recorder.prompt(rendered)
            tokens_used[uid] += rendered.tokens
            hit = caller.lookup(rendered.request(config.max_tokens), rendered.template_hash)
            if hit is not None:
                previous[uid][step] = hit.text
                recorder.response(uid, step, hit.text)
            else:
                todo.append((uid, rendered))
        if not todo:
            continue
        try:
            caller.reserve_batch(sum(r.tokens for _, r in todo), len(todo) * config.max_tokens)
        except BudgetError as exc:
            failed.update({uid: exc.message for uid, _ in todo})
            continue
        answers = provider.complete_batch(
            [(f"{uid}-{step}", r.request(config.max_tokens)) for uid, r in todo],
            time.sleep,
            config.poll_seconds,
        )
        for uid, rendered in todo:
            answer = answers.get(f"{uid}-{step}", "no answer in the batch")
            if isinstance(answer, str):
                failed[uid] = answer
                continue
            caller.record(
                rendered.request(config.max_tokens), rendered.template_hash, answer, batch=True
            )
            previous[uid][step] = answer.text
            recorder.response(uid, step, answer.text)
    outcomes = []
    for pack in packs:
        uid = pack.unit.id
        base = UnitReview(
            unit_id=uid, status="failed", variant=variant.name, omitted=pack.omitted, budget=budget
        )
        if uid in failed:
            outcomes.append(
                _Outcome(replace(base, error=failed[uid], prompt_tokens=tokens_used[uid]), ())
            )
        else:
            outcomes.append(_conclude(pack, variant, previous[uid], base, tokens_used[uid], budget))
    return outcomes
