"""Duplicate implementations: the same concept built twice, under other names.

Signals, combined into one score per candidate pair:
- distinctive literals (URLs, endpoints, keys, SQL, env vars, file names) and external
  calls, weighted by how rare they are in the repository (IDF);
- normalised token 4-grams (structure), compared with MinHash/LSH so the candidate
  search never goes all-pairs;
- identifier sub-tokens folded over synonyms (`list_models` ~ `fetch_available`).
Pairs come from an inverted index over rare features plus LSH buckets; accepted pairs
are grouped with union-find and each group is reported once.

One module per detector on purpose: candidate pairs, scoring, grouping and the checks at
HEAD read top to bottom.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import combinations, islice

from idealize.analyze.context import Context
from idealize.analyze.detectors.literals import (
    HTTP_WORDS,
    PROTOCOL,
    routes_in,
    serves,
    string_words,
    styling,
    tables_in,
    tested_value,
)
from idealize.analyze.features import (
    KEYWORDS,
    Features,
    base_names,
    code_lines,
    distinctive,
    split_identifier,
)
from idealize.analyze.generated import generated_files
from idealize.analyze.head import TreeView
from idealize.analyze.locate import prefetch_moved, to_head
from idealize.analyze.members import members
from idealize.analyze.minhash import LSH
from idealize.analyze.params import param
from idealize.analyze.pieces import Piece
from idealize.repo.languages import example_path, family, language_of, test_path
from idealize.repo.symbols import unsuffixed
from idealize.types import Finding, Location, Parallel, always_parallel


@dataclass(frozen=True)
class DuplicateParams:
    impact: float = param(
        0.5, "a copy costs maintenance, not correctness: ranked below what breaks"
    )
    threshold: float = param(
        0.42,
        "score a pair needs to be reported; below it, sample pairs that only share layout "
        "or a common library call appeared (the threshold sweep prints the neighbourhood)",
    )
    max_df: int = param(
        40,
        "a literal or call shared by more pieces than this names no one concept, so it "
        "proposes no pairs (keeps candidate generation near-linear)",
    )
    min_tokens: int = param(
        12, "pieces shorter than this (one-line getters, delegations) look alike by accident"
    )
    big_tokens: int = param(30, "both pieces at least this long may be paired on structure alone")
    min_shingles: int = param(8, "fewer 4-grams than this give MinHash no stable signature")
    structure_alone: float = param(
        0.5,
        "share of normalised 4-grams that, for big pieces, is strong on its own (and that a "
        "verified pair needs to hold a group alone once another member is gone at HEAD)",
    )
    structure_with_marker: float = param(
        0.3, "share of 4-grams that, with a distinctive literal, makes a pair strong"
    )
    same_name_jaccard: float = param(
        0.25, "weighted feature overlap that, with the same name, makes a pair strong"
    )
    w_literals: float = param(
        0.35, "literals carry the concept (endpoints, keys, SQL): most weight"
    )
    w_features: float = param(0.3, "IDF-weighted overlap of all features")
    w_structure: float = param(0.2, "shape matters, but formatters and idioms make shapes alike")
    w_names: float = param(0.1, "names drift between agents; a weak signal alone")
    bonus_same_name: float = param(0.15, "the same short name in two branches is rarely chance")
    bonus_request: float = param(
        0.3,
        "the same rare path requested by the same method: the strongest sign two pieces do "
        "one job, even when one is a small client function and the other a big hook",
    )
    bonus_marker: float = param(0.1, "a shared distinctive literal (URL, env var, file name)")
    bonus_per_call: float = param(0.05, "each shared non-trivial call")
    max_call_bonus: float = param(0.1, "calls are common; cap their total")
    kind_weight_literal: float = param(1.5, "feature weight of a string literal")
    kind_weight_marker: float = param(3.0, "feature weight of a distinctive literal")
    kind_weight_call: float = param(1.5, "feature weight of a call")
    kind_weight_word: float = param(1.0, "feature weight of an identifier sub-token")
    kind_weight_name: float = param(1.0, "feature weight of a name sub-token")
    max_group: int = param(
        8,
        "pieces in one group at most (identical copies excepted): beyond that a group is "
        "a family of look-alikes, not one concept built twice",
    )
    max_members: int = param(20, "copies listed as locations; more are counted in the evidence")
    finding_structure_same_name: float = param(
        0.5, "same name and at least this share of shape: a copy (else a candidate)"
    )
    finding_structure_copy: float = param(
        0.8, "this share of shape between two long pieces is a copy whatever the names"
    )
    finding_literals: int = param(
        3, "rare literals shared (keys, statuses, endpoints) that spell one concept"
    )
    finding_structure_literals: float = param(
        0.3,
        "shape shared by pieces that spell one concept with the same literals (and names "
        "that share a word, or twice this shape): a shared literal alone (`.mux`, "
        "`gptme.toml`) is an idiom many unrelated functions use",
    )
    finding_min_lines: int = param(
        4, "a copy shorter than this many lines is too small to be worth a finding"
    )
    pair_min_lines: int = param(
        9,
        "a copy in only two places is a finding from this many lines: on judged public "
        "histories, 13 of 13 two-copy helpers of 2 to 8 lines (a path join, a JSON encoder, "
        "a `truncate`) were debatable or false, while tiny helpers copied into three or more "
        "places (`formatBytes` four times on mux) were worth one shared home",
    )
    fragment_min_lines: int = param(
        8,
        "lines a change adds inside an existing function must reach to be a verified copy of "
        "other code: on vibe-kanban, a 4-line request snippet inside four unrelated functions "
        "was reported as identical code",
    )
    idiom_max_literals: int = param(
        4,
        "a verification told by this few shared literals (and no copied shape) is checked "
        "for being an idiom of the codebase: a file name and its folder (`mayor`, "
        "`rigs.json`), a CLI verb and flag (`show`, `--json`), the hook names every "
        "per-tool installer writes (beads: `SessionStart`, `bd prime`, `hooks`)",
    )
    idiom_structure: float = param(
        0.5,
        "below this shared shape, a pair is told by its literals alone and the idiom check "
        "applies; above it the pair shares code, not just words",
    )
    idiom_pieces: int = param(
        5,
        "definitions that hold all of a pair's shared literals together, from which they are "
        "an idiom: on gastown, beads and mux, 9 false or debatable groups rested on literals "
        "held together by 8 to 53 definitions, while judged TRUE pairs told by few literals "
        "shared them with at most 3 (an env var name, one SQL statement)",
    )
    shape_places: int = param(
        5,
        "definitions sharing one shape under other names and literals, from which the shape "
        "is a convention of the code base, not a copy: the useContext-or-throw hook in 14 "
        "places on mux (judged FALSE) and the access-check-then-list route in 8 on "
        "vibe-kanban (DEBATABLE); every judged TRUE renamed copy had at most 3 such places",
    )
    wrapper_calls: int = param(
        3,
        "a definition calling at most this many things (by name) wraps one operation: the "
        "wrapping call (a tracing span), the wrapped one and perhaps a conversion of an "
        "argument. Trigger.dev's repository methods call two or three (`Boolean`); a "
        "re-implemented walk over a config (software-agent-sdk, judged TRUE) calls five",
    )
    vocabulary_share: float = param(
        0.15,
        "share of the weight (by rarity) of two definitions' whole identifiers they hold in "
        "common, below which they work on other things: on the judged public histories, it "
        "took out 8 FALSE findings and no TRUE one (upserts of other records, per-vendor "
        "request builders, notifications sharing one dispatcher)",
    )
    vocabulary_structure: float = param(
        0.6,
        "shared shape from which a pair is a copy whatever its names: a renamed copy "
        "(`useNewRunsDetection` into `useNewDeliveriesDetection`, 93% of 4-grams) changes "
        "most identifiers and keeps its shape",
    )
    other_words_min: int = param(
        3, "words in each definition's strings before their overlap can tell other data"
    )
    other_words_share: float = param(
        0.2,
        "share of string words two definitions of one shape have in common below which they "
        "handle other data: beads' lock and diverged-history error matchers share none; "
        "its remote and peer name validators (judged TRUE) share most",
    )
    shape_similarity: float = param(
        0.85,
        "share of normalised 4-grams two definitions have in common to be of one shape: "
        "vibe-kanban's axum list handlers per resource share 92-94% (judged DEBATABLE or "
        "FALSE as a family, apart from the one verbatim repeat)",
    )
    shape_max_lines: int = param(
        28,
        "a shared shape is a convention only in short definitions (boilerplate): the judged "
        "conventions were 7-24 lines (hooks, axum list handlers), while mux's `waitFor*Flow`, "
        "one 30-42-line OAuth wait renamed into five services, was judged TRUE",
    )
    plugin_folders: int = param(
        5,
        "folders of one parent that each hold a file at the same place (`benchmarks/*/"
        "run_infer.py`) from which copies across them are that code base's convention: on "
        "OpenHands, four groups copied between benchmark folders (30 hold a run_infer.py) "
        "were judged debatable for that reason; two `claude.go` files in two folders "
        "(beads' setup and doctor) are a copy",
    )
    convention_files: int = param(
        10,
        "files defining one name at HEAD from which that name is the code base's convention "
        "(each plugin's `handler`, each model's nested `Parameters`) and no sign of one "
        "concept: on the judged ranges, the findings resting on a name ten or more files "
        "define were 4 DEBATABLE and 1 FALSE (Portkey's plugins), none TRUE; a name five "
        "files define held a TRUE copy (trigger.dev's `PermanentStatusFilter`)",
    )
    thin_lines: int = param(
        30,
        "a definition this short is mostly the one thing it delegates to: two of them that "
        "each call something the other does not, and share no rare literal, are a family of "
        "handlers, not a copy (on vibe-kanban, fourteen groups of axum handlers, websocket "
        "upgrades and remote-client proxies for different entities, up to 30 lines with their "
        "access checks; on beads, GitLab client methods for different endpoints). Two readers "
        "of one settings key (`enabledPlugins`, judged TRUE on beads) share a rare literal",
    )
    test_copy_lines: int = param(
        30,
        "identical code in test files only is a finding from this many lines: on judged "
        "public histories, 7- to 15-line test helpers pasted into another test file (mux, "
        "gptme, humanlayer, happy) were at most debatable, while a 41-line copy of a test "
        "harness (gptme) was worth reconciling",
    )
    interface_share: float = param(
        0.9,
        "two classes implement one interface when this share of the smaller one's method "
        "names are the other's too: agno's storage backends share 94-100% (Valkey ported "
        "from Redis: 56 of 56), mux's OAuth services at most 82%, and their copies of one "
        "another's logic under other names were judged TRUE",
    )
    interface_min: int = param(
        10, "two classes sharing fewer method names than this are not read as one interface"
    )
    override_min: int = param(
        3,
        "a method that this many classes of one base class each define is that base's "
        "interface, implemented once per class: two of its implementations are leads, not "
        "copies (on livekit/agents, every speech plugin's `TTS(tts.TTS)` has its own "
        "`stream`, `synthesize` and `update_options`, each building its own module's stream "
        "class or setting its own options, and so has every plugin's `SpeechStream`; ten "
        "such groups were judged FALSE or DEBATABLE, while the one TRUE copy there, "
        "`_emit_recognition_usage`, exists in two plugins only). Classes of one name in "
        "this many modules are such an interface too",
    )
    bare_lines: int = param(
        2,
        "a definition with at most this many lines of code (besides its header, decorators, "
        "docstring and comments) is the call it makes: two that call different things are "
        "two routes to two services even under one name and one route path (on the OpenHands "
        "agent SDK, the skills and the plugins routers' `get_marketplace_catalog`, each one "
        "`return` of its own service's catalog, judged FALSE). On the judged public histories, "
        "31 judged groups were this short: 14 FALSE and 15 DEBATABLE (test stubs, one-line "
        "guards, accessors), and the 2 TRUE ones call the same things",
    )
    delegate_idf: float = param(
        2.0,
        "how rare a call must be (IDF) to count as what a thin definition delegates to: "
        "rarer than in about one piece in seven, so `unwrap`, `json` or `Ok` never decide",
    )
    gutted_from: int = param(
        6,
        "a copy whose body is down to `bare_lines` lines of code at HEAD, from at least this "
        "many when it landed, holds none of what was copied: it forwards, or it is a stub (on "
        "dyad, #4062's 17-line `waitForAppReady` became one `return` of a service's "
        "`waitForReady`, which reaches the other copy; judged FALSE). Edits shrink a copy by a "
        "few lines, not to one or two; a body that calls a definition of its own file moved "
        "the copy there (on mcp-use, `manifests()` over a new `manifestEntries()`) and stays. "
        "On the ninety-six older judged ranges it resolves nothing",
    )
    gutted_share: float = param(
        3.0,
        "...and it had at least this many times the lines it has now",
    )


_TRIVIAL_CALLS = frozenset(
    [
        "append",
        "extend",
        "get",
        "items",
        "keys",
        "values",
        "join",
        "split",
        "strip",
        "format",
        "len",
        "str",
        "int",
        "list",
        "dict",
        "set",
        "print",
        "range",
        "isinstance",
        "super",
        "push",
        "map",
        "filter",
        "forEach",
        "then",
        "log",
        "info",
        "debug",
        "warn",
        "warning",
        "error",
        "exception",
    ]
)


@dataclass(frozen=True)
class Match:
    a: int
    b: int
    score: float
    evidence: tuple[str, ...]
    verified: bool = False  # strong enough for the finding tier (see DuplicateParams)
    # the few shared literals a verification rests on alone (no copied shape): checked
    # against the whole corpus, where they may be an idiom of the codebase
    told_by: tuple[str, ...] = ()
    structure: float = 0.0  # share of normalised token 4-grams the two have in common
    literals: tuple[str, ...] = ()  # the rare literals the two share
    request: bool = False  # the same rare request, by the same HTTP method


@lru_cache(maxsize=8)
def _kind_weight(params: DuplicateParams) -> Mapping[str, float]:
    return {
        "s": params.kind_weight_literal,
        "d": params.kind_weight_marker,
        "c": params.kind_weight_call,
        "w": params.kind_weight_word,
        "n": params.kind_weight_name,
    }


# literals every module uses: type names (`typeof x === "string"`), encodings, modes
_TRIVIAL_LITERALS = frozenset(
    [
        "string",
        "number",
        "boolean",
        "object",
        "function",
        "undefined",
        "bigint",
        "symbol",
        "utf-8",
        "utf8",
        "ascii",
        "true",
        "false",
        "null",
        "none",
        "json",
        "text",
        "html",
        "GET",
        "POST",
        "PUT",
        "DELETE",
        "PATCH",
        "id",
        "name",
        "type",
        "value",
        "key",
        "data",
        "error",
        "message",
        "status",
        "default",
    ]
)


def _feature_set(p: Piece) -> set[str]:
    f = _compared(p)
    strings = {s for s in f.strings if len(s) >= 3 and s.lower() not in _TRIVIAL_LITERALS}
    feats = {f"s:{s}" for s in strings}
    feats |= {f"d:{s}" for s in strings if distinctive(s)}
    feats |= {f"c:{c}" for c in f.calls if c not in _TRIVIAL_CALLS and c.lower() not in KEYWORDS}
    feats |= {f"w:{w}" for w in f.words}
    feats |= {f"n:{t}" for t in p.name_tokens}
    return feats


def _shingles(p: Piece) -> frozenset[int]:
    return p.added.shingles if p.change == "modified" else p.features.shingles


# names every module defines by convention: alike by design, never "built twice"
SPECIAL_NAMES = frozenset(
    [
        "init",
        "main",
        "constructor",
        "String",
        "Error",
        "Len",
        "Less",
        "Swap",
        "MarshalJSON",
        "UnmarshalJSON",
        "toString",
        "toJSON",
        "equals",
        "hashCode",
        "render",
        "setUp",
        "tearDown",
        "setup",
        "teardown",
        "default",
        # Go's constructor convention: every package's `New` builds its own type (on
        # gastown, beads.New and tui/convoy.New were reported as one thing)
        "New",
        # one route table per module, by convention (axum's `router()`, express `routes`):
        # on vibe-kanban, eight groups of routers registering other endpoints were judged
        # FALSE; what a copied handler does is compared through the handlers themselves
        "router",
        "routes",
    ]
)
# generated or vendored code: copies by design. `components/ui/` is where shadcn/ui copies
# its components into each app that uses it (per app, on purpose). Type stubs (`.pyi`,
# `.d.ts`) declare the code they mirror, usually written by a generator (stubgen, tsc): on
# pydantic/logfire, 13 of 18 judged items were a module and its own `.pyi` stub. A build's
# output folder may carry a prefix (claude-code-router commits its compiled tests in
# `.test-dist/`, each module a copy of its source).
_GENERATED = re.compile(
    r"(^|/)(vendor|node_modules|dist|build|generated|gen|__generated__|third_party)/"
    r"|(^|/)[\w.-]*[-_.]dist/"
    r"|(^|/)components/ui/"
    r"|\.(pb|pb\.gw|gen|generated|min)\.\w+$|_pb2(_grpc)?\.py$|\.d\.[cm]?ts$|\.pyi$"
)


def _comparable(p: Piece, params: DuplicateParams) -> bool:
    if p.change == "deleted" or p.kind in ("module", "impl") or p.cosmetic:
        return False
    short = p.short
    if (
        short.startswith("__")
        or short.lower().startswith("test")
        or short in SPECIAL_NAMES
        or (short == p.symbol.split(".")[0] and "." in p.symbol)
        or _GENERATED.search(p.path)
    ):
        return False  # dunders, tests, constructors, generated code: alike by design
    return _compared(p).size >= params.min_tokens


def candidate_pairs(
    pieces: Sequence[Piece],
    feats: Sequence[set[str]],
    parallel: Parallel = always_parallel,
    params: DuplicateParams = DuplicateParams(),
) -> set[tuple[int, int]]:
    """Pairs sharing a rare feature, plus pairs LSH puts in one bucket. Never all-pairs."""
    # two pieces of code already on the target are never compared (`_allowed`), and they
    # are most of the pieces: such pairs are not even formed
    new = [p.branch is not None for p in pieces]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, fs in enumerate(feats):
        for f in fs:
            if f[0] in "scd":
                postings[f].append(i)
    pairs: set[tuple[int, int]] = set()
    for ids in postings.values():
        if 2 <= len(ids) <= params.max_df:
            pairs.update(_with_new(ids, new))
    pairs |= _lsh_pairs(pieces, params.min_shingles, new)
    return {
        (a, b)
        for a, b in pairs
        if _allowed(pieces[a], pieces[b]) and parallel(pieces[a].branch, pieces[b].branch)
    }


def _with_new(ids: Sequence[int], new: Sequence[bool]) -> Iterator[tuple[int, int]]:
    """Pairs (a, b), a < b, of ascending ``ids`` in which at least one side is new."""
    for x, a in enumerate(ids):
        if new[a]:
            for b in ids[x + 1 :]:
                yield a, b
        else:
            for b in ids[x + 1 :]:
                if new[b]:
                    yield a, b


def _lsh_pairs(
    pieces: Sequence[Piece], min_shingles: int, new: Sequence[bool]
) -> set[tuple[int, int]]:
    indexed = [i for i, p in enumerate(pieces) if len(_shingles(p)) >= min_shingles]
    if len(indexed) < 2:
        return set()
    buckets = LSH().buckets([sorted(_shingles(pieces[i])) for i in indexed])
    found: set[tuple[int, int]] = set()
    for ids in buckets:
        found.update(_with_new([indexed[x] for x in ids], new))
    return found


_CALLABLE = frozenset({"function", "method"})


def _polymorphic(a: Piece, b: Piece) -> bool:
    """Methods of the same name on different classes implement one interface by design
    (`GZipDecoder.flush`, `ZStandardDecoder.flush`): alike, but not duplicates."""
    if a.kind != "method" or b.kind != "method" or a.short != b.short:
        return False
    return a.symbol.rsplit(".", 1)[0] != b.symbol.rsplit(".", 1)[0]


def _tables(p: Piece) -> frozenset[str]:
    """The tables a piece's SQL names (`FROM issues`, `INSERT INTO projects`), read from its
    text: SQL often spans lines in a raw string."""
    return tables_in(p.text)


def _endpoint(literal: str) -> bool:
    """A literal that spells an endpoint's path (`/threads/{}/state`)."""
    return literal.startswith("/") and literal.count("/") >= 2


