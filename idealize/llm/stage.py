"""The idealized-diff stage: for each review unit, pack -> render -> call -> parse.

Which units: ranked by their findings (the best-ranked finding first; units without a
finding last), the first ``max_units`` reviewed and the rest listed as not reviewed.
Units run in parallel up to the provider's concurrency limit; the steps of one unit run in
order (step 2 of the `idealized` variant sees step 1's description of the ideal). The last
step asks for the answer format; it carries the answer schema so a provider with
structured outputs returns it well formed. The model's verdicts update the static findings
they judge; its own findings are added once, never as copies of static ones.

One module on purpose: the model stage's steps (budget, packing, calls, refits, dry run,
batches) are small functions over the same run state; split, they would pass it all around.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from idealize.analyze.engine import Analysis
from idealize.cache import Cache
from idealize.config import Config
from idealize.errors import (
    AuthError,
    BudgetError,
    ProviderError,
    UnknownModel,
    Unreachable,
    UsageError,
)
from idealize.llm.answers import Reconciled, answer_schema, apply_verdicts, parse_answer, reconcile
from idealize.llm.calls import Caller
from idealize.llm.pack import Pack, PieceIndex, build_pack, conventions
from idealize.llm.prompts import Prompts, RenderedPrompt, Variant, overhead
from idealize.llm.providers.base import (
    BatchProvider,
    Completion,
    OutputSchema,
    Pricing,
    Provider,
    Request,
)
from idealize.llm.providers.catalog import context_window
from idealize.llm.providers.registry import model_card
from idealize.llm.redact import DEFAULT_EXCLUDES, Redactor
from idealize.repo.git import Git
from idealize.runfolder import Recorder
from idealize.types import Finding, Plan, Progress, Unit, UnitReview, Verdict

MAX_DEFAULT_BUDGET = 60_000
FATAL = (AuthError, UnknownModel, Unreachable)  # no other unit can succeed either


@dataclass(frozen=True)
class Session:
    """What later stages (patches) reuse of a model stage that made calls."""

    prompts: Prompts
    packs: dict[str, Pack]
    caller: Caller


@dataclass(frozen=True)
class _Outcome:
    review: UnitReview
    reconciled: Reconciled | None = None


# Prompts are counted with tiktoken's cl100k; other models' tokenizers count the same text
# differently (SmolLM2's made 8,355 tokens of a go-fleet prompt cl100k counted at 6,470, and
# the 8,192-token server refused it), so a default budget leaves this share of the window free;
# a unit refused anyway is packed again, smaller (see REFITS).
TOKENIZER_MARGIN = 0.8


# how providers say a prompt overflowed the window: (window, requested) or (requested, window)
_OVER_WINDOW = re.compile(r"maximum context length is (\d+) tokens.*?requested (\d+) tokens", re.S)
_TOO_LONG = re.compile(r"prompt is too long: (\d+) tokens > (\d+)")
REFITS = 2  # times a refused unit is packed again, smaller


def overflow(message: str) -> int | None:
    """Tokens a prompt was over the model's window, from the provider's refusal (OpenAI,
    vLLM and llama.cpp servers; Anthropic), or None when the refusal says nothing of it."""
    if m := _OVER_WINDOW.search(message):
        return int(m.group(2)) - int(m.group(1))
    if m := _TOO_LONG.search(message):
        return int(m.group(1)) - int(m.group(2))
    return None


def default_budget(window: int, max_tokens: int, template_tokens: int) -> int:
    """Tokens of code and context per prompt when --budget is not given: what the model's
    window holds after its answer and the template, with room for another tokenizer."""
    usable = int((window - max_tokens) * TOKENIZER_MARGIN) - template_tokens
    return max(1_000, min(usable, MAX_DEFAULT_BUDGET))


def rank_units(units: Sequence[Unit], findings: Sequence[Finding]) -> list[Unit]:
    """Units in the order a model should see them: by their best-ranked finding (rank 1 is
    the most important), then units without findings, larger first."""
    rank = {f.id: f.rank or 10**6 for f in findings}

    def key(item: tuple[int, Unit]) -> tuple[int, int, int]:
        i, unit = item
        ranks = [rank[fid] for fid in unit.findings if fid in rank]
        return (min(ranks), 0, i) if ranks else (10**7, -len(unit.members), i)

    return [u for _, u in sorted(enumerate(units), key=key)]


def select_units(
    units: Sequence[Unit], findings: Sequence[Finding], max_units: int
) -> tuple[list[Unit], list[Unit]]:
    """(to review, not reviewed): the ``max_units`` best-ranked units (0: every unit)."""
    ranked = rank_units(units, findings)
    if max_units <= 0:
        return ranked, []
    return ranked[:max_units], ranked[max_units:]


def final_schema(pack: Pack, max_tokens: int) -> OutputSchema:
    """The answer schema for this unit: verdict ids limited to the unit's static findings,
    bounds fitted to the output-token cap."""
    schema = answer_schema(max_tokens)
    ids = [f.id for f in pack.findings]
    verdicts = schema["properties"]["verdicts"]
    verdicts["maxItems"] = len(ids)
    if ids:
        verdicts["items"]["properties"]["finding"] = {"type": "string", "enum": ids}
    return OutputSchema.of("answer", schema)


def _pricing(config: Config, provider: Provider | None) -> tuple[str, Pricing | None, int]:
    """The model's label, price and context window, for real and dry runs alike."""
    if provider is not None:
        return f"{provider.name}/{provider.model}", provider.pricing, provider.context_window
    if not config.model:
        return "", None, 32_000
    card = model_card(config.model, config.api_base, price=config.price)
    return card.spec, card.pricing, context_window(card)


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
    redactor = Redactor(excludes=(*DEFAULT_EXCLUDES, *config.excludes))
    # detect-secrets' settings are set once for every redaction of the stage
    with redactor.scanning():
        prompts = Prompts(config.prompts_dir, redactor)
        variant = prompts.variant(config.variant)
        model, pricing, window = _pricing(config, provider)
        if config.max_cost is not None and pricing is None and model:
            raise BudgetError(
                f"no price is known for {model}, so --max-cost cannot be kept",
                "give the price with --price IN OUT (US$ per million input and output tokens), "
                "or drop --max-cost",
            )
        project = conventions(git, plan.target_head, redactor) if plan.target_head else ()
        empty = Pack(Unit("U0", "", ()), (), (), (), (), (), (), 0, 0)
        budget = config.budget or default_budget(
            window, config.max_tokens, overhead(prompts, variant, empty)
        )
        index = PieceIndex(analysis.pieces, analysis.existing)
        # a unit made only of excluded files has nothing that may be sent
        sendable = [u for u in plan.units if not all(redactor.excluded(m.path) for m in u.members)]
        withheld = [u for u in plan.units if u not in sendable]
        chosen, rest = select_units(sendable, plan.findings, config.max_units)
        packs = [
            build_pack(unit, plan.findings, index, plan.branches, project, budget, redactor)
            for unit in chosen
        ]
        skipped = tuple(
            UnitReview(
                unit_id=u.id,
                status="skipped",
                variant=variant.name,
                error=f"not reviewed: ranked {len(chosen) + n} of {len(sendable)}, "
                f"beyond --max-units {config.max_units}",
                cause="max-units",
            )
            for n, u in enumerate(rest, start=1)
        ) + tuple(
            UnitReview(
                unit_id=u.id,
                status="skipped",
                variant=variant.name,
                error="not sent: every file of this unit is excluded from prompts",
            )
            for u in withheld
        )
        notes = list(plan.notes)
        if rest:
            notes.append(
                f"{len(rest)} of {len(plan.units)} unit(s) not reviewed (beyond --max-units "
                f"{config.max_units}; units are ranked by their findings): "
                + ", ".join(u.id for u in rest[:20])
                + (" ..." if len(rest) > 20 else "")
                + ". Raise --max-units (0: all) to review them."
            )
        order = {u.id: i for i, u in enumerate(plan.units)}

        def in_plan_order(reviews: Sequence[UnitReview]) -> tuple[UnitReview, ...]:
            return tuple(sorted(reviews, key=lambda r: order.get(r.unit_id, 0)))

        if config.dry_run or provider is None:
            planned = [_dry_run(prompts, variant, pack, recorder, config) for pack in packs]
            notes.append(
                _estimate(planned, len(variant.steps), config, pricing, len(sendable), model)
            )
            dry = replace(
                plan,
                reviews=in_plan_order([*planned, *skipped]),
                notes=tuple(notes),
                model=model or None,
                redactions=tuple(sorted(redactor.counts.items())),
            )
            return dry, None

        def retried(message: str, attempt: int, attempts: int) -> None:
            progress(f"retry: {message}", attempt, attempts)

        caller = Caller(provider, cache, config.max_cost, on_retry=retried)
        if config.max_cost is not None and provider.pricing is not None:
            first_steps = sum(
                prompts.render(
                    variant, variant.steps[0], p, dict.fromkeys(variant.steps, "")
                ).tokens
                for p in packs
            )
            floor = provider.pricing.cost(first_steps, 0)
            if floor > config.max_cost:
                raise BudgetError(
                    f"the prompts alone would cost about ${floor:.4f}, over --max-cost ${config.max_cost:.2f}",
                    "raise --max-cost, lower --budget or --max-units; --dry-run shows the estimate",
                )
        outcomes: list[_Outcome] = []
        if config.batch:
            outcomes = _batched(prompts, variant, packs, provider, caller, config, recorder, budget)
            progress("model", len(packs), len(packs))
        else:
            done = 0
            refitted: dict[str, Pack] = {}

            def fitted(pack: Pack) -> _Outcome:
                """A unit the model refused as longer than its window is packed again, smaller
                by what the provider said it was over (twice that: its tokenizer counts more
                than cl100k), at most REFITS times."""
                unit_budget = budget
                outcome = _review(prompts, variant, pack, caller, config, recorder, unit_budget)
                for _ in range(REFITS):
                    over = overflow(outcome.review.error or "")
                    if outcome.review.cause != "provider" or not over or over <= 0:
                        break
                    unit_budget = max(500, unit_budget - 2 * over)
                    pack = build_pack(
                        pack.unit,
                        plan.findings,
                        index,
                        plan.branches,
                        project,
                        unit_budget,
                        redactor,
                    )
                    refitted[pack.unit.id] = pack
                    outcome = _review(prompts, variant, pack, caller, config, recorder, unit_budget)
                return outcome

            with ThreadPoolExecutor(max_workers=max(1, provider.max_concurrency)) as pool:
                for outcome in pool.map(fitted, packs):
                    outcomes.append(outcome)
                    done += 1
                    progress("model", done, len(packs))
            packs = [refitted.get(p.unit.id, p) for p in packs]
        verdicts: dict[str, Verdict] = {}
        new: list[Finding] = []
        for o in outcomes:
            if o.reconciled is not None:
                verdicts.update(o.reconciled.verdicts)
                new.extend(o.reconciled.new)
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
                "price_source": provider.pricing.source if provider.pricing else None,
            },
        )
        reviews = [o.review for o in outcomes]
        if provider.pricing is None:
            notes.append(f"No price is known for {provider.model}: cost is reported as 0.")
        structured = sum(1 for r in reviews if r.answer_path == "structured")
        if reviews:
            notes.append(
                f"Answers: {structured} of {len(reviews)} unit(s) read through structured output, "
                f"{sum(1 for r in reviews if r.answer_path == 'repaired')} through the repair layers, "
                f"{sum(1 for r in reviews if r.status == 'failed')} failed."
            )
        failed = [r.unit_id for r in reviews if r.status == "failed"]
        if failed:
            notes.append(
                f"Unit(s) {', '.join(failed)} failed; their raw answers are in the run folder."
            )
        judged = sum(1 for v in verdicts.values() if v.status != "refuted")
        if verdicts:
            notes.append(
                f"The model judged {len(verdicts)} static finding(s): {judged} confirmed or amended, "
                f"{len(verdicts) - judged} refuted (ranked last)."
            )
        reviewed = replace(
            plan,
            reviews=in_plan_order([*reviews, *skipped]),
            findings=apply_verdicts(plan.findings, verdicts, new),
            offline=False,
            model=f"{provider.name}/{provider.model}",
            notes=tuple(notes),
            redactions=tuple(sorted(redactor.counts.items())),
        )
        return replace(reviewed, usage=caller.usage()), Session(
            prompts, {p.unit.id: p for p in packs}, caller
        )


