"""``cleanup`` and ``review``: options -> settings -> Config -> pipeline -> output and exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from idealize.cli.app import app, display, shown_errors
from idealize.cli.options import (
    AllOpt,
    AllowOutsideEditsOpt,
    ApiBaseOpt,
    BaselineOpt,
    BatchOpt,
    BudgetOpt,
    CandidatesOpt,
    DryRunOpt,
    ExcludeOpt,
    FailOnOpt,
    FormatOpt,
    IntoOpt,
    MaxCostOpt,
    MaxTokensOpt,
    MaxUnitsOpt,
    MinConfidenceOpt,
    ModelOpt,
    NoBaselineOpt,
    OfflineOpt,
    PatchesOpt,
    PriceOpt,
    PromptsOpt,
    VariantOpt,
    VerifyOpt,
)

if TYPE_CHECKING:  # heavy modules are imported inside the commands, when they run
    from idealize.config import Settings
    from idealize.llm.providers.base import Provider
    from idealize.repo.git import Git
    from idealize.types import Plan


def load(repo: Path, **flags: object) -> Settings:
    """The merged settings for a command: flags over environment over files over defaults.
    ``--exclude`` adds to the configured patterns instead of replacing them."""
    from idealize.config import load_settings
    from idealize.output.formats import parse_formats
    from idealize.output.gate import parse_kinds
    from idealize.repo.git import Git

    fail_on = flags.pop("fail_on", None)
    if isinstance(fail_on, str):
        flags["fail_on"] = parse_kinds(fail_on)
    fmt = flags.get("format")
    if isinstance(fmt, (list, tuple)):
        flags["format"] = parse_formats(fmt) or None
    if flags.get("prompts") is not None:
        flags["prompts"] = str(flags["prompts"])
    extra = flags.pop("exclude", None)
    more: tuple[str, ...] = tuple(extra) if isinstance(extra, (list, tuple)) else ()
    settings, _ = load_settings(Git(repo).root, flags)
    if more:
        settings = settings.model_copy(update={"extend_exclude": (*settings.extend_exclude, *more)})
    return settings


def check_out_folder(out: Path | None) -> None:
    """``--out`` must be a folder (or not exist yet): checked before anything runs."""
    from idealize.runfolder import check_folder

    if out is not None:
        check_folder(out, "--out")


def _model(settings: Settings, quiet: bool) -> str | None:
    """The model a run uses, checked the same way for dry and real runs (aliases resolved);
    what the catalog warns about is printed once, in one line each."""
    if settings.model is None:
        return None
    from idealize.llm.providers.registry import model_card

    card = model_card(settings.model, settings.api_base, price=settings.price)
    if not quiet:
        for line in card.warnings():
            typer.echo(f"idealize: warning: {line}", err=True)
    return card.spec


def _provider(settings: Settings, model: str | None, dry_run: bool) -> Provider | None:
    if model is None:
        return None
    import os

    from idealize.llm.providers import make_provider

    if dry_run:
        # a dry run calls nothing, but refuses the model names a real run refuses; it needs
        # no key, so stand-ins fill the key variables that are not set
        env = {**os.environ}
        for var in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY"):
            env[var] = env.get(var) or "dry-run"
        make_provider(model, settings.api_base, env=env, price=settings.price)
        return None
    return make_provider(model, settings.api_base, price=settings.price)


def finish(
    ctx: typer.Context,
    plan: Plan,
    settings: Settings,
    out: Path | None,
    git: Git,
    run_dir: Path | None,
    candidates: bool = False,
    everything: bool = False,
) -> None:
    """Print the plan in the (first) chosen format, write every chosen format into --out, and
    exit with the plan's code."""
    from idealize.analyze.baseline import baseline_note
    from idealize.output.anchor import Target
    from idealize.output.formats import render, write_formats
    from idealize.output.gate import gated

    target = Target.of(git, run_dir, candidates, everything)
    formats = settings.format or ("md",)
    texts: dict[str, str] = {}
    folder = out if out is not None else run_dir
    if folder is not None:
        # a run folder already holds plan.json and plan.md: the pipeline wrote them
        texts = write_formats(folder, plan, formats, target, record=run_dir is None)
    sys.stdout.write(texts.get(formats[0]) or render(plan, formats[0], target))
    if run_dir is not None:
        typer.echo(f"idealize: run folder {run_dir}", err=True)
    elif out is not None:
        typer.echo(f"idealize: wrote {', '.join(formats)} into {out}", err=True)
    note = baseline_note(plan)
    if note:  # a result, like the --fail-on line: shown with -q too
        typer.echo(f"idealize: {note}", err=True)
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
    baseline: bool = True,
    candidates: bool = False,
    everything: bool = False,
) -> None:
    """Options -> settings -> Config -> pipeline -> output: what cleanup and review share."""
    from idealize.analyze.baseline import resolve_baseline
    from idealize.config import Config
    from idealize.pipeline import run
    from idealize.repo.git import Git
    from idealize.runfolder import new_run_dir
    from idealize.timings import Clock

    from .progress import ProgressDisplay, show_timings

    clock = Clock(since_process_start=True)  # what came before is start-up
    shown = display(ctx)
    check_out_folder(out)
    git = Git(repo)
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
        chosen, run_dir = _model(settings, shown.quiet), out or new_run_dir(git.root)
    provider = None if offline else _provider(settings, chosen, dry)
    config = Config.from_settings(
        settings,
        repo,
        model=chosen,
        dry_run=dry,
        run_dir=run_dir,
        baseline=None if review else resolve_baseline(git.root, settings.baseline, baseline),
        **fields,
    )
    with ProgressDisplay(shown) as progress:
        plan = run(config, provider, progress, clock)
    if dry and not shown.quiet:
        for note in plan.notes:
            if note.startswith("Dry run:"):
                typer.echo(f"idealize: {note}", err=True)
    clock.switch("output")
    try:
        finish(ctx, plan, settings, out, git, run_dir, candidates, everything)
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
            help="Write plan.json, plan.md and each --format into DIR (with a model, the whole run).",
            metavar="DIR",
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
    max_units: MaxUnitsOpt = None,
    price: PriceOpt = None,
    dry_run: DryRunOpt = False,
    exclude: ExcludeOpt = None,
    batch: BatchOpt = False,
    patches: PatchesOpt = False,
    allow_outside_edits: AllowOutsideEditsOpt = False,
    verify: VerifyOpt = None,
    fail_on: FailOnOpt = None,
    min_confidence: MinConfidenceOpt = None,
    baseline: BaselineOpt = None,
    no_baseline: NoBaselineOpt = False,
    candidates: CandidatesOpt = False,
    everything: AllOpt = False,
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
                max_units=max_units,
                price=price,
                allow_outside_edits=allow_outside_edits or None,
                exclude=exclude,
                fail_on=fail_on,
                min_confidence=min_confidence,
                into=into,
                format=fmt,
                baseline=baseline,
            ),
            offline=offline,
            dry_run=dry_run,
            out=out,
            baseline=not no_baseline,
            candidates=candidates,
            everything=everything,
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
    price: PriceOpt = None,
    dry_run: DryRunOpt = False,
    exclude: ExcludeOpt = None,
    patches: PatchesOpt = False,
    allow_outside_edits: AllowOutsideEditsOpt = False,
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
                price=price,
                allow_outside_edits=allow_outside_edits or None,
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
