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
        Path | None, typer.Option(help="Also write plan.json and plan.md into DIR.", metavar="DIR")
    ] = None,
    offline: Annotated[bool, typer.Option(help="Static analysis only; no model.")] = False,
    model: Annotated[
        str | None,
        typer.Option(help="Model for the idealized-diff stage, e.g. anthropic/claude-sonnet-4-5."),
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Parse everything again.")] = False,
) -> None:
    """Find drift between branches: after merging (--since), before (--branch), or across worktrees."""
    from .config import Config
    from .emit import to_json, to_markdown
    from .pipeline import run

    def go() -> None:
        if model is not None and not offline:
            from .errors import UsageError

            raise UsageError(
                "the model stage is not available in this version",
                "run with --offline (the default when no model is set)",
            )
        typer.echo(
            "idealize: no model configured; running offline (static analysis only).", err=True
        )
        config = Config(
            repo=repo,
            since=since,
            branches=tuple(branch or ()),
            into=into,
            worktrees=worktrees,
            offline=True,
            use_cache=not no_cache,
        )
        plan = run(config)
        root = Path(plan_root(repo))
        if out is not None:
            _write_plan(out, to_json(plan, root), to_markdown(plan, root))
        sys.stdout.write(to_json(plan, root) if fmt is Format.json else to_markdown(plan, root))

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
    from .config import Config
    from .emit import to_json, to_markdown
    from .pipeline import run
    from .samples import build_sample, cleanup_args, get_sample

    def go() -> None:
        s = get_sample(sample)
        with tempfile.TemporaryDirectory(prefix="idealize-demo-") as tmp:
            dest = keep or Path(tmp) / s.name
            build_sample(s, dest, variant)
            typer.echo(
                f"idealize: built sample {s.name} ({variant}) in {dest}; running cleanup offline",
                err=True,
            )
            args = cleanup_args(s, variant)
            plan = run(
                Config(
                    repo=dest,
                    since=args.get("since"),
                    worktrees=bool(args.get("worktrees")),
                    branches=tuple(args.get("branches", ())),
                )
            )
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