def _routes(p: Piece) -> frozenset[str]:
    """The endpoint paths a piece's literals spell (`/api/tasks/{id}`), placeholders folded."""
    return routes_in(p.features.strings)


def _disjoint(x: frozenset[str], y: frozenset[str]) -> bool:
    """Both name tables (or endpoints) and none in common: the same pattern over other data
    (on vibe-kanban, eight `query_as!` readers of different tables were reported as copies)."""
    return bool(x) and bool(y) and not (x & y)


def _acts(pieces: Sequence[Piece]) -> dict[str, frozenset[str]]:
    """What each definition does by the runtime's own means (`@http.get`, ...), by its
    short name: the table ``_reached`` looks a piece's callees up in."""
    table: dict[str, set[str]] = defaultdict(set)
    for q in pieces:
        for c in q.features.calls:
            if c.startswith("@"):
                table[q.short].add(c)
    return {k: frozenset(v) for k, v in table.items()}


def _reached(p: Piece, acts: Mapping[str, frozenset[str]]) -> set[str]:
    """What a piece does through the repository's own helpers one call away: a method that
    calls `c.getJSON(url)` makes an HTTP GET as surely as one that calls `http.Get`.
    ``acts``: ``_acts`` of every piece compared."""
    return {
        f"c:{act}"
        for c in p.features.calls
        if not c.startswith("@") and c.rsplit(".", 1)[-1] != p.short
        for act in acts.get(c.rsplit(".", 1)[-1], ())
    }


# the two sides of one thing, named as such: alike by design, each the other's mirror
_OPPOSITES = frozenset(
    frozenset(pair)
    for pair in (
        ("local", "remote"),
        ("client", "server"),
        ("sync", "async"),
        ("read", "write"),
        ("reader", "writer"),
        ("import", "export"),
        ("encode", "decode"),
        ("serialize", "deserialize"),
        ("marshal", "unmarshal"),
        ("pack", "unpack"),
        ("encrypt", "decrypt"),
        ("compress", "decompress"),
        ("wrap", "unwrap"),
        ("get", "set"),
        ("load", "save"),
        ("push", "pull"),
        ("upload", "download"),
        ("send", "receive"),
        ("sender", "receiver"),
        ("request", "response"),
        ("input", "output"),
        ("inbound", "outbound"),
        ("incoming", "outgoing"),
        ("start", "stop"),
        ("open", "close"),
        ("begin", "end"),
        ("enable", "disable"),
        ("show", "hide"),
        ("allow", "deny"),
        ("accept", "reject"),
        ("grant", "revoke"),
        ("lock", "unlock"),
        ("connect", "disconnect"),
        ("subscribe", "unsubscribe"),
        ("register", "unregister"),
        ("mount", "unmount"),
        ("install", "uninstall"),
        ("attach", "detach"),
        ("add", "remove"),
        ("create", "delete"),
        ("increment", "decrement"),
        ("expand", "collapse"),
        ("left", "right"),
        ("up", "down"),
        ("min", "max"),
        ("before", "after"),
        ("producer", "consumer"),
        ("publisher", "subscriber"),
        ("light", "dark"),
    )
)


@lru_cache(maxsize=65536)
def counterparts(a: str, b: str) -> bool:
    """Names that differ in one word only, and that word is the other side of the same
    thing: `LocalSessionInvocation` / `RemoteSessionInvocation`, `MarshalSettings` /
    `UnmarshalSettings`, `readCurrentLeftSidebarWidthPx` / `...Right...`. Each mirrors the
    other on purpose, so the plumbing they share is a lead, not a copy to remove (on
    gemini-cli, the local and remote subagent protocol and invocation classes were judged
    FALSE and DEBATABLE; no such pair was judged TRUE on any range)."""
    x, y = split_identifier(a), split_identifier(b)
    if len(x) != len(y):
        return False
    differ = [frozenset((p, q)) for p, q in zip(x, y, strict=True) if p != q]
    return len(differ) == 1 and differ[0] in _OPPOSITES


@lru_cache(maxsize=65536)
def _template(path: str) -> str:
    return re.sub(r"\d+", "#", path)


def _plain(name: str) -> str:
    """A method's name without the underscores that only make it private."""
    return name.lstrip("_") or name


def _marks_private(language: str | None) -> bool:
    """Does the language say in a name that it is private (Python, Go)? TypeScript says it
    in a keyword, and a class forked whole (RooCode's OpenAI Codex handler, judged TRUE)
    has every name of the original: read by all names, it stays under the bar."""
    return language in ("python", "go")


def _public(name: str, language: str | None) -> bool:
    """Is a method of this name public by its language's convention (Python: no leading
    underscore; Go: a capital)? Where names do not say, every name counts as public."""
    if language == "python":
        return not name.startswith("_")
    if language == "go":
        return name[:1].isupper()
    return True


# a Go function's result when it is one unqualified type: `func WithBaseURL(u string) Option {`
_GO_RESULT = re.compile(r"^func\s+\w+\s*\((?:[^()]|\([^()]*\))*\)\s*\*?([A-Za-z_]\w*)\s*\{", re.M)
# `return EntityEdge(`, `return new Session(`, `return &Server{`: a factory's product
_BUILDS = re.compile(r"\breturn\s+(?:new\s+|&)?([A-Z]\w*)\s*[({]")


