"""A small content-keyed on-disk cache (sqlite), shared by every repository.

Keys are content hashes (git blob ids, prompt hashes), so one cache serves every
repository on the machine without mixing them up. Location: ``$IDEALIZE_CACHE_DIR``,
else ``$XDG_CACHE_HOME/idealize``, else ``~/.cache/idealize``.

The cache only saves time. A damaged database file (corrupt pages, not a database at all)
is moved aside as ``cache.sqlite3.damaged-<time>`` with a one-line warning on the
``idealize`` logger, and the run goes on with a fresh one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger("idealize")

T = TypeVar("T")

FILENAME = "cache.sqlite3"


def default_cache_dir() -> Path:
    explicit = os.environ.get("IDEALIZE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "idealize"


def _damaged(exc: sqlite3.Error) -> bool:
    """A database that cannot be read, as opposed to one that is busy or locked."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return "malformed" in text or "not a database" in text or "disk i/o" in text
    return isinstance(exc, sqlite3.DatabaseError)


class Cache:
    """Namespaced key -> text store. ``Cache(None)`` keeps everything in memory."""

    def __init__(self, directory: Path | None) -> None:
        self._directory = directory
        self._lock = threading.Lock()  # one connection, shared by the model stage's threads
        # lookups found and not found, and entries written, by namespace: the cache hits
        # --verbose reports
        self.hits: Counter[str] = Counter()
        self.misses: Counter[str] = Counter()
        self.written: Counter[str] = Counter()
        self._db = self._open()
        self._pid = os.getpid()
        self._inherited: list[sqlite3.Connection] = []

    def _own(self) -> None:
        """In a process forked from the one that opened it, a connection to the file is the
        parent's: SQLite forbids using one across a fork. The child opens its own to the same
        file and keeps the parent's unused and unclosed, since closing it could end what the
        parent holds. (A cache in memory was copied whole by the fork and stays the child's
        own.) The lock may have been held at the fork too."""
        if self._pid != os.getpid():
            self._lock = threading.Lock()
            if self._directory is not None:
                self._inherited.append(self._db)
                self._db = self._open()
            self._pid = os.getpid()

    # -- opening, and recovering from a damaged file -------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self._directory is None:
            return self._prepare(self._memory())
        path = self._directory / FILENAME
        try:
            self._directory.mkdir(parents=True, exist_ok=True)
            # autocommit: two runs at once must not lock each other out
            db = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error):
            # an unwritable cache must not stop a run: fall back to memory
            return self._prepare(self._memory())
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return self._prepare(db)
        except sqlite3.Error as exc:
            db.close()
            if not _damaged(exc):
                return self._prepare(self._memory())
            self._move_aside(path, exc)
            try:
                fresh = sqlite3.connect(
                    path, timeout=5, isolation_level=None, check_same_thread=False
                )
                fresh.execute("PRAGMA journal_mode=WAL")
                return self._prepare(fresh)
            except sqlite3.Error:
                return self._prepare(self._memory())

    @staticmethod
    def _memory() -> sqlite3.Connection:
        return sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)

    @staticmethod
    def _prepare(db: sqlite3.Connection) -> sqlite3.Connection:
        db.execute("PRAGMA synchronous=OFF")
        db.execute(
            "CREATE TABLE IF NOT EXISTS entries (ns TEXT, key TEXT, value TEXT, PRIMARY KEY (ns, key))"
        )
        # reads the schema and the table's root page: a file that is not a database, or
        # whose first pages are damaged, fails here rather than in the middle of a run
        db.execute("SELECT 1 FROM entries LIMIT 1").fetchall()
        return db

    def _move_aside(self, path: Path, exc: sqlite3.Error) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = path.with_name(f"{path.name}.damaged-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{path}{suffix}")
            if part.exists():
                try:
                    part.rename(Path(f"{aside}{suffix}"))
                except OSError:
                    part.unlink(missing_ok=True)
        log.warning(
            "the cache at %s was damaged (%s); moved it to %s and started a new one",
            path,
            exc,
            aside.name,
        )

    def _recover(self, exc: sqlite3.Error) -> None:
        """Called with the lock held, after a damaged page turned up mid-run."""
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        if self._directory is None:
            self._db = self._prepare(self._memory())
            return
        self._move_aside(self._directory / FILENAME, exc)
        self._db = self._open()

    def _guarded(self, action: Callable[[], T], fallback: T) -> T:
        try:
            return action()
        except sqlite3.Error as exc:
            if not _damaged(exc):
                raise
            self._recover(exc)
            try:
                return action()
            except sqlite3.Error:
                return fallback

    # -- reading and writing --------------------------------------------------------------

    def get(self, ns: str, key: str) -> str | None:
        self._own()
        with self._lock:
            found = self._guarded(lambda: self._get(ns, key), None)
            (self.misses if found is None else self.hits)[ns] += 1
            return found

    def _get(self, ns: str, key: str) -> str | None:
        row = self._db.execute(
            "SELECT value FROM entries WHERE ns=? AND key=?", (ns, key)
        ).fetchone()
        if row is None:
            return None
        return str(row[0])

    def get_many(self, ns: str, keys: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(keys))
        self._own()
        with self._lock:
            found: dict[str, str] = self._guarded(lambda: self._get_many(ns, wanted), {})
            self.hits[ns] += len(found)
            self.misses[ns] += len(wanted) - len(found)
            return found

    def _get_many(self, ns: str, wanted: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for key, value in self._db.execute(
                f"SELECT key, value FROM entries WHERE ns=? AND key IN ({marks})", (ns, *chunk)
            ):
                found[key] = value
        return found

    def put(self, ns: str, key: str, value: str) -> None:
        self.put_many(ns, [(key, value)])

    def put_many(self, ns: str, items: Iterable[tuple[str, str]]) -> None:
        rows = list(items)
        self._own()
        with self._lock:
            self._guarded(lambda: self._put_many(ns, rows), None)
            self.written[ns] += len(rows)

    def _put_many(self, ns: str, rows: list[tuple[str, str]]) -> None:
        try:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", ((ns, k, v) for k, v in rows)
            )
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
            if _damaged(exc):
                raise
            # another run holds the lock: the cache only saves time, so go on without it

    def close(self) -> None:
        self._db.close()
