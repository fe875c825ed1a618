"""Double fixes: two lines of work fixing one defect, in place or with a compensating
wrapper or pre-filter around the fixed code.

Three things must hold, each read from the history rather than guessed:
- *intent*: the commits that wrote each change (not any commit of the branch) say they
  fix something; a feature commit that says "handle" is weak intent, not a fix;
- *the same place*: both change one symbol, or one changes code that calls into the other;
- *the same defect*: their added code shares what is rare in this change set (a literal, a
  call, a whole line), and their commits describe the defect with the same rare words.

Both halves must still be there (at HEAD after merging). The same patch on two branches
(a cherry-pick, a backport) is one fix. One finding per fixed symbol, with every branch that
fixed it. A wrapper around the fixed code, or weaker agreement, makes a candidate: on real
histories those shapes were features and fixes meeting in one caller far more often than
one defect fixed twice. One line of work extending what another wrote (it created the
symbol) is a follow-up, not a second fix.

One module per detector on purpose: its signals, parameters and their reasons read top to
bottom.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from idealize.analyze.context import Context, FileCalls
from idealize.analyze.features import split_identifier
from idealize.analyze.head import spaced
from idealize.analyze.intent import Intent, Intents
from idealize.analyze.params import param
from idealize.analyze.pieces import Piece, rewrites, saw
from idealize.types import Finding

T = TypeVar("T")

_GENERIC_WORDS = frozenset(
    [
        "fix",
        "fixes",
        "fixed",
        "fixing",
        "bug",
        "bugs",
        "issue",
        "issues",
        "handle",
        "handles",
        "handled",
        "add",
        "adds",
        "added",
        "update",
        "updates",
        "the",
        "and",
        "for",
        "with",
        "when",
        "from",
        "into",
        "that",
        "this",
        "not",
        "use",
        "using",
        "make",
        "makes",
        "when",
        "while",
        "also",
        "more",
        "some",
        "all",
        "any",
        "via",
        "per",
        "feat",
        "refactor",
        "chore",
        "test",
        "tests",
        "docs",
        "review",
        "address",
        "findings",
        "comment",
        "comments",
        "pr",
        "merge",
        "main",
        "branch",
        "code",
    ]
)
# names whose definitions exist by convention in many places: never "one defect"
SPECIAL_NAMES = frozenset(
    [
        "init",
        "main",
        "__init__",
        "constructor",
        "String",
        "Error",
        "New",
        "Run",
        "run",
        "Close",
        "close",
        "setUp",
        "tearDown",
        "render",
        "toString",
        "equals",
        "hashCode",
    ]
)
_TRIVIAL = frozenset(
    [
        "print",
        "len",
        "str",
        "int",
        "format",
        "append",
        "get",
        "join",
        "isinstance",
        "Fprintf",
        "Printf",
        "Sprintf",
        "Errorf",
        "Println",
        "Error",
        "New",
        "TrimSpace",
        "Contains",
        "HasPrefix",
        "HasSuffix",
        "Split",
        "Join",
        "Itoa",
        "Atoi",
        "Sprint",
        "log",
        "info",
        "debug",
        "warn",
        "warning",
        "error",
        "console",
        "push",
        "map",
        "filter",
        "then",
        "catch",
        "toString",
        "JSON",
        "stringify",
        "parse",
        "keys",
        "values",
        "items",
        "range",
        "list",
        "dict",
        "set",
        "tuple",
        "min",
        "max",
        "sorted",
        "Done",
        "cancel",
        "WithTimeout",
        "Background",
        "Context",
        "Close",
        "Lock",
        "Unlock",
        "defer",
        "return",
        "nil",
        "None",
    ]
)


@dataclass(frozen=True)
class DoubleFixParams:
    impact: float = param(0.7, "two fixes of one defect: one of them rots, and they can interfere")
    min_rare_shared: int = param(
        1,
        "shared rare added tokens (literals, calls) or identical lines needed: code that "
        "shares nothing rare is two edits that happen to meet",
    )
    rare_share: float = param(
        0.02,
        "a token in more than this share of the changed pieces (or a word in more than this "
        "share of commit subjects) is common in this change set, not a sign of one defect",
    )
    min_defect_words: int = param(
        2,
        "rare words both PR titles (or fix commits' subjects) share, for two fixes of one "
        "symbol to be reported as one defect fixed twice; in agent-written histories nearly "
        "every commit says fix, so the title must name the same defect",
    )
    min_shared_lines: int = param(
        2,
        "rare lines both fixes add, for a finding: on eleven judged public histories no pair "
        "short of this was one defect fixed twice (follow-ups and sweeps share words, not code)",
    )
    finding_confidence: float = param(
        0.85, "both fix one symbol, say so in their own commits, and share rare code"
    )
    wrapper_confidence: float = param(
        0.6,
        "a fix in place and a compensating change around it, same operation and defect "
        "words: a candidate, since on eleven judged public histories none of eight such "
        "pairs was one defect fixed twice",
    )
    candidate_confidence: float = param(
        0.5, "the same place and some agreement, but not all three signals"
    )


@lru_cache(maxsize=65536)
def _words(text: str) -> frozenset[str]:
    """Telling words of a subject or comment (cached: one subject is read for every pair its
    line of work is in)."""
    return frozenset(
        {
            w
            for w in split_identifier(text)
            if len(w) > 3 and w not in _GENERIC_WORDS and not w.isdigit()
        }
    )


class _PerPiece(Generic[T]):
    """``fn(piece)`` worked out once per piece, not once per pair the piece is in (on
    pydantic-ai, 150,000 calls for a few thousand pieces). Keyed by identity: the pieces
    live as long as the detection."""

    def __init__(self, fn: Callable[[Piece], T]) -> None:
        self._fn = fn
        self._memo: dict[int, T] = {}

    def __call__(self, p: Piece) -> T:
        if id(p) not in self._memo:
            self._memo[id(p)] = self._fn(p)
        return self._memo[id(p)]


def _tokens(p: Piece) -> set[str]:
    calls = {c.rsplit(".", 1)[-1] for c in p.added.calls}
    return {f"c:{c}" for c in calls - _TRIVIAL if len(c) > 2} | {
        f"s:{s}" for s in p.added.strings if len(s) >= 3 and not s.isdigit()
    }


def _lines(p: Piece) -> set[str]:
    """Added lines that say something: long enough, with at least two names, not a comment
    or a closing bracket."""
    return {
        spaced(line)
        for line in p.added_text.splitlines()
        if len(line.strip()) >= 12
        and not line.strip().startswith(("#", "//", "*", "}", ")"))
        and len(set(re.findall(r"[A-Za-z_]\w+", line)) - _TRIVIAL) >= 2
    }


_OPERATION = re.compile(r"\.?(\w+)\(\s*(\"[^\"\n]*\"|'[^'\n]*'|\d+(?:\.\d+)?)\s*[,)]")
# an option set to a literal: `withCredentials: true`, `timeout=30`, `verify=False`
_SETTING = re.compile(
    r"\b(\w{4,})\s*[:=]\s*(true|false|True|False|None|null|\d+(?:\.\d+)?|\"[^\"\n]*\"|'[^'\n]*')\s*[,})\n]"
)


def _operations(p: Piece) -> set[str]:
    """Calls with a literal argument the piece adds (`rstrip("/")`, `timeout(30)`): the
    operation a fix performs, comparable across layers."""
    lines = p.added_text.splitlines()
    calls = {
        f"{m.group(1)}({m.group(2).replace(chr(39), chr(34))})"
        for line in lines
        for m in _OPERATION.finditer(line)
        if m.group(1) not in _TRIVIAL
    }
    # in JSX, `type="error"` is markup (a prop on an element), not an operation on data
    jsx = p.path.endswith((".tsx", ".jsx"))
    settings = {
        f"{m.group(1)}={m.group(2).replace(chr(39), chr(34)).lower()}"
        for line in lines
        for m in _SETTING.finditer(line + "\n")
        if m.group(1) not in _TRIVIAL and not (jsx and "=" in m.group(0)[: m.start(2) - m.start()])
    }
    return calls | settings


def _title(subject: str) -> str:
    """A commit subject without its conventional prefix and PR number: what it is about."""
    subject = re.sub(r"\s*\(#\d+\)\s*$", "", subject)
    return re.sub(r"^\s*(?:\W+\s*)?[a-z]+(\([^)]*\))?!?:\s*", "", subject)


def _comments(p: Piece) -> str:
    return " ".join(
        line.split("#", 1)[-1] if "#" in line else line.split("//", 1)[-1]
        for line in p.added_text.splitlines()
        if "#" in line or "//" in line
    )


def _same_patch(a: Piece, b: Piece) -> bool:
    """The same change, line for line (whitespace aside): as ``git patch-id`` would say."""

    def norm(text: str) -> tuple[str, ...]:
        return tuple(spaced(line) for line in text.splitlines() if line.strip())

    return norm(a.added_text) == norm(b.added_text) and norm(a.removed_text) == norm(b.removed_text)


def _builds_on(a: Piece, b: Piece) -> bool:
    """One change of a symbol extends the other's: one line of work created the symbol, so
    the other could only change it after seeing it (on mux, #1926 wrote a policy and #1938
    and #1952 each added a rule to it: three changes in sequence, not one defect twice), or
    one rewrote lines the other wrote (it was written on top of it)."""
    return "added" in (a.change, b.change) or rewrites(a, b) or rewrites(b, a)


def _calls_into(wrapper: Piece, fixed: Piece, file_calls: FileCalls) -> bool:
    if fixed.short in wrapper.features.calls or any(
        c.startswith(fixed.short + ".") for c in wrapper.features.calls
    ):
        return True  # calls it, or calls through it (`http.get` through the fixed `http`)
    # a pre-filter in the constructor or a sibling of code that calls the fixed function
    return "." in wrapper.symbol and fixed.short in file_calls(wrapper.branch, wrapper.path)


def _test(p: Piece) -> bool:
    name = p.path.rsplit("/", 1)[-1].lower()
    return (
        p.short.lower().startswith("test")
        or "test" in name.split(".")[0].split("_")
        or name.startswith("test_")
        or ".test." in name
        or ".spec." in name
        or "/tests/" in f"/{p.path}"
    )


class _Rarity:
    """How common tokens, lines and subject words are in this change set."""

    def __init__(self, pieces: Sequence[Piece], subjects: Iterable[str], share: float) -> None:
        self.tokens: Counter[str] = Counter()
        self.lines: Counter[str] = Counter()
        done_by: dict[str, set[str | None]] = defaultdict(set)
        for p in pieces:
            self.tokens.update(_tokens(p))
            self.lines.update(_lines(p))
            for op in _operations(p):
                done_by[f"o:{op}"].add(p.branch)
        # an operation is rare by the lines of work doing it: one branch repeating a fix in
        # three calls is still one branch
        self.tokens.update({op: len(who) for op, who in done_by.items()})
        self.n_pieces = max(1, len(pieces))
        self.words: Counter[str] = Counter()
        n = 0
        for s in subjects:
            self.words.update(_words(s))
            n += 1
        self.n_subjects = max(1, n)
        self.share = share

    def rare_token(self, t: str) -> bool:
        return self.tokens[t] <= max(2, math.ceil(self.share * self.n_pieces))

    def rare_line(self, line: str) -> bool:
        return self.lines[line] <= max(2, math.ceil(self.share * self.n_pieces))

    def rare_word(self, w: str) -> bool:
        return self.words[w] <= max(2, math.ceil(self.share * self.n_subjects))


def _still_there(ctx: Context, p: Piece, lines: set[str]) -> bool:
    """After merging: is this piece's change (some of its added lines) still in HEAD?"""
    if not ctx.merged:
        return True
    present = ctx.head.spaced_lines(p.path)
    own = lines or {spaced(x) for x in p.added_text.splitlines() if x.strip()}
    return not present.isdisjoint(own)


def detect(ctx: Context, params: DoubleFixParams) -> list[Finding]:
    changed = [
        p
        for p in ctx.pieces
        if p.branch is not None
        and p.change in ("modified", "added")
        and p.added_text.strip()
        and not p.cosmetic
    ]
    intents = Intents(ctx.git, ctx.branches)
    rarity = _Rarity(
        changed,
        (c.subject for b in ctx.branches for c in b.commits),
        params.rare_share,
    )
    by_symbol: dict[tuple[str, str], list[Piece]] = defaultdict(list)
    by_call: dict[str, list[Piece]] = defaultdict(list)
    for p in changed:
        by_symbol[(p.path, p.symbol)].append(p)
        for call in p.features.calls:
            by_call[call].append(p)
            if "." in call:
                by_call[call.split(".", 1)[0]].append(p)  # the object called through
        if "." in p.symbol:  # a method: its siblings' calls reach what it pre-filters for
            for call in ctx.file_calls(p.branch, p.path):
                by_call[call].append(p)
    intent_memo: dict[tuple[str | None, str, str], Intent] = {}
    order: dict[frozenset[str | None], bool] = {}

    def in_sequence(x: str | None, y: str | None) -> bool:
        """One line of work rewrote lines the other wrote, anywhere: it came after it."""
        key = frozenset((x, y))
        if key not in order:
            xs, ys = ctx.pieces_of.get(x or "", ()), ctx.pieces_of.get(y or "", ())
            order[key] = saw(xs, ys) or saw(ys, xs)
        return order[key]

    tokens_of, lines_of, operations_of = (
        _PerPiece(_tokens),
        _PerPiece(_lines),
        _PerPiece(_operations),
    )
    noted_of = _PerPiece(lambda p: _words(_comments(p)))

    def intent(p: Piece) -> Intent:
        key = p.key
        if key not in intent_memo:
            intent_memo[key] = intents.of(p.branch, p.path, p.added_text)
        return intent_memo[key]

    # one cause per fixed symbol: every pair that fixes it is gathered there
    causes: dict[tuple[str, ...], list[tuple[Piece, Piece, str, list[str]]]] = defaultdict(list)
    seen: set[frozenset[tuple[str | None, str, str]]] = set()
    for a in changed:
        if a.change != "modified" or _test(a) or a.short in SPECIAL_NAMES:
            continue
        partners = [*by_symbol[(a.path, a.symbol)], *by_call.get(a.short, [])]
        for b in dict.fromkeys(partners):
            if b is a or b.branch == a.branch or not ctx.parallel(a.branch, b.branch):
                continue
            if in_sequence(a.branch, b.branch):
                continue  # written on top of the other's change: a follow-up, not a second fix
            key = frozenset({a.key, b.key})
            if key in seen:
                continue
            seen.add(key)
            same_symbol = a.path == b.path and a.symbol == b.symbol
            if same_symbol and _same_patch(a, b):
                continue  # one fix cherry-picked or backported to a second branch
            if same_symbol and _builds_on(a, b):
                continue  # one line of work extends what the other wrote: a follow-up
            if not same_symbol and (
                _test(b)
                or a.short in SPECIAL_NAMES
                or b.symbol.startswith(a.symbol + ".")
                or a.symbol.startswith(b.symbol + ".")
                or not _calls_into(b, a, ctx.file_calls)
            ):
                continue  # a class and its own method are one change, not a wrapper
            ia, ib = intent(a), intent(b)
            if (ia.level, ib.level) == ("weak", "weak"):
                continue
            # a fix inside a feature commit (or uncommitted work) says nothing of fixing: it
            # is one only when it repeats the other's operation and names the same defect
            silent = "none" in (ia.level, ib.level)
            shared_tokens = sorted(t for t in tokens_of(a) & tokens_of(b) if rarity.rare_token(t))
            shared_lines = sorted(x for x in lines_of(a) & lines_of(b) if rarity.rare_line(x))
            same_operation = sorted(
                op for op in operations_of(a) & operations_of(b) if rarity.rare_token(f"o:{op}")
            )
            if (
                len(shared_tokens) + len(shared_lines) + len(same_operation)
                < params.min_rare_shared
                and not silent
            ):
                continue
            said_a = {w for c in ia.commits for w in _words(_title(c.subject))}
            said_b = {w for c in ib.commits for w in _words(_title(c.subject))}
            defect = sorted(w for w in said_a & said_b if rarity.rare_word(w))
            # an uncommitted or unexplained change speaks through its comments only
            noted = sorted(
                w for w in (said_a | noted_of(a)) & (said_b | noted_of(b)) if rarity.rare_word(w)
            )
            if not (_still_there(ctx, a, lines_of(a)) and _still_there(ctx, b, lines_of(b))):
                continue
            if silent and len(noted) < params.min_defect_words:
                continue  # a silent change must at least name the defect in its comments
            if silent and "strong" not in (ia.level, ib.level) and not same_operation:
                continue
            strong_pair = ia.level == "strong" and ib.level == "strong"
            if (
                same_symbol
                and strong_pair
                and len(defect) >= params.min_defect_words
                and len(shared_lines) >= params.min_shared_lines
            ):
                tier = "finding"
            elif (
                not same_symbol
                and len(noted) >= (params.min_defect_words if silent else 1)
                and ("strong" in (ia.level, ib.level) or silent)
                and same_operation
                and (a.kind in ("function", "method") or a.short in b.added_text)
            ):
                # the same operation on the same data, at another layer: on eleven judged
                # public histories every such pair was two different changes (a feature
                # and a fix meeting in one caller), so it is a candidate for the model
                tier = "wrapper"
            else:
                tier = "candidate"
            defect = defect or noted
            evidence = [
                f"{a.branch}: {ia.said} changes `{a.symbol}`",
                f"{b.branch}: {ib.said} "
                + (
                    f"changes `{b.symbol}` too"
                    if same_symbol
                    else f"changes `{b.symbol}`, which reaches `{a.short}`"
                ),
            ]
            if shared_lines:
                evidence.append("both add: " + "; ".join(f"`{x[:80]}`" for x in shared_lines[:3]))
            if shared_tokens:
                evidence.append(
                    "both add (rare in this change set): "
                    + ", ".join(t[2:][:60] for t in shared_tokens[:6])
                )
            if same_operation:
                evidence.append("both do: " + ", ".join(f"`{op}`" for op in same_operation[:4]))
            if defect:
                evidence.append("their commits name the same defect: " + ", ".join(defect[:6]))
            # one cause per fixed symbol; a wrapper and the methods it reaches, changed by
            # the same two lines of work, are one cause however many methods it calls
            cause = (
                (a.path, a.symbol)
                if same_symbol
                else (b.path, b.symbol, *sorted(str(x) for x in (a.branch, b.branch)))
            )
            causes[cause].append((a, b, tier, evidence))
    # a wrapper reaches the fixed function by its name: only when no other definition
    # shares it (one `git grep` for all the names)
    wrapped = {a.short for group in causes.values() for a, b, _, _ in group if a.symbol != b.symbol}
    ctx.head.prefetch(wrapped)
    shared = {n for n in wrapped if len(ctx.head.defined_anywhere(n, None)) > 1}
    kept = {
        key: [g for g in group if g[0].symbol == g[1].symbol or g[0].short not in shared]
        for key, group in causes.items()
    }
    return [_finding(group, params) for group in kept.values() if group]


def _finding(
    group: list[tuple[Piece, Piece, str, list[str]]],
    params: DoubleFixParams,
) -> Finding:
    order = {"finding": 0, "wrapper": 1, "candidate": 2}
    group.sort(key=lambda g: order[g[2]])
    a, _, best, _ = group[0]
    members: dict[tuple[str | None, str, str], Piece] = {a.key: a}
    evidence: list[str] = []
    for x, y, tier, ev in group:
        if tier != best:
            continue  # weaker pairs of the same symbol do not join a stronger finding
        members.setdefault(x.key, x)
        members.setdefault(y.key, y)
        evidence += [e for e in ev if e not in evidence]
    branches = sorted({p.branch for p in members.values() if p.branch})
    fixed = list(dict.fromkeys(x.symbol for x, _, tier, _ in group if tier == best))
    around = [p for p in members.values() if p.symbol not in fixed]
    title = f"{', '.join(branches[:-1])} and {branches[-1]} fix the same defect" + (
        f" in `{a.symbol}`"
        if not around
        else f": {_names(fixed)} in place, `{around[0].symbol}` around it"
    )
    confidence = {
        "finding": params.finding_confidence,
        "wrapper": params.wrapper_confidence,
        "candidate": params.candidate_confidence,
    }[best]
    return Finding(
        id="",
        kind="double_fix",
        title=title,
        confidence=confidence,
        source="static",
        locations=tuple(p.location() for p in members.values()),
        evidence=tuple(evidence[:10]),
        recommendation=(
            f"Keep one fix: the one in `{a.symbol}` fixes the cause; drop the "
            + ("other edit" if not around else f"compensating change in `{around[0].symbol}`")
            + " once its cases are covered by a test of the kept fix."
        ),
        tier="finding" if best == "finding" else "candidate",
    )


def _names(symbols: list[str]) -> str:
    quoted = [f"`{s}`" for s in symbols]
    if len(quoted) > 3:
        return ", ".join(quoted[:3]) + f" and {len(quoted) - 3} more"
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" and {quoted[-1]}"