def _estimate(
    planned: Sequence[UnitReview],
    steps: int,
    config: Config,
    pricing: Pricing | None,
    total_units: int,
    model: str,
) -> str:
    """What a full run would take: units, calls, tokens, dollars (an upper bound: every answer
    as long as --max-tokens allows)."""
    calls = len(planned) * steps
    tokens_in = (
        sum(r.prompt_tokens for r in planned) + len(planned) * (steps - 1) * config.max_tokens
    )
    tokens_out = calls * config.max_tokens
    cost = (
        f"at most ${pricing.cost(tokens_in, tokens_out):.4f}"
        + (f" (prices: {pricing.source})" if pricing.source else "")
        if pricing is not None
        else "cost unknown for this model (give --price IN OUT)"
        if model
        else "cost unknown (no model chosen)"
    )
    scope = f"{len(planned)} unit(s)" + (
        f" of {total_units} (--max-units {config.max_units})" if len(planned) < total_units else ""
    )
    return (
        f"Dry run: a full run would make {calls} call(s) for {scope}: about {tokens_in:,} input "
        f"and at most {tokens_out:,} output tokens ({config.max_tokens} per call), {cost}."
    )


def _dry_run(
    prompts: Prompts, variant: Variant, pack: Pack, recorder: Recorder, config: Config
) -> UnitReview:
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