def _built(p: Piece) -> set[str]:
    """What a factory returns a new instance of: the classes it returns built in place or,
    in Go when it returns none so, the one type its signature says it returns
    (`func NewQuit(...) *Quit {` building its `Quit` in a variable)."""
    built = set(_BUILDS.findall(p.text))
    if not built and family(p.language) == "go":
        result = _GO_RESULT.search(p.text)
        if result:
            built.add(result.group(1))
    return built


# one module written once per platform, chosen by the bundler or the compiler by file name:
# React Native's `aes.ts` / `aes.web.ts`, Go's `lock_unix.go` / `lock_windows.go`
_PLATFORM = re.compile(
    r"\.(?:web|native|ios|android|macos|windows|electron|browser|node|server|client)(?=\.\w+$)"
    r"|_(?:windows|unix|linux|darwin|bsd|freebsd|openbsd|netbsd|plan9|js|wasm|wasip1|solaris"
    r"|aix|illumos|android|ios|posix|nt)(?:_(?:amd64|arm64|386|arm))?(?=\.go$)"
)


def _platform_variants(a: Piece, b: Piece) -> bool:
    """The same symbol in two platform variants of one file: alternatives by design (on
    happy, `encryptAESGCM` in aes.ts and aes.web.ts was reported as a copy)."""
    return a.path != b.path and _platformless(a.path) == _platformless(b.path)


@lru_cache(maxsize=65536)
def _platformless(path: str) -> str:
    """A path without its platform suffix (memoised: asked for every candidate pair)."""
    return _PLATFORM.sub("", path)


def _siblings(a: Piece, b: Piece) -> bool:
    """Files made from one template (`suite27.py`, `suite28.py`): parallel by design."""
    return a.path != b.path and _template(a.path) == _template(b.path)


_DATA_KINDS = frozenset({"interface", "type", "struct"})


# a zod object schema, its `.object(` on the line after `z` or not (`z\n  .object({`)
_ZOD_OBJECT = re.compile(r"\bz\s*\.\s*object\(")


def _data(p: Piece) -> bool:
    """A declaration of data: a type, an interface, a struct, or a zod object schema."""
    return p.kind in _DATA_KINDS or _ZOD_OBJECT.search(p.text) is not None


def _other_members(a: Piece, b: Piece) -> bool:
    """Two declarations of data that declare mostly other members: what a type holds is its
    members, so two of one shape and other fields are a convention, not a copy (on
    cloudflare/agents, two `type Env = {...}` of disjoint bindings shared 71% of their
    normalised shape; on langfuse, zod schemas of an approval decision and of a sandbox
    write shared 89%). A modified declaration is compared by what its added lines declare,
    as its code is: two schemas that each gained one `flag` field gained the same member,
    and a `usage` object of output tokens added to an image response declares other
    members than a chat API's token usage (vercel/ai, judged FALSE)."""
    if not (_data(a) and _data(b)):
        return False
    return _mostly_other(_declared(a), _declared(b), least=1)


def _declared(p: Piece) -> set[str]:
    """The members a declaration declares; of a modified one, those its added lines do."""
    if p.change == "modified":
        return members("{\n" + p.added_text, p.language)  # (its first line is a header)
    # (a schema built as a chain, `z\n  .object({`, holds its members deeper than its
    # first level, which is the chain's)
    return members(p.text, p.language, nested=False) or members(p.text, p.language)


def _mostly_other(x: Collection[str], y: Collection[str], least: int) -> bool:
    """Do two sets of at least ``least`` items each share under half of their union?"""
    sx, sy = set(x), set(y)
    return min(len(sx), len(sy)) >= least and 2 * len(sx & sy) < len(sx | sy)


