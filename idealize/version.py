"""The installed version of idealize."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("idealize")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+source"


@cache
def source_fingerprint() -> str:
    """A hash of idealize's own code, as installed: what a cached result computed by this
    code is keyed on, so that any change to the engine (a rule, a threshold) misses the
    cache instead of returning what the old code found. About 5 ms, once per process."""
    root = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]
