"""A small content-keyed on-disk cache (sqlite), shared by every repository.

Keys are content hashes (git blob ids, prompt hashes), so one cache serves every
repository on the machine without mixing them up. Location: ``$IDEALIZE_CACHE_DIR``,
else ``$XDG_CACHE_HOME/idealize``, else ``~/.cache/idealize``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path


def default_cache_dir() -> Path:
    explicit = os.environ.get("IDEALIZE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "idealize"


class Cache:
    """Namespaced key -> text store. ``Cache(None)`` keeps everything in memory."""

    def __init__(self, directory: Path | None) -> None:
        if directory is None:
            self._db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        else:
            try:
                directory.mkdir(parents=True, exist_ok=True)
                # autocommit: two runs at once must not lock each other out
                self._db = sqlite3.connect(
                    directory / "cache.sqlite3",
                    timeout=5,
                    isolation_level=None,
                    check_same_thread=False,
                )
                self._db.execute("PRAGMA journal_mode=WAL")
            except (OSError, sqlite3.Error):
                # an unwritable cache must not stop a run: fall back to memory
                self._db = sqlite3.connect(
                    ":memory:", isolation_level=None, check_same_thread=False
                )
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS entries (ns TEXT, key TEXT, value TEXT, PRIMARY KEY (ns, key))"
        )
        self._lock = threading.Lock()  # one connection, shared by the model stage's threads
        # lookups found and not found, by namespace: what --verbose reports as cache hits
        self.hits: Counter[str] = Counter()
        self.misses: Counter[str] = Counter()
        self.written: Counter[str] = Counter()

    def get(self, ns: str, key: str) -> str | None:
        with self._lock:
            return self._get(ns, key)

    def _get(self, ns: str, key: str) -> str | None:
        row = self._db.execute(
            "SELECT value FROM entries WHERE ns=? AND key=?", (ns, key)
        ).fetchone()
        if row is None:
            self.misses[ns] += 1
            return None
        self.hits[ns] += 1
        return str(row[0])

    def get_many(self, ns: str, keys: Iterable[str]) -> dict[str, str]:
        with self._lock:
            return self._get_many(ns, keys)

    def _get_many(self, ns: str, keys: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for key, value in self._db.execute(
                f"SELECT key, value FROM entries WHERE ns=? AND key IN ({marks})", (ns, *chunk)
            ):
                found[key] = value
        self.hits[ns] += len(found)
        self.misses[ns] += len(wanted) - len(found)
        return found

    def put(self, ns: str, key: str, value: str) -> None:
        self.put_many(ns, [(key, value)])

    def put_many(self, ns: str, items: Iterable[tuple[str, str]]) -> None:
        with self._lock:
            self._put_many(ns, items)

    def _put_many(self, ns: str, items: Iterable[tuple[str, str]]) -> None:
        rows = [(ns, k, v) for k, v in items]
        self.written[ns] += len(rows)
        try:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", rows)
            self._db.execute("COMMIT")
        except sqlite3.OperationalError:
            # another run holds the lock: the cache only saves time, so go on without it
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")

    def close(self) -> None:
        self._db.close()
