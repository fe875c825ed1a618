"""Pieces of code the detectors compare: every symbol a branch added, changed or removed,
and (for reuse checks) the symbols that already existed on the target."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from idealize.analyze.features import (
    FIX_WORDS,
    Features,
    FeatureStore,
    calls_only,
    concept_tokens,
    header,
    inner_lines,
    parameters,
)
from idealize.cache import Cache
from idealize.repo.git import Git
from idealize.repo.languages import family, language_of
from idealize.repo.symbols import SymbolIndex, unsuffixed
from idealize.types import Branch, Location, Symbol, SymbolChange

# what a formatter changes: whitespace (every character `str.isspace` calls one), commas,
# brackets, backslashes and quotes, deleted by one `str.translate` (a regex's `sub` took
# 2.2 s of a cold run on coder/mux, over every modified definition's old and new text)
_SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
_LAYOUT = dict.fromkeys(map(ord, _SPACES + ",()[]{}\\'\""))

MAX_EXISTING_FILES = 20_000


@dataclass(frozen=True, slots=True)
class Piece:
    branch: str | None  # None: code that already existed on the target
    path: str
    symbol: str
    kind: str
    change: str  # added, modified, deleted, renamed, existing
    start_line: int
    end_line: int
    language: str
    text: str
    features: Features
    added: Features  # what this branch's added lines inside the symbol contain
    added_text: str
    removed_text: str
    params: tuple[str, ...]
    old_params: tuple[str, ...]
    name_tokens: frozenset[str]
    subject: str  # the branch's commit subjects, joined
    cosmetic: bool = False  # only formatting changed (quotes, commas, wrapping)
    renamed_from: str | None = None
    fix_intent: bool = False  # the commit messages or added comments say it fixes something
    old_text: str = ""  # a modified or deleted definition as it was before the branch

    @property
    def short(self) -> str:
        return unsuffixed(self.symbol.rsplit(".", 1)[-1])

    @property
    def lines(self) -> int:
        """How many lines the definition spans."""
        return self.end_line - self.start_line + 1

    @property
    def key(self) -> tuple[str | None, str, str]:
        return (self.branch, self.path, self.symbol)

    def location(self) -> Location:
        return Location(self.path, self.symbol, self.start_line, self.end_line, self.branch)


@lru_cache(maxsize=65536)
def _own_lines(text: str) -> frozenset[str]:
    """A change's lines that say something of their own: long enough not to recur by chance
    (a closing brace, `return None` or `else:` is in every edit)."""
    return frozenset(n for n in (" ".join(x.split()) for x in text.splitlines()) if len(n) >= 16)


# lines of its own one change must remove of another's for it to have been written on top
# of it: one line (a shared `return` of 16+ characters) recurs by chance; on pydantic-ai the
# follow-up #6519 rewrote five comment lines of #6479
REWRITTEN_LINES = 2


def rewrites(later: Piece, earlier: Piece, min_lines: int = REWRITTEN_LINES) -> bool:
    """`later` removed lines that `earlier` added: it was written on top of that change, so
    its author saw it. A squash merge's real fork point is lost, but this is not (on
    pydantic-ai, #6519 reworded the comment #6479 had written above its numeric check; on
    gptme, #1863 trimmed the wrappers #1835 and #1836 had added to `execute_gh`)."""
    if later.branch == earlier.branch or later.path != earlier.path:
        return False
    return len(_own_lines(later.removed_text) & _own_lines(earlier.added_text)) >= min_lines


def saw(later: Sequence[Piece], earlier: Sequence[Piece]) -> bool:
    """Did one line of work (``later``'s pieces) rewrite lines the other wrote, or change a
    definition the other added, anywhere they both touched? Then it was written on top of
    it: a definition is changed only where it already exists (on dagger/container-use, #274
    changed the lock of a `getWorktree` that #273, squash-merged an hour before, added)."""
    by_path: dict[str, list[Piece]] = defaultdict(list)
    for y in earlier:
        by_path[y.path].append(y)
    return any(
        (x.change == "modified" and y.change == "added" and x.symbol == y.symbol) or rewrites(x, y)
        for x in later
        for y in by_path.get(x.path, ())
        if x.branch != y.branch
    )


class _Lines:
    """Blob contents split into lines once, however many symbols are cut from them."""

    def __init__(self, contents: dict[str, bytes]) -> None:
        self._contents = contents
        self._split: dict[str, list[str]] = {}

    def __call__(self, blob: str | None, start: int, end: int) -> str:
        if not blob or blob not in self._contents or not start:
            return ""
        lines = self._split.get(blob)
        if lines is None:
            lines = self._contents[blob].decode("utf-8", "replace").splitlines()
            self._split[blob] = lines
        return "\n".join(lines[start - 1 : end])


