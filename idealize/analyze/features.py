"""What a piece of code does, as sets a detector can compare: calls, literals, names, shape.

A small lexer rather than a grammar walk: it works the same for every language,
costs a regex pass, and the signals it needs (identifiers, strings, calls,
keyword arguments) are lexical anyway. Definitions come from tree-sitter (symbols.py).

One module on purpose: the lexical features, their normalisation and their cache encoding
change together (FEATURES_VERSION).
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from multiprocessing import get_all_start_methods, get_context

from idealize.cache import Cache
from idealize.repo.throwaway import worker_signals

_STRING = re.compile(
    r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|`(?:\\.|[^`\\])*`'
)
_COMMENT = {
    "python": re.compile(r"#[^\n]*"),
    "c": re.compile(r"//[^\n]*|/\*(?:.|\n)*?\*/"),
}
_TOKEN = re.compile(
    r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|==|!=|<=|>=|=>|->|\*\*|&&|\|\||[^\sA-Za-z0-9_]"
)
_SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE TABLE)\b")
_DISTINCTIVE = re.compile(r"^/|://|^[A-Z][A-Z0-9_]{3,}$|\.[A-Za-z]{2,4}$|^\^|\\[dwsb]|/[\w{}:-]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

KEYWORDS = frozenset(
    [
        "if",
        "else",
        "elif",
        "for",
        "while",
        "return",
        "def",
        "class",
        "function",
        "func",
        "fn",
        "let",
        "const",
        "var",
        "new",
        "import",
        "from",
        "as",
        "with",
        "try",
        "except",
        "catch",
        "finally",
        "raise",
        "throw",
        "async",
        "await",
        "yield",
        "lambda",
        "pass",
        "break",
        "continue",
        "in",
        "is",
        "not",
        "and",
        "or",
        "true",
        "false",
        "none",
        "null",
        "nil",
        "self",
        "this",
        "super",
        "static",
        "public",
        "private",
        "protected",
        "final",
        "void",
        "int",
        "str",
        "bool",
        "float",
        "double",
        "string",
        "char",
        "long",
        "short",
        "byte",
        "package",
        "struct",
        "enum",
        "interface",
        "type",
        "impl",
        "trait",
        "mod",
        "use",
        "pub",
        "mut",
        "match",
        "switch",
        "case",
        "default",
        "do",
        "go",
        "defer",
        "chan",
        "map",
        "range",
        "select",
        "where",
        "extends",
        "implements",
        "late",
        "required",
        "dynamic",
        "get",
        "set",
        "of",
        "assert",
        "del",
        "global",
        "nonlocal",
        "print",
        "len",
        "isinstance",
        "list",
        "dict",
        "tuple",
        "undefined",
        "typeof",
        "instanceof",
        "export",
        "override",
        "abstract",
        "sealed",
        "record",
        "throws",
        "synchronized",
        "crate",
    ]
)

# words that name the same intent; tokens are folded to the first word of their group
_SYNONYMS = [
    "list fetch get load retrieve read query lookup available enumerate discover find collect all show",
    "model models",
    "remove delete drop strip trim clear purge",
    "create add make build new insert register",
    "update set modify patch change",
    "url uri endpoint path route",
    "config settings options conf cfg",
    "retry retries attempt attempts backoff",
    "normalize normalise clean sanitize sanitise canonical canonicalize",
    "check validate verify ensure",
    "parse decode deserialize",
    "format render serialize encode dump",
    "send post publish emit dispatch",
    "error err exception failure fail",
    "status state phase stage",
]
_FOLD: dict[str, str] = {}
for _group in _SYNONYMS:
    _words = _group.split()
    for _w in _words:
        _FOLD.setdefault(_w, _words[0])
_DEFINERS = frozenset({"def", "function", "fn", "func", "class", "void", "fun"})
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "of",
        "on",
        "by",
        "is",
        "it",
        "do",
        "be",
        "at",
        "x",
        "y",
        "i",
        "j",
        "k",
        "n",
        "v",
        "e",
        "f",
        "s",
        "t",
        "id",
    ]
)

FIX_WORDS = re.compile(
    r"\b(fix(e[sd])?|bug|bugfix|hotfix|handle[sd]?|crash(es)?|broken|avoid|prevent|guard|regression|"
    r"workaround|patch(es|ed)?|correct(s|ed)?|repair|issue|error|wrong|fail(s|ing|ure)?)\b",
    re.IGNORECASE,
)


def distinctive(literal: str) -> bool:
    """Endpoints, URLs, paths, file names, env vars, regexes, SQL: literals that name a concept."""
    return bool(_DISTINCTIVE.search(literal) or _SQL.search(literal))


def split_identifier(name: str) -> list[str]:
    parts: list[str] = []
    for chunk in re.split(r"[_\W]+", name):
        parts.extend(p.lower() for p in _CAMEL.findall(chunk))
    return [p for p in parts if p and p not in _STOP]


def fold(word: str) -> str:
    w = word.lower()
    if w not in _FOLD and w.endswith("s") and w[:-1] in _FOLD:
        w = w[:-1]
    return _FOLD.get(w, w)


def concept_tokens(name: str) -> frozenset[str]:
    """`list_models` ~ `fetch_available` ~ `_fetchModelNames`: folded identifier sub-tokens."""
    return frozenset(fold(t) for t in split_identifier(name) if len(t) > 1)


@dataclass(frozen=True, slots=True)
class Features:
    calls: frozenset[str]  # callee names (last component) and dotted forms
    strings: frozenset[str]  # string literals, whitespace-normalised
    words: frozenset[str]  # folded identifier sub-tokens of the body
    shingles: frozenset[int]  # hashes of 4-grams of normalised tokens
    size: int  # tokens


def _strip_comments(text: str, language: str | None) -> str:
    pattern = _COMMENT["python"] if language == "python" else _COMMENT["c"]
    return pattern.sub(" ", text)


FEATURES_VERSION = "features-9"


def encode(f: Features) -> str:
    return json.dumps(
        [
            sorted(f.calls),
            sorted(f.strings),
            sorted(f.words),
            sorted(f.shingles),
            f.size,
        ]
    )


def decode(text: str) -> Features:
    calls, strings, words, shingles, size = json.loads(text)
    return Features(
        frozenset(calls), frozenset(strings), frozenset(words), frozenset(shingles), size
    )


PARALLEL_MIN = 500  # definitions; below this, forking workers costs more than it saves
CHUNK = 64  # definitions sent to a worker at a time


def _extract_encoded(item: tuple[str, str | None]) -> str:
    """In a worker: what the parent stores and decodes (strings pickle faster than sets)."""
    return encode(extract(*item))


class FeatureStore:
    """extract() with a content-keyed cache, so a re-run lexes nothing it lexed before."""

    def __init__(self, store: Cache) -> None:
        self._cache = store
        self._memo: dict[str, Features] = {}
        self._unsaved: list[tuple[str, str]] = []

    @staticmethod
    def key(text: str, language: str | None) -> str:
        return hashlib.blake2b(f"{language}\0{text}".encode(), digest_size=16).hexdigest()

    def get(self, text: str, language: str | None, key: str | None = None) -> Features:
        k = key or self.key(text, language)
        found = self._memo.get(k)
        if found is None:
            cached = self._cache.get(FEATURES_VERSION, k)
            if cached is not None:
                found = decode(cached)
                self._memo[k] = found
                return found
            found = extract(text, language)
            self._memo[k] = found
            self._unsaved.append((k, encode(found)))
        return found

    def get_many(self, items: Sequence[tuple[str, str | None]], workers: int = 1) -> list[Features]:
        """get() for many (text, language): the cached ones read in one query, the rest
        extracted on ``workers`` processes when there are enough of them to pay for the
        pool (the code already on the target is thousands of definitions)."""
        keys = [self.key(text, language) for text, language in items]
        todo: dict[str, tuple[str, str | None]] = {}
        for k, item in zip(keys, items, strict=True):
            if k not in self._memo:
                todo.setdefault(k, item)
        if todo:
            for k, value in self._cache.get_many(FEATURES_VERSION, todo).items():
                self._memo[k] = decode(value)
                del todo[k]
            self._extract(todo, workers)
        return [self._memo[k] for k in keys]

    def _extract(self, todo: dict[str, tuple[str, str | None]], workers: int) -> None:
        """Extract what neither memory nor the cache holds, on worker processes when
        there is enough of it."""
        keys = list(todo)
        work = [todo[k] for k in keys]
        if workers >= 2 and len(work) >= PARALLEL_MIN and "fork" in get_all_start_methods():
            pool = get_context("fork").Pool(workers, initializer=worker_signals)
            try:
                encoded = pool.map(_extract_encoded, work, chunksize=CHUNK)
                pool.close()  # idle workers leave on their own; terminate only on an error
            except BaseException:
                pool.terminate()
                raise
            finally:
                pool.join()
            found = [decode(value) for value in encoded]
        else:
            found = [extract(text, language) for text, language in work]
            encoded = [encode(f) for f in found]
        self._memo.update(zip(keys, found, strict=True))
        self._unsaved.extend(zip(keys, encoded, strict=True))

    def flush(self) -> None:
        if self._unsaved:
            self._cache.put_many(FEATURES_VERSION, self._unsaved)
            self._unsaved = []


_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_DOTTED_CALL = re.compile(r"\b([A-Za-z_]\w*\.[A-Za-z_]\w*)\s*\(")
_NO_STRINGS = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'')
_EMPTY: frozenset[str] = frozenset()


def calls_only(text: str, language: str | None) -> Features:
    """The cheap part of extract(): calls and size, for code compared only by its added lines."""
    code = _NO_STRINGS.sub('""', text)
    found = {c for c in _CALL.findall(code) if c.lower() not in KEYWORDS}
    dotted = set(_DOTTED_CALL.findall(code))
    acts = {canon for c in found | dotted if (canon := _CANONICAL.get(c))}
    if "@http" in acts:
        methods = {
            c.rsplit(".", 1)[-1].lower() for c in found | dotted if _CANONICAL.get(c) == "@http"
        }
        acts |= {f"@http.{m}" for m in (methods & {m.lower() for m in _METHODS} or {"get"})}
    calls = frozenset(found | dotted | acts)
    return Features(calls, _EMPTY, _EMPTY, frozenset(), len(code.split()))


@cache
def _token_code(token: str) -> int:
    return zlib.crc32(token.encode())


@cache
def _folded_words(identifier: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in split_identifier(identifier) if len(w) > 2)


# placeholders inside a string: f"{x}", `${x}`, "%s" / "%d" / "%v" / "%(name)s", "{0}"
_PLACEHOLDER = re.compile(r"\$\{[^{}]*\}|\{[^{}\s]*\}|%\(\w+\)[sdrf]|%[-+0-9.]*[sdvqrfx]")
# a string built by concatenation: "a/" + id + "/b" (operands: literals, names, calls)
_CONCAT = re.compile(
    r"""(?:"[^"\n]*"|'[^'\n]*'|[\w.$]+(?:\([^()\n]*\))?)"""
    r"""(?:\s*\+\s*(?:"[^"\n]*"|'[^'\n]*'|[\w.$]+(?:\([^()\n]*\))?))+"""
)
_QUOTED = re.compile(r"""^(["'])(.*)\1$""")
# what every concatenation _CONCAT reads has: a quote next to a `+` (a cheap test that
# spares the costly scan for most definitions, which build no string)
_JOINED = re.compile(r"""["']\s*\+|\+\s*["']""")


