"""``idealize apply`` and ``idealize patch check``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from idealize.cli.app import app, shown_errors
from idealize.cli.options import PatchFormat

patch_app = typer.Typer(
    help="Check patch files (search/replace blocks or unified diffs).", no_args_is_help=True
)
app.add_typer(patch_app, name="patch")


@app.command("apply")
def apply_command(
    ctx: typer.Context,
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
    """Apply chosen patches of a run to the working tree, checked again first.

    Each patch is checked again as `patch check` does (the run folder may have been edited):
    only regular text files are edited or created. Refuses, changing nothing, when the tree
    has moved on or the files have uncommitted changes. Prints what actually changed."""
    from idealize.output.plan_json import load_plan
    from idealize.patches.apply import apply_patches, choose_patches
    from idealize.repo.git import Git

    with shown_errors(ctx):
        git = Git(repo)
        plan = load_plan(run_dir / "plan.json")
        chosen = choose_patches(plan, ids or (), str(run_dir))
        for done in apply_patches(git, plan, chosen):
            changed = ", ".join(w.describe() for w in done.writes) or "nothing (already there)"
            typer.echo(f"applied {done.id}: {changed}")


@patch_app.command("check")
def patch_check(
    ctx: typer.Context,
    patch_file: Annotated[
        Path,
        typer.Argument(
            help="A patch: search/replace blocks or a unified diff.", metavar="PATCH_FILE"
        ),
    ],
    repo: Annotated[Path, typer.Option(help="The repository to check it against.")] = Path("."),
    fmt: Annotated[
        PatchFormat, typer.Option("--format", "-f", help="md or json (a patch has no SARIF).")
    ] = PatchFormat.md,
) -> None:
    """Validate a patch against a repository: applies, applies after repair (which layer), or
    rejected with the reason. Nothing is written. Exit 1 when rejected."""
    from idealize.errors import UsageError
    from idealize.patches.check import check_patch, verdict_to_dict
    from idealize.repo.git import Git

    with shown_errors(ctx):
        try:
            text = patch_file.read_bytes().decode("utf-8")
        except OSError as exc:
            raise UsageError(
                f"cannot read {patch_file}: {exc.strerror}", "pass a text patch file"
            ) from exc
        except UnicodeDecodeError as exc:
            raise UsageError(f"{patch_file} is not UTF-8 text", "pass a text patch file") from exc
        verdict = check_patch(Git(repo).root, text)
        if fmt is PatchFormat.json:
            typer.echo(json.dumps(verdict_to_dict(verdict), indent=2))
        else:
            how = f" after repair ({', '.join(verdict.layers)})" if verdict.layers else ""
            typer.echo(f"{verdict.status}{how}" + (f": {verdict.reason}" if verdict.reason else ""))
        if verdict.status == "rejected":
            raise typer.Exit(1)