def branch_pieces(
    git: Git, branches: Sequence[Branch], store: FeatureStore | None = None, workers: int = 1
) -> list[Piece]:
    """A piece per symbol each branch touched, with the text of its new (or removed) version.
    Their features are extracted together first, on ``workers`` processes when there are
    enough of them (a 400-branch history touches thousands of symbols)."""
    blobs: list[str] = []
    for b in branches:
        for f in b.files:
            if f.symbols:
                blobs.extend(x for x in (f.old_blob, f.new_blob) if x)
    with git.blobs() as reader:
        contents = reader.read_many(blobs)
    lines_of = _Lines(contents)
    store = store or FeatureStore(Cache(None))
    drafts = list(_drafts(branches, lines_of))
    store.get_many(
        [
            (wanted, d.language)
            for d in drafts
            for wanted in ((d.text,) if d.symbol.change in ("added", "renamed") else ())
            + ((d.added_code,) if d.added_text != d.text else ())
        ],
        workers,
    )
    pieces: list[Piece] = []
    for d in drafts:
        s, language, text, old_text = d.symbol, d.language, d.text, d.old_text
        subject = " / ".join(c.subject for c in d.branch.commits)
        deleted = s.change == "deleted"
        added_text = d.added_text
        comments = " ".join(
            line.split("#", 1)[-1] if "#" in line else line.split("//", 1)[-1]
            for line in d.added_lines
            if "#" in line or "//" in line
        )
        pieces.append(
            Piece(
                branch=d.branch.name,
                path=d.path,
                symbol=s.name,
                kind=s.kind,
                change=s.change,
                start_line=d.start,
                end_line=d.end,
                language=language,
                text=text,
                features=(
                    whole := store.get(text, language)
                    if s.change in ("added", "renamed")
                    else calls_only(text, language)
                ),
                added=whole if added_text == text else store.get(d.added_code, language),
                added_text=added_text,
                removed_text="\n".join(d.removed_lines),
                params=parameters(header(text) if not deleted else "", language),
                old_params=parameters(header(old_text), language) if old_text else (),
                name_tokens=concept_tokens(s.name.rsplit(".", 1)[-1]),
                subject=subject,
                cosmetic=s.change == "modified" and _cosmetic(old_text, text),
                fix_intent=bool(FIX_WORDS.search(subject) or FIX_WORDS.search(comments)),
                renamed_from=s.renamed_from,
                old_text=old_text,
            )
        )
    return pieces


@dataclass(frozen=True)
class _Draft:
    """A touched symbol's texts, before its features are known: as it is (or was, when
    deleted), the lines its branch added and removed inside it, and as it was before."""

    branch: Branch
    path: str
    language: str
    symbol: SymbolChange
    start: int
    end: int
    text: str
    added_lines: list[str]
    added_text: str  # the added lines, joined
    removed_lines: list[str]
    old_text: str
    # the added lines that are code: none wholly inside a docstring or block comment
    # (``inner_lines``), what a modified definition is compared by
    added_code: str


def _drafts(branches: Sequence[Branch], lines_of: _Lines) -> Iterator[_Draft]:
    """Each symbol each branch touched, in a language idealize reads."""
    for b in branches:
        for f in b.files:
            if not f.language:
                continue
            for s in f.symbols:
                deleted = s.change == "deleted"
                start = (s.old_start if deleted else s.new_start) or 1
                end = (s.old_end if deleted else s.new_end) or start
                text = lines_of(f.old_blob if deleted else f.new_blob, start, end)
                old_text = lines_of(f.old_blob, s.old_start or 0, s.old_end or 0)
                added_lines: list[str] = []
                added_at: list[int] = []  # each added line's number in the new file
                removed_lines: list[str] = []
                for h in f.hunks:
                    if (
                        h.new_lines
                        and s.new_start
                        and s.new_end
                        and h.new_start <= s.new_end
                        and s.new_start <= h.new_start + h.new_lines - 1
                    ):
                        lo = max(h.new_start, s.new_start)
                        hi = min(h.new_start + h.new_lines - 1, s.new_end)
                        chunk = h.added[lo - h.new_start : hi - h.new_start + 1]
                        added_lines.extend(chunk)
                        added_at.extend(range(lo, lo + len(chunk)))
                    if (
                        h.old_lines
                        and s.old_start
                        and s.old_end
                        and h.old_start <= s.old_end
                        and s.old_start <= h.old_start + h.old_lines - 1
                    ):
                        lo = max(h.old_start, s.old_start)
                        hi = min(h.old_start + h.old_lines - 1, s.old_end)
                        removed_lines.extend(h.removed[lo - h.old_start : hi - h.old_start + 1])
                if s.change in ("added", "renamed") and not added_lines:
                    added_lines = text.splitlines()
                    added_at = list(range(start, start + len(added_lines)))
                inside = inner_lines(text, f.language) if added_lines else frozenset()
                code = [
                    line
                    for line, at in zip(added_lines, added_at, strict=True)
                    if at - start not in inside
                ]
                yield _Draft(
                    b,
                    f.path,
                    f.language,
                    s,
                    start,
                    end,
                    text,
                    added_lines,
                    "\n".join(added_lines),
                    removed_lines,
                    old_text,
                    "\n".join(code),
                )


