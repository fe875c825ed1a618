"""The command line: options -> Config -> pipeline; errors -> message, hint and exit code.

Exit codes: 0 success; 1 findings matched --fail-on; 2 usage or input error;
3 model provider or cost-cap error; 4 a review unit failed (the rest of the plan is written).
"""

from __future__ import annotations

import json
import sys
import tempfile
import traceback
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from .errors import IdealizeError

if TYPE_CHECKING:  # heavy modules are imported inside the commands, when they run
    from .model import Plan
    from .providers.base import Provider
    from .settings import Settings

T = TypeVar("T")

app = typer.Typer(
    name="idealize",
    help="Find and reconcile semantic drift between branches written by parallel AI coding agents.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
samples_app = typer.Typer(help="Sample repositories with planted drift.", no_args_is_help=True)
app.add_typer(samples_app, name="samples")

_state = {"debug": False, "quiet": False, "verbose": False}


class Format(str, Enum):
    md = "md"
    json = "json"
    sarif = "sarif"
    html = "html"


def _guard(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except IdealizeError as exc:
        if _state["debug"]:
            traceback.print_exc()
        typer.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"hint: {exc.hint}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise typer.Exit(130) from None


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Progress as plain lines, with timings.")
    ] = False,
) -> None:
    """Exit codes: 0 plan written; 1 findings matched --fail-on; 2 usage or input error;
    3 model provider or cost-cap error; 4 plan written but a review unit failed."""
    _state["debug"] = debug
    _state["quiet"] = quiet
    _state["verbose"] = verbose


ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="anthropic/MODEL, openai/MODEL, ollama/MODEL, or any litellm model string. Unset: offline.",
    ),
]
ApiBaseOpt = Annotated[
    str | None, typer.Option(help="Base URL of an OpenAI-compatible server.", metavar="URL")
]
FailOnOpt = Annotated[
    str | None,
    typer.Option(
        help="Exit 1 when findings of these kinds exist: KIND[,KIND] or all.", metavar="KINDS"
    ),
]
MinConfidenceOpt = Annotated[
    float | None, typer.Option(help="With --fail-on: only findings at least this confident (0-1).")
]
IntoOpt = Annotated[
    str | None,
    typer.Option(
        help="Target of --branch/--worktrees (default: the default branch).", metavar="REF"
    ),
]
FormatOpt = Annotated[
    Format | None, typer.Option("--format", "-f", help="What to print: md, json, sarif, html.")
]
VariantOpt = Annotated[
    str | None,
    typer.Option(
        help="Prompt variant: idealized, idealized-single, critique, refactor, or your own."
    ),
]
PromptsOpt = Annotated[
    Path | None,
    typer.Option("--prompts", help="A folder of your own prompt variants.", metavar="DIR"),
]
BudgetOpt = Annotated[
    int | None,
    typer.Option(help="Prompt tokens per unit (default: from the model's context window)."),
]
MaxTokensOpt = Annotated[int | None, typer.Option(help="Output tokens per call [default: 4096].")]
MaxCostOpt = Annotated[
    float | None,
    typer.Option(help="Stop before spending more than this many US dollars.", metavar="USD"),
]
DryRunOpt = Annotated[
    bool, typer.Option(help="Render every prompt and estimate tokens and cost; call nothing.")
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option("--exclude", help="Glob of files never put in a prompt (repeatable)."),
]
OfflineOpt = Annotated[bool, typer.Option(help="Static analysis only; no model.")]
PatchesOpt = Annotated[
    bool,
    typer.Option(
        help="Ask for edits that carry out each unit's plan, checked in a throwaway worktree."
    ),
]
VerifyOpt = Annotated[
    str | None,
    typer.Option(
        help="With --patches: the project's test command, run in the throwaway worktree.",
        metavar="CMD",
    ),
]
BatchOpt = Annotated[
    bool,
    typer.Option(
        help="Send the units through the provider's batch API (half price; may take hours)."
    ),
]


def _model_config(
    model: str | None, offline: bool, dry_run: bool, out: Path | None, repo: Path
) -> tuple[str | None, Path | None]:
    """Which model (None: offline) and where the run folder goes."""
    if offline or (model is None and not dry_run):
        return None, None
    if out is not None:
        return model, out
    from datetime import datetime, timezone

    from .git import Git

    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return model, Git(repo).root / ".idealize" / "runs" / stamp