# a route that begins with a variable (`/{channel_id}/sessions`, registered on a channel
# router) is relative to where it is mounted: the variable's name is all it says about which
# resource it addresses (on agentscope, a channel's and a schedule's session listings were
# reported as one request made twice)
LEADING_VARIABLE = re.compile(r"^/\{[A-Za-z_]\w*\}(?=/)")


def endpoint(template: str) -> str | None:
    """The path a string addresses, whatever built it: `f"{base}/v2/refunds?{q}"`,
    `API + "/products/" + id + "/reviews"`, `fmt.Sprintf("%s/hosts/%s/health", ...)` and
    `` `/products/${id}/reviews` `` all give the same kind of key (`/products/{}/reviews`).
    None for strings that address no path."""
    lead = LEADING_VARIABLE.match(template.strip())
    key = _PLACEHOLDER.sub("{}", template.strip())
    if lead:
        key = lead.group(0) + key[len("/{}") :]
    key = key.split("?", 1)[0].split("#", 1)[0]
    key = re.sub(r"^(\{\})+", "", key)
    key = re.sub(r"(\{\})+", "{}", key).rstrip("/")
    if "://" in key:
        key = "/" + key.split("://", 1)[1].partition("/")[2]
    segments = [x for x in key.split("/") if x]
    if (
        len(segments) < 1
        or not key.startswith("/")
        or not any(x.isalpha() or "-" in x or "_" in x for x in segments if x != "{}")
    ):
        return None
    return key


