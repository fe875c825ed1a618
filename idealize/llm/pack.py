"""Review unit -> Pack: what one prompt shows the model, under a token budget.

Everything a unit needs is gathered at full detail, then degraded step by step until it
fits: the README excerpt, repo-map entries and branch diffs first, then each piece of code
(largest first) from its full body to its hunks, to its signature, to its name. Every step
is recorded in ``omitted`` and shown to the model and in the plan: never a silent cut.

What leaves the machine: a file excluded by policy (``--exclude``, ``*secret*``, ``.env``...)
sends nothing - not its code, not its diff, not the lines static evidence quotes from it -
and every text of the pack (code, diffs, commit messages, the project's documents, file,
symbol and branch names, finding titles and evidence) goes through the redactor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar

from idealize.analyze.pieces import Piece
from idealize.llm import tokens
from idealize.llm.redact import Redactor
from idealize.repo.git import Git
from idealize.types import Branch, Finding, Location, Unit

Level = Literal["body", "hunks", "signature", "name"]
_LEVELS: tuple[Level, ...] = ("body", "hunks", "signature", "name")
CONVENTION_FILES = ("AGENTS.md", "CLAUDE.md", "CONTRIBUTING.md", ".github/copilot-instructions.md")
MAX_CONVENTION_TOKENS = 1_500
README_LINES = 40


@dataclass(frozen=True)
class CodeBlock:
    path: str
    symbol: str | None
    branch: str | None
    kind: str
    start_line: int | None
    end_line: int | None
    language: str
    level: Level
    text: str
    context: str  # e.g. "method of class `ServerClient`"
    variants: tuple[tuple[Level, str], ...] = ()  # the text at every level, for degrading

    @property
    def tokens(self) -> int:
        return tokens.count(self.text)


@dataclass(frozen=True)
class BranchIntent:
    name: str
    kind: str
    commits: tuple[str, ...]
    diff: str


@dataclass(frozen=True)
class Pack:
    unit: Unit
    code: tuple[CodeBlock, ...]
    branches: tuple[BranchIntent, ...]
    findings: tuple[Finding, ...]
    repo_map: tuple[str, ...]
    conventions: tuple[tuple[str, str], ...]
    omitted: tuple[str, ...]
    tokens: int
    budget: int


def _block_variants(
    text: str, added: str, removed: str, name: str
) -> tuple[tuple[Level, str], ...]:
    lines = text.splitlines()
    signature = next((ln for ln in lines if ln.strip() and not ln.strip().startswith("@")), name)
    hunk_lines = [f"- {ln}" for ln in removed.splitlines()] + [
        f"+ {ln}" for ln in added.splitlines()
    ]
    hunks = "\n".join([signature, "    ...", *hunk_lines]) if hunk_lines else signature
    return (("body", text), ("hunks", hunks), ("signature", signature), ("name", name))


def _context(symbol: str | None) -> str:
    if symbol and "." in symbol:
        owner = symbol.rsplit(".", 1)[0]
        return f"member of `{owner}`"
    return ""


class PieceIndex:
    """The analysis' pieces, indexed once for every unit's pack."""

    def __init__(self, pieces: Sequence[Piece], existing: Sequence[Piece]) -> None:
        self.exact: dict[tuple[str, str | None, str | None], Piece] = {}
        self.renamed: dict[tuple[str, str | None, str | None], Piece] = {}
        self.anywhere: dict[tuple[str, str | None], Piece] = {}
        for p in [*pieces, *existing]:
            self.exact.setdefault((p.path, p.symbol, p.branch), p)
            self.anywhere.setdefault((p.path, p.symbol), p)
            if p.renamed_from:
                self.renamed.setdefault((p.path, p.renamed_from, p.branch), p)
        self.calls: dict[tuple[str, str], set[str]] = {}
        for p in pieces:
            self.calls.setdefault((p.path, p.symbol), set()).update(p.features.calls)
        self.existing = list(existing)
        self.existing_named: dict[str, list[int]] = {}
        self.existing_calling: dict[str, list[int]] = {}
        for i, p in enumerate(existing):
            self.existing_named.setdefault(p.short, []).append(i)
            for call in p.features.calls:
                self.existing_calling.setdefault(call, []).append(i)

    def find(self, loc: Location) -> Piece | None:
        key = (loc.path, loc.symbol, loc.branch)
        found = self.exact.get(key) or self.renamed.get(key)  # renamed: the old name on this branch
        if found is None and loc.symbol is not None:
            found = self.anywhere.get((loc.path, loc.symbol))  # code already on the target
        return found


def _diff_text(branch: Branch, paths: set[str], redact: Redactor) -> str:
    """The branch's hunks in the unit's files; an excluded file (either name of a rename)
    contributes nothing."""
    out: list[str] = []
    for f in branch.files:
        if f.path not in paths:
            continue
        if redact.excluded(f.path) or (f.old_path is not None and redact.excluded(f.old_path)):
            continue
        part = [f"--- {f.old_path or f.path}\n+++ {f.path}"]
        for h in f.hunks:
            part.append(f"@@ -{h.old_start},{h.old_lines} +{h.new_start},{h.new_lines} @@")
            part.extend(f"-{ln}" for ln in h.removed)
            part.extend(f"+{ln}" for ln in h.added)
        out.append(redact("\n".join(part), f.path))
    return "\n".join(out)


# fields of the shared types that hold ids, hashes and enums, never user text
_NOT_TEXT = frozenset(
    {"id", "kind", "tier", "status", "source", "tree", "commit", "fingerprint", "level", "language"}
)
T = TypeVar("T")


def scrub(value: T, redact: Redactor) -> T:
    """The same frozen object with every text in it redacted (recursively through dataclasses
    and tuples), ids and hashes left alone."""
    if isinstance(value, str):
        return redact(value)  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(scrub(v, redact) for v in value)  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            if f.name in _NOT_TEXT:
                continue
            old = getattr(value, f.name)
            new = scrub(old, redact)
            if new is not old:
                changes[f.name] = new
        return replace(value, **changes) if changes else value
    return value


def _without_excluded(finding: Finding, redact: Redactor) -> Finding:
    """A finding as a prompt may show it: the lines it quotes from excluded files left out."""
    hidden = {loc.path for loc in finding.locations if redact.excluded(loc.path)}
    if not hidden:
        return finding
    return replace(
        finding,
        locations=tuple(
            replace(loc, snippet=None) if loc.path in hidden else loc for loc in finding.locations
        ),
        evidence=tuple(
            "(evidence quoting a file excluded from prompts left out)"
            if any(path in e for path in hidden)
            else e
            for e in finding.evidence
        ),
    )


def conventions(git: Git, treeish: str, redact: Redactor) -> tuple[tuple[str, str], ...]:
    """The project's own instructions to agents and contributors, from the target tree."""
    found: list[tuple[str, str]] = []
    for name in (*CONVENTION_FILES, "README.md"):
        raw = git.run("show", f"{treeish}:{name}", check=False)
        if not raw:
            continue
        text = raw.decode("utf-8", "replace")
        if name == "README.md":
            text = "\n".join(text.splitlines()[:README_LINES])
        found.append((name, redact(text, name)))
    return tuple(found)