# what a web framework calls in each route module, by name: Remix's `loader` and `action`,
# Next.js's `GET` and `POST` handlers, SvelteKit's `load`. Every route exports them, so the
# name says nothing of what one does: on trigger.dev, five findings rested on `loader` or
# `action` of routes that share only their authentication preamble
ROUTE_EXPORTS = frozenset(
    {"loader", "action", "meta", "headers", "links", "shouldRevalidate", "load", "actions"}
    | {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
    | {"generateMetadata", "generateStaticParams", "getServerSideProps", "getStaticProps"}
)


# where those frameworks keep route modules: `app/routes/` (Remix), `app/` and `pages/`
# (Next.js), `src/routes/` and `+page.ts`, `+server.ts` (SvelteKit)
_ROUTE_MODULE = re.compile(r"(^|/)(routes|pages|app)/|(^|/)\+[\w.-]+$")


def _route_export(p: Piece) -> bool:
    """A module-level definition a web framework requires of each route by its name."""
    return (
        p.short in ROUTE_EXPORTS
        and "." not in p.symbol
        and family(p.language) == "typescript"
        and _ROUTE_MODULE.search(p.path) is not None
    )


# where an SVG's shapes are and what they draw: a path's `d`, a polygon's `points`, a
# circle's or a rectangle's place and size (`width="24"` of the `<svg>` itself included)
_GEOMETRY = re.compile(
    r"""\b(d|points|x|y|x1|x2|y1|y2|cx|cy|r|rx|ry|width|height|transform)\s*=\s*\{?\s*"""
    r"""["'`]([^"'`]*)["'`]"""
)


def _picture(p: Piece) -> frozenset[tuple[str, str]] | None:
    """The drawing of a definition that is only a picture (SVG markup, calling nothing, as
    an icon component is), or None for any other definition."""
    if p.features.calls or "<svg" not in p.text:
        return None
    return frozenset(_GEOMETRY.findall(p.text))


def _other_drawings(a: Piece, b: Piece) -> bool:
    """Two pictures that draw other shapes: one template of `<svg>` attributes around each
    its own drawing. On trigger.dev, five findings were icon components, 98-100% alike once
    their drawings (literals, normalised away) were gone. A drawing copied is still a copy."""
    da = _picture(a)
    if da is None:
        return False
    db = _picture(b)
    return db is not None and da != db


def _other_values(a: Piece, b: Piece) -> bool:
    """Two constants holding mostly other values: a list or a table is its values, so two
    of one shape that share a few (`FAILED`, `CANCELED`) are two sets, not one set written
    twice (on trigger.dev, the statuses of webhook deliveries, of run attempts and of failed
    deployments were reported as one thing)."""
    if a.kind != "constant" or b.kind != "constant":
        return False
    return _mostly_other(a.features.strings, b.features.strings, least=3)


def _allowed(a: Piece, b: Piece, exact: bool = False) -> bool:
    """May these two be compared? Files cut from one template look alike by design, unless
    the code is identical: then it was copied, template or not. (Cheap checks first: this
    runs for every candidate pair.)"""
    if a.branch == b.branch:  # one line of work, or both code already on the target
        return False
    if (a.kind in _CALLABLE) != (b.kind in _CALLABLE):
        return False  # classes are compared with classes, functions with functions
    if a.path == b.path and a.symbol == b.symbol:
        return False  # the same symbol changed twice: overlap or double fix, not a duplicate
    if a.language != b.language and family(a.language) != family(b.language):
        return False
    if _polymorphic(a, b) or _platform_variants(a, b) or (_siblings(a, b) and not exact):
        return False
    if _other_drawings(a, b):
        return False
    return not (a.branch is None or b.branch is None) or (
        a.kind in ("function", "method") and b.kind in ("function", "method")
    )


def _idf(feats: Sequence[set[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for fs in feats:
        df.update(fs)
    n = len(feats) + 1
    return {f: math.log(n / c) + 0.5 for f, c in df.items()}


@dataclass(frozen=True)
class Profile:
    """What ``score_pair`` reads of one side's features, worked out once per piece rather
    than once per pair it is in (a piece sits in hundreds of candidate pairs on a long
    history): its total weight and each feature's share of it, its literals and their
    weight, its rare literals and rare marked strings, the HTTP methods and the calls it
    makes. A pair is then a few set intersections, most of them decided before the features
    the two share are walked at all (on a generated history of 400 branches, 157,000
    candidate pairs of which under 1,000 score)."""

    short: str
    size: int  # tokens compared: a modified definition's added code, else all of it
    shingles: frozenset[int]
    tables: frozenset[str]
    routes: frozenset[str]
    weight: float
    weighted: Mapping[str, float]
    literals: frozenset[str]
    literal_weight: float
    rare_literals: frozenset[str]
    rare_marked: frozenset[str]
    called: frozenset[str]
    http: frozenset[str]
    purpose: frozenset[str]

    @staticmethod
    def of(p: Piece, fs: set[str], idf: Mapping[str, float], params: DuplicateParams) -> Profile:
        kind_weight = _kind_weight(params)
        literals = frozenset(f for f in fs if f[0] in "sd")
        # "rare": an IDF above 1.0, which every literal held by under 60% of the pieces has
        rare = frozenset(f for f in literals if idf.get(f, 1.0) > 1.0)
        return Profile(
            short=p.short,
            size=_compared(p).size,
            shingles=_shingles(p),
            tables=_tables(p),
            routes=_routes(p),
            weight=math.fsum(idf.get(f, 1.0) * kind_weight[f[0]] for f in fs),
            weighted={f: idf.get(f, 1.0) * kind_weight[f[0]] for f in fs},
            literals=literals,
            literal_weight=math.fsum(idf.get(f, 1.0) for f in literals),
            rare_literals=frozenset(f for f in rare if f[0] == "s"),
            rare_marked=frozenset(f for f in rare if f[0] == "d"),
            called=frozenset(f for f in fs if f[0] == "c" and f[2:3] != "@"),
            http=frozenset(f[2:] for f in fs if f.startswith("c:@http.")),
            purpose=frozenset(
                f for f in fs if f[0] == "c" and not f[2:3].isupper() and "." not in f
            ),
        )


def score_pair(
    a: Piece,
    b: Piece,
    fa: set[str],
    fb: set[str],
    idf: dict[str, float],
    params: DuplicateParams = DuplicateParams(),
    pa: Profile | None = None,
    pb: Profile | None = None,
) -> Match | None:
    """``pa``/``pb``: the sides' profiles when the caller keeps them (computed here if not)."""
    pa = pa or Profile.of(a, fa, idf, params)
    pb = pb or Profile.of(b, fb, idf, params)
    # what the two share that counts: rare literals, rare marked strings, calls (sorted
    # only for the few pairs that pass the gates below)
    shared_literals = pa.rare_literals & pb.rare_literals
    shared_marked = pa.rare_marked & pb.rare_marked
    calls_made = {f[2:].rsplit(".", 1)[-1] for f in pa.called & pb.called}
    routes = _route_export(a) and _route_export(b)  # one name each route must have
    same_name = pa.short == pb.short and not routes
    # what is compared: a modified definition's added code, not the whole definition (on
    # mux, one `flag: z.boolean().optional()` line added to five schemas was a "copy")
    big = min(pa.size, pb.size) >= params.big_tokens
    if not (len(shared_literals) >= 2 or len(calls_made) >= 2 or shared_marked or same_name or big):
        return None  # as below, decided before anything else is worked out
    if not (len(shared_literals) >= 2 or len(calls_made) >= 2 or shared_marked or same_name):
        # nothing can make the pair strong, so only its shape at length can carry it (the
        # test below, taken first): most candidate pairs of a long history end here, before
        # the weights of what they share are summed (on a generated history of 400
        # branches, 76,000 of 114,000)
        sa, sb = pa.shingles, pb.shingles
        bar = params.structure_alone
        if not sa or not sb or min(len(sa), len(sb)) / max(len(sa), len(sb)) < bar:
            return None
        inter = len(sa & sb)
        if inter / (len(sa) + len(sb) - inter) < bar:
            return None
    common = fa & fb
    if not common:
        return None
    # the weight of all they share. Every sum over a set of features is exact (``fsum``):
    # a set of strings is iterated in another order under another hash seed, and a plain sum
    # then differs in its last bits, which reordered ties between identical copies (on
    # claude-code-router, which four of 65 identical `isObject` helpers a group listed
    # changed from one process to the next)
    shared = math.fsum(map(pa.weighted.__getitem__, common))
    wj = shared / (pa.weight + pb.weight - shared)
    names = (
        len(a.name_tokens & b.name_tokens) / len(a.name_tokens | b.name_tokens)
        if a.name_tokens and b.name_tokens and not routes
        else 0.0
    )
    # the same request made twice: the same rare path, by the same HTTP method, whatever
    # library and string building each uses (axios and a template vs fetch and `+`)
    methods_a, methods_b = pa.http, pb.http
    shared_paths = {x[2:] for x in shared_marked if _endpoint(x[2:])}
    # ...unless each also makes a kind of request the other does not: then the shared one
    # is a lookup on the way to two operations (vibe-kanban: one tool GETs an issue to
    # PATCH it, another GETs it to POST a new workspace)
    request = (
        bool(shared_paths)
        and bool(methods_a & methods_b)
        and not (methods_a - methods_b and methods_b - methods_a)
    )
    strong = (
        (bool(shared_marked) and (len(shared_literals) >= 2 or bool(calls_made) or names > 0))
        or len(shared_literals) >= 2
        or len(calls_made) >= 2
        or (same_name and wj >= params.same_name_jaccard)
        or request
    )
    if not (strong or shared_marked or big):
        return None  # nothing shared that counts, and the shape alone could not make up for it
    # the shape (shared token 4-grams) is the costly part, left for the pairs it can decide
    sa, sb = pa.shingles, pb.shingles
    if not strong:
        # the share of 4-grams two sets hold in common is at most their sizes' ratio: when
        # that is below every bar the shape alone could clear, the pair fails without them
        bar = min(
            params.structure_with_marker if shared_marked else 2.0,
            params.structure_alone if big else 2.0,
        )
        if not sa or not sb or min(len(sa), len(sb)) / max(len(sa), len(sb)) < bar:
            return None
    # |a & b| / |a | b|, without building the union
    inter = len(sa & sb)
    structure = inter / (len(sa) + len(sb) - inter) if sa and sb else 0.0
    if not (
        strong
        or (bool(shared_marked) and structure >= params.structure_with_marker)
        or (structure >= params.structure_alone and big)
    ):
        return None
    literals = sorted(f[2:] for f in shared_literals)
    marked = sorted(f[2:] for f in shared_marked)
    calls = sorted(calls_made)
    paths = sorted(shared_paths)
    if _disjoint(pa.tables, pb.tables) or _disjoint(pa.routes, pb.routes):
        return None  # the same query or request shape over other tables or endpoints
    if any(serves(a.text, x) != serves(b.text, x) for x in paths):
        return None  # one serves the endpoint the other calls: two ends of one route
    purpose_a, purpose_b = pa.purpose, pb.purpose
    if not marked and purpose_a and purpose_b and not (purpose_a & purpose_b):
        return None  # alike in shape, but they delegate to different things (routes, handlers)
    overlap = _overlap(pa, pb, idf)
    score = (
        params.w_literals * overlap
        + params.w_features * wj
        + params.w_structure * structure
        + params.w_names * names
        + (params.bonus_same_name if same_name else 0.0)
        + (params.bonus_marker if marked else 0.0)
        + min(params.max_call_bonus, params.bonus_per_call * len(calls))
        + (params.bonus_request if request else 0.0)
    )
    if score < params.threshold:
        return None
    evidence: list[str] = []
    if request:
        evidence.append(
            f"the same request: {', '.join(sorted(m[6:].upper() for m in methods_a & methods_b))} "
            f"{paths[0]}"
        )
    if literals:
        evidence.append("same literals: " + ", ".join(repr(s) for s in literals[:6]))
    if calls:
        evidence.append("same calls: " + ", ".join(calls[:6]))
    if structure >= params.structure_with_marker:
        evidence.append(f"{round(structure * 100)}% of normalised token 4-grams shared")
    shared_words = sorted(f[2:] for f in common if f[0] == "n")
    if same_name:
        evidence.append(f"same name `{a.short}`")
    elif shared_words:
        evidence.append(f"names `{a.short}` ~ `{b.short}` share: {', '.join(shared_words)}")
    # the finding tier: a copy (same name, or the same shape at length) or the same
    # concept spelled by the same rare literals in the same shape
    # shape alone, under other names, is a pattern (two accessors, two icons), not a copy:
    # a shape-copy must also share literals or name the same concept; sibling definitions
    # of one file were written next to each other, by someone who saw the other
    same_file = a.path == b.path
    # the same name over different data (two TUIs' DefaultKeyMap, two routers' routes) is a
    # convention, not a copy
    other_data = min(len(pa.literals), len(pb.literals)) >= 3 and overlap < 0.3
    other_values = _other_values(a, b)
    other_members = _other_members(a, b) or other_values
    copy = (
        same_name
        and structure >= params.finding_structure_same_name
        and not other_data
        and not other_members
    ) or (
        structure >= params.finding_structure_copy
        and big
        and not same_file
        and (overlap >= 0.5 or names > 0)
        and not _other_words(a.text, b.text, params)
        and not other_members
    )
    # command-line flags and struct tags are how a program is called or a field encoded,
    # not what a definition is about: every caller of `bd show --json` holds them
    # nor are CSS classes (`relative shrink-0`, `text-secondary font-medium`): how a component
    # looks, which every component of one design system shares
    telling = {
        x
        for x in (*literals, *marked)
        if not PROTOCOL.match(x)
        and x.lower() not in HTTP_WORDS
        and not _LAYOUT_ONLY.fullmatch(x)
        and not (styling(a.text, x) and styling(b.text, x))
    }
    # the values of one union both sides test (`case 'error-json':`) are the union's, not a
    # concept of their own, when what each maps them to differs (no other literal shared)
    tested = {x for x in telling if tested_value(a.text, x) and tested_value(b.text, x)}
    if tested and _maps_apart(a, b, pa, pb):
        telling -= tested
    concept = (
        len(telling) >= params.finding_literals
        and structure >= params.finding_structure_literals
        and (names > 0 or structure >= 2 * params.finding_structure_literals)
    ) or (
        bool(telling & set(marked)) and names > 0 and structure >= params.finding_structure_literals
    )
    # two records that declare mostly other fields share the literals of the fields they
    # share (struct tags, keys): on grafana/mcp-grafana, an evaluator, a template and a
    # collection, each with its own id, shared only their audit fields' tags
    concept = concept and not (a.path == b.path and not same_name) and not other_members
    # a set of values declared twice (a TS enum and a zod enum, two status classes): the
    # values are the concept, whatever syntax holds them
    values = (
        a.kind not in _CALLABLE
        and b.kind not in _CALLABLE
        and len(set(literals) | set(marked)) >= params.finding_literals
        and overlap >= 0.6
        and names > 0
        and not other_members
    )
    by_literals = concept and not copy and not values and not request
    concept = concept or values
    concept = concept or request
    # in tests, a helper copied by shape (`mockFetch` twice) costs little; the same test data
    # spelled twice (one base config, one fixture) is still worth a finding
    # in tests, copies cost little: on judged public histories, helpers and fixtures pasted
    # into several test files were at most debatable (mux, beads), so they are candidates
    tests = test_path(a.path) and test_path(b.path)
    # an example is written to be read alone, so it carries its own copy of what it needs:
    # on the judged public histories, no copy involving an example script was TRUE
    # (openai-agents-python: one `_get_field` helper in two examples and the library)
    examples = example_path(a.path) or example_path(b.path)
    verified = (
        (copy or concept)
        # a few lines added inside two definitions are one copy only when they make the same
        # rare request or declare the same values (mux: an effort-level enum added to a
        # schema); against a whole new definition, the old one is compared as it is
        and (
            request
            or values
            or not a.change == b.change == "modified"
            or (_big_enough(a, params) and _big_enough(b, params))
        )
        and not tests
        and not examples
        and not (
            ((not same_name and not marked and not literals) or _thin(a, b, params))
            and _other_delegates(a, b, fa, fb, idf, params)
        )
        and not _other_routes(a, b)
        and not counterparts(pa.short, pb.short)
        and not _names_the_other(pa, pb)
    )
    told_by: tuple[str, ...] = ()
    if verified and by_literals and structure < params.idiom_structure:
        keys = sorted(f for f in common if f[0] in "sd" and idf.get(f, 0) > 1.0)
        if len({k[2:] for k in keys}) <= params.idiom_max_literals:
            told_by = tuple(keys)
    return Match(
        0,
        0,
        min(score, 0.99),
        tuple(evidence),
        verified=verified,
        told_by=told_by,
        structure=structure,
        literals=tuple(sorted({*literals, *marked})),
        request=request,
    )


def _held_together(
    keys: frozenset[str], feats: Sequence[set[str]], seen: dict[frozenset[str], int]
) -> int:
    """How many definitions hold every one of ``keys`` (features), remembered in ``seen``."""
    if keys not in seen:
        seen[keys] = sum(1 for fs in feats if keys <= fs)
    return seen[keys]


def _idioms(
    best: dict[tuple[int, int], Match], feats: Sequence[set[str]], params: DuplicateParams
) -> None:
    """A pair verified only by a few shared literals that many other pieces also hold
    together (`"mayor"`, `"rigs.json"`: every loader of one config file) shares an idiom of
    the codebase, not a concept: a candidate."""
    seen: dict[frozenset[str], int] = {}
    for key, m in best.items():
        if not (m.verified and m.told_by):
            continue
        together = _held_together(frozenset(m.told_by), feats, seen)
        if together >= params.idiom_pieces:
            best[key] = replace(
                m,
                verified=False,
                evidence=(
                    *m.evidence,
                    f"those literals appear together in {together} definitions here: an idiom",
                ),
            )


def _wrapper(p: Piece, params: DuplicateParams) -> bool:
    """Does ``p`` call so few things that it is the operation it wraps?"""
    called = {c.rsplit(".", 1)[-1] for c in p.features.calls if not c.startswith("@")}
    return len(called) <= params.wrapper_calls


def _idiom_delegates(
    best: dict[tuple[int, int], Match],
    usable: Sequence[Piece],
    feats: Sequence[set[str]],
    idf: Mapping[str, float],
    params: DuplicateParams,
) -> None:
    """Two wrappers (see ``_wrapper``) that each delegate to something rare the other does
    not call, and share only literals that many definitions hold together, are one wrapper
    idiom over two operations: a candidate. On trigger.dev, repository methods that each
    wrap their own ClickHouse query (`listRunIds`, `countDeliveries`) in one tracing span
    share the span's attributes (`"repository.name": "clickhouse"`), as every method of every
    repository does; three such groups were judged FALSE. Shared literals few definitions
    hold (one settings key read twice) still make a copy, and so does one name (two
    `findRepoRoot`)."""
    seen: dict[frozenset[str], int] = {}
    for key, m in best.items():
        if not m.verified or m.request or not m.literals:
            continue
        i, j = key
        if usable[i].short == usable[j].short:
            continue  # one name, one concept, however each side gets it done
        if not (_wrapper(usable[i], params) and _wrapper(usable[j], params)):
            continue
        if not _other_delegates(usable[i], usable[j], feats[i], feats[j], idf, params):
            continue
        holders = _held_together(frozenset(f"s:{x}" for x in m.literals), feats, seen)
        if holders >= params.idiom_pieces:
            best[key] = replace(
                m,
                verified=False,
                evidence=(
                    *m.evidence,
                    "each delegates to its own operation, and the literals they share appear "
                    f"together in {holders} definitions here: one wrapper idiom",
                ),
            )


_IDENTIFIER = re.compile(r"[A-Za-z_$#][\w$]*")
# a literal of line breaks, tabs and spaces only (`"\\n\\n"`): layout, not a concept
_LAYOUT_ONLY = re.compile(r"(?:\\[ntr]|\s)+")


def _identifiers(text: str) -> frozenset[str]:
    """The whole names a definition spells (three characters or more), strings and
    comments included: what it works on, in its own words."""
    return frozenset(t for t in _IDENTIFIER.findall(text) if len(t) >= 3)


def _vocabularies(
    best: dict[tuple[int, int], Match], usable: Sequence[Piece], params: DuplicateParams
) -> None:
    """A pair verified by calls, literals or a loose shape whose own names are nearly all
    different does one idiom over other things: a candidate. Names are weighed by rarity
    among the definitions compared, so the idiom's own (`startActiveSpan`, `upsert`,
    `headers`) count for little and the things worked on (`listRunIds`, `culture`,
    `memories`) for much. On the judged public histories, the pairs under the bar were
    upserts of other records, per-vendor message converters and request builders, and
    notifications sharing one dispatcher; no TRUE one was. The same request is one concept
    whatever each side names (a class method over a client and a registry over `urllib`
    listing one server's models; on langgraph, a stream's `_fetch_state` rebuilding the
    client's `GET /threads/{id}/state` without its escaping), so a pair sharing an
    endpoint's path is not asked."""
    todo = [
        key
        for key, m in best.items()
        if m.verified
        and not m.request
        and not any(_endpoint(x) for x in m.literals)
        and m.structure < params.vocabulary_structure
        and not _same_text(usable[key[0]], usable[key[1]])
    ]
    if not todo:
        return
    names = [_identifiers(p.text) for p in usable]
    df: Counter[str] = Counter()
    for n in names:
        df.update(n)
    total = len(usable) + 1

    def weight(words: Iterable[str]) -> float:
        return math.fsum(math.log(total / df[w]) for w in words)

    for key in todo:
        a, b = names[key[0]], names[key[1]]
        union = weight(a | b)
        shared = weight(a & b)
        if union and shared < params.vocabulary_share * union:
            m = best[key]
            best[key] = replace(
                m,
                verified=False,
                evidence=(
                    *m.evidence,
                    f"they share {round(100 * shared / union)}% of their names by rarity: "
                    "one idiom over other things",
                ),
            )


def _compared(p: Piece) -> Features:
    """What a piece is compared by: a modified definition's added code, else all of it."""
    return p.added if p.change == "modified" else p.features


def _shape(p: Piece) -> frozenset[int]:
    """A definition's code with names and literals normalised away (for a modified
    definition, what its branch added)."""
    return _compared(p).shingles


def _same_text(a: Piece, b: Piece) -> bool:
    def text(p: Piece) -> str:
        return " ".join((p.added_text if p.change == "modified" else p.text).split())

    return text(a) == text(b)


def _conventions(
    best: dict[tuple[int, int], Match], usable: Sequence[Piece], params: DuplicateParams
) -> None:
    """A short pair of one shape under other names and literals, a shape that many
    definitions of the code base share (a useContext-or-throw hook per context; an axum
    list handler per resource), follows a convention: it is not one concept written twice,
    so it is a candidate. The family is every definition of that shape, and every one the
    pair matched of nearly that shape."""
    count: Counter[frozenset[int]] = Counter(_shape(p) for p in usable if _shape(p))
    matched: dict[int, set[int]] = defaultdict(set)
    for i, j in best:
        matched[i].add(j)
        matched[j].add(i)

    def near(i: int, shape: frozenset[int]) -> set[int]:
        return {k for k in matched[i] if _alike(_shape(usable[k]), shape, params)}

    for key, m in best.items():
        i, j = key  # a scored pair's own indices are not set yet
        a, b = usable[i], usable[j]
        shape, other = _shape(a), _shape(b)
        if not m.verified or _same_text(a, b) or max(a.lines, b.lines) >= params.shape_max_lines:
            continue
        if not _alike(shape, other, params):
            continue
        family = max(
            count[shape] if shape == other else 0,
            len({i, j} | near(i, shape) | near(j, other)),
        )
        if family >= params.shape_places:
            best[key] = replace(
                m,
                verified=False,
                evidence=(*m.evidence, f"{family} definitions here share that shape"),
            )


def _other_delegates(
    a: Piece,
    b: Piece,
    fa: set[str],
    fb: set[str],
    idf: Mapping[str, float],
    params: DuplicateParams,
) -> bool:
    """Two thin definitions under other names, each calling something rare the other does
    not: one handler shape delegating to different things (``get_issue`` / ``get_tag``)."""
    if max(a.lines, b.lines) > params.thin_lines:
        return False

    def target(f: str) -> str:
        # a method on a variable is the method (`peerRe.MatchString`, `nameRe.MatchString`
        # do one thing); on a type it is the type's (`IssueRepo::find`, `TagRepo::find`)
        receiver, _, method = f[2:].rpartition(".")
        return method if receiver[:1].islower() or receiver[:1] == "_" else f[2:]

    def own(mine: set[str], theirs: set[str]) -> bool:
        called = {target(f) for f in theirs if f[0] == "c"}
        return any(
            f[0] == "c"
            and f[2] != "@"
            and idf.get(f, 0.0) > params.delegate_idf
            and target(f) not in called
            for f in mine - theirs
        )

    return own(fa, fb) and own(fb, fa)


def _names_the_other(pa: Profile, pb: Profile) -> bool:
    """Does one side hold a literal that spells the other's own name, a compound one (a
    job, a command, an event named after the function that handles it)? Then it hands work
    to the other by that name, and what they share is the hand-over (trigger.dev: a parked
    run's promotion schedules the `enqueueDelayedRun` job, whose handler it was matched
    with; judged FALSE). A plain word (`write`, `record`) names too much to tell."""
    a, b = pa.short.lstrip("#_"), pb.short.lstrip("#_")
    return a != b and any(
        bool({f"s:{name}", f"d:{name}"} & held) and len(split_identifier(name)) >= 2
        for name, held in ((a, pb.literals), (b, pa.literals))
    )


def _thin(a: Piece, b: Piece, params: DuplicateParams) -> bool:
    """Are both definitions at most ``bare_lines`` lines of code below their headers?"""
    return max(len(code_lines(a.text)), len(code_lines(b.text))) <= params.bare_lines


def _maps_apart(a: Piece, b: Piece, pa: Profile, pb: Profile) -> bool:
    """Do the two map what they test to other values: each holds literals it does not test,
    and they share none of those? Two converters of one tool-result union to two providers'
    formats (vercel/ai, judged FALSE) do; two status-to-icon maps giving the same icons
    (beads, TRUE) and two host checks that only test (`=== 'localhost'`; cline, TRUE) do not."""
    out_a = {f[2:] for f in pa.literals if not tested_value(a.text, f[2:])}
    out_b = {f[2:] for f in pb.literals if not tested_value(b.text, f[2:])}
    return bool(out_a) and bool(out_b) and not (out_a & out_b)


def _other_words(a: str, b: str, params: DuplicateParams) -> bool:
    """One shape over other data: the words of the two definitions' strings are nearly all
    different. A renamed copy keeps its messages but for the noun (`remote name cannot be
    empty`, `peer name cannot be empty`); beads' `isLockError` and `isDivergedHistoryErr`
    match other error texts in the same `ToLower` + `Contains` shape (judged FALSE)."""
    wa, wb = string_words(a), string_words(b)
    if min(len(wa), len(wb)) < params.other_words_min:
        return False
    return len(wa & wb) < params.other_words_share * len(wa | wb)


def _other_routes(a: Piece, b: Piece) -> bool:
    """Two route tables (axum ``router()``, an express app) registering mostly other paths:
    one registration idiom over different endpoints, whatever else they share. The whole
    definitions are read, also where only a change inside them is compared."""
    ra = {s for s in a.features.strings if s.startswith("/") and len(s) > 1}
    rb = {s for s in b.features.strings if s.startswith("/") and len(s) > 1}
    if min(len(ra), len(rb)) < 3:
        return False
    return 2 * len(ra & rb) < min(len(ra), len(rb))


def _overlap(pa: Profile, pb: Profile, idf: Mapping[str, float]) -> float:
    """How much of the smaller side's literals the other has (weighted by rarity)."""
    la, lb = pa.literals, pb.literals
    if not la or not lb:
        return 0.0
    common = math.fsum(idf.get(f, 1.0) for f in la & lb)
    if min(len(la), len(lb)) < 2:
        return common / (pa.literal_weight + pb.literal_weight - common)
    return common / min(pa.literal_weight, pb.literal_weight)


def _redundant(
    members: list[Piece],
    method_groups: list[list[Piece]],
    class_groups: list[list[Piece]],
    known: dict[tuple[int, ...], list[list[Piece]]] | None = None,
) -> bool:
    """A class pair and its method pairs tell one story: keep the class group when several
    of its methods match (or the classes share a name), else keep the single method group.
    ``known``: the method groups covering each class group, kept across the calls of one
    detection (every group asks about every class group)."""
    memo = {} if known is None else known

    def covering(cg: list[Piece]) -> list[list[Piece]]:
        key = tuple(map(id, cg))
        found = memo.get(key)
        if found is None:
            found = memo[key] = [
                mg for mg in method_groups if sum(1 for p in mg if _parent_in(p, cg)) >= 2
            ]
        return found

    if members and members[0].kind in _CALLABLE:
        for cg in class_groups:
            over = covering(cg)
            if any(mg == members for mg in over) and (
                len(over) >= 2 or len({c.short for c in cg}) == 1
            ):
                return all(_parent_in(p, cg) for p in members)
        return False
    return len(covering(members)) == 1 and len({c.short for c in members}) > 1


def _parent_in(p: Piece, members: Iterable[Piece]) -> bool:
    return any(
        q.branch == p.branch and q.path == p.path and p.symbol.startswith(q.symbol + ".")
        for q in members
    )


def detect(ctx: Context, params: DuplicateParams) -> list[Finding]:
    # what each branch took away: its own new code there is a move, not a copy
    gone: set[tuple[str | None, str, str]] = set()
    gone_files: set[tuple[str | None, str]] = set()
    for b in ctx.branches:
        for f in b.files:
            if f.status == "deleted" or (f.status == "renamed" and f.old_path):
                gone_files.add((b.name, f.old_path or f.path))
    for p in ctx.pieces:
        if p.change in ("deleted", "renamed"):
            gone.add((p.branch, p.path, p.renamed_from or p.symbol))
    # code a branch moved (deleted here, added there with the same body) is not new code
    removed_bodies = {
        (p.branch, _body(p.text)) for p in ctx.pieces if p.change == "deleted" and p.text
    }
    # generated code repeats itself by design: not compared at all (a new file's header is
    # read too; code already on the target is known by `.gitattributes` alone, so that the
    # whole tree is not read for its headers). On e2b-dev/E2B, every finding was one
    # endpoint's `_parse_response` of its OpenAPI client against another's.
    generated = generated_files(ctx.head.paths, ctx.head.text)
    fresh = [
        p
        for p in ctx.pieces
        if not (p.change == "added" and (p.branch, _body(p.text)) in removed_bodies)
        and not generated(p.path, p.branch is not None)
    ]

    def moved(a: Piece, b: Piece) -> bool:
        for new, old in ((a, b), (b, a)):
            if (
                old.branch is None
                and new.branch is not None
                and (
                    (new.branch, old.path, old.symbol) in gone
                    or (new.branch, old.path) in gone_files
                )
            ):
                return True
        return False

    method_names: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]] = {}

    def methods_at(path: str, owner: str) -> tuple[frozenset[str], frozenset[str]]:
        """The method names of class ``owner`` of ``path``, at HEAD, without a leading
        underscore (a private `_format_request` implements what the others call
        `format_request`: strands' Responses model beside every other provider's); and of
        those, the names public by the language's convention."""
        key = (path, owner)
        if key not in method_names:
            named = [
                unsuffixed(s.name.rsplit(".", 1)[-1])
                for s in ctx.head.definitions(path)
                # the class's own name too: the share of names that makes one interface
                # was measured so
                if s.name.rsplit(".", 1)[0] == owner
            ]
            language = language_of(path)
            method_names[key] = (
                frozenset(_plain(n) for n in named),
                frozenset(n for n in named if n != owner and _public(n, language)),
            )
        return method_names[key]

    def methods(p: Piece) -> tuple[frozenset[str], frozenset[str]]:
        """The method names of the piece's class (or of the class itself), at HEAD: all of
        them, and the public ones."""
        return methods_at(p.path, p.symbol if p.kind == "class" else p.symbol.rsplit(".", 1)[0])

    def one_interface(a: Piece, b: Piece) -> bool:
        """Two classes that implement one interface (nearly every method of one has a
        namesake in the other: storage backends, a sync and an async client), or two of
        their methods under different names: each is the other class's namesake's
        counterpart, so the two are different operations of one shape (on agno, a Valkey
        backend ported from Redis, 56 of its methods named as Redis's: its
        `delete_user_memory` was matched with Redis's `delete_session`, seven groups judged
        FALSE; mux's OAuth services share at most 82% of their method names, and their
        copies under other names were TRUE)."""
        if (
            a.kind != b.kind
            or a.kind not in ("method", "class")
            or _plain(a.short) == _plain(b.short)
        ):
            return False
        if a.kind == "method" and a.symbol.rsplit(".", 1)[0] == b.symbol.rsplit(".", 1)[0]:
            return False
        (ma, pub_a), (mb, pub_b) = methods(a), methods(b)

        def one(shared: int, of: int) -> bool:
            return shared >= params.interface_min and shared >= params.interface_share * of

        # an interface is what its classes show, and a port's private helpers are its own:
        # on agno, Valkey's 53 public methods are all Postgres's, but with its 14 private
        # pipeline helpers the two share 82% of their names (as mux's OAuth services do,
        # whose copies under other names were TRUE). Read by public names, two methods are
        # of one interface only when each has a namesake in the other's class (agno:
        # Cassandra's `async_insert` and OpenSearch's private `_async_embed_documents` hold
        # one copied block, judged TRUE)
        small, other = (pub_a, mb) if len(pub_a) <= len(pub_b) else (pub_b, ma)
        return one(len(ma & mb), min(len(ma), len(mb))) or (
            _marks_private(a.language)
            and one(len({_plain(n) for n in small} & other), len(small))
            and (a.kind == "class" or (_plain(a.short) in mb and _plain(b.short) in ma))
        )

    bases_of: dict[tuple[str, str], frozenset[str]] = {}

    def bases(path: str, owner: str) -> frozenset[str]:
        """The base classes a class names at HEAD (their last dotted part)."""
        key = (path, owner)
        if key not in bases_of:
            lines = ctx.head.lines(path) or ()
            found = frozenset[str]()
            for s in ctx.head.definitions(path):
                if s.name == owner and s.kind == "class":
                    found = base_names("\n".join(lines[s.start_line - 1 : s.start_line + 8]))
                    break
            bases_of[key] = found
        return bases_of[key]

    implementers: dict[tuple[str, str, str], int] = {}

    def implemented_by(how: str, name: str, method: str) -> int:
        """How many classes define ``method`` at HEAD, among those of base ``name``
        (``how="base"``) or of that name (``how="name"``)."""
        key = (how, name, method)
        if key not in implementers:
            count = 0
            for path in sorted({m[0] for m in ctx.head.mentions([name])[name]}):
                count += sum(
                    1
                    for s in ctx.head.definitions(path)
                    if s.kind == "class"
                    and method in methods_at(path, s.name)[0]
                    and (
                        name in bases(path, s.name)
                        if how == "base"
                        else s.name.rsplit(".", 1)[-1] == name
                    )
                )
            implementers[key] = count
        return implementers[key]

    def override(a: Piece, b: Piece) -> bool:
        """Two implementations of one interface's method, which many classes implement
        each their own way (``override_min``): classes of one base class, or one class
        name in every plugin (`SpeechStream`, whose base one plugin names by an alias)."""
        method = _plain(a.short)
        if a.kind != "method" or b.kind != "method" or method != _plain(b.short):
            return False
        if a.path == b.path:
            return False
        owner_a, owner_b = a.symbol.rsplit(".", 1)[0], b.symbol.rsplit(".", 1)[0]
        shared = bases(a.path, owner_a) & bases(b.path, owner_b)
        if any(implemented_by("base", x, method) >= params.override_min for x in sorted(shared)):
            return True
        name = owner_a.rsplit(".", 1)[-1]
        return (
            name == owner_b.rsplit(".", 1)[-1]
            and implemented_by("name", name, method) >= params.override_min
        )

    def own_targets(a: Piece, b: Piece) -> bool:
        """Two thin definitions whose calls in common each name a definition of its own
        file: one factory shape building two modules' own classes (on livekit/agents, each
        plugin's `synthesize` returns its module's `ChunkedStream`)."""
        shared = {c for c in a.features.calls & b.features.calls if "." not in c}
        return (
            a.path != b.path
            and bool(shared)
            and _thin(a, b, params)
            and all(
                ctx.head.defines(a.path, n) is not None and ctx.head.defines(b.path, n) is not None
                for n in sorted(shared)
            )
        )

    def builds_other(a: Piece, b: Piece) -> bool:
        """Two factories of different classes: each returns a new instance of its own
        class (or struct) of this repository, and none in common. Records of two kinds
        share field names, so their parsers look alike (graphiti: one parser builds an
        `EntityEdge`, the other an `EpisodicEdge`, from one record's fields; crush: three
        dialogs' constructors bind the same keys, one of them building its `Quit` in a
        variable it returns)."""
        if a.kind not in ("function", "method") or b.kind not in ("function", "method"):
            return False
        built_a, built_b = _built(a), _built(b)
        return (
            bool(built_a and built_b)
            and not built_a & built_b
            and all(
                n in ctx.defined and ctx.defined[n][2] in ("class", "struct")
                for n in built_a | built_b
            )
        )

    folders: dict[str, list[str]] = {}

    def package_defines(path: str, name: str) -> bool:
        """Does the Go package of ``path`` (its folder) define ``name``, at HEAD?"""
        folder = posixpath.dirname(path)
        if folder not in folders:
            folders[folder] = [
                f for f in ctx.head.paths if posixpath.dirname(f) == folder and f.endswith(".go")
            ]
        return any(ctx.head.defines(f, name) is not None for f in folders[folder])

    def own_package_type(a: Piece, b: Piece) -> bool:
        """Go: one function name in two packages, each returning a type its own package
        defines. A functional option (`func WithBaseURL(u string) Option`) sets fields of
        its package's own unexported options: each package needs its own, and one cannot
        call the other's (fantasy: every provider's `WithBaseURL`)."""
        if family(a.language) != "go" or a.short != b.short:
            return False
        if posixpath.dirname(a.path) == posixpath.dirname(b.path):
            return False
        ra, rb = _GO_RESULT.search(a.text), _GO_RESULT.search(b.text)
        return bool(
            ra
            and rb
            and package_defines(a.path, ra.group(1))
            and package_defines(b.path, rb.group(1))
        )

    def by_design(a: Piece, b: Piece, same: bool) -> bool:
        """Alike by design rather than copied: one interface's method implemented alike
        (a copy only when identical with more to it than the call it makes: cline's three
        `ClineAccountService` classes, copied whole, are not three implementations of one
        interface), two thin factories of their own modules' classes, two factories of
        different classes, or one Go function per package over that package's own type."""
        return (
            (override(a, b) and (not same or _thin(a, b, params)))
            or own_targets(a, b)
            or (not same and builds_other(a, b))
            or own_package_type(a, b)
        )

    existing = [p for p in ctx.existing if not generated(p.path, False)]
    written = {(b.name, f.path) for b in ctx.branches for f in b.files}
    found, pairs = _find_duplicates(
        [*fresh, *existing],
        ctx.parallel,
        params,
        moved,
        one_interface,
        by_design,
        lambda branch, path: (branch, path) in written,
    )
    if ctx.merged:
        prefetch_moved([loc for f in found for loc in f.locations], ctx.head)
    kept = [v for v in (_at_head(ctx, f, pairs, params) for f in found) if v is not None]
    return _by_file_pair(
        [_by_name_convention(_by_convention(f, ctx.head.paths, params), ctx, params) for f in kept]
    )


def _by_file_pair(findings: list[Finding]) -> list[Finding]:
    """Definitions copied between the same two files by the same lines of work are one
    cause, told once with every copy inside it (on cline, nine methods of one account
    service pasted into a new SDK file were nine findings; on humanlayer, three helpers of
    one diff viewer copied into another were three)."""
    groups: dict[frozenset[tuple[str, str | None]], list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        places = {(loc.path, loc.branch) for loc in f.locations}
        if (
            f.tier == "finding"
            and f.status == "open"
            and len(f.locations) == 2
            and len({path for path, _ in places}) == 2
        ):
            groups[frozenset(places)].append(i)
    merged: dict[int, Finding] = {}
    folded: set[int] = set()
    for ids in groups.values():
        if len(ids) < 2:
            continue
        parts = [findings[i] for i in ids]
        first, second = sorted({loc.path for loc in parts[0].locations})
        names = [f.locations[0].symbol or "?" for f in parts]
        listed = _join([f"`{n}`" for n in names])
        evidence = [f"{len(parts)} definitions copied between `{first}` and `{second}`"]
        for f in parts:
            evidence.extend(e for e in f.evidence if e not in evidence)
        merged[ids[0]] = replace(
            parts[0],
            title=f"`{first}` and `{second}` hold the same {len(parts)} definitions: {listed}",
            confidence=max(f.confidence for f in parts),
            locations=tuple(
                loc for f in parts for loc in sorted(f.locations, key=lambda x: x.path)
            ),
            evidence=tuple(evidence[:8]),
            recommendation=f"Keep one file's versions of {listed}, make the other import "
            "them, and delete the copies.",
        )
        folded.update(ids[1:])
    return [merged.get(i, f) for i, f in enumerate(findings) if i not in folded]


def _by_convention(f: Finding, paths: Mapping[str, str], params: DuplicateParams) -> Finding:
    """Copies that each sit in their own folder of one parent, where many folders hold a
    file at that same place (`evaluation/benchmarks/*/run_infer.py` on OpenHands, one per
    benchmark): one copy per plugin is how that code base is laid out, so a candidate."""
    if f.tier != "finding":
        return f
    parts = [loc.path.split("/") for loc in f.locations]
    depth = 0
    while all(len(x) > depth + 2 for x in parts) and len({x[depth] for x in parts}) == 1:
        depth += 1
    if any(len(x) < depth + 2 for x in parts) or len({x[depth] for x in parts}) < len(parts):
        return f  # not each in its own folder of one parent
    parent = "/".join(parts[0][:depth])
    lead = parent + "/" if parent else ""
    for rest in sorted({"/".join(x[depth + 1 :]) for x in parts}):
        folders = {
            path[len(lead) :].split("/", 1)[0]
            for path in paths
            if path.startswith(lead)
            and path.endswith("/" + rest)
            and path[len(lead) :].count("/") == rest.count("/") + 1
        }
        if len(folders) >= params.plugin_folders:
            where = f"{lead}*/{rest}"
            return replace(
                f,
                tier="candidate",
                evidence=(
                    *f.evidence,
                    f"one copy per folder of `{where}` ({len(folders)} folders hold one): "
                    "a convention of this code base",
                ),
            )
    return f


def _by_name_convention(f: Finding, ctx: Context, params: DuplicateParams) -> Finding:
    """Copies under one name that many files of the code base define each their own way
    (every Portkey plugin exports a `handler`): the name is the convention's, and what the
    copies share beyond it is a lead, so a candidate."""
    names = {unsuffixed(loc.symbol or "").rsplit(".", 1)[-1] for loc in f.locations}
    if f.tier != "finding" or f.status != "open" or len(names) != 1:
        return f
    (name,) = names
    if not name:
        return f
    holders = {m[0] for m in ctx.head.mentions([name]).get(name, ())}
    defining = sum(1 for path in sorted(holders) if ctx.head.defines(path, name) is not None)
    if defining < params.convention_files:
        return f
    return replace(
        f,
        tier="candidate",
        evidence=(
            *f.evidence,
            f"`{name}` is defined in {defining} files: a convention of this code base",
        ),
    )


def _body(text: str) -> str:
    """A definition's body without its first line (the name) and layout."""
    return " ".join(" ".join(text.splitlines()[1:]).split())


def _moved_as_is(ctx: Context, landed: Location, at: Location) -> bool:
    """Is a copy followed to another file at HEAD still the text that was compared: does
    its body there hold at least half of the lines it landed with? On awslabs/mcp, #4021
    deleted the file of #3801's one-line `_resolve_region`, and the `_resolve_region` of the
    parent module, a longer function that also reads the profile, was taken for it with the
    one-liner's "identical code"."""
    tree = ctx.trees.get(landed.branch or "")
    if tree is None or landed.symbol is None or at.symbol is None:
        return True
    before, after = tree.body_of(landed.path, landed.symbol), ctx.head.body_of(at.path, at.symbol)
    if not before or not after:
        return True
    old = {x.strip() for x in before.splitlines() if x.strip()}
    new = {x.strip() for x in after.splitlines() if x.strip()}
    return 2 * len(old & new) >= len(old)


def _at_head(
    ctx: Context, f: Finding, pairs: Mapping[frozenset[_Key], Match], params: DuplicateParams
) -> Finding | None:
    """After merging: both copies must still exist. A group whose copies were merged into
    one later is resolved since; a member that is gone is left out. ``pairs``: the verified
    pairs of the detection, by their two members."""
    if not ctx.merged:
        return f
    mapped: dict[tuple[str, str | None], Location] = {}
    survivors: list[Location] = []
    rewritten: set[Location] = set()  # moved to another file, and no longer what was compared
    for loc in sorted(f.locations, key=lambda loc: loc.branch is None):
        at = loc if loc.branch is None else to_head(loc, ctx.head, ctx.trees.get(loc.branch))
        if at.gone or at.symbol is None or not ctx.head.has_symbol(at.path, at.symbol):
            continue
        if (at.path, at.symbol) not in mapped:  # a moved copy is itself, not another
            mapped[(at.path, at.symbol)] = at
            survivors.append(loc)
            if at.path != loc.path and not _moved_as_is(ctx, loc, at):
                rewritten.add(at)
    # a member that calls another file's member is built on it, not a copy of it: a copy
    # replaced by a call before HEAD (on cline, `fetchAndCacheClineRecommendedModels` now
    # calls core's `fetchClineRecommendedModels`; on open-swe, `AgentGitPanel` renders the
    # `AgentRightPanel` #2131 moved its tabs into). A call within one file is a helper the
    # two make up one copy with (open-swe's `_ensure_watch_cron` and `_create_watch_cron`,
    # together a copy of `ensure_background_task_cron`, judged TRUE), unless the two are all
    # there is: then the caller is a wrapper of the other (on claude-code-router,
    # `providerHttpJsonConnectorFromDraft` since became a call of the function it copied)
    callers = {
        at
        for at in mapped.values()
        if any(
            other.symbol
            and (other.path != at.path or len(mapped) == 2)
            and _calls(ctx.head, at, other.symbol)
            for other in mapped.values()
        )
    }
    # a pair one of whose members at HEAD holds none of what made it a copy: the name
    # stayed, the copied code left it (on dagger/container-use, #73 moved the configuration
    # fields out of `Environment` into a new `EnvironmentConfig`; the two matched by those
    # fields' tags). In a larger group the copies left still repeat one another: on mux,
    # #2194 made one schema read the shared thinking levels, and the others still list them
    members = dict(zip(survivors, mapped.values(), strict=True))
    emptied = (
        (_emptied(ctx, members, pairs) if len(f.locations) == 2 else set())
        | _gutted(ctx, members, params)
        | rewritten
    )
    if callers or emptied:
        survivors = [
            loc
            for loc, at in zip(survivors, mapped.values(), strict=True)
            if at not in callers and at not in emptied
        ]
        mapped = {k: at for k, at in mapped.items() if at not in callers and at not in emptied}
    here = tuple(mapped.values())
    branches = {loc.branch for loc in here if loc.branch is not None}
    if len(here) >= 2 and branches and (len(branches) >= 2 or len(here) > len(branches)):
        if len(here) == len(f.locations):
            return replace(f, locations=here)
        clash = len({loc.symbol for loc in here}) < len(here)
        names = [f"`{loc.symbol}` ({loc.path})" if clash else f"`{loc.symbol}`" for loc in here]
        # the group lost members at HEAD (a copy moved onto another, or deleted): its evidence
        # may have come from the pair that is gone (on gptme, mux, happy and vibe-kanban, a
        # moved function's "identical code" was reported for the unrelated neighbour left in
        # its group), so what is left is a finding only if it is still one text at HEAD
        bodies = {
            next((s.body_hash for s in ctx.head.definitions(loc.path) if s.name == loc.symbol), "")
            for loc in here
        }
        # ...or when a verified pair of its own, of one shape at least as much as a shape
        # alone must be, holds what is left (on OpenHands, two microagent modals copied from
        # a third that a later change removed; on gptme, two loaders of one results file);
        # the evidence is then that pair's alone. A pair verified by less shape (the same
        # request, a few literals) leaned on the group: on vibe-kanban, two MCP tools that
        # each fetch one issue first (32% of shape) were no copies once the third was gone
        if len(bodies) == 1 and "" not in bodies:
            tier, evidence, confidence = f.tier, f.evidence, f.confidence
        elif f.tier == "finding" and (held := _holding(survivors, pairs, params)):
            # what the pair was when it landed: the group's count and sameness are gone
            evidence = tuple(
                dict.fromkeys(
                    _LANDED.sub(r"\1 when they landed", e) for m in held for e in m.evidence
                )
            )[:6]
            tier, confidence = "finding", round(held[0].score, 2)
        elif f.tier == "finding":
            gone = "a copy that held the group is gone at HEAD, and what is left differs"
            tier, evidence, confidence = "candidate", (*f.evidence, gone), f.confidence
        else:
            tier, evidence, confidence = "candidate", f.evidence, f.confidence
        return replace(
            f,
            locations=here,
            title=f"{_join(names)} implement the same thing",
            tier=tier,
            evidence=evidence,
            confidence=confidence,
        )
    return replace(
        f,
        status="resolved",
        resolved="one copy now calls the other at HEAD"
        if callers
        else "the code the copies shared is gone from one of them at HEAD"
        if emptied
        else "only one copy is left at HEAD",
        recommendation="Nothing to do: the copied code left one of them after they landed."
        if emptied and not callers
        else "Nothing to do: the copies were merged into one after they landed.",
    )


def _emptied(
    ctx: Context, members: Mapping[Location, Location], pairs: Mapping[frozenset[_Key], Match]
) -> set[Location]:
    """The members (as they are at HEAD) that no longer hold what their every verified pair
    shared: fewer than half of the pair's rare literals that the member held when it landed,
    where a pair rests on two or more. ``members``: each member as it landed, and where it
    is at HEAD; code that was on the target already is read at HEAD only, so never counts."""

    emptied: set[Location] = set()
    for landed, at in members.items():
        if landed.branch is None:
            continue
        held = [
            m
            for other in members
            if other is not landed
            and (m := pairs.get(frozenset((_key(landed), _key(other))))) is not None
            and len(m.literals) >= 2
        ]
        if not held:
            continue
        tree = ctx.trees.get(landed.branch)
        then = tree.body_of(landed.path, landed.symbol or "") if tree is not None else ""
        now = ctx.head.body_of(at.path, at.symbol or "")
        if then and all(_lost(m.literals, then, now) for m in held):
            emptied.add(at)
    return emptied


def _gutted(
    ctx: Context, members: Mapping[Location, Location], params: DuplicateParams
) -> set[Location]:
    """The members (as they are at HEAD) whose body shrank to a line or two after they
    landed (``gutted_from``): what was copied left them, whatever they call now, under a
    name `_calls` may not know (a service's method, an alias)."""
    gutted: set[Location] = set()
    for landed, at in members.items():
        tree = ctx.trees.get(landed.branch) if landed.branch is not None else None
        if tree is None:
            continue
        body = code_lines(ctx.head.body_of(at.path, at.symbol or ""))
        if len(body) > params.bare_lines:
            continue  # (asked first: the branch's tree is read only for the few this short)
        then = len(code_lines(tree.body_of(landed.path, landed.symbol or "")))
        if then < max(params.gutted_from, params.gutted_share * max(1, len(body))):
            continue
        # a call of a definition of its own file: the copied code moved into a helper beside
        # it, and lives on there (on mcp-use, `manifests()` became a `.map` over the new
        # `manifestEntries()`, which holds the copy)
        if not any(_calls(ctx.head, at, s.name) for s in ctx.head.definitions(at.path)):
            gutted.add(at)
    return gutted


def _lost(literals: Sequence[str], then: str, now: str) -> bool:
    """Did a text that held two or more of ``literals`` (``then``) lose most of them?"""
    had = [lit for lit in literals if lit in then]
    return len(had) >= 2 and 2 * sum(lit in now for lit in had) < len(had)


def _calls(tree: TreeView, at: Location, symbol: str) -> bool:
    """Does the definition ``at`` call (or render, in JSX) ``symbol``, by a short name
    other than its own?"""
    name = unsuffixed(symbol.rsplit(".", 1)[-1])
    own = unsuffixed((at.symbol or "").rsplit(".", 1)[-1])
    if name == own or len(name) < 4:
        return False
    body = "\n".join(code_lines(tree.body_of(at.path, at.symbol or "")))
    return _call_of(name).search(body) is not None


@lru_cache(maxsize=8192)
def _call_of(name: str) -> re.Pattern[str]:
    """A call of ``name`` (generic arguments allowed) or its JSX element. Kept per name: a long
    history asks for thousands of names, more than the 512 patterns ``re`` keeps itself."""
    n = re.escape(name)
    return re.compile(rf"(?<![\w$]){n}\s*(?:<[^>()]*>)?\(|<{n}[\s/>]")


# how a group of copies is told, and how the pair left of it is told at HEAD
_IDENTICAL = "identical code"
_SAME_SHAPE = "the same code apart from names and literals"
_LANDED = re.compile(rf"^({re.escape(_IDENTICAL)}|{re.escape(_SAME_SHAPE)}) in \d+ places$")
_Key = tuple[str | None, str, str | None]  # a member of a pair: branch, path, symbol


def _key(x: Location | Piece) -> _Key:
    return (x.branch, x.path, x.symbol)


def _holding(
    members: Sequence[Location], pairs: Mapping[frozenset[_Key], Match], params: DuplicateParams
) -> list[Match]:
    """The verified pairs among ``members`` with a shape of their own, best first, when
    they reach every member (a finding claims no bystander); else none."""
    holding = {
        (_key(x), _key(y)): m
        for x, y in combinations(members, 2)
        if (m := pairs.get(frozenset((_key(x), _key(y))))) is not None
        and m.structure >= params.structure_alone
    }
    if {k for pair in holding for k in pair} != {_key(x) for x in members}:
        return []
    return sorted(holding.values(), key=lambda m: -m.score)


def find_duplicates(
    pieces: Sequence[Piece],
    parallel: Parallel = always_parallel,
    params: DuplicateParams = DuplicateParams(),
    moved: Callable[[Piece, Piece], bool] = lambda a, b: False,
    wrote: Callable[[str | None, str], bool] = lambda branch, path: False,
) -> list[Finding]:
    """Groups of pieces from different branches (or a branch and existing code) doing the
    same thing. ``moved(a, b)``: is one of the two the other moved by its own branch?
    ``wrote(branch, path)``: did that line of work write that file?"""
    return _find_duplicates(pieces, parallel, params, moved, wrote=wrote)[0]


def _find_duplicates(
    pieces: Sequence[Piece],
    parallel: Parallel,
    params: DuplicateParams,
    moved: Callable[[Piece, Piece], bool],
    one_interface: Callable[[Piece, Piece], bool] = lambda a, b: False,
    by_design: Callable[[Piece, Piece, bool], bool] = lambda a, b, same: False,
    wrote: Callable[[str | None, str], bool] = lambda branch, path: False,
) -> tuple[list[Finding], dict[frozenset[_Key], Match]]:
    """``find_duplicates``, and the verified pairs behind its findings by their members.
    ``one_interface(a, b)``: are the two classes implementing one interface, or two
    differently named methods of such classes? ``by_design(a, b, identical)``: are the two
    alike by design (one interface's method implemented per class, two factories of their
    own modules' classes), so at most a lead? Both are checked only for pairs that scored,
    and within one shape."""
    usable = [p for p in pieces if _comparable(p, params)]
    acts = _acts(pieces)  # worked out once per call, never kept between calls
    feats = [_feature_set(p) | _reached(p, acts) for p in usable]
    idf = _idf(feats)
    profiles = [Profile.of(p, fs, idf, params) for p, fs in zip(usable, feats, strict=True)]
    best: dict[tuple[int, int], Match] = {}
    # identical code: however many copies share it (300 branches adding one function),
    # that is the strongest evidence there is, so it never depends on rarity (IDF)
    copies: dict[tuple[int, frozenset[int]], list[int]] = defaultdict(list)
    exact: list[list[int]] = []
    for i, p in enumerate(usable):
        f = _compared(p)
        if f.shingles:
            copies[(f.size, f.shingles)].append(i)
    for ids in (
        part for same in copies.values() for part in _families(same, usable, one_interface)
    ):
        first = ids[0]
        kept = [first]
        for other in ids[1:]:
            x, y = usable[first], usable[other]
            if _allowed(x, y, exact=True) and parallel(x.branch, y.branch) and not moved(x, y):
                same = _same_text(x, y)
                note = f"{_IDENTICAL if same else _SAME_SHAPE} in {len(ids)} places"
                scored = score_pair(
                    x, y, feats[first], feats[other], idf, params, profiles[first], profiles[other]
                )
                if not same and scored is None:
                    continue  # one shape, other names and literals: a pattern, not a copy
                verified = (
                    (same or (scored is not None and scored.verified))
                    and _big_enough(x, params)
                    and _big_enough(y, params)
                    and not _small_test_copy(x, y, params)
                    # example code is meant to stand alone, copied or not: identical copies
                    # of it are leads too (agno: one `run_sync` pasted into three cookbook
                    # scripts, judged DEBATABLE; no judged copy involving example code was
                    # TRUE on any range)
                    and not (example_path(x.path) or example_path(y.path))
                    and not by_design(x, y, same)
                )
                best[(first, other)] = Match(
                    first,
                    other,
                    0.99 if same else scored.score if scored else 0.5,
                    (note, *(scored.evidence if scored else ())),
                    verified=verified,
                    structure=1.0,  # one shape: that is how the copies were found
                )
                kept.append(other)
        if len(kept) > 1:
            exact.append(kept)
    for a, b in sorted(candidate_pairs(usable, feats, parallel, params)):
        if (a, b) in best or moved(usable[a], usable[b]):
            continue
        m = score_pair(
            usable[a], usable[b], feats[a], feats[b], idf, params, profiles[a], profiles[b]
        )
        if m is not None and not one_interface(usable[a], usable[b]):
            best[(a, b)] = (
                replace(m, verified=False)
                if m.verified and by_design(usable[a], usable[b], False)
                else m
            )
    _idioms(best, feats, params)
    _conventions(best, usable, params)
    _vocabularies(best, usable, params)
    _idiom_delegates(best, usable, feats, idf, params)
    _counterparts(best, usable, params, wrote)
    groups, matches_of = _group(best, exact, params.max_group)
    method_groups = [
        [usable[i] for i in ids] for ids in groups.values() if usable[ids[0]].kind in _CALLABLE
    ]
    class_groups = [
        [usable[i] for i in ids] for ids in groups.values() if usable[ids[0]].kind not in _CALLABLE
    ]
    findings: list[Finding] = []
    covered: dict[tuple[int, ...], list[list[Piece]]] = {}
    for root in sorted(groups):
        group = [usable[i] for i in groups[root]]
        ids = [i for i in groups[root] if not _parent_in(usable[i], group)]
        members = [usable[i] for i in ids]
        if _redundant(members, method_groups, class_groups, covered):
            continue
        existing = [i for i in ids if usable[i].branch is None]
        if len(existing) > 2:
            ids = [i for i in ids if usable[i].branch is not None or i in existing[:2]]
        pair_matches = [m for m in matches_of[root] if m.a in ids and m.b in ids]
        if not _enough_branches([usable[i] for i in ids]) or not pair_matches:
            continue
        # a group is verified when its verified pairs hold it together: one strong pair in a
        # family of five look-alikes does not make the family one concept
        strong = [m for m in pair_matches if m.verified]
        verified = (
            bool(strong)
            and (len(ids) <= 3 or 2 * len(strong) >= len(ids))
            and _worth_a_finding([usable[i] for i in ids], params)
            and not _a_tests_copy([usable[i] for i in ids])
            and not _api_versions([usable[i] for i in ids])
        )
        core = {x for m in strong for x in (m.a, m.b)}
        # a member under a core member's name is one more copy (mux: `formatTokens` pasted
        # into four components, two of them edited a little), whatever its pair scored
        core |= {i for i in ids if usable[i].short in {usable[c].short for c in core}}
        loose = [i for i in ids if i not in core]
        if not verified or not loose or not _enough_branches([usable[i] for i in core]):
            findings.append(_finding(usable, ids, pair_matches, verified, params))
            continue
        # a finding lists what its verified pairs hold: a third function that only looks like
        # one of the copies (on mux, Codex's PKCE token exchange next to two verbatim copies
        # of one gateway exchange) is a lead for the model, listed apart as a candidate
        kept = sorted(core)
        findings.append(
            _finding(
                usable,
                kept,
                [m for m in pair_matches if m.a in core and m.b in core],
                _worth_a_finding([usable[i] for i in kept], params)
                and not _a_tests_copy([usable[i] for i in kept])
                and not _api_versions([usable[i] for i in kept]),
                params,
            )
        )
        near = [m for m in pair_matches if (m.a in core) != (m.b in core)]
        if not near:
            continue
        anchor = max(near, key=lambda m: m.score)
        lead = [anchor.a if anchor.a in core else anchor.b, *loose]
        lead_matches = [m for m in pair_matches if m.a in lead and m.b in lead]
        if _enough_branches([usable[i] for i in lead]) and lead_matches:
            findings.append(
                _finding(
                    usable,
                    lead,
                    lead_matches,
                    False,
                    params,
                    "looks like one of the copies, but no verified pair says it is one: a lead",
                )
            )
    verified_pairs = {
        frozenset((_key(usable[a]), _key(usable[b]))): m for (a, b), m in best.items() if m.verified
    }
    return findings, verified_pairs


def _counterparts(
    best: dict[tuple[int, int], Match],
    usable: Sequence[Piece],
    params: DuplicateParams,
    wrote: Callable[[str | None, str], bool],
) -> None:
    """A piece with a namesake of its shape in another file its own line of work wrote (a
    file it copied and also kept, renamed) is that definition's copy: what else of that file
    it resembles is what its source resembled before it was copied, not a second copy. On
    firecrawl, nsc/v2 copied the Python client into `v1/client.py` (its classes renamed) and
    renamed the old file `firecrawl.backup.py`: each copied `_monitor_job_status` was grouped
    with the backup's own `check_crawl_status`, which it resembles only as two siblings of
    one file always did (judged FALSE, twice). Such pairs are dropped; the namesakes are
    compared as they always are. A file the line of work did not write is another service
    (on mux, OAuth services cloned from one another, each with its own flows: TRUE)."""
    named: dict[tuple[str, str], list[int]] = defaultdict(list)
    for k, p in enumerate(usable):
        named[(p.path, p.short)].append(k)

    def copy_in(x: int, path: str) -> bool:
        """Is ``x`` a copy of a definition of its own name and shape in ``path``, a file its
        own line of work wrote?"""
        if not wrote(usable[x].branch, path):
            return False
        shape = _shape(usable[x])
        return any(
            k != x and _alike(shape, _shape(usable[k]), params)
            for k in named.get((path, usable[x].short), ())
        )

    for i, j in sorted(best):
        a, b = usable[i], usable[j]
        if a.short != b.short and a.path != b.path and (copy_in(i, b.path) or copy_in(j, a.path)):
            del best[(i, j)]


def _alike(x: frozenset[int], y: frozenset[int], params: DuplicateParams) -> bool:
    """Two shapes (token 4-grams) alike enough to be one definition's."""
    return bool(x) and bool(y) and len(x & y) >= params.shape_similarity * len(x | y)


def _families(
    ids: list[int], usable: Sequence[Piece], one_interface: Callable[[Piece, Piece], bool]
) -> list[list[int]]:
    """Pieces of one shape, split by name when two of them are differently named methods
    of two implementations of one interface: a backend's `delete_session` and
    `delete_user_memory` are one shape, not one operation."""
    names = {usable[i].short for i in ids}
    if len(names) == 1 or not any(
        one_interface(usable[a], usable[b])
        for a, b in islice(combinations(ids, 2), _MAX_INTERFACE_CHECKS)
        if usable[a].short != usable[b].short
    ):
        return [ids]
    by_name: dict[str, list[int]] = defaultdict(list)
    for i in ids:
        by_name[usable[i].short].append(i)
    return [part for part in by_name.values() if len(part) > 1]


# how many pairs of one shape are checked for being one interface's methods: enough for a
# backend's methods, not the square of 300 pasted copies
_MAX_INTERFACE_CHECKS = 2_000


def _worth_a_finding(members: Sequence[Piece], params: DuplicateParams) -> bool:
    """Big enough to cost something: a tiny helper written twice is a lead, not a finding.
    A set of values declared twice (two status enums) is one concept at any size."""
    lines = max(p.lines for p in members)
    return lines >= params.finding_min_lines and (
        len(members) >= 3
        or lines >= params.pair_min_lines
        or any(p.kind not in _CALLABLE for p in members)
    )


def _a_tests_copy(members: Sequence[Piece]) -> bool:
    """A test's own copy of code outside tests (a mock server answering like the endpoint it
    mirrors, a helper re-typed in a test file), where the code outside tests is not copied
    too. On the judged public histories, findings with such a copy were 1 TRUE (held by four
    copies outside tests, which stays a finding), 13 DEBATABLE and 13 FALSE."""
    outside = [p for p in members if not test_path(p.path)]
    return 0 < len(outside) < len(members) and not _enough_branches(outside)


# a folder that holds one version of an API (`controllers/v1/`, `search/v2/`)
_VERSION_FOLDER = re.compile(r"(?:^|/)v\d+(?:alpha\d*|beta\d*)?(?=/)")


def _api_versions(members: Sequence[Piece]) -> bool:
    """Copies at one place of two versions of an API (`controllers/v1/crawl-status.ts` and
    `controllers/v2/crawl-status.ts`, `search/serper.ts` and `search/v2/serper.ts`): a new
    version forked from the old on purpose, each to change on its own. On firecrawl, nsc/v2's
    fork of the v1 controllers and search providers was judged DEBATABLE eight times of
    eight; no copy between version folders was judged TRUE on any range. A copy under
    another file name (`search/v2/fireEngine-v2.ts`) is not this."""
    paths = {p.path for p in members}
    return len(paths) > 1 and len({_VERSION_FOLDER.sub("", path) for path in paths}) == 1


def _enough_branches(members: Sequence[Piece]) -> bool:
    """Drift needs two lines of work, or one line of work and code already there."""
    branches = {p.branch for p in members if p.branch is not None}
    existing = any(p.branch is None for p in members)
    return len(members) >= 2 and bool(branches) and (len(branches) >= 2 or existing)


def _why_a_lead(
    members: Sequence[Piece], pair_matches: Sequence[Match], params: DuplicateParams
) -> str | None:
    """Why alike members are a candidate, when a rule other than the evidence says so."""
    if all(test_path(p.path) for p in members):
        return "copies between test files, where a copy costs little: a lead"
    if _a_tests_copy(members):
        return "a test's copy of code outside tests, where a copy costs little: a lead"
    if any(example_path(p.path) for p in members):
        return "an example carries its own copy to be read alone: a lead"
    if _api_versions(members):
        return "one file in two versions of an API, forked to change apart: a lead"
    if any(m.verified for m in pair_matches) and not _worth_a_finding(members, params):
        lines = max(p.lines for p in members)
        return f"{lines} lines at most, in {len(members)} places: too small to cost much, a lead"
    return None


def _finding(
    usable: Sequence[Piece],
    ids: Sequence[int],
    pair_matches: Sequence[Match],
    verified: bool,
    params: DuplicateParams,
    why: str | None = None,
) -> Finding:
    """``why``: what makes the group a lead when it is not verified (worked out from the
    members when not given)."""
    members = [usable[i] for i in ids]
    if not verified and why is None:
        why = _why_a_lead(members, pair_matches, params)
    existing = [p for p in members if p.branch is None]
    score = max(m.score for m in pair_matches)
    evidence: list[str] = []
    for m in sorted(pair_matches, key=lambda m: -m.score):
        for e in m.evidence:
            if e not in evidence:
                evidence.append(e)
    members.sort(key=lambda p: (p.branch is not None, p.branch or "", p.path, p.start_line))
    clash = len({p.symbol for p in members}) < len(members)
    names = [f"`{p.symbol}` ({p.path})" if clash else f"`{p.symbol}`" for p in members]
    title = f"{_join(names)} implement the same thing"
    if existing:
        canon = existing[0]
        rec = (
            f"`{canon.symbol}` in `{canon.path}` already does this: make the new code call it "
            "and delete the copies."
        )
    else:
        inline = [p for p in members if p.change == "modified"]
        canon = next((p for p in members if p.change != "modified"), members[0])
        rec = (
            f"Pick one canonical implementation (for example `{canon.symbol}` in `{canon.path}`), "
            "move the other callers to it and delete the copies"
            + (
                f"; replace the inline version in `{inline[0].symbol}` with a call"
                if inline
                else ""
            )
            + "."
        )
    return Finding(
        id="",
        kind="duplicate",
        title=title,
        confidence=round(score, 2),
        source="static",
        locations=tuple(p.location() for p in members[: params.max_members]),
        evidence=tuple(evidence[:6])
        + (
            (f"{len(members) - params.max_members} more copies",)
            if len(members) > params.max_members
            else ()
        )
        + ((why,) if why and not verified else ()),
        recommendation=rec,
        tier="finding" if verified else "candidate",
    )


def _group(
    best: dict[tuple[int, int], Match], exact: list[list[int]], max_size: int
) -> tuple[dict[int, list[int]], dict[int, list[Match]]]:
    """Groups of pieces that match each other, not chains: a piece joins a group only when
    it matches at least half of its members directly (two functions that both call
    `git config` do not make a third that also does one of theirs). Identical copies are
    one group however many there are. Strongest pairs first; a group stops at ``max_size``."""
    linked: dict[int, set[int]] = defaultdict(set)
    for a, b in best:
        linked[a].add(b)
        linked[b].add(a)
    member_of: dict[int, int] = {}
    groups: dict[int, list[int]] = {}
    for ids in exact:
        gid = min(ids)
        groups[gid] = list(ids)
        for i in ids:
            member_of[i] = gid
    order = sorted(best.items(), key=lambda kv: (not kv[1].verified, -kv[1].score, kv[0]))
    for (a, b), _m in order:
        ga, gb = member_of.get(a), member_of.get(b)
        if ga is None and gb is None:
            gid = min(a, b)
            groups[gid] = [a, b]
            member_of[a] = member_of[b] = gid
            continue
        if ga is not None and gb is not None:
            continue  # never merge two groups through one pair
        target, new = (ga, b) if ga is not None else (gb, a)
        if target is None:
            continue
        members = groups[target]
        if len(members) < max_size and 2 * len(linked[new] & set(members)) >= len(members):
            members.append(new)
            member_of[new] = target
    matches_of: dict[int, list[Match]] = defaultdict(list)
    for (a, b), m in best.items():
        if member_of.get(a) is not None and member_of.get(a) == member_of.get(b):
            matches_of[member_of[a]].append(replace(m, a=a, b=b))
    return groups, matches_of


def _small_test_copy(x: Piece, y: Piece, params: DuplicateParams) -> bool:
    """A short helper pasted between test files: tests are often self-contained on purpose."""
    return (
        test_path(x.path) and test_path(y.path) and min(x.lines, y.lines) < params.test_copy_lines
    )


def _big_enough(p: Piece, params: DuplicateParams) -> bool:
    """A whole definition, or a change inside one that adds enough lines to be a copy."""
    if p.change != "modified":
        return True
    return sum(1 for line in p.added_text.splitlines() if line.strip()) >= params.fragment_min_lines


def _join(names: Sequence[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