def _provider(model: str | None, api_base: str | None, dry_run: bool) -> Provider | None:
    if model is None or dry_run:
        return None
    from .providers import make_provider

    return make_provider(model, api_base)


def _finish(
    plan: Plan, settings: Settings, out: Path | None, repo: Path, run_dir: Path | None
) -> None:
    from .emit import to_json, to_markdown
    from .git import Git
    from .model import FINDING_KINDS
    from .report import to_html
    from .sarif import to_sarif

    git = Git(repo)
    root = git.root
    if out is not None and out != run_dir:
        _write_plan(out, to_json(plan, root), to_markdown(plan, root))
    fmt = settings.format
    text = {
        "json": lambda: to_json(plan, root),
        "md": lambda: to_markdown(plan, root),
        "sarif": lambda: to_sarif(plan),
        "html": lambda: to_html(plan, root, git),
    }[fmt]()
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
    kinds = set(FINDING_KINDS) if "all" in settings.fail_on else set(settings.fail_on)
    gate = [f for f in plan.findings if f.kind in kinds and f.confidence >= settings.min_confidence]
    if gate:
        typer.echo(
            f"idealize: {len(gate)} finding(s) match --fail-on {','.join(sorted(kinds))}", err=True
        )
        raise typer.Exit(1)


def _settings(repo: Path, **flags: object) -> Settings:
    from .git import Git
    from .settings import load_settings

    fail_on = flags.pop("fail_on", None)
    if isinstance(fail_on, str):
        flags["fail_on"] = _kinds(fail_on)
    fmt = flags.get("format")
    if isinstance(fmt, Format):
        flags["format"] = fmt.value
    settings, _ = load_settings(Git(repo).root, flags)
    return settings


_STAGE_LABELS = {
    "collect": "collect",
    "symbols": "parse symbols",
    "analyze": "analyze",
    "model": "model calls",
}


class _Progress:
    """Progress for the pipeline's callback: rich bars on a terminal, plain lines otherwise,
    nothing with --quiet. Colour follows rich, which honours NO_COLOR."""

    def __init__(self) -> None:
        import time

        self._time = time.perf_counter
        self._started: dict[str, float] = {}
        self._bars: object | None = None
        self._tasks: dict[str, object] = {}
        self._done: set[str] = set()
        if not _state["quiet"] and not _state["verbose"] and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bars = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )

    def __enter__(self) -> _Progress:
        if self._bars is not None:
            self._bars.__enter__()  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bars is not None:
            self._bars.__exit__(*exc)  # type: ignore[attr-defined]

    def __call__(self, stage: str, done: int, total: int) -> None:
        self._started.setdefault(stage, self._time())
        label = _STAGE_LABELS.get(stage, stage)
        if self._bars is not None:
            bars = self._bars
            if stage not in self._tasks:
                self._tasks[stage] = bars.add_task(label, total=total)  # type: ignore[attr-defined]
            bars.update(self._tasks[stage], completed=done, total=total)  # type: ignore[attr-defined]
        elif not _state["quiet"] and done >= total and stage not in self._done:
            self._done.add(stage)
            timing = f" in {self._time() - self._started[stage]:.2f}s" if _state["verbose"] else ""
            typer.echo(f"idealize: {label}: {done}/{total}{timing}", err=True)


def _progress() -> _Progress:
    return _Progress()


def _kinds(text: str) -> tuple[str, ...]:
    from .errors import UsageError
    from .model import FINDING_KINDS

    wanted = tuple(k.strip() for k in text.split(",") if k.strip())
    if "all" in wanted:
        return tuple(FINDING_KINDS)
    bad = [k for k in wanted if k not in FINDING_KINDS]
    if bad:
        raise UsageError(
            f"unknown finding kind {bad[0]!r} in --fail-on",
            f"choose from: all, {', '.join(FINDING_KINDS)}",
        )
    return wanted


