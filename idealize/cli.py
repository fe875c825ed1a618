"""The command line: options -> Config -> pipeline; errors -> message, hint and exit code.

Exit codes: 0 success; 1 findings matched --fail-on; 2 usage or input error;
3 model provider or cost-cap error; 4 a review unit failed (the rest of the plan is written).
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from .errors import IdealizeError

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

_state = {"debug": False}


class Format(str, Enum):
    md = "md"
    json = "json"


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
) -> None:
    _state["debug"] = debug


ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        envvar="IDEALIZE_MODEL",
        help="anthropic/MODEL, openai/MODEL, ollama/MODEL, or any litellm model string. Unset: offline.",
    ),
]
ApiBaseOpt = Annotated[
    str | None, typer.Option(help="Base URL of an OpenAI-compatible server.", metavar="URL")
]
VariantOpt = Annotated[
    str,
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
MaxTokensOpt = Annotated[int, typer.Option(help="Output tokens per call.")]
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


def _provider(model: str | None, api_base: str | None, dry_run: bool) -> object | None:
    if model is None or dry_run:
        return None
    from .providers import make_provider

    return make_provider(model, api_base)


def _finish(plan: object, fmt: Format, out: Path | None, root: Path, run_dir: Path | None) -> None:
    from .emit import to_json, to_markdown
    from .model import Plan

    assert isinstance(plan, Plan)
    if out is not None and out != run_dir:
        _write_plan(out, to_json(plan, root), to_markdown(plan, root))
    sys.stdout.write(to_json(plan, root) if fmt is Format.json else to_markdown(plan, root))
    if run_dir is not None:
        typer.echo(f"idealize: run folder {run_dir}", err=True)
    failed = [r.unit_id for r in plan.reviews if r.status == "failed"]
    if failed:
        typer.echo(
            f"idealize: {len(failed)} unit(s) failed: {', '.join(failed)} (raw answers in the run folder)",
            err=True,
        )
        raise typer.Exit(4)


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
    into: Annotated[
        str | None,
        typer.Option(
            help="Target of --branch/--worktrees (default: the default branch).", metavar="REF"
        ),
    ] = None,
    worktrees: Annotated[
        bool, typer.Option(help="Every worktree, uncommitted and untracked work included.")
    ] = False,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="What to print on stdout.")
    ] = Format.md,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write plan.json and plan.md (and, with a model, the run) into DIR.", metavar="DIR"
        ),
    ] = None,
    offline: OfflineOpt = False,
    model: ModelOpt = None,
    api_base: ApiBaseOpt = None,
    variant: VariantOpt = "idealized",
    prompts: PromptsOpt = None,
    budget: BudgetOpt = None,
    max_tokens: MaxTokensOpt = 4096,
    max_cost: MaxCostOpt = None,
    dry_run: DryRunOpt = False,
    exclude: ExcludeOpt = None,
    batch: BatchOpt = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Parse and call everything again.")
    ] = False,
) -> None:
    """Find drift between branches: after merging (--since), before (--branch), or across worktrees."""
    from .config import Config
    from .pipeline import run

    def go() -> None:
        chosen, run_dir = _model_config(model, offline, dry_run, out, repo)
        if chosen is None and not dry_run:
            typer.echo(
                "idealize: no model configured; running offline (static analysis only).", err=True
            )
        provider = _provider(chosen, api_base, dry_run)
        config = Config(
            repo=repo,
            since=since,
            branches=tuple(branch or ()),
            into=into,
            worktrees=worktrees,
            model=chosen,
            offline=chosen is None,
            use_cache=not no_cache,
            variant=variant,
            prompts_dir=prompts,
            budget=budget,
            max_tokens=max_tokens,
            max_cost=max_cost,
            dry_run=dry_run,
            run_dir=run_dir,
            excludes=tuple(exclude or ()),
            batch=batch,
        )
        plan = run(config, provider)  # type: ignore[arg-type]
        _finish(plan, fmt, out, Path(plan_root(repo)), run_dir)

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
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.md,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the run (prompts, answers, plan) into DIR.", metavar="DIR"),
    ] = None,
    model: ModelOpt = None,
    api_base: ApiBaseOpt = None,
    variant: VariantOpt = "idealized",
    prompts: PromptsOpt = None,
    budget: BudgetOpt = None,
    max_tokens: MaxTokensOpt = 4096,
    max_cost: MaxCostOpt = None,
    dry_run: DryRunOpt = False,
    exclude: ExcludeOpt = None,
) -> None:
    """Describe the ideal of one module (or symbols) and diff it with the code, before refactoring."""
    from .config import Config
    from .pipeline import run
    from .review import parse_target

    def go() -> None:
        wanted_dry = dry_run or model is None
        if model is None:
            typer.echo(
                "idealize: no model configured; rendering the review prompts only (--dry-run).",
                err=True,
            )
        chosen, run_dir = _model_config(model, False, wanted_dry, out, repo)
        provider = _provider(chosen, api_base, wanted_dry)
        config = Config(
            repo=repo,
            model=chosen,
            offline=provider is None,
            variant=variant,
            prompts_dir=prompts,
            budget=budget,
            max_tokens=max_tokens,
            max_cost=max_cost,
            dry_run=wanted_dry,
            run_dir=run_dir,
            excludes=tuple(exclude or ()),
            review=tuple(parse_target(t) for t in targets),
        )
        plan = run(config, provider)  # type: ignore[arg-type]
        _finish(plan, fmt, out, Path(plan_root(repo)), run_dir)

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
    variant: VariantOpt = "idealized",
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
                    variant=variant,
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
            typer.echo(f"{'':<18} {s.description}")
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


@app.command()
def version() -> None:
    """Print the version."""
    from . import __version__

    typer.echo(__version__)


def main() -> None:
    app()
