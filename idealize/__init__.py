"""idealize: find and reconcile semantic drift between branches written by parallel AI agents."""

from __future__ import annotations

from idealize.version import __version__

__all__ = ["__version__", "run"]


def __getattr__(name: str) -> object:
    if name == "run":
        from idealize.pipeline import run

        return run
    raise AttributeError(name)
