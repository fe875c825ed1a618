"""run(config, provider) -> Plan. No printing: progress goes through a callback."""

from __future__ import annotations

from collections.abc import Callable

from .analyze.engine import analyze
from .cache import Cache, default_cache_dir
from .collect import Collection, CollectOptions, collect
from .config import Config
from .git import Git
from .model import Plan
from .symbols import SymbolIndex

Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def run(config: Config, provider: object | None = None, progress: Progress = _quiet) -> Plan:
    """Collect what each branch changed, find drift, and build the plan.

    ``provider`` is the model provider for the model stage; ``None`` runs offline.
    """
    git = Git(config.repo)
    cache = Cache((config.cache_dir or default_cache_dir()) if config.use_cache else None)
    try:
        index = SymbolIndex(cache)
        collection = collect(
            git,
            CollectOptions(
                since=config.since,
                branches=config.branches,
                into=config.into,
                worktrees=config.worktrees,
                max_parse_bytes=config.max_parse_bytes,
            ),
            index,
            progress,
        )
        return build_plan(git, collection, cache, progress)
    finally:
        cache.close()


def build_plan(git: Git, collection: Collection, cache: Cache, progress: Progress = _quiet) -> Plan:
    result = analyze(
        git,
        collection.branches,
        collection.target_head,
        cache,
        progress,
        merged=collection.mode == "since",
    )
    return Plan(
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
