"""``idealize eval``: compare prompt variants and models on drift cases with ground truth."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from idealize.cli.app import app, display, shown_errors
from idealize.cli.options import ApiBaseOpt

EXAMPLE = ("idealize-eval.toml", "idealize-truth.toml")


def _init(dest: Path) -> None:
    """Write the example eval config (and ground-truth file) shipped with idealize."""
    from idealize.data import data_dir
    from idealize.errors import UsageError

    folder = data_dir("examples")
    source = folder / "eval" if folder else None
    if source is None or not (source / EXAMPLE[0]).is_file():
        raise UsageError(
            "the example eval config is missing from this installation", "reinstall idealize"
        )
    config = dest if dest.suffix == ".toml" else dest / EXAMPLE[0]
    truth = config.parent / EXAMPLE[1]
    for target in (config, truth):
        if target.exists():
            raise UsageError(
                f"{target} already exists", "pass another path to --init; nothing was written"
            )
    try:
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text((source / EXAMPLE[0]).read_text(encoding="utf-8"), encoding="utf-8")
        truth.write_text((source / EXAMPLE[1]).read_text(encoding="utf-8"), encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot write {config}: {exc.strerror}", "pick a writable folder"
        ) from exc
    typer.echo(f"wrote {config} and {truth}")
    typer.echo(f"try: idealize eval {config}")


@app.command("eval")
def eval_command(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Argument(
            help="Eval config (TOML; default evals/samples.toml). With --init: where to write one.",
            metavar="CONFIG",
        ),
    ] = None,
    init: Annotated[
        bool,
        typer.Option(
            "--init", help="Write an example eval config and ground-truth file, then stop."
        ),
    ] = False,
    out: Annotated[
        Path, typer.Option(help="Results folder; a rerun resumes where it stopped.", metavar="DIR")
    ] = Path(".idealize/eval"),
    variant: Annotated[
        list[str] | None,
        typer.Option("--variant", help="Override the variants (repeatable).", metavar="NAME"),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="Override the models (repeatable).", metavar="MODEL"),
    ] = None,
    repeats: Annotated[
        int | None, typer.Option(help="Override the repeats (epochs).", metavar="N")
    ] = None,
    api_base: ApiBaseOpt = None,
) -> None:
    """Compare prompt variants and models on drift cases with ground truth.

    Recall, precision, parse rate, tokens, cost, with bootstrap intervals and paired tests.
    `idealize eval --init` writes an example config to start from."""
    from idealize.errors import ConfigError
    from idealize.evaluate.runner import load_spec, run_cells
    from idealize.evaluate.summary import write_results
    from idealize.runfolder import check_folder, ignore_run_root

    quiet = display(ctx).quiet
    with shown_errors(ctx):
        if init:
            _init(config or Path(EXAMPLE[0]))
            return
        config = config or Path("evals/samples.toml")
        check_folder(out, "--out")
        spec = load_spec(
            config, {"variants": variant, "models": model, "repeats": repeats, "api_base": api_base}
        )
        base = config.resolve().parent
        for case in spec.cases:
            if case.truth and not (base / case.truth).is_file():
                raise ConfigError(
                    f"{config}: the truth file {case.truth!r} of case {case.name or case.repo} "
                    f"does not exist (looked in {base})",
                    "paths in an eval config are relative to the config file",
                )
        out.mkdir(parents=True, exist_ok=True)
        ignore_run_root(out)
        records = run_cells(
            spec,
            base,
            out,
            progress=(lambda line: None)
            if quiet
            else (lambda line: typer.echo(f"idealize: eval {line}", err=True)),
        )
        text = write_results(out, spec.model_dump(), records, f"idealize eval: {config.name}")
        sys.stdout.write(text)
        typer.echo(f"idealize: results in {out}/results.json, records.jsonl, report.html", err=True)
