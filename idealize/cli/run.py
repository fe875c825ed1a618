"""``cleanup`` and ``review``: options -> settings -> Config -> pipeline -> output and exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from idealize.cli.app import app, display, shown_errors
from idealize.cli.options import (
    ApiBaseOpt,
    BatchOpt,
    BudgetOpt,
    DryRunOpt,
    ExcludeOpt,
    FailOnOpt,
    Format,
    FormatOpt,
    IntoOpt,
    MaxCostOpt,
    MaxTokensOpt,
    MinConfidenceOpt,
    ModelOpt,
    OfflineOpt,
    PatchesOpt,
    PromptsOpt,
    VariantOpt,
    VerifyOpt,
)

if TYPE_CHECKING:  # heavy modules are imported inside the commands, when they run
    from idealize.config import Settings
    from idealize.llm.providers.base import Provider
    from idealize.types import Plan


def load(repo: Path, **flags: object) -> Settings:
    """The merged settings for a command: flags over environment over files over defaults."""
    from idealize.config import load_settings
    from idealize.output.gate import parse_kinds
    from idealize.repo.git import Git

    fail_on = flags.pop("fail_on", None)
    if isinstance(fail_on, str):
        flags["fail_on"] = parse_kinds(fail_on)
    fmt = flags.get("format")
    if isinstance(fmt, Format):
        flags["format"] = fmt.value
    if flags.get("prompts") is not None:
        flags["prompts"] = str(flags["prompts"])
    if "exclude" in flags:
        flags["exclude"] = tuple(flags.get("exclude") or ())  # type: ignore[arg-type]
    settings, _ = load_settings(Git(repo).root, flags)
    return settings


def _provider(model: str | None, api_base: str | None, dry_run: bool) -> Provider | None:
    if model is None or dry_run:
        return None
    from idealize.llm.providers import make_provider

    return make_provider(model, api_base)


def write_plan(out: Path, json_text: str, md_text: str) -> None:
    from idealize.errors import UsageError

    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "plan.json").write_text(json_text, encoding="utf-8")
        (out / "plan.md").write_text(md_text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot write to {out}: {exc.strerror}", "pick a writable --out folder"
        ) from exc


def finish(
    plan: Plan, settings: Settings, out: Path | None, repo: Path, run_dir: Path | None
) -> None:
    """Print the plan in the chosen format, write --out, and exit with the plan's code."""
    from idealize.output.gate import gated
    from idealize.output.html import to_html
    from idealize.output.markdown import to_markdown
    from idealize.output.plan_json import to_json
    from idealize.output.sarif import to_sarif
    from idealize.repo.git import Git

    git = Git(repo)
    root = git.root
    if out is not None and out != run_dir:
        write_plan(out, to_json(plan, root), to_markdown(plan, root))
    text = {
        "json": lambda: to_json(plan, root),
        "md": lambda: to_markdown(plan, root),
        "sarif": lambda: to_sarif(plan),
        "html": lambda: to_html(plan, root, git),
    }[settings.format]()
    sys.stdout.write(text)
    if run_dir is not None:
        typer.echo(f"idealize: run folder {run_dir}", err=True)
    failed = [r.unit_id for r in plan.reviews if r.status == "failed"]
    if failed:
        typer.echo(
            f"idealize: {len(failed)} unit(s) failed: {', '.join(failed)} (raw answers in the run folder)",
            err=True,
        )
        raise typer.Exit(4)
    gate = gated(plan.findings, settings.fail_on, settings.min_confidence)
    if gate:
        kinds = ",".join(sorted(settings.fail_on))
        typer.echo(f"idealize: {len(gate)} finding(s) match --fail-on {kinds}", err=True)
        raise typer.Exit(1)