def _concatenations(text: str) -> set[str]:
    """Endpoint keys of strings built with `+` out of literals and names."""
    found: set[str] = set()
    if not _JOINED.search(text):
        return found
    for m in _CONCAT.finditer(text):
        parts = re.split(r"\s*\+\s*", m.group(0))
        if not any(_QUOTED.match(x) for x in parts):
            continue
        built = "".join(q.group(2) if (q := _QUOTED.match(x)) else "{}" for x in parts)
        key = endpoint(built)
        if key is not None:
            found.add(key)
    return found


# a decorator or attribute line above a definition (`@click.option(`, `@router.get(`,
# `#[derive(`, `@Input()`): the framework's wrapping, not what the definition does
_DECORATOR_LINE = re.compile(r"[ \t]*(?:@[A-Za-z_]|#!?\[)")
_DROP_OPEN = str.maketrans("", "", "([{")
_DROP_CLOSE = str.maketrans("", "", ")]}")


def decorators(text: str) -> tuple[str, str]:
    """``text`` split into the decorators (or attributes) that open it and the rest. A
    decorator may span lines: it runs until its brackets close."""
    lines = text.split("\n")
    depth, end = 0, 0
    for i, line in enumerate(lines):
        if depth == 0 and not _DECORATOR_LINE.match(line):
            break
        code = _NO_STRINGS.sub('""', line)
        depth += (len(code) - len(code.translate(_DROP_OPEN))) - (
            len(code) - len(code.translate(_DROP_CLOSE))
        )
        depth = max(depth, 0)
        end = i + 1
    return "\n".join(lines[:end]), "\n".join(lines[end:])


