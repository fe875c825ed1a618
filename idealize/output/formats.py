"""One plan, every output format: what ``--format`` prints and what ``--out`` writes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from idealize.config import FORMATS, OutputFormat
from idealize.errors import UsageError
from idealize.output.anchor import Target, reported
from idealize.output.github import to_github
from idealize.output.html import to_html
from idealize.output.markdown import to_markdown
from idealize.output.plan_json import to_json
from idealize.output.sarif import to_sarif
from idealize.types import Plan

FILENAMES: dict[str, str] = {
    "md": "plan.md",
    "json": "plan.json",
    "sarif": "plan.sarif",
    "html": "plan.html",
    "github": "annotations.txt",
}


def parse_formats(values: Iterable[str]) -> tuple[OutputFormat, ...]:
    """``md,sarif`` or several values -> the formats, in order; an unknown one is a UsageError."""
    chosen: list[OutputFormat] = []
    for value in values:
        for name in str(value).split(","):
            name = name.strip().lower()
            if not name:
                continue
            if name not in FORMATS:
                raise UsageError(f"unknown format {name!r}", f"choose from: {', '.join(FORMATS)}")
            if name not in chosen:
                chosen.append(name)
    return tuple(chosen)


def render(plan: Plan, fmt: str, target: Target) -> str:
    if fmt == "json":
        return to_json(plan, target.root)
    if fmt == "md":
        return to_markdown(plan, target.root, target.candidates, target.everything)
    if fmt == "sarif":
        return to_sarif(reported(plan, target.candidates), target.checked_out)
    if fmt == "github":
        return to_github(reported(plan, target.candidates), target.checked_out)
    if fmt == "html":
        return to_html(plan, target.root, target.git, target.run_dir)
    raise UsageError(f"unknown format {fmt!r}", f"choose from: {', '.join(FORMATS)}")


def write_formats(
    folder: Path, plan: Plan, formats: Sequence[str], target: Target, record: bool = True
) -> dict[str, str]:
    """Every chosen format into ``folder``, with plan.json and plan.md (the run's record)
    unless ``record`` is False (the pipeline wrote them already); the texts by format."""
    texts: dict[str, str] = {}
    wanted = ("json", "md", *formats) if record else formats
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for fmt in dict.fromkeys(wanted):
            texts[fmt] = render(plan, fmt, target)
            (folder / FILENAMES[fmt]).write_text(texts[fmt], encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot write to {folder}: {exc.strerror}", "pick a writable --out folder"
        ) from exc
    return texts
