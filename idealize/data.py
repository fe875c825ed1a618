"""Where the data shipped with idealize lives: ``prompts/`` and ``samples/``.

In an installed wheel they sit in ``idealize/_data/``; in a source checkout, at the
repository root next to the package.
"""

from __future__ import annotations

from pathlib import Path


def data_dir(name: str) -> Path | None:
    """The folder ``name`` (``prompts`` or ``samples``), or None when it is missing."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_data" / name, package.parent / name):
        if candidate.is_dir():
            return candidate
    return None