def _cosmetic(old: str, new: str) -> bool:
    """Same tokens once quotes, commas, brackets and layout are ignored (a formatter's work)."""
    return bool(old) and old.translate(_LAYOUT) == new.translate(_LAYOUT)


def existing_pieces(
    git: Git,
    treeish: str,
    index: SymbolIndex,
    families: Iterable[str],
    skip: set[tuple[str, str]],
    notes: list[str],
    near: Iterable[str] = (),
    store: FeatureStore | None = None,
) -> tuple[list[Piece], dict[str, tuple[str, str, str]]]:
    """Functions already on the target that a branch could have reused, and every
    definition there by short name: ``name -> (path, qualified name, kind)``.

    Only files in the packages the branches touched (their folders and the folder above)
    are read: that is where reusable code usually sits, and it keeps the cost of the
    check proportional to the change, not to the repository.
    """
    wanted_families = set(families)
    folders: set[str] = set()
    for path in near:
        parts = path.split("/")[:-1]
        for depth in (len(parts), len(parts) - 1):
            folders.add("/".join(parts[: max(depth, 0)]))
    rows = [
        (blob, path, lang)
        for mode, blob, path in git.ls_tree(treeish)
        if mode != "160000"
        and (lang := language_of(path))
        and family(lang) in wanted_families
        and (not folders or "/".join(path.split("/")[:-1]) in folders)
    ]
    if len(rows) > MAX_EXISTING_FILES:
        notes.append(
            f"Reuse check looked at the first {MAX_EXISTING_FILES:,} of {len(rows):,} source files on the target."
        )
        rows = rows[:MAX_EXISTING_FILES]
    known = index.cached((blob, lang) for blob, _, lang in rows)
    with git.blobs() as reader:
        contents = reader.read_many([blob for blob, _, _ in rows])
    index.parse_many(
        [
            (blob, lang, contents[blob])
            for blob, _, lang in rows
            if (blob, lang) not in known and blob in contents and len(contents[blob]) <= 1_000_000
        ]
    )
    known = index.cached((blob, lang) for blob, _, lang in rows)
    store = store or FeatureStore(Cache(None))
    defined: dict[str, tuple[str, str, str]] = {}
    found: list[tuple[str, str, Symbol, str]] = []
    for blob, path, lang in rows:
        source = contents.get(blob)
        if source is None or len(source) > 1_000_000:
            continue
        symbols = (
            index.get(blob, lang, source)
            if (blob, lang) not in known
            else index.get(blob, lang, None)
        )
        lines = source.decode("utf-8", "replace").splitlines()
        for s in symbols:
            defined.setdefault(s.name.rsplit(".", 1)[-1], (path, s.name, s.kind))
            if (path, s.name) in skip or s.kind not in ("function", "method"):
                continue
            found.append((path, lang, s, "\n".join(lines[s.start_line - 1 : s.end_line])))
    features = store.get_many([(text, lang) for _, lang, _, text in found], index.workers)
    pieces: list[Piece] = []
    for (path, lang, s, text), feats in zip(found, features, strict=True):
        pieces.append(
            Piece(
                branch=None,
                path=path,
                symbol=s.name,
                kind=s.kind,
                change="existing",
                start_line=s.start_line,
                end_line=s.end_line,
                language=lang,
                text=text,
                features=feats,
                added=feats,
                added_text="",
                removed_text="",
                params=parameters(s.signature, lang),
                old_params=(),
                name_tokens=concept_tokens(s.name.rsplit(".", 1)[-1]),
                subject="",
            )
        )
    index.flush()
    return pieces, defined