def _model_run(
    repo: Path,
    flags: dict[str, object],
    offline: bool,
    dry_run: bool,
    out: Path | None,
    config: dict[str, Any],  # Config fields this command sets
    review: bool = False,
) -> None:
    """Options -> settings -> Config -> pipeline -> output: what cleanup and review share."""
    from dataclasses import replace

    from .config import Config
    from .pipeline import run

    if flags.get("prompts") is not None:
        flags["prompts"] = str(flags["prompts"])
    flags["exclude"] = tuple(flags.get("exclude") or ())  # type: ignore[arg-type]
    settings = _settings(repo, **flags)
    dry = dry_run or (review and settings.model is None)
    if settings.model is None and not _state["quiet"]:
        note = (
            "rendering the review prompts only (--dry-run)"
            if review
            else "running offline (static analysis only)"
        )
        if not dry_run or review:
            typer.echo(f"idealize: no model configured; {note}.", err=True)
    chosen, run_dir = _model_config(settings.model, offline, dry, out, repo)
    provider = _provider(chosen, settings.api_base, dry)
    base = Config(
        repo=repo,
        into=settings.into,
        model=chosen,
        variant=settings.variant,
        prompts_dir=Path(settings.prompts) if settings.prompts else None,
        budget=settings.budget,
        max_tokens=settings.max_tokens,
        max_cost=settings.max_cost,
        dry_run=dry,
        run_dir=run_dir,
        excludes=settings.exclude,
    )
    with _progress() as progress:
        plan = run(replace(base, **config), provider, progress)
    _finish(plan, settings, out, repo, run_dir)


@app.command()
def cleanup(
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

    def go() -> None:
        _model_run(
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
            config=dict(
                since=since,
                branches=tuple(branch or ()),
                worktrees=worktrees,
                use_cache=not no_cache,
                batch=batch,
                patches=patches,
                verify=verify,
            ),
        )

    _guard(go)


@app.command()
def review(
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

    def go() -> None:
        from .review import parse_target

        _model_run(
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
            config=dict(
                review=tuple(parse_target(t) for t in targets), patches=patches, verify=verify
            ),
            review=True,
        )

    _guard(go)


prompts_app = typer.Typer(help="Prompt variants: list, show, render.", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")


@prompts_app.command("list")
def prompts_list(prompts: PromptsOpt = None) -> None:
    """The prompt variants and their steps."""
    from .render import Prompts

    def go() -> None:
        p = Prompts(prompts)
        for name in p.names():
            v = p.variant(name)
            typer.echo(f"{name:<18} steps: {', '.join(v.steps)}  ({v.folder})")

    _guard(go)


@prompts_app.command("show")
def prompts_show(variant: Annotated[str, typer.Argument()], prompts: PromptsOpt = None) -> None:
    """The templates of one variant."""
    from .render import Prompts

    def go() -> None:
        p = Prompts(prompts)
        v = p.variant(variant)
        for step in ("system", *v.steps):
            path = v.folder / f"{step}.j2"
            if path.exists():
                typer.echo(f"==> {path} <==")
                typer.echo(path.read_text(encoding="utf-8"))

    _guard(go)


@prompts_app.command("render")
def prompts_render(
    repo: Annotated[Path, typer.Argument(help="The repository.")] = Path("."),
    since: Annotated[str | None, typer.Option(metavar="REF")] = None,
    branch: Annotated[list[str] | None, typer.Option("--branch", "-b", metavar="NAME")] = None,
    into: Annotated[str | None, typer.Option(metavar="REF")] = None,
    worktrees: Annotated[bool, typer.Option()] = False,
    variant: VariantOpt = None,
    prompts: PromptsOpt = None,
    budget: BudgetOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the prompts here instead of printing them.", metavar="DIR"),
    ] = None,
) -> None:
    """Render the prompts a run would send (the same as cleanup --dry-run)."""
    from .config import Config
    from .pipeline import run

    def go() -> None:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="idealize-prompts-") as tmp:
            folder = out or Path(tmp)
            run(
                Config(
                    repo=repo,
                    since=since,
                    branches=tuple(branch or ()),
                    into=into,
                    worktrees=worktrees,
                    variant=variant or "idealized",
                    prompts_dir=prompts,
                    budget=budget,
                    dry_run=True,
                    run_dir=folder,
                )
            )
            if out is None:
                for path in sorted((folder / "prompts").glob("*.md")):
                    typer.echo(f"==> {path.name} <==")
                    typer.echo(path.read_text(encoding="utf-8"))
            else:
                typer.echo(f"prompts written to {out / 'prompts'}", err=True)

    _guard(go)


def plan_root(repo: Path) -> str:
    from .git import Git

    return str(Git(repo).root)


def _write_plan(out: Path, json_text: str, md_text: str) -> None:
    from .errors import UsageError

    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "plan.json").write_text(json_text, encoding="utf-8")
        (out / "plan.md").write_text(md_text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot write to {out}: {exc.strerror}", "pick a writable --out folder"
        ) from exc


