"""The installed version of idealize."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path


@cache
def installed_version() -> str:
    """The version pip installed (importlib.metadata costs 0.1 s: read only when asked)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("idealize")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0+source"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return installed_version()
    raise AttributeError(name)


@cache
def source_fingerprint() -> str:
    """A hash of idealize's own code, as installed: what a cached result computed by this
    code is keyed on, so that any change to the engine (a rule, a threshold) misses the
    cache instead of returning what the old code found. About 5 ms, once per process."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]
