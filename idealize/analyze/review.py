"""`idealize review PATH[::SYMBOL]...`: one unit made of named modules, no branches needed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from idealize.analyze.features import FeatureStore, concept_tokens, parameters
from idealize.analyze.pieces import Piece
from idealize.errors import UsageError
from idealize.repo.git import Git
from idealize.repo.languages import language_of
from idealize.repo.symbols import parse_symbols
from idealize.types import Location, Unit


def parse_target(text: str) -> tuple[str, str | None]:
    path, sep, symbol = text.partition("::")
    return path.strip().replace("\\", "/").removeprefix("./"), (
        symbol.strip() or None
    ) if sep else None


MAX_REVIEW_BYTES = 1_000_000


def _refuse_outside(root: Path, path: str) -> None:
    """A review reads files of this repository only: no absolute paths, no `..`, nothing
    through a symbolic link (whose target may be anywhere on the machine)."""
    if not path or path.startswith("/") or "\x00" in path:
        raise UsageError(f"{path!r} is not a path inside the repository", "pass a relative path")
    parts = Path(path).parts
    if ".." in parts:
        raise UsageError(f"{path} leaves the repository", "pass a path inside the repository")
    current = Path(root)
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise UsageError(
                f"{path} goes through a symbolic link ({current.relative_to(root)})",
                "review the file the link points to, by its own path inside the repository",
            )
    target = Path(root) / path
    if target.exists() and not target.is_file():
        raise UsageError(
            f"{path} is a folder or a submodule, not a file",
            "name the files to review (PATH or PATH::SYMBOL)",
        )


def _read(root: Path, path: str) -> bytes:
    target = Path(root) / path
    try:
        if target.stat().st_size > MAX_REVIEW_BYTES:
            raise UsageError(
                f"{path} is larger than {MAX_REVIEW_BYTES:,} bytes",
                "review its symbols: PATH::SYMBOL",
            )
        data = target.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}", "check the path") from exc
    if b"\x00" in data[:8000]:
        raise UsageError(f"{path} is a binary file", "review source files")
    return data


def review_pieces(
    git: Git, targets: Sequence[tuple[str, str | None]], store: FeatureStore
) -> tuple[Unit, list[Piece]]:
    """Pieces for the named files (or symbols) as they are in the work tree.

    Only files git tracks, or untracked files it does not ignore, are read.
    """
    for path, _ in targets:
        _refuse_outside(git.root, path)
    allowed = set(git.tracked_or_untracked([p for p, _ in targets]))
    pieces: list[Piece] = []
    for path, symbol in targets:
        if path not in allowed:
            raise UsageError(
                f"{path} is not a tracked (or untracked, not ignored) file of this repository",
                "pass a path relative to the repository root",
            )
        source = _read(git.root, path)
        lang = language_of(path)
        text = source.decode("utf-8", "replace")
        lines = text.splitlines()
        symbols = parse_symbols(source, lang) if lang else ()
        if symbol is not None:
            chosen = [s for s in symbols if s.name == symbol]
            if not chosen:
                names = ", ".join(s.name for s in symbols[:12]) or "none found"
                raise UsageError(f"{path} has no symbol {symbol!r}", f"symbols there: {names}")
        else:
            chosen = [s for s in symbols if "." not in s.name] or []
        if not chosen:  # a file without definitions (or an unknown language): the whole file
            feats = store.get(text, lang)
            pieces.append(
                Piece(
                    None,
                    path,
                    path.rsplit("/", 1)[-1],
                    "module",
                    "existing",
                    1,
                    max(1, len(lines)),
                    lang or "text",
                    text,
                    feats,
                    feats,
                    "",
                    "",
                    (),
                    (),
                    frozenset(),
                    "",
                )
            )
            continue
        for s in chosen:
            body = "\n".join(lines[s.start_line - 1 : s.end_line])
            feats = store.get(body, lang)
            pieces.append(
                Piece(
                    None,
                    path,
                    s.name,
                    s.kind,
                    "existing",
                    s.start_line,
                    s.end_line,
                    lang or "text",
                    body,
                    feats,
                    feats,
                    "",
                    "",
                    parameters(s.signature, lang),
                    (),
                    concept_tokens(s.name.rsplit(".", 1)[-1]),
                    "",
                )
            )
    members = tuple(
        Location(p.path, p.symbol if p.kind != "module" else None, p.start_line, p.end_line, None)
        for p in pieces
    )
    title = ", ".join(f"`{p}`" + (f"::`{s}`" if s else "") for p, s in targets)
    return Unit(
        id="U1", title=title, members=members, modules=tuple(dict.fromkeys(p for p, _ in targets))
    ), pieces