def model_run(
    ctx: typer.Context,
    repo: Path,
    flags: dict[str, object],
    offline: bool,
    dry_run: bool,
    out: Path | None,
    fields: dict[str, Any],  # Config fields this command sets
    review: bool = False,
) -> None:
    """Options -> settings -> Config -> pipeline -> output: what cleanup and review share."""
    from idealize.config import Config
    from idealize.pipeline import run
    from idealize.repo.git import Git
    from idealize.runfolder import new_run_dir
    from idealize.timings import Clock

    from .progress import ProgressDisplay, show_timings

    clock = Clock(since_process_start=True)  # what came before is start-up
    shown = display(ctx)
    settings = load(repo, **flags)
    dry = dry_run or (review and settings.model is None)
    if settings.model is None and not shown.quiet:
        note = (
            "rendering the review prompts only (--dry-run)"
            if review
            else "running offline (static analysis only)"
        )
        if not dry_run or review:
            typer.echo(f"idealize: no model configured; {note}.", err=True)
    chosen: str | None = None
    run_dir: Path | None = None
    if not offline and (settings.model is not None or dry):
        chosen, run_dir = settings.model, out or new_run_dir(Git(repo).root)
    provider = _provider(chosen, settings.api_base, dry)
    config = Config.from_settings(
        settings, repo, model=chosen, dry_run=dry, run_dir=run_dir, **fields
    )
    with ProgressDisplay(shown) as progress:
        plan = run(config, provider, progress, clock)
    clock.switch("output")
    try:
        finish(plan, settings, out, repo, run_dir)
    finally:
        if shown.verbose:
            show_timings(clock.timings())


@app.command()
def cleanup(
    ctx: typer.Context,
    repo: Annotated[
        Path, typer.Argument(help="The repository (default: the current folder).")
    ] = Path("."),
    since: Annotated[
        str | None,
        typer.Option(
            help="Every branch that landed on the current branch after REF.", metavar="REF"
        ),
    ] = None,
    branch: Annotated[
        list[str] | None,
        typer.Option("--branch", "-b", help="An unmerged branch (repeatable).", metavar="NAME"),
    ] = None,
    into: IntoOpt = None,
    worktrees: Annotated[
        bool, typer.Option(help="Every worktree, uncommitted and untracked work included.")
    ] = False,
    fmt: FormatOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write plan.json and plan.md (and, with a model, the run) into DIR.", metavar="DIR"
        ),
    ] = None,
    offline: OfflineOpt = False,
    model: ModelOpt = None,
    api_base: ApiBaseOpt = None,
    variant: VariantOpt = None,
    prompts: PromptsOpt = None,
    budget: BudgetOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    dry_run: DryRunOpt = False,
    exclude: ExcludeOpt = None,
    batch: BatchOpt = False,
    patches: PatchesOpt = False,
    verify: VerifyOpt = None,
    fail_on: FailOnOpt = None,
    min_confidence: MinConfidenceOpt = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Parse and call everything again.")
    ] = False,
) -> None:
    """Find drift between branches: after merging (--since), before (--branch), or across worktrees."""
    with shown_errors(ctx):
        model_run(
            ctx,
            repo,
            dict(
                model=model,
                api_base=api_base,
                variant=variant,
                prompts=prompts,
                budget=budget,
                max_tokens=max_tokens,
                max_cost=max_cost,
                exclude=exclude,
                fail_on=fail_on,
                min_confidence=min_confidence,
                into=into,
                format=fmt,
            ),
            offline=offline,
            dry_run=dry_run,
            out=out,
            fields=dict(
                since=since,
                branches=tuple(branch or ()),
                worktrees=worktrees,
                use_cache=not no_cache,
                batch=batch,
                patches=patches,
                verify=verify,
            ),
        )


@app.command()
def review(
    ctx: typer.Context,
    targets: Annotated[
        list[str],
        typer.Argument(
            help="PATH or PATH::SYMBOL, relative to the repository root.",
            metavar="PATH[::SYMBOL]...",
        ),
    ],
    repo: Annotated[Path, typer.Option(help="The repository.")] = Path("."),
    fmt: FormatOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the run (prompts, answers, plan) into DIR.", metavar="DIR"),
    ] = None,
    model: ModelOpt = None,
    api_base: ApiBaseOpt = None,
    variant: VariantOpt = None,
    prompts: PromptsOpt = None,
    budget: BudgetOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    dry_run: DryRunOpt = False,
    exclude: ExcludeOpt = None,
    patches: PatchesOpt = False,
    verify: VerifyOpt = None,
) -> None:
    """Describe the ideal of one module (or symbols) and diff it with the code, before refactoring."""
    from idealize.analyze.review import parse_target

    with shown_errors(ctx):
        model_run(
            ctx,
            repo,
            dict(
                model=model,
                api_base=api_base,
                variant=variant,
                prompts=prompts,
                budget=budget,
                max_tokens=max_tokens,
                max_cost=max_cost,
                exclude=exclude,
                format=fmt,
            ),
            offline=False,
            dry_run=dry_run,
            out=out,
            fields=dict(
                review=tuple(parse_target(t) for t in targets), patches=patches, verify=verify
            ),
            review=True,
        )