def _literal(raw: str) -> str:
    """A string literal's text: quotes off, whitespace runs folded to one space."""
    return re.sub(r"\s+", " ", raw.strip("\"'`")).strip()


def _routes_of(head: str) -> set[str]:
    """What decorators say that is about the definition itself: the paths a route decorator
    names (`@router.get("/api/tasks/{id}")`); their options, flags and help texts are the
    framework's, shared by every command of a CLI."""
    found: set[str] = set()
    for m in _STRING.finditer(head):
        body = _literal(m.group(0))
        key = endpoint(body)
        if key is not None:
            found |= {body, key}
    return found


def extract(text: str, language: str | None) -> Features:
    """What the definition does. Its decorators are left out but for the routes they name:
    on reflex-dev/reflex, three click commands (deployments, VM types, providers) were
    reported as one because each carries `--loglevel` and `--json/--no-json` options."""
    head, body = decorators(text) if _DECORATOR_LINE.match(text) else ("", text)
    strings: set[str] = _routes_of(head) if head else set()
    text = body

    def keep_string(m: re.Match[str]) -> str:
        body = _literal(m.group(0))
        prose = body.count(" ") >= 3 and not _SQL.search(body)
        if body and len(body) < 200 and not prose:
            strings.add(body)
            key = endpoint(body)
            if key is not None and key != body:
                strings.add(key)  # the path it addresses, placeholders and query aside
        return ' "S" '

    source = _strip_comments(text, language) if language else text
    strings |= _concatenations(source)
    code = _STRING.sub(keep_string, source)
    tokens = _TOKEN.findall(code)
    calls: set[str] = set()
    identifiers: set[str] = set()
    norm: list[str] = []
    for i, tok in enumerate(tokens):
        first = tok[0]
        if first.isalpha() or first == "_":
            if tok.lower() in KEYWORDS and (i == 0 or tokens[i - 1] != "."):
                norm.append(tok)  # a keyword, unless it is a member's name (`http.get(`)
                continue
            identifiers.add(tok)
            norm.append("ID")
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            prev = tokens[i - 1] if i else ""
            if nxt == "(" and prev not in _DEFINERS:
                calls.add(tok)
                # dotted form: a.b.c(
                j = i
                dotted = [tok]
                while j >= 2 and tokens[j - 1] == "." and tokens[j - 2][:1].isalpha():
                    dotted.insert(0, tokens[j - 2])
                    j -= 2
                if len(dotted) > 1:
                    calls.add(".".join(dotted[-2:]))
        elif first.isdigit():
            norm.append("N")
        else:
            norm.append("S" if tok == '"' else tok)
    codes = [_token_code(t) for t in norm]
    # tuples of ints hash the same in every process (unlike str), so shingles are stable
    shingles = {
        hash((codes[i], codes[i + 1], codes[i + 2], codes[i + 3])) & 0xFFFFFFFF
        for i in range(max(0, len(codes) - 3))
    }
    words = {w for ident in identifiers for w in _folded_words(ident)}
    calls |= {canon for c in calls if (canon := _CANONICAL.get(c))}
    if "@http" in calls:
        # which request: the method a call names (axios.post) or a literal says ("POST")
        named = {c.rsplit(".", 1)[-1].lower() for c in calls if _CANONICAL.get(c) == "@http"}
        said = {s.lower() for s in strings if s in _METHODS}
        methods = (named | said) & {m.lower() for m in _METHODS} or {"get"}
        calls |= {f"@http.{m}" for m in methods}
    return Features(
        calls=frozenset(calls),
        strings=frozenset(strings),
        words=frozenset(words),
        shingles=frozenset(shingles),
        size=len(tokens),
    )