def _request(
    rendered: RenderedPrompt, variant: Variant, step: str, pack: Pack, config: Config
) -> Request:
    last = step == variant.steps[-1]
    return rendered.request(
        config.max_tokens, final_schema(pack, config.max_tokens) if last else None
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
    last: Completion | None = None
    for step in variant.steps:
        rendered = prompts.render(variant, step, pack, previous)
        recorder.prompt(rendered)
        total_tokens += rendered.tokens
        request = _request(rendered, variant, step, pack, config)
        try:
            last = caller.call(request, rendered.template_hash, rendered.tokens, config.epoch)
        except BudgetError as exc:
            return _Outcome(
                replace(
                    base,
                    status="skipped",
                    error=exc.message,
                    prompt_tokens=total_tokens,
                    cause="budget",
                )
            )
        except FATAL:
            raise
        except ProviderError as exc:
            return _Outcome(
                replace(base, error=exc.message, prompt_tokens=total_tokens, cause="provider")
            )
        recorder.response(pack.unit.id, step, last.text)
        previous[step] = last.text
    assert last is not None  # a variant has at least one step
    return _conclude(pack, variant, previous, last, base, total_tokens, budget, config.max_tokens)


def _conclude(
    pack: Pack,
    variant: Variant,
    previous: dict[str, str],
    last: Completion,
    base: UnitReview,
    total_tokens: int,
    budget: int,
    max_tokens: int,
) -> _Outcome:
    """Parse the last step's answer into the unit's review, verdicts and model findings.
    Whatever the answer holds, the outcome stays inside this unit."""
    parsed = parse_answer(last.text, structured=bool(last.structured))
    if parsed.answer is None:
        cut = f" (cut off at --max-tokens {max_tokens}: raise it)" if last.truncated else ""
        refused = " (the model refused)" if last.stop_reason == "refusal" else ""
        return _Outcome(
            replace(
                base,
                error=f"answer not readable: {parsed.error}{cut}{refused}",
                prompt_tokens=total_tokens,
                cause="answer",
            )
        )
    answer = parsed.answer
    ideal = previous[variant.steps[0]] if len(variant.steps) > 1 else answer.ideal
    known = {loc.path for loc in pack.unit.members} | {c.path for c in pack.code}
    result = reconcile(answer, pack.findings, known, pack.unit.id)
    review = UnitReview(
        unit_id=pack.unit.id,
        status="ok",
        variant=variant.name,
        ideal=ideal.strip(),
        decision=answer.decision.strip(),
        steps=tuple(s.strip() for s in answer.steps if s.strip()),
        open_questions=tuple(q.strip() for q in answer.open_questions if q.strip()),
        agents_md=answer.agents_md.strip(),
        findings=tuple(f.id for f in result.new),
        omitted=pack.omitted,
        prompt_tokens=total_tokens,
        budget=budget,
        parse_layer=parsed.layer,
        dropped=(*parsed.dropped, *result.dropped),
        answer_path=parsed.path,
    )
    return _Outcome(review, result)


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
    last: dict[str, Completion] = {}
    tokens_used = dict.fromkeys(previous, 0)
    failed: dict[str, tuple[str, str]] = {}  # unit -> (error, cause)
    for step in variant.steps:
        todo: list[tuple[str, RenderedPrompt, Request]] = []
        for pack in packs:
            uid = pack.unit.id
            if uid in failed:
                continue
            rendered = prompts.render(variant, step, pack, previous[uid])
            recorder.prompt(rendered)
            tokens_used[uid] += rendered.tokens
            request = _request(rendered, variant, step, pack, config)
            hit = caller.lookup(request, rendered.template_hash)
            if hit is not None:
                previous[uid][step] = hit.text
                last[uid] = hit
                recorder.response(uid, step, hit.text)
            else:
                todo.append((uid, rendered, request))
        if not todo:
            continue
        try:
            caller.reserve_batch(sum(r.tokens for _, r, _ in todo), len(todo) * config.max_tokens)
        except BudgetError as exc:
            failed.update({uid: (exc.message, "budget") for uid, _, _ in todo})
            continue
        answers = provider.complete_batch(
            [(f"{uid}-{step}", request) for uid, _, request in todo],
            time.sleep,
            config.poll_seconds,
        )
        for uid, rendered, request in todo:
            answer = answers.get(f"{uid}-{step}", "no answer in the batch")
            if isinstance(answer, str):
                failed[uid] = (answer, "provider")
                continue
            caller.record(request, rendered.template_hash, answer, batch=True)
            previous[uid][step] = answer.text
            last[uid] = answer
            recorder.response(uid, step, answer.text)
    outcomes = []
    for pack in packs:
        uid = pack.unit.id
        base = UnitReview(
            unit_id=uid, status="failed", variant=variant.name, omitted=pack.omitted, budget=budget
        )
        if uid in failed:
            error, cause = failed[uid]
            outcomes.append(
                _Outcome(
                    replace(
                        base,
                        status="skipped" if cause == "budget" else "failed",
                        error=error,
                        prompt_tokens=tokens_used[uid],
                        cause=cause,  # type: ignore[arg-type]
                    )
                )
            )
        else:
            outcomes.append(
                _conclude(
                    pack,
                    variant,
                    previous[uid],
                    last[uid],
                    base,
                    tokens_used[uid],
                    budget,
                    config.max_tokens,
                )
            )
    return outcomes
