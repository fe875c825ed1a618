"""``idealize prompts list|show|render``: the prompt variants and what a run would send."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from idealize.cli.app import app, shown_errors
from idealize.cli.options import BudgetOpt, PromptsOpt, VariantOpt
from idealize.cli.run import load

prompts_app = typer.Typer(help="Prompt variants: list, show, render.", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")


@prompts_app.command("list")
def prompts_list(ctx: typer.Context, prompts: PromptsOpt = None) -> None:
    """The prompt variants and their steps."""
    from idealize.llm.prompts import Prompts

    with shown_errors(ctx):
        p = Prompts(prompts)
        for name in p.names():
            v = p.variant(name)
            typer.echo(f"{name:<18} steps: {', '.join(v.steps)}  ({v.folder})")


@prompts_app.command("show")
def prompts_show(
    ctx: typer.Context,
    variant: Annotated[str, typer.Argument(help="A variant (see `idealize prompts list`).")],
    prompts: PromptsOpt = None,
) -> None:
    """The templates of one variant."""
    from idealize.llm.prompts import Prompts

    with shown_errors(ctx):
        p = Prompts(prompts)
        v = p.variant(variant)
        for step in ("system", *v.steps):
            path = v.folder / f"{step}.j2"
            if path.exists():
                typer.echo(f"==> {path} <==")
                typer.echo(path.read_text(encoding="utf-8"))


@prompts_app.command("render")
def prompts_render(
    ctx: typer.Context,
    repo: Annotated[Path, typer.Argument(help="The repository.")] = Path("."),
    since: Annotated[
        str | None, typer.Option(help="Every branch that landed after REF.", metavar="REF")
    ] = None,
    branch: Annotated[
        list[str] | None,
        typer.Option("--branch", "-b", help="An unmerged branch (repeatable).", metavar="NAME"),
    ] = None,
    into: Annotated[
        str | None, typer.Option(help="Target of --branch/--worktrees.", metavar="REF")
    ] = None,
    worktrees: Annotated[
        bool, typer.Option(help="Every worktree, uncommitted work included.")
    ] = False,
    variant: VariantOpt = None,
    prompts: PromptsOpt = None,
    budget: BudgetOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the prompts here instead of printing them.", metavar="DIR"),
    ] = None,
) -> None:
    """Render the prompts a run would send (the same as cleanup --dry-run, same settings)."""
    from idealize.config import Config
    from idealize.pipeline import run
    from idealize.runfolder import check_folder

    with shown_errors(ctx):
        if out is not None:
            check_folder(out, "--out")
        settings = load(repo, variant=variant, prompts=prompts, budget=budget, into=into)
        with tempfile.TemporaryDirectory(prefix="idealize-prompts-") as tmp:
            folder = out or Path(tmp)
            run(
                Config.from_settings(
                    settings,
                    repo,
                    since=since,
                    branches=tuple(branch or ()),
                    worktrees=worktrees,
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
