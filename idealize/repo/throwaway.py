"""idealize's throwaway worktrees: made for validating patches, removed afterwards, even when
the run is stopped by SIGINT, SIGTERM or SIGHUP; recognised (and pruned) when a run was
killed outright and left one behind, so ``--worktrees`` never takes one for the user's work.

Each throwaway worktree is ``<tmp>/idealize-worktree-XXXX/tree``, with an ``owner`` file
beside the tree holding the process id of the run that made it. One whose owner is no longer
running is a leftover.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from idealize.repo.git import Git

PREFIX = "idealize-worktree-"
OWNER = "owner"


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like SIGINT's KeyboardInterrupt so every ``finally`` runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextmanager
def interruptible() -> Iterator[None]:
    """While active, SIGTERM and SIGHUP raise ``Interrupted`` in the main thread (elsewhere
    nothing changes: Python only runs signal handlers there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {s: signal.getsignal(s) for s in wanted}
    for s in wanted:
        if previous[s] in (signal.SIG_DFL, signal.default_int_handler, None):
            signal.signal(s, _raise)
    try:
        yield
    finally:
        for s, handler in previous.items():
            if handler is not None:
                signal.signal(s, handler)


def worker_signals() -> None:
    """In a freshly forked worker process: the handlers ``interruptible`` installed are the
    parent's business. The parent stops its workers (``Pool.terminate`` sends SIGTERM,
    which must end the worker, not raise ``Interrupted`` in a copy of the run: that hung
    a worker on a lock it inherited), and Ctrl-C goes to the parent alone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def is_throwaway(path: str | Path) -> bool:
    """Is this worktree one of idealize's throwaway ones?"""
    p = Path(path)
    return p.name == "tree" and p.parent.name.startswith(PREFIX)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner(tree: Path) -> int:
    try:
        return int((tree.parent / OWNER).read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def leftovers(git: Git) -> list[Path]:
    """idealize's throwaway worktrees whose run is no longer alive."""
    return [
        Path(t.path)
        for t in git.worktrees()
        if is_throwaway(t.path) and not _alive(_owner(Path(t.path)))
    ]


def prune_leftovers(git: Git) -> list[str]:
    """Remove the throwaway worktrees that killed runs left behind; their paths."""
    pruned: list[str] = []
    for tree in leftovers(git):
        git.run("worktree", "remove", "--force", "--force", str(tree), check=False)
        shutil.rmtree(tree.parent, ignore_errors=True)
        pruned.append(str(tree))
    return pruned


@contextmanager
def throwaway_worktree(git: Git, commit: str) -> Iterator[Path]:
    """A detached worktree at ``commit`` in a temporary folder, removed afterwards, also when
    SIGINT, SIGTERM or SIGHUP stops the run."""
    with interruptible():
        tmp = Path(tempfile.mkdtemp(prefix=PREFIX))
        tree = tmp / "tree"
        try:
            (tmp / OWNER).write_text(f"{os.getpid()}\n", encoding="utf-8")
            git.run("worktree", "add", "--detach", "--quiet", str(tree), commit)
            yield tree
        finally:
            # never `git worktree prune`: that would also drop the user's own stale entries
            git.run("worktree", "remove", "--force", "--force", str(tree), check=False)
            shutil.rmtree(tmp, ignore_errors=True)
