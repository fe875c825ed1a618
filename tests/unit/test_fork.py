"""What a forked process may share with the one it came from (the detectors run in one, see
``engine.detect_all``): a pipe to git or a database connection must be its own, and using
them in the child must leave the parent's working."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from idealize.cache import Cache
from idealize.repo.git import BlobReader, Git
from tests.conftest import Repo, git

fork = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this platform"
)


def _in_child(work, meanwhile=lambda: None):  # type: ignore[no-untyped-def]
    """Run ``work`` in a forked process (and ``meanwhile`` here, at the same time) and
    return what the child's work returned."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def target() -> None:
        send.send(work())
        send.close()

    child = context.Process(target=target)
    child.start()
    try:
        meanwhile()
        assert receive.poll(60), "the child did not answer"
        found = receive.recv()
        child.join(60)
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
    assert child.exitcode == 0
    return found


@fork
def test_a_forked_child_reads_blobs_through_its_own_git(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "r")
    repo.write("a.txt", "alpha\n")
    repo.write("b.txt", "beta\n")
    repo.commit("two files")
    a, b = (git(repo.path, "rev-parse", f"HEAD:{n}").strip() for n in ("a.txt", "b.txt"))
    reader = BlobReader(Git(repo.path))
    assert reader.read(a) == b"alpha\n"  # the parent's `git cat-file` is running now

    def child() -> tuple[bytes | None, dict[str, int]]:
        found = reader.read(b), reader.sizes([a])
        reader.close()  # the child's own git, not the parent's
        return found

    assert _in_child(child) == (b"beta\n", {a: 6})
    # the parent's pipe still answers, in order
    assert reader.read_batch([b, a]) == {b: b"beta\n", a: b"alpha\n"}
    reader.close()


@fork
def test_a_forked_child_and_its_parent_read_blobs_at_once(tmp_path: Path) -> None:
    """Through one shared pipe, the two would read each other's answers."""
    repo = Repo(tmp_path / "r")
    for n in range(120):
        repo.write(f"f{n}.txt", f"file {n}\n" * (n + 1))
    repo.commit("many files")
    listing = git(repo.path, "ls-tree", "HEAD").split("\n")
    blobs = {line.split()[2]: line.split("\t")[1] for line in listing if line}
    expected = {sha: (repo.path / name).read_bytes() for sha, name in blobs.items()}
    reader = BlobReader(Git(repo.path))
    assert reader.read(next(iter(blobs))) is not None  # started here, before the fork
    shas = list(blobs)
    seen: list[bool] = []

    def read_all() -> bool:
        return all(reader.read(sha) == expected[sha] for _ in range(40) for sha in shas)

    assert _in_child(read_all, meanwhile=lambda: seen.append(read_all())) is True
    assert seen == [True]
    reader.close()


@fork
def test_a_forked_child_writes_to_the_cache_file_through_its_own_connection(
    tmp_path: Path,
) -> None:
    cache = Cache(tmp_path / "cache")
    cache.put("ns", "parent", "1")

    def child() -> str | None:
        cache.put("ns", "child", "2")
        return cache.get("ns", "parent")

    assert _in_child(child) == "1"
    assert cache.get_many("ns", ["parent", "child"]) == {"parent": "1", "child": "2"}
    cache.put("ns", "after", "3")
    assert Cache(tmp_path / "cache").get("ns", "after") == "3"


@fork
def test_a_cache_in_memory_is_the_childs_own_copy() -> None:
    cache = Cache(None)
    cache.put("ns", "parent", "1")

    def child() -> tuple[str | None, str | None]:
        cache.put("ns", "child", "2")
        return cache.get("ns", "parent"), cache.get("ns", "child")

    assert _in_child(child) == ("1", "2")
    assert cache.get("ns", "child") is None  # the child's copy, not the parent's