def build_pack(
    unit: Unit,
    findings: Sequence[Finding],
    index: PieceIndex,
    branches: Sequence[Branch],
    project_conventions: Sequence[tuple[str, str]],
    budget: int,
    redact: Redactor,
) -> Pack:
    omitted: list[str] = []
    blocks: list[CodeBlock] = []
    for loc in unit.members:
        if redact.excluded(loc.path):
            omitted.append(
                f"`{loc.path}` is excluded from prompts by policy (secrets-looking file name)"
            )
            continue
        piece = index.find(loc)
        name = f"{loc.path}::{loc.symbol}" if loc.symbol else loc.path
        if piece is None:
            continue  # a bare line location: its branch diff carries it
        variants = tuple(
            (level, redact(text, piece.path))
            for level, text in _block_variants(
                piece.text, piece.added_text, piece.removed_text, name
            )
        )
        renamed = piece.renamed_from is not None and piece.renamed_from == loc.symbol
        blocks.append(
            CodeBlock(
                path=piece.path,
                symbol=loc.symbol if renamed else piece.symbol,
                branch=piece.branch,
                kind=piece.kind,
                start_line=piece.start_line,
                end_line=piece.end_line,
                language=piece.language,
                level="body",
                text=variants[0][1],
                context=f"renamed to `{piece.symbol}` on this branch"
                if renamed
                else _context(piece.symbol),
                variants=variants,
            )
        )
    unit_findings = tuple(
        scrub(_without_excluded(f, redact), redact) for f in findings if f.id in unit.findings
    )
    paths = {loc.path for loc in unit.members}
    # a member with a branch brings that branch; a whole module (no branch) every branch
    # that changed it
    shared = {loc.path for loc in unit.members if loc.branch is None}
    involved = {loc.branch for loc in unit.members if loc.branch} | {
        b.name for b in branches if any(f.path in shared for f in b.files)
    }
    intents = [
        BranchIntent(
            name=redact(b.name),
            kind=b.kind,
            commits=tuple(
                redact(c.subject + (f"\n{c.body}" if c.body else ""), "COMMIT_EDITMSG")
                for c in b.commits
            ),
            diff=_diff_text(b, paths, redact),
        )
        for b in branches
        if b.name in involved
    ]
    repo_map = [
        redact(entry) for entry in _repo_map(blocks, index) if not _excluded_entry(entry, redact)
    ]
    # names, branches and context of each block (its texts were redacted above)
    blocks = [
        replace(scrub(replace(b, variants=(), text=""), redact), text=b.text, variants=b.variants)
        for b in blocks
    ]
    convention_list = [
        (name, _clip(text, MAX_CONVENTION_TOKENS, omitted, name))
        for name, text in project_conventions
    ]

    def total() -> int:
        parts = [b.text for b in blocks] + [i.diff + "\n".join(i.commits) for i in intents]
        parts += list(repo_map) + [t for _, t in convention_list]
        parts += [f.title + " ".join(f.evidence) for f in unit_findings]
        return sum(tokens.count(p) for p in parts)

    size = total()
    # 1. the README excerpt, 2. the repo map beyond ten entries, 3. branch diffs
    if size > budget and any(n == "README.md" for n, _ in convention_list):
        convention_list = [(n, t) for n, t in convention_list if n != "README.md"]
        omitted.append("README excerpt left out to fit the budget")
        size = total()
    if size > budget and len(repo_map) > 10:
        omitted.append(f"repo map cut from {len(repo_map)} to 10 entries to fit the budget")
        repo_map = repo_map[:10]
        size = total()
    for i, intent in enumerate(intents):
        if size <= budget:
            break
        if intent.diff:
            omitted.append(
                f"diff of branch {intent.name} left out (its code is shown below) to fit the budget"
            )
            intents[i] = replace(intent, diff="")
            size = total()
    # 4. code: largest first, one level at a time
    while size > budget:
        candidates = [b for b in blocks if b.level != "name"]
        if not candidates:
            break
        biggest = max(candidates, key=lambda b: b.tokens)
        nxt = _LEVELS[_LEVELS.index(biggest.level) + 1]
        text = dict(biggest.variants)[nxt]
        label = f"`{biggest.symbol or biggest.path}`" + (
            f" ({biggest.branch})" if biggest.branch else ""
        )
        omitted.append(
            f"{label}: {biggest.level} replaced by its {nxt} ({biggest.tokens} -> {tokens.count(text)} tokens)"
        )
        blocks[blocks.index(biggest)] = replace(biggest, level=nxt, text=text)
        size = total()
    if size > budget:
        omitted.append(f"still {size} tokens after every reduction (budget {budget}); sent as is")
    return Pack(
        unit=scrub(unit, redact),
        code=tuple(blocks),
        branches=tuple(intents),
        findings=unit_findings,
        repo_map=tuple(repo_map),
        conventions=tuple(convention_list),
        omitted=tuple(redact(o) for o in omitted),
        tokens=size,
        budget=budget,
    )


