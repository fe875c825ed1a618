"""The resolved configuration of one run: built by the CLI (or a caller), read by the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .collect import MAX_PARSE_BYTES


@dataclass(frozen=True)
class Config:
    repo: Path = Path(".")
    since: str | None = None
    branches: tuple[str, ...] = ()
    into: str | None = None
    worktrees: bool = False
    model: str | None = None  # None: offline
    max_parse_bytes: int = MAX_PARSE_BYTES
    cache_dir: Path | None = None  # None: the default cache folder
    use_cache: bool = True
    excludes: tuple[str, ...] = field(default_factory=tuple)
    # model stage
    variant: str = "idealized"
    prompts_dir: Path | None = None
    budget: int | None = None  # tokens per prompt; None: from the model's context window
    max_tokens: int = 4096  # output tokens per call
    max_cost: float | None = None
    dry_run: bool = False
    patches: bool = False  # ask for edits that carry out each unit's plan
    verify: str | None = None  # the project's own test command, run in a throwaway worktree
    verify_timeout: float = 600.0
    epoch: int = 0  # a deliberate repeat: part of the response cache key
    batch: bool = False  # send units through the provider's batch API (lower price, slower)
    poll_seconds: float = 30.0
    run_dir: Path | None = None  # where prompts, responses and the plan are recorded
    review: tuple[tuple[str, str | None], ...] = ()  # `idealize review PATH[::SYMBOL]`
