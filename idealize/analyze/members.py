"""The members a type declares, read from its text: Go struct fields, TypeScript
interface, type and class properties and accessors, Python dataclass fields, attributes set
on ``self`` (also by name, ``setattr``) and properties. The phantom check asks which members
a type lost; the duplicate check asks whether two types of one name declare the same
members."""

from __future__ import annotations

import re

from idealize.repo.languages import family

# members declared in a type's body: Go struct fields, TS interface/type/class properties,
# Python dataclass fields and attributes set on self
# (one line may declare several fields of one type: on grafana/mcp-grafana, #1026 turned
# `agento11y bool` into `agento11y, assistant bool`, and `agento11y` was read as removed)
_GO_FIELD = re.compile(
    r"^\s*([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+[\w\[\]*.{}]+(\s+`[^`]*`)?\s*(//.*)?$", re.M
)
# (a class field may be declared by its initialiser alone: on cloudflare/agents, #1911 turned
# `private readonly _elicitationEnabled: boolean` into `private _elicitationEnabled = false`,
# and every use of the field was reported as broken)
_TS_FIELD = re.compile(
    r"^\s*(?:(?:readonly|public|private|protected|static|declare|override|accessor)\s+)*"
    r"([A-Za-z_$][\w$]*)[?!]?\s*(?::|=(?![=>])|;)",
    re.M,
)
# (one line each: `if self._ready:` ends a line, and no annotation runs on to a later `=`)
_PY_FIELD = re.compile(
    r"^[ \t]{4}([A-Za-z_]\w*)[ \t]*:[ \t]*\S|self\.([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=(?!=)", re.M
)
# accessors read like fields: `get total()` (TypeScript), `@property def total` (Python); on
# openai-agents-js, #1640 turned `RecordingModel.firstTurnArgs` into a getter and its
# readers were reported as phantoms
_TS_ACCESSOR = re.compile(
    r"^\s*(?:(?:public|private|protected|static|override)\s+)*(?:get|set)\s+([A-Za-z_$][\w$]*)\s*\(",
    re.M,
)
_PY_PROPERTY = re.compile(
    r"^[ \t]*@(?:property|cached_property|functools\.cached_property|[\w.]+\.setter)[ \t]*\n"
    r"(?:[ \t]*@.*\n)*[ \t]*(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)",
    re.M,
)
# an attribute set by its name declares it as much as `self.x = ...`: on reflex-dev/reflex,
# #6691 turned `self._self_field_name = field_name` into
# `proxy_setattr("_self_field_name", field_name)` (a bound `super().__setattr__`) and every
# reader of the attribute was reported as a phantom. Set on self or cls (`setattr(self, ...)`,
# `object.__setattr__(self, ...)`), through a bound setter (`super().__setattr__("x", ...)`,
# `proxy_setattr("x", ...)`), or, in TypeScript, `Object.defineProperty(this, "x", ...)`.
_PY_SET_BY_NAME = re.compile(
    r"(?:\bsetattr\(\s*(?:self|cls)\s*,\s*|__setattr__\(\s*(?:(?:self|cls)\s*,\s*)?"
    r"|\b[A-Za-z_]\w*_setattr\(\s*)[\"']([A-Za-z_]\w*)[\"']"
)
_TS_SET_BY_NAME = re.compile(
    r"\bObject\.defineProperty\(\s*this\s*,\s*[\"'`]([A-Za-z_$][\w$]*)[\"'`]"
)
TYPE_KINDS = frozenset({"class", "struct", "interface", "type"})


def members(text: str, language: str, nested: bool = True) -> set[str]:
    """``nested=False``: only what sits at the members' indentation (TypeScript)."""
    if "\n" in text:
        body = text.split("\n", 1)[1]
    else:  # a one-line type: `export type Req = { executor_profile_id: Id, };`
        body = "\n".join(re.split(r"[{},;]", text.split("{", 1)[1])) if "{" in text else ""
    if language == "go":
        return {n.strip() for m in _GO_FIELD.finditer(body) for n in m.group(1).split(",")}
    if family(language) == "typescript":
        if "\n" in text and not nested:
            body = member_level(body)
        found = (*_TS_FIELD.finditer(body), *_TS_ACCESSOR.finditer(body))
        return {m.group(1) for m in found} | set(_TS_SET_BY_NAME.findall(text))
    if language == "python":
        fields = {m.group(1) or m.group(2) for m in _PY_FIELD.finditer(body)}
        named = set(_PY_SET_BY_NAME.findall(body))
        return fields | named | {m.group(1) for m in _PY_PROPERTY.finditer(body)}
    return set()


def member_level(body: str) -> str:
    """The lines of a type's body at its members' indentation: a method's multi-line
    parameters (`filter: RecipientFilter`) and object keys inside it sit deeper, and are
    not members (on happy, a parameter was reported as a removed `EventRouter.filter`)."""
    # (closing lines, `}` or a schema's `});`, hold no member)
    lines = [x for x in body.splitlines() if x.strip(" \t)}];,")]
    if not lines:
        return ""
    indent = min(len(x) - len(x.lstrip()) for x in lines)
    return "\n".join(x for x in lines if len(x) - len(x.lstrip()) == indent)
