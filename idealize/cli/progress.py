"""Progress for the pipeline's callback: rich bars on a terminal, plain lines otherwise,
nothing with --quiet. Colour follows rich, which honours NO_COLOR."""

from __future__ import annotations

import sys

import typer

from idealize.cli.app import Display
from idealize.timings import Timings, describe

_STAGE_LABELS = {
    "collect": "collect",
    "symbols": "parse symbols",
    "analyze": "analyze",
    "model": "model calls",
}


class ProgressDisplay:
    """Progress for the pipeline's callback: rich bars on a terminal, plain lines otherwise,
    nothing with --quiet. Colour follows rich, which honours NO_COLOR."""

    def __init__(self, shown: Display) -> None:
        self._shown = shown
        self._bars: object | None = None
        self._tasks: dict[str, object] = {}
        self._done: set[str] = set()
        if not self._shown.quiet and not self._shown.verbose and sys.stderr.isatty():
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

    def __enter__(self) -> ProgressDisplay:
        if self._bars is not None:
            self._bars.__enter__()  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bars is not None:
            self._bars.__exit__(*exc)  # type: ignore[attr-defined]

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage.startswith("retry: "):  # a provider call failed and is tried again
            if not self._shown.quiet:
                line = f"idealize: {stage[7:]} (attempt {done} of {total})"
                if self._bars is not None:
                    self._bars.console.print(line, markup=False, highlight=False)  # type: ignore[attr-defined]
                else:
                    typer.echo(line, err=True)
            return
        label = _STAGE_LABELS.get(stage, stage)
        if self._bars is not None:
            bars = self._bars
            if stage not in self._tasks:
                self._tasks[stage] = bars.add_task(label, total=total)  # type: ignore[attr-defined]
            bars.update(self._tasks[stage], completed=done, total=total)  # type: ignore[attr-defined]
        elif not self._shown.quiet and done >= total and stage not in self._done:
            self._done.add(stage)
            typer.echo(f"idealize: {label}: {done}/{total}", err=True)


def show_timings(timings: Timings) -> None:
    """--verbose: wall time per stage (they add up to the total) and the cache's hits."""
    for line in describe(timings):
        typer.echo(f"idealize: {line}", err=True)