def _excluded_entry(entry: str, redact: Redactor) -> bool:
    return redact.excluded(entry.split(": ", 1)[0])


def _clip(text: str, limit: int, omitted: list[str], name: str) -> str:
    if tokens.count(text) <= limit:
        return text
    lines = text.splitlines()
    kept: list[str] = []
    for line in lines:
        if tokens.count("\n".join([*kept, line])) > limit:
            break
        kept.append(line)
    omitted.append(f"{name}: kept the first {len(kept)} of {len(lines)} lines")
    return "\n".join(kept)


def _repo_map(blocks: Sequence[CodeBlock], index: PieceIndex) -> list[str]:
    """Callers and callees of the unit's code, as signatures: a small map of the neighbourhood."""
    names = {b.symbol.rsplit(".", 1)[-1] for b in blocks if b.symbol}
    shown = {(b.path, b.symbol) for b in blocks}
    member_calls: set[str] = set()
    for path, symbol in shown:
        if symbol is not None:
            member_calls |= index.calls.get((path, symbol), set())
    candidates = {i for name in member_calls for i in index.existing_named.get(name, [])}
    candidates |= {i for name in names for i in index.existing_calling.get(name, [])}
    entries: list[str] = []
    seen: set[tuple[str, str]] = set()
    for i in sorted(candidates):
        p = index.existing[i]
        if (p.path, p.symbol) in shown or (p.path, p.symbol) in seen:
            continue
        signature = p.text.splitlines()[0].strip() if p.text else p.symbol
        if p.short in member_calls:
            entries.append(f"{p.path}: {signature}  # called by this code")
        else:
            entries.append(
                f"{p.path}: {signature}  # calls {', '.join(sorted(names & p.features.calls))}"
            )
        seen.add((p.path, p.symbol))
    return entries[:30]
