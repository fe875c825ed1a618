"""idealize: find and reconcile semantic drift between branches written by parallel AI agents."""

from __future__ import annotations

__all__ = ["__version__", "run"]


def __getattr__(name: str) -> object:
    if name == "__version__":
        from idealize.version import installed_version

        return installed_version()
    if name == "run":
        from idealize.pipeline import run

        return run
    raise AttributeError(name)
