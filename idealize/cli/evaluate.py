"""``idealize eval``: compare prompt variants and models on drift cases with ground truth."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from idealize.cli.app import app, display, shown_errors
from idealize.cli.options import ApiBaseOpt


@app.command("eval")
def eval_command(
    ctx: typer.Context,
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
    from idealize.evaluate.runner import load_spec, run_cells
    from idealize.evaluate.summary import write_results

    quiet = display(ctx).quiet
    with shown_errors(ctx):
        spec = load_spec(
            config, {"variants": variant, "models": model, "repeats": repeats, "api_base": api_base}
        )
        records = run_cells(
            spec,
            config.resolve().parent,
            out,
            progress=(lambda line: None)
            if quiet
            else (lambda line: typer.echo(f"idealize: eval {line}", err=True)),
        )
        text = write_results(out, spec.model_dump(), records, f"idealize eval: {config.name}")
        sys.stdout.write(text)
        typer.echo(f"idealize: results in {out}/results.json, records.jsonl, report.html", err=True)
        failed = [r for r in records if r.error]
        if failed:
            typer.echo(
                f"error: {len(failed)} of {len(records)} cell(s) failed and were not scored "
                f"(first: {failed[0].key}: {failed[0].error})",
                err=True,
            )
            typer.echo(
                "hint: fix the provider and run the same command again to retry them", err=True
            )
            raise typer.Exit(3)