@samples_app.command("list")
def samples_list() -> None:
    """The built-in samples and what they plant."""
    from .samples import load_samples

    def go() -> None:
        for s in load_samples():
            kinds = ", ".join(sorted({p.kind for p in s.planted}))
            typer.echo(f"{s.name:<18} {s.language:<11} {len(s.branches)} branches; plants {kinds}")
            typer.echo(f"{'':<18} {' '.join(s.description.split())}")
            typer.echo(f"{'':<18} variants: {', '.join(s.variants)}")

    _guard(go)


@samples_app.command("build")
def samples_build(
    name: Annotated[str, typer.Argument(help="Sample name (see `idealize samples list`).")],
    dest: Annotated[Path, typer.Argument(help="An empty or new folder.")],
    variant: Annotated[str, typer.Option(help="merge, squash, unmerged or worktree.")] = "merge",
) -> None:
    """Build a sample repository with planted drift."""
    from .samples import build_sample, get_sample

    def go() -> None:
        sample = get_sample(name)
        hint = build_sample(sample, dest, variant)
        typer.echo(f"built {name} ({variant}) in {dest}")
        typer.echo(f"try: idealize cleanup {dest} {hint}")

    _guard(go)


@app.command()
def demo(
    sample: Annotated[str, typer.Option(help="Which sample.")] = "py-model-hub",
    variant: Annotated[str, typer.Option(help="merge, squash, unmerged or worktree.")] = "merge",
    keep: Annotated[
        Path | None, typer.Option(help="Build the sample here and keep it.", metavar="DIR")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.md,
) -> None:
    """Build a sample repository with planted drift and run `cleanup` on it, offline."""
    from .emit import to_json, to_markdown
    from .pipeline import run
    from .samples import build_sample, cleanup_config, get_sample

    def go() -> None:
        s = get_sample(sample)
        with tempfile.TemporaryDirectory(prefix="idealize-demo-") as tmp:
            dest = keep or Path(tmp) / s.name
            build_sample(s, dest, variant)
            typer.echo(
                f"idealize: built sample {s.name} ({variant}) in {dest}; running cleanup offline",
                err=True,
            )
            plan = run(cleanup_config(s, variant, dest))
            root = Path(plan_root(dest))
            sys.stdout.write(to_json(plan, root) if fmt is Format.json else to_markdown(plan, root))

    _guard(go)


config_app = typer.Typer(
    help="Configuration: [tool.idealize] in pyproject.toml, or idealize.toml.", no_args_is_help=True
)
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show(repo: Annotated[Path, typer.Argument(help="The repository.")] = Path(".")) -> None:
    """Every setting, its value, and where it came from (flag > env > repo file > user file > default)."""
    from .git import Git
    from .settings import load_settings

    def go() -> None:
        settings, origin = load_settings(Git(repo).root)
        for key, value in settings.model_dump().items():
            shown = ",".join(value) if isinstance(value, (list, tuple)) else value
            typer.echo(f"{key:<15} = {shown!s:<30} ({origin[key]})")

    _guard(go)


@app.command()
def report(
    run_dir: Annotated[
        Path, typer.Argument(help="A run folder (holds plan.json).", metavar="RUN_DIR")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the page (default: RUN_DIR/report.html).", metavar="FILE"
        ),
    ] = None,
) -> None:
    """Write one self-contained HTML page for a run: findings with their code, overlap, reviews."""
    from .errors import UsageError
    from .report import report_from_run

    def go() -> None:
        target = out or run_dir / "report.html"
        page = report_from_run(run_dir)
        try:
            target.write_text(page, encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"cannot write {target}: {exc.strerror}", "pick a writable --out"
            ) from exc
        typer.echo(str(target))

    _guard(go)


hook_app = typer.Typer(
    help="Git hooks: check what you push against the other agents' branches.", no_args_is_help=True
)
app.add_typer(hook_app, name="hook")

_HOOK = """#!/bin/sh
# installed by `idealize hook install`: offline drift check of the branches being pushed
exec idealize hook pre-push "$@"
"""