_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
# the same act through different libraries: an HTTP request, reading JSON, a regex
_CANONICAL: dict[str, str] = {
    **dict.fromkeys(
        [
            "requests.get",
            "requests.post",
            "requests.put",
            "requests.patch",
            "requests.delete",
            "requests.request",
            "httpx.get",
            "httpx.post",
            "httpx.put",
            "httpx.patch",
            "httpx.delete",
            "urlopen",
            "request.urlopen",
            "urllib.request.urlopen",
            "axios.get",
            "axios.post",
            "axios.put",
            "axios.patch",
            "axios.delete",
            "axios.request",
            "fetch",
            "http.Get",
            "http.Post",
            "http.NewRequest",
            "NewRequestWithContext",
            "client.Do",
            "session.get",
            "session.post",
            "session.put",
            "session.patch",
            # not `session.delete` nor `client.delete`: an ORM session and a cache client
            # delete too
            "client.get",
            "client.post",
            "client.put",
            "client.patch",
            "http.get",
            "http.post",
            "http.put",
            "http.patch",
            "http.delete",
        ],
        "@http",
    ),
    **dict.fromkeys(
        [
            "json.load",
            "json.loads",
            "JSON.parse",
            "json.Unmarshal",
            "json.NewDecoder",
            "Decode",
            "resp.json",
            "res.json",
            "response.json",
            "r.json",
        ],
        "@json",
    ),
    **dict.fromkeys(
        [
            "re.compile",
            "re.sub",
            "re.match",
            "re.search",
            "re.fullmatch",
            "regexp.MustCompile",
            "regexp.Compile",
            "RegExp",
        ],
        "@regex",
    ),
}


_PARAM_SPLIT = re.compile(r",(?![^\[\(\{<]*[\]\)\}>])")


HEADER_MAX_LINES = 1000  # a parameter list longer than this is not one anybody wrote
_TRAILING_COMMENT = re.compile(r"""\s(?:#|//)[^"'`]*$""")


def header(text: str) -> str:
    """A definition's header up to the end of its parameter list, joined on one line, for
    ``parameters``. Decorators, attributes and comment lines are left out, and so are
    comments at a line's end. A signature can run for dozens of lines with comments between
    its parameters: on browser-use, a `BrowserSession.__init__` overload took 60 lines,
    and #4155 adding one parameter to it read as removing all of them once its header was
    cut at 60."""
    head: list[str] = []
    depth = opened = 0
    decorator = 0  # open parentheses of a decorator running over several lines
    for line in text.splitlines()[:HEADER_MAX_LINES]:
        stripped = line.strip()
        if decorator > 0:
            # its message lines are not the header (on pipecat, a three-line
            # `@deprecated(...)` above `ui_job_group` read as its parameter list, so the
            # method seemed to lose every parameter)
            decorator += stripped.count("(") - stripped.count(")")
            continue
        if stripped.startswith("@"):
            decorator = max(0, stripped.count("(") - stripped.count(")"))
            continue
        if stripped.startswith(("#", "//")):
            continue
        stripped = _TRAILING_COMMENT.sub("", stripped)
        head.append(stripped)
        opened += stripped.count("(")
        depth += stripped.count("(") - stripped.count(")")
        if opened and depth <= 0:
            break
    return " ".join(head)


