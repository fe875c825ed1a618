"""Double fixes: two branches fixing the same defect, in place or with a compensating wrapper."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from idealize.analyze.context import Context, FileCalls
from idealize.analyze.features import concept_tokens, split_identifier
from idealize.analyze.params import param
from idealize.analyze.pieces import Piece
from idealize.types import Finding, Parallel, always_parallel

_GENERIC_SUBJECT = frozenset(
    [
        "fix",
        "fixes",
        "fixed",
        "bug",
        "handle",
        "handles",
        "add",
        "adds",
        "update",
        "the",
        "a",
        "in",
        "on",
        "of",
        "for",
        "to",
        "with",
        "and",
        "when",
    ]
)


def _said(p: Piece) -> str:
    return f"\u201c{p.subject}\u201d" if p.subject else "uncommitted work"


def _subject_words(p: Piece) -> set[str]:
    words = set(split_identifier(p.subject)) | set(concept_tokens(p.subject))
    return {w for w in words if len(w) > 2 and w not in _GENERIC_SUBJECT}


_TRIVIAL_LITERALS = frozenset({"", " ", ".", ",", ":", "-", "_", "utf-8", "utf8", "\\n", "0", "1"})
_TRIVIAL_CALLS = frozenset(
    {"print", "len", "str", "int", "format", "append", "get", "join", "isinstance"}
)


def _added_overlap(a: Piece, b: Piece) -> tuple[frozenset[str], frozenset[str]]:
    literals = frozenset(
        s for s in a.added.strings & b.added.strings if s.lower() not in _TRIVIAL_LITERALS
    )
    calls = (a.added.calls & b.added.calls) - _TRIVIAL_CALLS
    return literals, calls


@dataclass(frozen=True)
class DoubleFixParams:
    min_signals: int = param(
        2,
        "shared literals, calls and commit-subject words needed (at least one literal or "
        "call): one shared word alone is how unrelated fixes talk",
    )
    base_confidence: float = param(0.55, "two fixes reaching one symbol, before the signals")
    per_signal: float = param(0.08, "each further shared literal, call or word")
    same_symbol_bonus: float = param(0.1, "both edit the same symbol, not a wrapper around it")
    max_confidence: float = param(0.95, "the evidence is lexical: never certain")


def _same_patch(a: Piece, b: Piece) -> bool:
    """The same change, line for line (whitespace aside): as ``git patch-id`` would say."""

    def norm(text: str) -> tuple[str, ...]:
        return tuple(" ".join(line.split()) for line in text.splitlines() if line.strip())

    return norm(a.added_text) == norm(b.added_text) and norm(a.removed_text) == norm(b.removed_text)


def _calls_into(wrapper: Piece, fixed: Piece, file_calls: FileCalls) -> bool:
    if fixed.short in wrapper.features.calls:
        return True
    # a pre-filter in the constructor or a sibling of code that calls the fixed function
    return "." in wrapper.symbol and fixed.short in file_calls(wrapper.branch, wrapper.path)


def detect(ctx: Context, params: DoubleFixParams) -> list[Finding]:
    return find_double_fixes(ctx.pieces, ctx.file_calls, ctx.parallel, params)


def find_double_fixes(
    pieces: Sequence[Piece],
    file_calls: FileCalls,
    parallel: Parallel = always_parallel,
    params: DoubleFixParams = DoubleFixParams(),
) -> list[Finding]:
    changed = [
        p
        for p in pieces
        if p.branch is not None
        and p.change in ("modified", "added")
        and p.added_text.strip()
        and not p.cosmetic
    ]
    fixing = [p for p in changed if p.fix_intent]
    by_symbol: dict[tuple[str, str], list[Piece]] = defaultdict(list)
    by_call: dict[str, list[Piece]] = defaultdict(list)
    for p in fixing:
        by_symbol[(p.path, p.symbol)].append(p)
        for call in p.features.calls:
            by_call[call].append(p)
    by_file_call: dict[str, list[Piece]] = defaultdict(list)
    for p in fixing:
        if "." in p.symbol:
            for call in file_calls(p.branch, p.path):
                by_file_call[call].append(p)
    findings: list[Finding] = []
    seen: set[frozenset[tuple[str | None, str, str]]] = set()
    for a in fixing:
        if a.change != "modified":
            continue
        # the same symbol fixed elsewhere, code that calls into it, or a sibling pre-filter
        candidates = [
            *by_symbol[(a.path, a.symbol)],
            *by_call.get(a.short, []),
            *by_file_call.get(a.short, []),
        ]
        for b in dict.fromkeys(candidates):
            if b.branch == a.branch or not parallel(a.branch, b.branch):
                continue
            key = frozenset({a.key, b.key})
            if key in seen:
                continue
            same_symbol = a.path == b.path and a.symbol == b.symbol
            if same_symbol and _same_patch(a, b):
                continue  # one fix cherry-picked or backported to a second branch
            wrapper = not same_symbol and _calls_into(b, a, file_calls)
            if not (same_symbol or wrapper):
                continue
            literals, calls = _added_overlap(a, b)
            words = _subject_words(a) & _subject_words(b)
            if (
                not (literals or calls)
                or len(literals) + len(calls) + len(words) < params.min_signals
            ):
                continue
            seen.add(key)
            signals = len(literals) + len(calls) + len(words)
            evidence = [
                f"{a.branch}: {_said(a)} changes `{a.symbol}`",
                f"{b.branch}: {_said(b)} "
                + (
                    f"changes `{b.symbol}` too"
                    if same_symbol
                    else f"changes `{b.symbol}`, which reaches `{a.short}`"
                ),
            ]
            if literals:
                evidence.append(
                    "both add literals: " + ", ".join(repr(s) for s in sorted(literals)[:5])
                )
            if calls:
                evidence.append("both add calls: " + ", ".join(sorted(calls)[:5]))
            if words:
                evidence.append("commit messages share: " + ", ".join(sorted(words)[:6]))
            confidence = min(
                params.max_confidence,
                params.base_confidence
                + params.per_signal * signals
                + (params.same_symbol_bonus if same_symbol else 0.0),
            )
            findings.append(
                Finding(
                    id="",
                    kind="double_fix",
                    title=f"{a.branch} and {b.branch} fix the same defect"
                    + (
                        f" in `{a.symbol}`"
                        if same_symbol
                        else f": `{a.symbol}` in place, `{b.symbol}` around it"
                    ),
                    confidence=round(confidence, 2),
                    source="static",
                    locations=(a.location(), b.location()),
                    evidence=tuple(evidence),
                    recommendation=(
                        f"Keep one fix: the one in `{a.symbol}` fixes the cause; drop the "
                        + ("other edit" if same_symbol else f"compensating change in `{b.symbol}`")
                        + " once its cases are covered by a test of the kept fix."
                    ),
                )
            )
    return findings