@hook_app.command("install")
def hook_install(
    repo: Annotated[Path, typer.Argument(help="The repository.")] = Path("."),
    force: Annotated[bool, typer.Option(help="Replace an existing pre-push hook.")] = False,
) -> None:
    """Install a pre-push hook that runs `idealize hook pre-push`."""
    from .errors import UsageError
    from .git import Git

    def go() -> None:
        git = Git(repo)
        hooks = Path(git.text("rev-parse", "--git-path", "hooks").strip())
        hooks = hooks if hooks.is_absolute() else git.root / hooks
        target = hooks / "pre-push"
        if target.exists() and not force:
            raise UsageError(
                f"{target} already exists",
                "pass --force to replace it (or call `idealize hook pre-push` from it)",
            )
        hooks.mkdir(parents=True, exist_ok=True)
        target.write_text(_HOOK, encoding="utf-8")
        target.chmod(0o755)
        typer.echo(f"installed {target}")

    _guard(go)


@hook_app.command("pre-push")
def hook_pre_push(
    remote: Annotated[str | None, typer.Argument(help="Given by git.")] = None,
    url: Annotated[str | None, typer.Argument(help="Given by git.")] = None,
    repo: Annotated[Path, typer.Option(help="The repository.")] = Path("."),
    fail_on: FailOnOpt = None,
    min_confidence: MinConfidenceOpt = None,
) -> None:
    """Read git's pre-push lines on stdin; check each pushed branch against the other local
    branches not yet merged into the target, offline. Exit 1 when --fail-on findings involve it
    (default: phantom_dependency,divergence)."""
    from .config import Config
    from .emit import to_markdown
    from .pipeline import run

    def go() -> None:
        settings = _settings(
            repo, fail_on=fail_on or "phantom_dependency,divergence", min_confidence=min_confidence
        )
        pushed = []
        for line in sys.stdin.read().splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[0].startswith("refs/heads/") and set(parts[1]) != {"0"}:
                pushed.append(parts[0].removeprefix("refs/heads/"))
        if not pushed:
            return
        plan = run(Config(repo=repo, branches=(), into=settings.into))
        mine = [f for f in plan.findings if any(loc.branch in pushed for loc in f.locations)]
        kinds = set(settings.fail_on)
        gate = [f for f in mine if f.kind in kinds and f.confidence >= settings.min_confidence]
        if gate:
            from dataclasses import replace

            sys.stderr.write(to_markdown(replace(plan, findings=tuple(gate)), None))
            typer.echo(
                f"idealize: {len(gate)} drift finding(s) involve {', '.join(pushed)}; push with --no-verify to skip",
                err=True,
            )
            raise typer.Exit(1)

    _guard(go)


@app.command("eval")
def eval_command(
    config: Annotated[Path, typer.Argument(help="Eval config (TOML).")] = Path(
        "evals/samples.toml"
    ),
    out: Annotated[
        Path, typer.Option(help="Results folder; a rerun resumes where it stopped.", metavar="DIR")
    ] = Path(".idealize/eval"),
    variant: Annotated[
        list[str] | None, typer.Option("--variant", help="Override the variants (repeatable).")
    ] = None,
    model: Annotated[
        list[str] | None, typer.Option("--model", "-m", help="Override the models (repeatable).")
    ] = None,
    repeats: Annotated[int | None, typer.Option(help="Override the repeats (epochs).")] = None,
    api_base: ApiBaseOpt = None,
) -> None:
    """Compare prompt variants and models on drift cases with ground truth: recall, precision,
    parse rate, tokens, cost, with bootstrap intervals and paired tests."""
    from .evaluate.runner import load_spec, run_cells
    from .evaluate.summary import html_report, markdown, summarize

    def go() -> None:
        spec = load_spec(
            config, {"variants": variant, "models": model, "repeats": repeats, "api_base": api_base}
        )
        records = run_cells(
            spec,
            config.resolve().parent,
            out,
            progress=(lambda line: None)
            if _state["quiet"]
            else (lambda line: typer.echo(f"idealize: eval {line}", err=True)),
        )
        summary = summarize(records)
        (out / "results.json").write_text(
            json.dumps({"config": spec.model_dump(), "cells": len(records), **summary}, indent=2)
            + "\n",
            encoding="utf-8",
        )
        (out / "report.html").write_text(
            html_report(summary, f"idealize eval: {config.name}"), encoding="utf-8"
        )
        sys.stdout.write(markdown(summary))
        typer.echo(f"idealize: results in {out}/results.json, records.jsonl, report.html", err=True)

    _guard(go)


