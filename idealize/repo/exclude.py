"""Files the configuration keeps out of the analysis and out of every prompt.

``exclude`` (replacing the defaults) and ``extend-exclude`` (adding to them) hold
gitignore-style patterns, matched with ``pathspec`` exactly as git matches a ``.gitignore``:
``build/`` is any folder named build, ``/top.py`` only at the root, ``**`` spans folders, and
``!pattern`` takes a path back. Excluded files are dropped from what each branch changed
before anything is analysed, and listed under *Skipped*.
"""

from __future__ import annotations

from dataclasses import replace

from idealize.repo.collect import Collection
from idealize.repo.patterns import Excluder
from idealize.types import Skipped

__all__ = ["Excluder", "exclude_collection"]


def exclude_collection(collection: Collection, excluder: Excluder) -> Collection:
    """The collection without the files the configuration excludes (a renamed file goes when
    either of its names is excluded); each one dropped is listed under *Skipped*."""
    if not excluder.patterns:
        return collection
    skipped = list(collection.skipped)
    branches = []
    for b in collection.branches:
        kept = []
        for f in b.files:
            if excluder.excluded(f.path) or (f.old_path and excluder.excluded(f.old_path)):
                skipped.append(Skipped(f.path, "excluded by the configuration", b.name))
            else:
                kept.append(f)
        branches.append(replace(b, files=tuple(kept)) if len(kept) != len(b.files) else b)
    return replace(collection, branches=tuple(branches), skipped=tuple(skipped))
