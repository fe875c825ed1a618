"""The one place that talks to git: subprocess calls and batch object reads.

Long on purpose: the only module that runs git, so every command, its errors and the parsing
of its output sit in one place to audit.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO

from idealize.errors import EmptyRange, NotAGitRepo, RepoError, ShallowHistory, UnknownRef

# Keep git's output stable whatever the user's configuration says.
_GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "LC_ALL": "C",
    "GIT_CONFIG_NOSYSTEM": "1",
}
_DIFF_FLAGS = ("--no-color", "--no-ext-diff", "--no-textconv", "--find-renames")
# what git says when an object the command needs is not in the clone
_MISSING_OBJECT = re.compile(r"unable to read [0-9a-f]{40}|missing blob object")


@dataclass(frozen=True, slots=True)
class RawChange:
    """One line of ``git diff --raw``: what happened to one path."""

    status: str  # A, M, D, R, T
    old_blob: str | None
    new_blob: str | None
    old_mode: str
    new_mode: str
    path: str
    old_path: str | None


@dataclass(frozen=True, slots=True)
class LogEntry:
    sha: str
    parents: tuple[str, ...]
    subject: str
    body: str
    time: int = 0  # committer date, seconds since the epoch
    author_time: int = 0  # author date: when the work was written (a rebase keeps it)
    author: str = ""  # author e-mail


@dataclass(frozen=True, slots=True)
class Worktree:
    path: str
    head: str | None
    branch: str | None  # short name, None when detached
    bare: bool = False


ZERO = "0" * 40


class Git:
    """A repository, addressed through the git command line."""

    def __init__(self, path: str | os.PathLike[str] = ".") -> None:
        start = Path(path)
        if not start.exists():
            raise NotAGitRepo(f"{start} does not exist", "pass the path of a git repository")
        if shutil.which("git") is None:
            raise RepoError("git is not installed", "install git and try again")
        proc = subprocess.run(
            ["git", "rev-parse", "--show-toplevel", "--git-common-dir"],
            cwd=start if start.is_dir() else start.parent,
            capture_output=True,
            text=True,
            env={**os.environ, **_GIT_ENV},
        )
        if proc.returncode != 0:
            raise NotAGitRepo(
                f"{start} is not inside a git work tree",
                "run idealize inside a repository or pass its path",
            )
        top, common = proc.stdout.splitlines()[:2]
        self.root = Path(top)
        common_path = Path(common)
        self.common_dir = common_path if common_path.is_absolute() else self.root / common_path

    # -- plumbing ---------------------------------------------------------------

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        check: bool = True,
    ) -> bytes:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd or self.root,
            input=input,
            capture_output=True,
            env={**os.environ, **_GIT_ENV, **(env or {})},
        )
        if check and proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            first = message[-1] if message else f"exit {proc.returncode}"
            command = args[2] if args[0] == "-c" and len(args) > 2 else args[0]
            raise RepoError(f"git {command} failed: {first}", "run with --debug for details")
        return proc.stdout

    def text(self, *args: str, **kwargs: object) -> str:
        return self.run(*args, **kwargs).decode("utf-8", "replace")  # type: ignore[arg-type]

    # -- refs ---------------------------------------------------------------------

    def resolve(self, ref: str) -> str:
        """The commit sha ``ref`` names, or UnknownRef."""
        out = self.run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", check=False
        )
        sha = out.decode().strip()
        if not sha:
            if not self.run("rev-list", "-n", "1", "--all", check=False).strip():
                raise EmptyRange(
                    "this repository has no commits yet",
                    "commit your work first; idealize compares branches and commits",
                )
            hint = "check the name with `git branch -a` or `git log --oneline`"
            if self.is_shallow():
                raise ShallowHistory(
                    f"unknown ref {ref!r} in a shallow clone",
                    "fetch more history: git fetch --unshallow (or --deepen N)",
                )
            raise UnknownRef(f"unknown ref {ref!r}", hint)
        return sha

    def is_shallow(self) -> bool:
        return (self.common_dir / "shallow").exists()

    def current_branch(self) -> str | None:
        out = self.text("symbolic-ref", "--quiet", "--short", "HEAD", check=False).strip()
        return out or None

    def default_branch(self) -> str:
        """origin's HEAD if known, else main or master, else the current branch."""
        out = self.text(
            "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD", check=False
        ).strip()
        if out:
            return out
        for name in ("main", "master", "trunk", "develop"):
            if self.run(
                "rev-parse", "--verify", "--quiet", f"refs/heads/{name}", check=False
            ).strip():
                return name
        current = self.current_branch()
        if current:
            return current
        raise UnknownRef("cannot tell the default branch", "pass --into REF")

    def merge_base(self, a: str, b: str) -> str | None:
        out = self.text("merge-base", a, b, check=False).strip()
        return out or None

    def _status(self, *args: str) -> int:
        """The exit code of a git command whose answer is its status, not its output."""
        proc = subprocess.run(
            ["git", *args], cwd=self.root, capture_output=True, env={**os.environ, **_GIT_ENV}
        )
        return proc.returncode

    def is_ancestor(self, a: str, b: str) -> bool:
        return self._status("merge-base", "--is-ancestor", a, b) == 0

    @cached_property
    def grep_perl(self) -> bool:
        """Does this git's grep take Perl regexes (``-P``, built with PCRE)? 0 or 1 is an
        answer (found, not found); a git without PCRE refuses the pattern with 128."""
        probe = (
            "grep",
            "--no-index",
            "-q",
            "-P",
            "-e",
            "(?<![a-z])x",
            "--",
            "idealize-no-such-file",
        )
        return self._status(*probe) in (0, 1)

    def grep_words(self, commit: str, words: Sequence[str], globs: Sequence[str]) -> str:
        """``git grep -n`` output of the lines of ``commit`` (files matching ``globs``) that
        hold any of ``words`` as a whole word, as ``-w`` defines one. The words go in one
        alternation: as hundreds of ``-F -e`` patterns, git tries each pattern on each
        line, which took 150 s a search on pydantic-ai's 15 MB of source; one Perl regex
        takes half a second (an extended one, where git lacks PCRE, about three)."""
        alternation = "|".join(re.escape(w) for w in words)
        if self.grep_perl:
            how, pattern = "-P", f"(?<![A-Za-z0-9_])(?:{alternation})(?![A-Za-z0-9_])"
        else:
            how, pattern = "-E", f"(^|[^A-Za-z0-9_])({alternation})([^A-Za-z0-9_]|$)"
        args = ["grep", "-n", "-I", "--full-name", how, "-e", pattern, commit, "--", *globs]
        return self.text(*args, check=False)

    # -- history ------------------------------------------------------------------

    def log(
        self, *range_args: str, first_parent: bool = False, no_merges: bool = False
    ) -> list[LogEntry]:
        args = ["log", "-z", "--format=%H %ct %at %ae%x00%P%x00%s%x00%b", "--end-of-options"]
        if first_parent:
            args.insert(1, "--first-parent")
        if no_merges:
            args.insert(1, "--no-merges")
        raw = self.text(*args, *range_args) if range_args else ""
        fields = raw.split("\x00")
        entries: list[LogEntry] = []
        # each record is sha, parents, subject, body; -z ends records with NUL too
        i = 0
        while i + 3 < len(fields):
            head = fields[i].strip()
            if not head:
                i += 1
                continue
            sha, stamp, authored, author = [*head.split(" ", 3), "0", "0", ""][:4]
            entries.append(
                LogEntry(
                    sha=sha,
                    parents=tuple(fields[i + 1].split()),
                    subject=fields[i + 2],
                    body=fields[i + 3].strip(),
                    time=int(stamp or 0),
                    author_time=int(authored or 0),
                    author=author,
                )
            )
            i += 4
        return entries

    # -- diffs ----------------------------------------------------------------------

    def diff(self, old: str, new: str) -> tuple[list[RawChange], str]:
        """What changed from ``old`` to ``new``: raw records (blob ids, modes, renames) and a
        unified diff with no context lines, from one git process.

        A clone can lack some blobs (a partial clone offline, a mirror without its largest
        files): git then refuses the whole diff. The paths whose blobs are missing are left
        out of the patch and kept as raw records, so the rest of the change is still read."""
        try:
            return self._diff(old, new, ())
        except RepoError as error:
            if not _MISSING_OBJECT.search(error.message):
                raise
        raw = self.run("diff", "--raw", "--no-renames", "--abbrev=40", "-z", old, new, "--")
        fields = raw.decode("utf-8", "surrogateescape").split("\0")
        pairs = zip(fields[::2], fields[1::2], strict=False)  # the output ends in a NUL
        records = [_raw_change(meta, [path]) for meta, path in pairs]
        with self.blobs() as reader:  # its batch check leaves the missing ones out
            present = set(reader.sizes([b for r in records for b in (r.old_blob, r.new_blob) if b]))
        absent = [r for r in records if not {b for b in (r.old_blob, r.new_blob) if b} <= present]
        changes, patch = self._diff(old, new, [r.path for r in absent])
        seen = {c.path for c in changes}
        changes.extend(r for r in absent if r.path not in seen)
        return changes, patch

    def _diff(self, old: str, new: str, leave_out: Sequence[str]) -> tuple[list[RawChange], str]:
        out = self.run(
            "-c",
            "core.quotePath=false",
            "diff",
            "--raw",
            "--patch",
            "--unified=0",
            "--abbrev=40",
            *_DIFF_FLAGS,
            old,
            new,
            "--",
            *(f":(exclude,literal){path}" for path in leave_out),
        ).decode("utf-8", "surrogateescape")
        raw_part, _, patch = out.partition("\n\n") if out.startswith(":") else ("", "", out)
        changes: list[RawChange] = []
        for line in raw_part.splitlines():
            if not line.startswith(":"):
                continue
            meta, *paths = line.split("\t")
            changes.append(_raw_change(meta, [_unquote(p) for p in paths]))
        return changes, patch

    # -- worktrees ----------------------------------------------------------------------

    def worktrees(self) -> list[Worktree]:
        out = self.text("worktree", "list", "--porcelain")
        trees: list[Worktree] = []
        path: str | None = None
        head: str | None = None
        branch: str | None = None
        bare = False
        for line in [*out.splitlines(), ""]:
            if not line:
                if path is not None:
                    trees.append(Worktree(path=path, head=head, branch=branch, bare=bare))
                path, head, branch, bare = None, None, None, False
            elif line.startswith("worktree "):
                path = line[len("worktree ") :]
            elif line.startswith("HEAD "):
                head = line[len("HEAD ") :]
            elif line.startswith("branch "):
                branch = line[len("branch ") :].removeprefix("refs/heads/")
            elif line == "bare":
                bare = True
        return trees

    def snapshot_worktree(self, worktree: Path) -> str:
        """A tree object of the work tree as it is, with untracked (not ignored) files.

        Uses a throwaway index file, so the user's index and files are left alone;
        the only trace is loose blob objects, as ``git stash create`` leaves.
        """
        real_index = Path(self.text("rev-parse", "--git-path", "index", cwd=worktree).strip())
        if not real_index.is_absolute():
            real_index = worktree / real_index
        with tempfile.TemporaryDirectory(prefix="idealize-index-") as tmp:
            index = Path(tmp) / "index"
            if real_index.exists():
                # copy2 keeps the mtime git uses to spot racily-clean entries
                shutil.copy2(real_index, index)  # the stat cache makes `add -A` fast
            env = {"GIT_INDEX_FILE": str(index)}
            has_head = bool(
                self.run(
                    "rev-parse", "--verify", "--quiet", "HEAD", cwd=worktree, check=False
                ).strip()
            )
            if not real_index.exists() and has_head:
                self.run("read-tree", "HEAD", cwd=worktree, env=env)
            # idealize's own run folders are never part of the work
            self.run("add", "-A", "--", ".", ":(exclude).idealize", cwd=worktree, env=env)
            return self.text("write-tree", cwd=worktree, env=env).strip()

    def unmerged_paths(self, worktree: Path) -> list[str]:
        out = self.text("diff", "--name-only", "--diff-filter=U", cwd=worktree, check=False)
        return [p for p in out.splitlines() if p]

    def tracked_or_untracked(self, paths: Sequence[str] = ()) -> list[str]:
        """Files git tracks plus untracked ones it does not ignore."""
        out = self.run("ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *paths)
        return sorted({p.decode("utf-8", "surrogateescape") for p in out.split(b"\x00") if p})

    def ls_tree(self, treeish: str) -> list[tuple[str, str, str]]:
        """(mode, blob, path) for every file of a tree."""
        out = self.run("ls-tree", "-r", "-z", "--full-tree", treeish)
        rows: list[tuple[str, str, str]] = []
        for rec in out.split(b"\x00"):
            if not rec:
                continue
            meta, path = rec.split(b"\t", 1)
            mode, kind, blob = meta.decode().split(" ")
            if kind == "blob":
                rows.append((mode, blob, path.decode("utf-8", "surrogateescape")))
        return rows

    def blob_sizes(self, blobs: Sequence[str]) -> dict[str, int]:
        """Sizes of many blobs from one `cat-file --batch-check`; missing ones are left out."""
        unique = list(dict.fromkeys(blobs))
        if not unique:
            return {}
        out = self.run(
            "cat-file", "--batch-check", input=("\n".join(unique) + "\n").encode(), check=False
        )
        sizes: dict[str, int] = {}
        for line in out.decode().splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] == "blob":
                sizes[parts[0]] = int(parts[2])
        return sizes

    def apply_patch(self, diff: str, check_only: bool = False) -> str | None:
        """`git apply` a unified diff to the work tree; the error text, or None when it applied."""
        args = ["apply", "--check", "-"] if check_only else ["apply", "-"]
        proc = subprocess.run(
            ["git", *args],
            cwd=self.root,
            input=diff.encode(),
            capture_output=True,
            env={**os.environ, **_GIT_ENV},
        )
        return (
            proc.stderr.decode("utf-8", "replace").strip() or "git apply failed"
            if proc.returncode
            else None
        )

    @contextmanager
    def blobs(self) -> Iterator[BlobReader]:
        reader = BlobReader(self)
        try:
            yield reader
        finally:
            reader.close()


