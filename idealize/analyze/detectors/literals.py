"""What a literal says about the code that holds it: the tables its SQL names, the routes
it spells or serves, and the literals that say how something is done (command-line flags,
HTTP's vocabulary, CSS classes), not what. Read by the duplicate detector; text in, facts
out, each cached per text."""

from __future__ import annotations

import re
from functools import lru_cache

from idealize.analyze.features import LEADING_VARIABLE

# `ON CONFLICT ... DO UPDATE SET`: an upsert's own clause, not a table (on vibe-kanban, two
# upserts of other tables shared the "table" `SET`)
_TABLE = re.compile(
    r"\b(?:FROM|JOIN|INTO|UPDATE)\s+(?!(?:SET|ONLY|LATERAL)\b)[\"`\[]?([A-Za-z_][\w.]*)"
)
_SQL_VERB = re.compile(r"\b(?:SELECT|INSERT|REPLACE|UPDATE|DELETE)\b")
_ROUTE = re.compile(r"^/[A-Za-z0-9_{}:.<>-]+(?:/[A-Za-z0-9_{}:.<>*-]*)*$")


# one entry per piece of a run, asked once per candidate pair it is in: sized for the
# 10,000 pieces of a 400-branch history (at 8,192 they evicted each other on every pair)
@lru_cache(maxsize=65536)
def tables_in(text: str) -> frozenset[str]:
    if not _SQL_VERB.search(text):
        return frozenset()
    return frozenset(m.group(1).lower() for m in _TABLE.finditer(text))


@lru_cache(maxsize=65536)
def routes_in(strings: frozenset[str]) -> frozenset[str]:
    """A route that only begins a longer one of the same piece is a fragment of it: on beads,
    `"/projects/" + path + "/issues"` and `... + "/milestones"` share `/projects` only."""
    routes = {_fold(s.rstrip("/")) for s in strings if s.count("/") >= 2 and _ROUTE.match(s)}
    return frozenset(r for r in routes if not any(o.startswith(r + "/") for o in routes))


def _fold(route: str) -> str:
    """Placeholders folded, but for a leading variable that names the resource."""
    lead = LEADING_VARIABLE.match(route)
    head = lead.group(0) if lead else ""
    return head + re.sub(r"\{[^}]*\}|<[^>]*>|:\w+", "{}", route[len(head) :])


# a route registered with a handler (`app.get("/x", ...)`, `router.post(`, Go's
# `HandleFunc("/x"`, gin's `r.GET(`, a `@app.get("/x")` decorator): the piece serves the
# path, it does not request it (clients are `axios`, `http`, `client`, `session`, ...)
_SERVES = (
    r"(?:\b(?:app|router|server|routes?|r|e|g|mux|fastify|bp|blueprint)\."
    r"(?:get|post|put|patch|delete|all|route|GET|POST|PUT|PATCH|DELETE|Get|Post|Put|Delete)"
    r"|\bHandleFunc|\bHandle)\s*\(\s*[\"'`]"
)


@lru_cache(maxsize=8192)
def serves(text: str, path: str) -> bool:
    """On mux, the server's `app.get("/auth/mux-governor/start", ...)` and the settings page
    fetching that URL were reported as one request made twice."""
    if path not in text:
        return False
    return re.search(_SERVES + re.escape(path), text) is not None


# a command-line flag (`--json`, `--limit=0`, `-tags`) or a struct tag (`json:"labels`);
# on eleven judged histories no finding told by such literals was TRUE (gastown: `bd show
# --json` readers, `bd init --prefix --quiet` wrappers, FALSE)
PROTOCOL = re.compile(r"^(?:--?[A-Za-z][\w-]*(?:=\S*)?|[a-z]+:\"[^\"]*\"?[\w,]*)$")


_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|`[^`]*`")


@lru_cache(maxsize=65536)
def string_words(text: str) -> frozenset[str]:
    return frozenset(
        w.lower() for m in _STRING.finditer(text) for w in re.findall(r"[A-Za-z]{2,}", m.group(0))
    )


# HTTP's and OAuth's own vocabulary: how any request is made, not which (on slopus/happy, the
# code exchanges of two different providers were told by `POST`, `Content-Type` and the
# grant type `authorization_code`)
HTTP_WORDS = frozenset(
    {
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "content-type",
        "accept",
        "authorization",
        "user-agent",
        "bearer",
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "text/plain",
        "text/html",
        # OAuth's grant types: every token exchange names one
        "authorization_code",
        "refresh_token",
        "client_credentials",
    }
)

# a class list: a `className`/`class` value, or the arguments of `cn(`, `clsx(`, ...
_CLASS_LIST = re.compile(
    r"\bclass(?:Name)?\s*=\s*\{?\s*(?:\"([^\"\n]*)\"|'([^'\n]*)'|`([^`]*)`)"
    r"|\b(?:cn|clsx|classNames|twMerge|cva)\(([^)]*)\)"
)
_CLASS_CALLS = ("cn", "clsx", "classNames", "twMerge", "cva")


@lru_cache(maxsize=65536)
def _class_lists(text: str) -> tuple[str, ...]:
    if "class" not in text and not any(f"{k}(" in text for k in _CLASS_CALLS):
        return ()
    return tuple(next(g for g in m.groups() if g is not None) for m in _CLASS_LIST.finditer(text))


# a styling option's value: `borderColor: 'gray'`, `borderStyle`, `textAlign`, `color`,
# `variant`
_STYLE_VALUE = re.compile(
    r"\b\w*(?:[Cc]olou?r|[Ss]tyle|[Aa]lign|[Vv]ariant)\s*[:=]\s*"
    r"(?:\"([^\"\n]*)\"|'([^'\n]*)'|`([^`]*)`)"
)


@lru_cache(maxsize=65536)
def _style_values(text: str) -> frozenset[str]:
    """The values a definition gives its styling options, read once per definition (one
    search per literal asked cost 3.5 s on claude-code-router)."""
    return frozenset(
        next(g for g in m.groups() if g is not None) for m in _STYLE_VALUE.finditer(text)
    )


def tested_value(text: str, literal: str) -> bool:
    """Is the literal a value the code tells apart: a case of a `switch` or `match`
    (`case 'error-json':`, Go's `case "a", "b":`) or one side of an equality test
    (`output.type === 'file'`)? Two functions over one union test its values by
    construction, whatever each maps them to: on vercel/ai, three converters of one
    tool-result union to three providers' formats (judged FALSE); on mux, two maps of a
    process status to other statuses (FALSE)."""
    if literal not in text:
        return False
    quoted = rf"(['\"`]){re.escape(literal)}\1"
    return (
        re.search(rf"\bcase\b[^:\n]*?{quoted}", text) is not None
        or re.search(rf"[!=]==?\s*{quoted}", text) is not None
        or re.search(rf"{quoted}\s*[!=]==?", text) is not None
    )


def styling(text: str, literal: str) -> bool:
    """Is the literal how something looks: a class list (a `className`/`class` value or an
    argument of `cn(`, `clsx(`, ...), or the value of a styling option (`borderColor:
    'gray'`, `borderStyle: 'round'`)? On vibe-kanban and mux, components that only look
    alike (a diff card and an accordion of diffs; four per-tool call views) were told by
    their Tailwind classes; on claude-task-master, two terminal panels of other content by
    their box's colour and border."""
    if literal not in text:
        return False
    if any(literal in c for c in _class_lists(text)):
        return True
    return literal in _style_values(text)
