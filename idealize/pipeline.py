"""run(config, provider) -> Plan. No printing: progress goes through a callback."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from idealize.analyze.baseline import apply_baseline
from idealize.analyze.engine import Analysis, analyze
from idealize.analyze.features import FeatureStore
from idealize.analyze.pieces import existing_pieces
from idealize.analyze.review import review_pieces
from idealize.analyze.rules import configured_params
from idealize.analyze.suppress import exclude_findings, suppress
from idealize.cache import Cache, default_cache_dir
from idealize.config import Config
from idealize.llm.providers.base import Provider
from idealize.output.markdown import to_markdown
from idealize.output.plan_json import to_json
from idealize.repo.collect import Collection, CollectOptions, collect
from idealize.repo.exclude import Excluder, exclude_collection
from idealize.repo.git import Git
from idealize.repo.languages import family
from idealize.repo.symbols import SymbolIndex
from idealize.repo.throwaway import prune_leftovers
from idealize.runfolder import Recorder
from idealize.timings import Clock
from idealize.types import Plan, Progress, no_progress

# The engine reports ("analyze", step, 5) as it goes; each report starts the named sub-step.
ANALYZE_STEPS = {"analyze": {1: "existing", 2: "rules", 4: "findings"}}


def run(
    config: Config,
    provider: Provider | None = None,
    progress: Progress = no_progress,
    clock: Clock | None = None,
) -> Plan:
    """Collect what each branch changed, find drift, and build the plan; then, when a provider
    is given (or ``config.dry_run``), describe the ideal of each unit and diff it with the code.

    ``provider`` ``None`` without ``dry_run`` runs offline: static analysis only.
    ``clock``: charged each stage's wall time (collect, parse, analyze and its steps, model,
    patches, output) and given the cache's hit counts.
    """
    clock = clock or Clock()
    clock.switch("collect")
    git = Git(config.repo)
    cache = Cache((config.cache_dir or default_cache_dir()) if config.use_cache else None)
    try:
        index = SymbolIndex(cache, config.workers)
        if config.review:
            clock.switch("analyze")
            plan, analysis = _review_plan(git, config, cache, index)
        else:
            pruned = prune_leftovers(git)  # worktrees a killed run left behind
            excluder = Excluder(config.excludes).check()
            collection = collect(
                git,
                CollectOptions(
                    since=config.since,
                    branches=config.branches,
                    into=config.into,
                    worktrees=config.worktrees,
                    max_parse_bytes=config.max_parse_bytes,
                    exclude=config.excludes,
                ),
                index,
                progress,
                clock,
            )
            collection = exclude_collection(collection, excluder)
            clock.switch("analyze.pieces")
            plan, analysis = static_plan(
                git,
                collection,
                cache,
                clock.progress(progress, ANALYZE_STEPS),
                configured_params(config.rules),
                need_pieces=provider is not None or config.dry_run,
                workers=config.workers,
            )
            clock.switch("analyze.filters")  # exclusions, suppressions, the baseline
            plan, analysis = exclude_findings(plan, analysis, excluder.excluded)
            plan, analysis = suppress(git, plan, analysis)
            if config.baseline is not None:
                plan, analysis = apply_baseline(plan, analysis, config.baseline, git.root)
            if pruned:
                note = f"Removed {len(pruned)} throwaway worktree(s) a killed run left behind."
                plan = replace(plan, notes=(*plan.notes, note))
        if provider is None and not config.dry_run:
            return plan
        # the model and patch stages (and what they import) load only when a model runs
        from idealize.llm.stage import run_model_stage
        from idealize.patches.stage import run_patch_stage

        clock.switch("model")
        recorder = Recorder(config.run_dir)
        recorder.json("config.json", _config_record(config, provider))
        plan, session = run_model_stage(
            git, plan, analysis, config, provider, cache, recorder, progress
        )
        if config.patches and session is not None:
            clock.switch("patches")
            plan = run_patch_stage(
                git, plan, session.packs, session.prompts, session.caller, config, recorder
            )
            plan = replace(plan, usage=session.caller.usage())
        if config.run_dir is not None:
            clock.switch("output")
            (config.run_dir / "plan.json").write_text(to_json(plan, git.root), encoding="utf-8")
            (config.run_dir / "plan.md").write_text(to_markdown(plan, git.root), encoding="utf-8")
        return plan
    finally:
        _count_cache(cache, clock)
        cache.close()


# cache namespace -> what a hit and a write mean there
_CACHE_NAMES = {
    "symbols": ("symbols", "parsed"),
    "changes": ("diffs", "read"),
    "features": ("features", "computed"),
    "analysis": ("analyses", "computed"),
}


def _count_cache(cache: Cache, clock: Clock) -> None:
    """The cache's lookups as counters: ``symbols cached`` (found), ``symbols parsed``
    (written, so made in this run), and so on for diffs and features."""
    for ns in sorted({*cache.hits, *cache.written}):
        name, made = _CACHE_NAMES.get(ns.split("-", 1)[0], (ns, "new"))
        clock.count(f"{name} {made}", cache.written[ns])
        clock.count(f"{name} cached", cache.hits[ns])


def _config_record(config: Config, provider: Provider | None) -> dict[str, object]:
    record = {f.name: getattr(config, f.name) for f in fields(config)}
    record["repo"] = str(Path(config.repo).resolve())  # `idealize report` may run elsewhere
    record["provider"] = f"{provider.name}/{provider.model}" if provider else None
    return record


def _review_plan(
    git: Git, config: Config, cache: Cache, index: SymbolIndex
) -> tuple[Plan, Analysis]:
    store = FeatureStore(cache)
    unit, pieces = review_pieces(git, config.review, store)
    head = git.resolve("HEAD")
    notes: list[str] = []
    existing, _ = existing_pieces(
        git,
        head,
        index,
        {family(p.language) for p in pieces if p.language},
        {(p.path, p.symbol) for p in pieces},
        notes,
        near={p.path for p in pieces},
        store=store,
    )
    plan = Plan(
        repo=git.root.name,
        mode="review",
        target=git.current_branch() or "HEAD",
        target_head=head,
        branches=(),
        modules=(),
        units=(unit,),
        notes=tuple(notes),
    )
    return plan, Analysis((), (), (unit,), tuple(notes), tuple(pieces), tuple(existing))


def static_plan(
    git: Git,
    collection: Collection,
    cache: Cache,
    progress: Progress = no_progress,
    rule_params: Mapping[str, Any] | None = None,
    need_pieces: bool = True,
    workers: int | None = None,
) -> tuple[Plan, Analysis]:
    result = analyze(
        git,
        collection.branches,
        collection.target_head,
        cache,
        progress,
        merged=collection.mode == "since",
        rule_params=rule_params,
        need_pieces=need_pieces,
        workers=workers,
    )
    plan = Plan(
        repo=git.root.name,
        mode=collection.mode,
        target=collection.target,
        target_head=collection.target_head,
        since=collection.since,
        branches=collection.branches,
        modules=result.modules,
        findings=result.findings,
        units=result.units,
        skipped=collection.skipped,
        notes=(*collection.notes, *result.notes),
        offline=True,
    )
    return plan, result
