"""idealize: find and reconcile semantic drift between branches written by parallel AI agents."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("idealize")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+source"

__all__ = ["__version__", "run"]


def __getattr__(name: str) -> object:
    if name == "run":
        from idealize.pipeline import run

        return run
    raise AttributeError(name)