# docstrings and block comments, whole: what `code_lines` leaves out besides line comments
_LONG_STRING = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'')
_BLOCK_COMMENT = re.compile(r"/\*[\s\S]*?\*/")
_NOT_CODE = re.compile(f"{_LONG_STRING.pattern}|{_BLOCK_COMMENT.pattern}")
_CLOSERS = frozenset({"}", "};", ")", "});", "},", "]"})


def inner_lines(text: str, language: str | None) -> frozenset[int]:
    """The lines of ``text`` (0-based) wholly inside a string or comment that spans lines:
    a Python triple-quoted string (a docstring, a prompt), a C-family block comment. A
    branch that edits such a string adds lines that read as code on their own: on
    microsoft/autogen, the usage examples two team classes' docstrings gained
    (`AssistantAgent(...)`, `Console(...)`, `"TERMINATE"`) made them "the same thing"."""
    pattern = _LONG_STRING if language == "python" else _BLOCK_COMMENT
    inside: set[int] = set()
    for m in pattern.finditer(text):
        first = text.count("\n", 0, m.start())
        last = first + m.group(0).count("\n")
        inside.update(range(first + 1, last))
    return frozenset(inside)


def code_lines(text: str) -> list[str]:
    """A definition's lines of code below its header, stripped: no decorators, docstrings,
    comments or lone closing brackets. The header runs until its brackets close: a
    signature of one parameter per line is not code (on livekit/agents, a one-line
    `return ChunkedStream(...)` under a six-line signature)."""
    lines = text.split("\n")
    depth, end, decorator = 0, len(lines), False
    for i, line in enumerate(lines):
        if depth <= 0:
            decorator = line.lstrip().startswith("@")  # however long, it comes before
        depth += sum(line.count(c) for c in "([") - sum(line.count(c) for c in ")]")
        if depth <= 0 and not decorator:
            end = i  # the header's last line
            break
    body = _NOT_CODE.sub("", "\n".join(lines[end + 1 :]))
    return [
        t
        for line in body.splitlines()
        if (t := line.strip()) and not t.startswith(("#", "//", "@")) and t not in _CLOSERS
    ]


def parameters(signature: str, language: str | None = None) -> tuple[str, ...]:
    """Parameter names from a definition's first line (best effort, any C-like or Python syntax)."""
    m = re.search(r"\((.*)\)", signature)
    if not m:
        return ()
    names: list[str] = []
    for part in _PARAM_SPLIT.split(m.group(1)):
        part = part.split("=")[0].split(":")[0].strip().lstrip("*&").strip()
        if not part or part in ("self", "cls", "this", "/", "*"):
            continue
        words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", part)
        if words:
            # Python/TS: name first; Java/Dart/Go: type then name (Go: name then type)
            name_first = language in ("python", "go", "typescript", "tsx", "javascript", "rust")
            names.append(words[0] if name_first or len(words) == 1 else words[-1])
    return tuple(names)


_PY_BASES = re.compile(r"^\s*class\s+\w+\s*(?:\[[^\]]*\])?\s*\(([^)]*)\)\s*:", re.M)
_TS_EXTENDS = re.compile(r"\bclass\s+[\w$]+\s*(?:<[^{]*?>)?\s+extends\s+([\w$.]+)")
_TS_IMPLEMENTS = re.compile(r"\bclass\s+[^{]*?\bimplements\s+([\w$.,\s<>]+?)\s*\{")


def base_names(text: str) -> frozenset[str]:
    """The base classes (and, in TypeScript, the implemented interfaces) a class definition
    names, by their last dotted part: `class TTS(tts.TTS):` gives `TTS`. Keyword arguments
    (`metaclass=...`) and markers (``object``, ``ABC``, ``Generic``...) are left out."""
    found: list[str] = []
    m = _PY_BASES.search(text)
    if m:
        found = [b for b in m.group(1).split(",") if "=" not in b]
    else:
        for pattern in (_TS_EXTENDS, _TS_IMPLEMENTS):
            t = pattern.search(text)
            if t:
                found += re.sub(r"<[^>]*>", "", t.group(1)).split(",")
    names = (re.sub(r"\[.*", "", b).strip().rsplit(".", 1)[-1] for b in found)
    return frozenset(n for n in names if n and n not in _MARKERS)


# bases every kind of class takes: they say nothing of what a class is
_MARKERS = frozenset({"object", "ABC", "Generic", "Protocol"})
