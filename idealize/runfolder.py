"""The run folder (``.idealize/runs/<timestamp>/`` or ``--out``): every rendered prompt and
raw response, the config and usage of a run with a model, readable by a person.

``.idealize/`` holds its own ``.gitignore`` (``*``), so ``git add -A`` never commits a prompt.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from idealize.errors import UsageError

RUN_ROOT = ".idealize"
_GITIGNORE = "# written by idealize: run folders hold prompts and answers, never commit them\n*\n"


def ignore_run_root(folder: Path) -> None:
    """Give every ``.idealize`` folder on the way to ``folder`` (itself included) a
    ``.gitignore`` that ignores everything in it."""
    for candidate in (folder, *folder.parents):
        if candidate.name == RUN_ROOT and candidate.is_dir():
            marker = candidate / ".gitignore"
            if not marker.exists():
                marker.write_text(_GITIGNORE, encoding="utf-8")


def check_folder(path: Path, option: str) -> None:
    """A folder idealize will write into: it may not exist yet, but must not be a file."""
    if path.exists() and not path.is_dir():
        raise UsageError(
            f"{option} {path} is a file, not a folder",
            f"pass a folder (new or existing) to {option}",
        )


class PromptRecord(Protocol):
    """What the run folder needs of a rendered prompt."""

    @property
    def unit_id(self) -> str: ...

    @property
    def variant(self) -> str: ...

    @property
    def step(self) -> str: ...

    @property
    def tokens(self) -> int: ...

    @property
    def system(self) -> str: ...

    @property
    def user(self) -> str: ...


class Recorder:
    """The run folder: every rendered prompt and raw response, readable by a person."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        if folder is not None:
            check_folder(folder, "the run folder")
            try:
                (folder / "prompts").mkdir(parents=True, exist_ok=True)
                (folder / "responses").mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UsageError(
                    f"cannot write the run folder {folder}: {exc.strerror}",
                    "pick a writable --out folder",
                ) from exc
            ignore_run_root(folder)

    def prompt(self, p: PromptRecord) -> None:
        if self.folder is not None:
            text = f"<!-- unit {p.unit_id}, variant {p.variant}, step {p.step}, {p.tokens} tokens -->\n\n"
            text += f"# system\n\n{p.system}\n\n# user\n\n{p.user}"
            (self.folder / "prompts" / f"{p.unit_id}-{p.step}.md").write_text(
                text, encoding="utf-8"
            )

    def response(self, unit_id: str, step: str, text: str) -> None:
        if self.folder is not None:
            (self.folder / "responses" / f"{unit_id}-{step}.txt").write_text(text, encoding="utf-8")

    def json(self, name: str, data: object) -> None:
        if self.folder is not None:
            (self.folder / name).write_text(
                json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8"
            )


def new_run_dir(root: Path) -> Path:
    """``.idealize/runs/<UTC timestamp>`` under the repository root."""
    from datetime import datetime, timezone

    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    (root / RUN_ROOT).mkdir(exist_ok=True)
    ignore_run_root(root / RUN_ROOT)
    return root / RUN_ROOT / "runs" / stamp
