"""Double fixes: two branches fixing the same defect, in place or with a compensating wrapper."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import Finding
from .features import FIX_WORDS, concept_tokens, extract, split_identifier
from .pieces import Piece

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


def _intent(p: Piece) -> bool:
    return bool(FIX_WORDS.search(p.subject) or FIX_WORDS.search(p.added_text))


def _subject_words(p: Piece) -> set[str]:
    words = set(split_identifier(p.subject)) | set(concept_tokens(p.subject))
    return {w for w in words if len(w) > 2 and w not in _GENERIC_SUBJECT}


def _added_overlap(a: Piece, b: Piece) -> tuple[frozenset[str], frozenset[str]]:
    fa, fb = extract(a.added_text, a.language), extract(b.added_text, b.language)
    literals = (fa.strings & fb.strings) - {""}
    calls = (fa.calls & fb.calls) - {"print", "len", "str"}
    return literals, calls


def _calls_into(
    wrapper: Piece, fixed: Piece, file_calls: dict[tuple[str | None, str], frozenset[str]]
) -> bool:
    if fixed.short in wrapper.features.calls:
        return True
    # a pre-filter in the constructor or a sibling of code that calls the fixed function
    cls = wrapper.symbol.rsplit(".", 1)[0] if "." in wrapper.symbol else None
    return cls is not None and fixed.short in file_calls.get(
        (wrapper.branch, wrapper.path), frozenset()
    )


def find_double_fixes(
    pieces: Sequence[Piece], file_calls: dict[tuple[str | None, str], frozenset[str]]
) -> list[Finding]:
    changed = [
        p
        for p in pieces
        if p.branch is not None and p.change in ("modified", "added") and p.added_text.strip()
    ]
    findings: list[Finding] = []
    seen: set[frozenset[tuple[str | None, str, str]]] = set()
    for i, a in enumerate(changed):
        if a.change != "modified" or not _intent(a):
            continue
        for b in changed[i + 1 :] + changed[:i]:
            if b.branch == a.branch or not _intent(b):
                continue
            key = frozenset({a.key, b.key})
            if key in seen:
                continue
            same_symbol = a.path == b.path and a.symbol == b.symbol
            wrapper = not same_symbol and _calls_into(b, a, file_calls)
            if not (same_symbol or wrapper):
                continue
            literals, calls = _added_overlap(a, b)
            words = _subject_words(a) & _subject_words(b)
            signals = len(literals) + len(calls) + len(words)
            if signals < 2:
                continue
            seen.add(key)
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
            confidence = min(0.95, 0.55 + 0.08 * signals + (0.1 if same_symbol else 0.0))
            fixed, other = (a, b)
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
                    locations=(fixed.location(), other.location()),
                    evidence=tuple(evidence),
                    recommendation=(
                        f"Keep one fix: the one in `{fixed.symbol}` fixes the cause; drop the "
                        + (
                            "other edit"
                            if same_symbol
                            else f"compensating change in `{other.symbol}`"
                        )
                        + " once its cases are covered by a test of the kept fix."
                    ),
                )
            )
    return findings