@app.command("apply")
def apply_command(
    run_dir: Annotated[
        Path, typer.Argument(help="A run folder (holds plan.json).", metavar="RUN_DIR")
    ],
    ids: Annotated[
        list[str] | None,
        typer.Argument(
            help="Patch ids (default: every patch that applied and passed).", metavar="PATCH_ID..."
        ),
    ] = None,
    repo: Annotated[Path, typer.Option(help="The repository.")] = Path("."),
) -> None:
    """Apply chosen, validated patches to the working tree; refuses when the tree has moved on
    or the files they touch have uncommitted changes."""

    from .errors import UsageError
    from .git import Git
    from .plan_io import load_plan

    def go() -> None:
        plan = load_plan(run_dir / "plan.json")
        git = Git(repo)
        chosen = [
            p
            for p in plan.patches
            if (
                p.id in ids if ids else p.status in ("applies", "repaired") and p.verify != "failed"
            )
        ]
        missing = set(ids or ()) - {p.id for p in plan.patches}
        if missing:
            raise UsageError(
                f"no patch {sorted(missing)[0]} in {run_dir}",
                f"patches: {', '.join(p.id for p in plan.patches) or 'none'}",
            )
        unusable = [p for p in chosen if p.status not in ("applies", "repaired") or not p.diff]
        if unusable:
            raise UsageError(
                f"patch {unusable[0].id} did not apply ({unusable[0].reason})",
                "pick patches whose verdict is applies or repaired",
            )
        if not chosen:
            raise UsageError(
                "no patch to apply", "name patch ids, or run cleanup with --patches first"
            )
        head = git.resolve("HEAD")
        if head != plan.target_head:
            raise UsageError(
                f"HEAD moved on since the run ({plan.target_head[:7]} -> {head[:7]})",
                "run cleanup --patches again on the current tree",
            )
        files = sorted({f for p in chosen for f in p.files})
        porcelain = git.text("status", "--porcelain", "--", *files)
        dirty = [line for line in porcelain.splitlines() if line.strip()]
        if dirty:
            raise UsageError(
                f"uncommitted changes in files the patches touch: {dirty[0][3:]}",
                "commit or stash them first",
            )
        for p in chosen:
            problem = git.apply_patch(p.diff, check_only=True)
            if problem:
                raise UsageError(
                    f"patch {p.id} no longer applies: {problem[:200]}", "nothing was changed"
                )
        for p in chosen:
            problem = git.apply_patch(p.diff)
            if problem:
                raise UsageError(f"patch {p.id} failed to apply: {problem[:200]}", "see git status")
            typer.echo(f"applied {p.id}: {', '.join(p.files)}")

    _guard(go)


patch_app = typer.Typer(
    help="Check patch files (search/replace blocks or unified diffs).", no_args_is_help=True
)
app.add_typer(patch_app, name="patch")


@patch_app.command("check")
def patch_check(
    patch_file: Annotated[
        Path,
        typer.Argument(
            help="A patch: search/replace blocks or a unified diff.", metavar="PATCH_FILE"
        ),
    ],
    repo: Annotated[Path, typer.Option(help="The repository to check it against.")] = Path("."),
    fmt: Annotated[Format, typer.Option("--format", "-f", help="md or json.")] = Format.md,
) -> None:
    """Validate a patch against a repository: applies, applies after repair (which layer), or
    rejected with the reason. Nothing is written. Exit 1 when rejected."""
    from .errors import UsageError
    from .git import Git
    from .patches import check_patch

    def go() -> None:
        try:
            text = patch_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {patch_file}: {exc}", "pass a text patch file") from exc
        verdict = check_patch(Git(repo).root, text)
        if fmt is Format.json:
            typer.echo(
                json.dumps(
                    {
                        "status": verdict.status,
                        "layers": list(verdict.layers),
                        "reason": verdict.reason,
                        "files": list(verdict.files),
                        "edits": [
                            {
                                "path": e.path,
                                "status": e.status,
                                "layer": e.layer,
                                "reason": e.reason,
                            }
                            for e in verdict.edits
                        ],
                    },
                    indent=2,
                )
            )
        else:
            how = f" after repair ({', '.join(verdict.layers)})" if verdict.layers else ""
            typer.echo(f"{verdict.status}{how}" + (f": {verdict.reason}" if verdict.reason else ""))
        if verdict.status == "rejected":
            raise typer.Exit(1)

    _guard(go)


@app.command()
def version() -> None:
    """Print the version."""
    from . import __version__

    typer.echo(__version__)


def main() -> None:
    app()
