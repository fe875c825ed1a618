"""The installed version of idealize."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("idealize")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+source"
