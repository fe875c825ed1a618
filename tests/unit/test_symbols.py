"""Definitions per language, qualified within their file."""

from __future__ import annotations

import itertools

import pytest

from idealize.cache import Cache
from idealize.repo import symbols
from idealize.repo.collect import _hunks_by_path
from idealize.repo.git import Git
from idealize.repo.symbols import SymbolIndex, _edits, parse_pair, parse_symbols
from tests.conftest import Repo

CASES = {
    "python": (
        b"@dec\ndef f(a):\n    return a\n\nclass C(B):\n    def m(self):\n        def inner():\n            pass\n",
        {("f", "function", 1, 3), ("C", "class", 5, 8), ("C.m", "method", 6, 8)},
    ),
    "typescript": (
        b"export function f(a: string) { return a }\nexport const g = () => 1;\nclass K { m() { return 1 } }\ninterface I { a: number }\nenum E { A }\n",
        {
            ("f", "function", 1, 1),
            ("g", "function", 2, 2),
            ("K", "class", 3, 3),
            ("K.m", "method", 3, 3),
            ("I", "interface", 4, 4),
            ("E", "enum", 5, 5),
        },
    ),
    "javascript": (
        b"function f() {}\nclass K {\n  m() {}\n}\nconst h = function () {};\n",
        {
            ("f", "function", 1, 1),
            ("K", "class", 2, 4),
            ("K.m", "method", 3, 3),
            ("h", "function", 5, 5),
        },
    ),
    "go": (
        b"package p\n\ntype S struct{}\n\nfunc (s *S) M() {}\n\nfunc F() {}\n\ntype O = func(*S)\n",
        {
            ("S", "struct", 3, 3),
            ("S.M", "method", 5, 5),
            ("F", "function", 7, 7),
            ("O", "type", 9, 9),  # a type alias defines a name too
        },
    ),
    "rust": (
        b"struct S;\nimpl S {\n    fn new() -> S { S }\n}\nfn f() {}\n",
        {("S", "struct", 1, 1), ("S.new", "method", 3, 3), ("f", "function", 5, 5)},
    ),
    "java": (
        b"class A {\n  A() {}\n  void m() {}\n}\n",
        {("A", "class", 1, 4), ("A.A", "method", 2, 2), ("A.m", "method", 3, 3)},
    ),
    "dart": (
        b"class C {\n  int m(int x) {\n    return x;\n  }\n}\nString top(String a) => a;\n",
        {("C", "class", 1, 5), ("C.m", "method", 2, 4), ("top", "function", 6, 6)},
    ),
}


@pytest.mark.parametrize("language", sorted(CASES))
def test_definitions(language: str) -> None:
    source, expected = CASES[language]
    got = {(s.name, s.kind, s.start_line, s.end_line) for s in parse_symbols(source, language)}
    assert got == expected


@pytest.mark.parametrize("language", ["typescript", "javascript"])
def test_a_destructuring_declaration_defines_nothing(language: str) -> None:
    """open-swe: `const { APP_ORIGIN, ... } = require("./config.cjs")` was a symbol whose
    name was the whole pattern, shown as the enclosing symbol of the uses below it."""
    source = (
        b'const { appUrl, appOrigin } = require("./config.cjs");\n'
        b"const [first, second] = load();\n"
        b'const routes = createRouter({ base: "/" });\n'
        b"const open = () => appUrl();\n"
    )
    got = {(s.name, s.kind) for s in parse_symbols(source, language)}
    assert got == {("routes", "constant"), ("open", "function")}


def test_body_hash_ignores_the_name_and_whitespace() -> None:
    (a,) = parse_symbols(b"def one(x):\n    return x + 1\n", "python")
    (b,) = parse_symbols(b"def two(x):\n    return  x + 1\n", "python")
    (c,) = parse_symbols(b"def two(x):\n    return x + 2\n", "python")
    assert a.body_hash == b.body_hash != c.body_hash


def test_redefinitions_keep_apart() -> None:
    names = [
        s.name for s in parse_symbols(b"def f():\n    pass\n\ndef f():\n    return 1\n", "python")
    ]
    assert names == ["f", "f#2"]


def test_unknown_language_gives_nothing() -> None:
    assert parse_symbols(b"whatever", "cobol") == ()


PAIRS = {
    "edit, insert and delete": (
        b"def a():\n    return 1\n\n\ndef b():\n    return 2\n\n\ndef c(x):\n    return x\n",
        b"def a():\n    return 10\n\n\ndef new(y):\n    return y\n\n\ndef c(x):\n    return x\n",
    ),
    "no newline at the end": (
        b"class K:\n    def m(self):\n        return 1",
        b"class K:\n    def m(self):\n        return 2\n\n    def n(self):\n        pass",
    ),
    "windows line ends": (
        b"def a():\r\n    return 1\r\n\r\ndef b():\r\n    pass\r\n",
        b"def a():\r\n    return 1\r\n    # more\r\n\r\ndef c():\r\n    pass\r\n",
    ),
    "first and last lines": (
        b"import os\ndef a():\n    pass\n",
        b"def z():\n    pass\ndef a():\n    pass\nz()\n",
    ),
}