def _raw_change(meta: str, names: list[str]) -> RawChange:
    """One ``git diff --raw`` record from its ``:mode mode blob blob status`` part and paths."""
    old_mode, new_mode, old_blob, new_blob, status = meta[1:].split(" ")
    renamed = status[0] in ("R", "C") and len(names) == 2
    return RawChange(
        status=status[0],
        old_blob=None if old_blob == ZERO else old_blob,
        new_blob=None if new_blob == ZERO else new_blob,
        old_mode=old_mode,
        new_mode=new_mode,
        path=names[-1],
        old_path=names[0] if renamed else None,
    )


def _unquote(path: str) -> str:
    """git C-quotes paths with tabs, newlines, quotes or backslashes."""
    if len(path) >= 2 and path[0] == '"' and path[-1] == '"':
        raw = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        return raw.encode("latin-1", "surrogateescape").decode("utf-8", "surrogateescape")
    return path


class BlobReader:
    """Reads many objects through long-lived ``git cat-file --batch`` and ``--batch-check``
    processes: a read costs a round trip through a pipe, not a process."""

    # requests written before their answers are read: few enough that they always fit in
    # the pipe to git, so neither side can block the other
    CHUNK = 256

    def __init__(self, git: Git) -> None:
        self._git = git
        self._proc: subprocess.Popen[bytes] | None = None
        self._check: subprocess.Popen[bytes] | None = None
        self._pid = os.getpid()

    def _own(self) -> None:
        """In a process forked from the one that started them, the pipes to git are the
        parent's: requests from both would interleave (and each read the other's answers).
        The child leaves them to the parent, which closes them, and starts its own."""
        if self._pid != os.getpid():
            self._proc = self._check = None
            self._pid = os.getpid()

    def _spawn(self, mode: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            ["git", "cat-file", mode],
            cwd=self._git.root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, **_GIT_ENV},
        )

    def _start(self) -> subprocess.Popen[bytes]:
        self._own()
        if self._proc is None:
            self._proc = self._spawn("--batch")
        return self._proc

    def read(self, sha: str) -> bytes | None:
        return self.read_batch([sha]).get(sha)

    def read_batch(self, shas: Sequence[str]) -> dict[str, bytes]:
        """Contents of many objects (missing ones are left out), pipelined in chunks."""
        proc = self._start()
        stdin: IO[bytes] = proc.stdin  # type: ignore[assignment]
        stdout: IO[bytes] = proc.stdout  # type: ignore[assignment]
        unique = list(dict.fromkeys(shas))
        result: dict[str, bytes] = {}
        for i in range(0, len(unique), self.CHUNK):
            chunk = unique[i : i + self.CHUNK]
            stdin.write(("\n".join(chunk) + "\n").encode())
            stdin.flush()
            for sha in chunk:
                header = stdout.readline().decode()
                if not header:
                    raise RepoError(
                        "git cat-file stopped answering", "run with --debug for details"
                    )
                if header.endswith("missing\n"):
                    continue
                size = int(header.split()[2])
                result[sha] = stdout.read(size)
                stdout.read(1)  # trailing newline
        return result

    def sizes(self, shas: Sequence[str]) -> dict[str, int]:
        """Sizes of many blobs through one long-lived ``--batch-check``; missing ones are left out."""
        self._own()
        if self._check is None:
            self._check = self._spawn("--batch-check")
        stdin: IO[bytes] = self._check.stdin  # type: ignore[assignment]
        stdout: IO[bytes] = self._check.stdout  # type: ignore[assignment]
        unique = list(dict.fromkeys(shas))
        sizes: dict[str, int] = {}
        for i in range(0, len(unique), self.CHUNK):
            chunk = unique[i : i + self.CHUNK]
            stdin.write(("\n".join(chunk) + "\n").encode())
            stdin.flush()
            for sha in chunk:
                parts = stdout.readline().decode().split()
                if len(parts) == 3 and parts[1] == "blob":
                    sizes[sha] = int(parts[2])
        return sizes

    def read_many(self, shas: Sequence[str]) -> dict[str, bytes]:
        """Pipelined reads: every request is written before the answers are read."""
        unique = list(dict.fromkeys(shas))
        if not unique:
            return {}
        proc = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=self._git.root,
            input=("\n".join(unique) + "\n").encode(),
            capture_output=True,
            env={**os.environ, **_GIT_ENV},
        )
        out = proc.stdout
        result: dict[str, bytes] = {}
        pos = 0
        for sha in unique:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode()
            pos = end + 1
            if header.endswith("missing"):
                continue
            size = int(header.split()[2])
            result[sha] = out[pos : pos + size]
            pos += size + 1
        return result

    def close(self) -> None:
        self._own()
        for proc in (self._proc, self._check):
            if proc is not None:
                if proc.stdin:
                    proc.stdin.close()
                proc.wait()
                if proc.stdout:
                    proc.stdout.close()
        self._proc = self._check = None


@dataclass(frozen=True, slots=True)
class CommitLines:
    """One commit of a range, with the lines it added to one path."""

    sha: str
    subject: str
    body: str
    added: tuple[str, ...]


def commit_lines(git: Git, base: str, head: str, path: str) -> list[CommitLines]:
    """Each non-merge commit of ``base..head`` that touched ``path``, with the lines it
    added there (one ``git log -p``)."""
    out = git.run(
        "log",
        "-p",
        "--unified=0",
        "--no-merges",
        "--no-color",
        "--no-ext-diff",
        "--format=%x00%H%x00%s%x00%b%x00",
        f"{base}..{head}",
        "--",
        path,
        check=False,
    ).decode("utf-8", "surrogateescape")
    found: list[CommitLines] = []
    parts = out.split("\x00")  # "", sha, subject, body, patch, sha, ...
    for i in range(1, len(parts) - 2, 4):
        sha, subject, body = parts[i], parts[i + 1], parts[i + 2]
        patch = parts[i + 3] if i + 3 < len(parts) else ""
        added = tuple(
            line[1:]
            for line in patch.splitlines()
            if line.startswith("+") and not line.startswith("+++")
        )
        found.append(CommitLines(sha.strip(), subject, body.strip(), added))
    return found