@pytest.mark.parametrize("case", sorted(PAIRS))
def test_a_pair_parsed_incrementally_gives_what_two_parses_give(repo: Repo, case: str) -> None:
    old, new = PAIRS[case]
    repo.write("m.py", old)
    first = repo.commit("old")
    repo.write("m.py", new)
    second = repo.commit("new")
    _, patch = Git(repo.path).diff(first, second)
    hunks = [
        (h.old_start, h.old_lines, h.new_start, h.new_lines)
        for h in _hunks_by_path(patch)[0]["m.py"]
    ]
    assert _edits(old, new, hunks) is not None  # the incremental path really ran
    expected = (parse_symbols(old, "python"), parse_symbols(new, "python"))
    assert expected[0] != expected[1]
    assert parse_pair(old, new, "python", hunks) == expected


def test_hunks_that_do_not_describe_the_change_fall_back_to_two_parses() -> None:
    old, new = PAIRS["edit, insert and delete"]
    wrong = [(1, 1, 1, 1)]  # says only line 1 changed
    assert _edits(old, new, wrong) is None
    assert parse_pair(old, new, "python", wrong) == (
        parse_symbols(old, "python"),
        parse_symbols(new, "python"),
    )


VERSIONS = [
    b"def a():\n    return 1\n\n\ndef b():\n    return 2\n",
    b"def a():\n    return 10\n\n\ndef b():\n    return 2\n\n\ndef c():\n    return 3\n",
    b"def a():\n    return 10\n\n\ndef c():\n    return 30\n",
]


def _chain(repo: Repo) -> tuple[list[str], list[list[tuple[int, int, int, int]]]]:
    """Three versions of one file, their blob ids, and the hunks from each to the next."""
    shas, hunks = [], []
    for text in VERSIONS:
        repo.write("m.py", text)
        shas.append(repo.commit("v"))
    git = Git(repo.path)
    blobs = [git.text("rev-parse", f"{sha}:m.py").strip() for sha in shas]
    for a, b in itertools.pairwise(shas):
        patch = git.diff(a, b)[1]
        hunks.append(
            [
                (h.old_start, h.old_lines, h.new_start, h.new_lines)
                for h in _hunks_by_path(patch)[0]["m.py"]
            ]
        )
    return blobs, hunks


@pytest.mark.parametrize("workers", [1, 2])
def test_each_version_of_a_file_is_parsed_from_the_one_before(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    blobs, hunks = _chain(repo)
    reparsed: list[bytes] = []
    real = symbols._reparse

    def spy(parser: object, base: object, base_source: bytes, source: bytes, h: object) -> object:
        reparsed.append(source)
        return real(parser, base, base_source, source, h)  # type: ignore[arg-type]

    monkeypatch.setattr(symbols, "_reparse", spy)
    index = SymbolIndex(Cache(None), workers=workers)
    with index.pool() as pool:
        pool.submit_change(
            "m.py", "python", (blobs[0], VERSIONS[0]), (blobs[1], VERSIONS[1]), hunks[0]
        )
        pool.submit_change("m.py", "python", (blobs[1], None), (blobs[2], VERSIONS[2]), hunks[1])
        pool.wait()
    for blob, text in zip(blobs, VERSIONS, strict=True):
        assert index.get(blob, "python", None) == parse_symbols(text, "python")
    if workers == 1:  # parsed here, so the spy saw it: both later versions from a tree
        assert reparsed == VERSIONS[1:]


def test_line_starts_are_where_each_line_begins() -> None:
    """`_LineStarts` sums line lengths in C; it must give what a scan for each line break
    gives, past the end for lines beyond the text (what incremental reparsing reads)."""
    import random

    from idealize.repo.symbols import _LineStarts

    def scanned(source: bytes) -> list[int]:
        starts = [0]
        at = source.find(b"\n")
        while at >= 0:
            starts.append(at + 1)
            at = source.find(b"\n", at + 1)
        return starts

    pick = random.Random(7)
    texts = [b"", b"\n", b"a", b"a\n", b"\n\nx\r\ny\n", b"def f():\n    return 1\n"]
    texts += [bytes(pick.choice(b"ab\n\r ") for _ in range(pick.randrange(60))) for _ in range(300)]
    for text in texts:
        starts, at = scanned(text), _LineStarts(text)
        for line in range(1, len(starts) + 4):
            assert at(line) == (starts[line - 1] if line - 1 < len(starts) else len(text)), (
                text,
                line,
            )
