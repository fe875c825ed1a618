"""Model answer -> structured plan for one unit. Model output is untrusted input.

The answer format is one JSON object, defined once by the pydantic model ``Answer`` below:
the parser validates with it, and the JSON schema sent to providers with structured outputs
is generated from it (``answer_schema``), bounds included. The prompt describes the same
format in words (prompts/_shared/answer_format.j2).

**Structured path.** When the provider constrained the answer to the schema, the text is
read as it is: ``json.loads`` and validation. Strings and lists over the model's bounds are
cut to them (and the cut is listed); nothing else is repaired. Raw control characters inside
strings are accepted (``strict=False``) on every path: a grammar lets a small model write a
newline inside a string, and it is not worth failing a unit for.

**Repair layers**, for free text and for a structured answer that still does not validate,
each tested on its own:

1. the last fenced ```json block (or the whole text when it is bare JSON);
2. the longest balanced {...} object in the text;
3. relaxed JSON: comments, trailing commas, smart quotes, Python literals;
4. lenient fields: a string where a list belongs, synonyms for finding kinds and verdicts,
   unknown kinds and keys dropped.

Which path and layer succeeded is recorded; an answer no layer can read marks the unit
failed and its raw text stays in the run folder. Nothing an answer contains (size, depth,
types) raises out of ``parse_answer``.

One module on purpose: the answer schema, the parser with its repair layers and the
reconciliation with static findings share one pydantic model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from idealize.analyze.rules import kind_for
from idealize.llm.providers.schemas import inline
from idealize.types import Finding, FindingKind, Location, Verdict

AnswerPath = Literal["structured", "repaired"]
VerdictStatus = Literal["confirmed", "refuted", "amended"]
MAX_ANSWER_CHARS = 2_000_000  # ~500k tokens: more than any output cap; larger is hostile
# Characters per output token assumed when fitting the schema's bounds under --max-tokens:
# JSON punctuation and a small model's odd strings tokenise worse than prose (~4).
CHARS_PER_TOKEN = 3.0
SAFETY = 0.85


def _text(limit: int, description: str = "") -> Any:
    return Field(default="", max_length=limit, description=description or None)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", json_schema_serialization_defaults_required=True)


class AnswerLocation(_Strict):
    path: str = Field(max_length=200, description="a file path shown above")
    symbol: str = _text(120, "Class.method, or empty")
    branch: str = _text(120, "the branch it comes from, or empty")

    @field_validator("symbol", "branch", mode="before")
    @classmethod
    def _none_is_empty(cls, v: Any) -> Any:
        return "" if v is None else v


class AnswerVerdict(_Strict):
    """The model's judgement of a finding static analysis already reported."""

    finding: str = Field(max_length=24, description="the id of a static finding above, e.g. PHA-1")
    verdict: VerdictStatus
    reason: str = _text(400)

    @field_validator("verdict", mode="before")
    @classmethod
    def _word(cls, v: Any) -> Any:
        return verdict_for(v) or v if isinstance(v, str) else v


class AnswerFinding(_Strict):
    """Drift the model found that no static finding above covers."""

    kind: FindingKind
    title: str = _text(200)
    locations: list[AnswerLocation] = Field(default_factory=list, max_length=4)
    evidence: str = _text(400)
    confidence: float = Field(default=0.5, ge=0.0, le=1.0)

    @field_validator("kind", mode="before")
    @classmethod
    def _known_kind(cls, v: Any) -> Any:
        """A model's word for a kind (``duplication``) is read as the kind; an unknown word
        fails validation, and the lenient layer drops (and lists) that finding."""
        return kind_for(v) or v if isinstance(v, str) else v

    @field_validator("confidence", mode="before")
    @classmethod
    def _clamp(cls, v: Any) -> float:
        try:
            return min(1.0, max(0.0, float(v)))
        except (TypeError, ValueError, OverflowError):
            return 0.5


Line = Annotated[str, Field(max_length=300)]


class Answer(_Strict):
    ideal: str = _text(4000, "the excellent version of this code, in detail")
    verdicts: list[AnswerVerdict] = Field(default_factory=list, max_length=10)
    findings: list[AnswerFinding] = Field(default_factory=list, max_length=8)
    decision: str = _text(1000, "which version is canonical, what moves, what is deleted")
    steps: list[Line] = Field(default_factory=list, max_length=10)
    open_questions: list[Line] = Field(default_factory=list, max_length=5)
    agents_md: str = _text(800, "an addition to AGENTS.md naming the canonical pieces")


_VERDICT_WORDS: dict[str, VerdictStatus] = {
    "confirmed": "confirmed",
    "confirm": "confirmed",
    "confirms": "confirmed",
    "correct": "confirmed",
    "true": "confirmed",
    "yes": "confirmed",
    "agree": "confirmed",
    "refuted": "refuted",
    "refute": "refuted",
    "refutes": "refuted",
    "rejected": "refuted",
    "false": "refuted",
    "wrong": "refuted",
    "no": "refuted",
    "false_positive": "refuted",
    "amended": "amended",
    "amend": "amended",
    "partly": "amended",
    "partially": "amended",
}


def verdict_for(word: str) -> VerdictStatus | None:
    return _VERDICT_WORDS.get(word.strip().lower().replace(" ", "_"))


def base_schema() -> dict[str, Any]:
    """The answer's JSON schema, every key required, ``$ref``s inlined, bounds kept."""
    return inline(Answer.model_json_schema(mode="serialization"))


def answer_schema(max_tokens: int) -> dict[str, Any]:
    """The schema with its bounds tightened until the longest answer it allows fits in
    ``max_tokens``: a provider that enforces bounds as a grammar then always closes the
    JSON. Never looser than ``Answer``'s own bounds, so what it allows, the parser reads."""
    schema = base_schema()
    room = max_tokens * CHARS_PER_TOKEN * SAFETY
    for _ in range(30):
        worst = _worst(schema)
        if worst <= room:
            break
        if not _shrink(schema, max(0.3, room / worst)):
            break
    return schema


def _worst(node: Mapping[str, Any]) -> float:
    """Characters of the longest JSON text the schema allows (keys and punctuation included)."""
    kind = node.get("type")
    if "enum" in node:
        return max(len(json.dumps(v)) for v in node["enum"])
    if kind == "string":
        # escapes can double a character; bounded models seldom use them: count 1.1
        return 2 + 1.1 * float(node.get("maxLength", 2_000))
    if kind in ("number", "integer"):
        return 8
    if kind == "boolean":
        return 5
    if kind == "array":
        return 2 + float(node.get("maxItems", 20)) * (1 + _worst(node.get("items", {})))
    if kind == "object":
        props = node.get("properties", {})
        return 2 + sum(len(k) + 4 + _worst(v) for k, v in props.items())
    if "anyOf" in node:
        return max(_worst(n) for n in node["anyOf"])
    return 16


def _shrink(node: Any, factor: float) -> bool:
    """Scale every maxLength (not below 12) and maxItems (not below 1); False if nothing moved."""
    moved = False
    if isinstance(node, dict):
        for key, floor in (("maxLength", 12), ("maxItems", 1)):
            if key in node and node[key] > floor:
                node[key] = max(floor, int(node[key] * factor))
                moved = True
        for value in node.values():
            moved = _shrink(value, factor) or moved
    elif isinstance(node, list):
        for value in node:
            moved = _shrink(value, factor) or moved
    return moved


def clip(data: Any, schema: Mapping[str, Any], where: str = "") -> tuple[Any, list[str]]:
    """Strings and lists cut to the schema's bounds, with a note for each cut."""
    notes: list[str] = []
    kind = schema.get("type")
    if isinstance(data, str):
        # a JSON "\ud800" escape decodes to a lone surrogate, which UTF-8 cannot hold
        data = data.encode("utf-8", "replace").decode("utf-8")
        if kind == "string" and len(data) > schema.get("maxLength", 1e12):
            notes.append(f"{where or 'text'} cut to {schema['maxLength']} characters")
            return data[: schema["maxLength"]], notes
        return data, notes
    if kind == "array" and isinstance(data, list):
        limit = schema.get("maxItems")
        if limit is not None and len(data) > limit:
            notes.append(f"{where}: kept the first {limit} of {len(data)} items")
            data = data[:limit]
        out = []
        for i, item in enumerate(data):
            fixed, more = clip(item, schema.get("items", {}), f"{where}[{i}]")
            out.append(fixed)
            notes += more
        return out, notes
    if kind == "object" and isinstance(data, dict):
        props = schema.get("properties", {})
        out_obj = dict(data)
        for key, sub in props.items():
            if key in out_obj:
                out_obj[key], more = clip(out_obj[key], sub, f"{where}.{key}" if where else key)
                notes += more
        return out_obj, notes
    return data, notes


@dataclass(frozen=True)
class Parsed:
    answer: Answer | None
    layer: int | None  # which repair layer produced it (1 = as written)
    error: str | None
    dropped: tuple[str, ...] = ()
    path: AnswerPath | None = None  # "structured": read as the provider constrained it


_FENCE = re.compile(r"```(?:json|JSON)?\s*\n(.*?)```", re.S)


def layer1_fenced(text: str) -> str | None:
    blocks = _FENCE.findall(text)
    if blocks:
        return str(blocks[-1]).strip()
    stripped = text.strip()
    return stripped if stripped.startswith("{") else None


def layer2_braces(text: str) -> str | None:
    """The longest balanced {...} span, braces inside strings ignored. One pass over the
    text with a stack of open braces: linear however deep or unbalanced the text is."""
    best: tuple[int, int] | None = None
    opened: list[int] = []
    in_str = escape = False
    for i, ch in enumerate(text):
        if in_str:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch == "{":
            opened.append(i)
        elif ch == "}" and opened:
            start = opened.pop()
            if best is None or i + 1 - start > best[1] - best[0]:
                best = (start, i + 1)
    return text[best[0] : best[1]] if best else None


def layer3_relax(text: str) -> str:
    text = (
        text.replace("\u201c", '"')
        .replace("\u201d", '"')
        .replace("\u2018", "'")
        .replace("\u2019", "'")
    )
    out: list[str] = []
    i, in_str = 0, False
    while i < len(text):
        ch = text[i]
        if in_str:
            out.append(ch)
            if ch == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_str = False
            i += 1
            continue
        if ch == '"':
            in_str = True
            out.append(ch)
        elif text.startswith("//", i) or ch == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        else:
            out.append(ch)
        i += 1
    relaxed = "".join(out)
    relaxed = re.sub(r",\s*([}\]])", r"\1", relaxed)
    relaxed = re.sub(r"\bTrue\b", "true", relaxed)
    relaxed = re.sub(r"\bFalse\b", "false", relaxed)
    relaxed = re.sub(r"\bNone\b", "null", relaxed)
    return relaxed


def layer4_lenient(data: Any) -> tuple[dict[str, Any], list[str]]:
    dropped: list[str] = []
    if not isinstance(data, dict):
        raise ValueError("the answer is not a JSON object")
    fixed: dict[str, Any] = dict(data)
    for key in ("steps", "open_questions"):
        value = fixed.get(key)
        if isinstance(value, str):
            fixed[key] = [line.strip("-* \t") for line in value.splitlines() if line.strip()]
        elif isinstance(value, list):
            fixed[key] = [v if isinstance(v, str) else json.dumps(v) for v in value]
        elif value is not None:
            fixed[key] = []
    for key in ("ideal", "decision", "agents_md"):
        value = fixed.get(key)
        if isinstance(value, list):
            fixed[key] = "\n".join(str(v) for v in value)
        elif value is not None and not isinstance(value, str):
            fixed[key] = json.dumps(value)
    findings = []
    raw_findings = fixed.get("findings")
    for f in raw_findings if isinstance(raw_findings, list) else []:
        if not isinstance(f, dict):
            dropped.append(f"finding that is not an object: {str(f)[:80]}")
            continue
        kind = kind_for(str(f.get("kind", "")))
        if kind is None:
            dropped.append(f"finding of unknown kind {str(f.get('kind'))[:40]!r}")
            continue
        locations = f.get("locations") or []
        if isinstance(locations, dict):
            locations = [locations]
        evidence = f.get("evidence", "")
        if isinstance(evidence, list):
            evidence = "; ".join(str(e) for e in evidence)
        findings.append(
            {
                **f,
                "kind": kind,
                "evidence": evidence if isinstance(evidence, str) else json.dumps(evidence),
                "title": str(f.get("title") or ""),
                "locations": [
                    loc
                    for loc in (locations if isinstance(locations, list) else [])
                    if isinstance(loc, dict) and isinstance(loc.get("path"), str) and loc["path"]
                ],
            }
        )
    fixed["findings"] = findings
    verdicts = []
    raw_verdicts = fixed.get("verdicts")
    for v in raw_verdicts if isinstance(raw_verdicts, list) else []:
        word = verdict_for(str(v.get("verdict", ""))) if isinstance(v, dict) else None
        if not isinstance(v, dict) or word is None or not isinstance(v.get("finding"), str):
            dropped.append(f"verdict not understood: {str(v)[:80]}")
            continue
        verdicts.append({**v, "verdict": word, "reason": str(v.get("reason") or "")})
    fixed["verdicts"] = verdicts
    return fixed, dropped


def _validate(data: Any) -> tuple[Answer, list[str]]:
    clipped, notes = clip(data, base_schema())
    return Answer.model_validate(clipped), notes


def parse_answer(text: str, structured: bool = False) -> Parsed:
    """Read one answer. ``structured``: the provider constrained it to the schema."""
    if len(text) > MAX_ANSWER_CHARS:
        return Parsed(None, None, f"the answer is {len(text):,} characters long; not read")
    try:
        return _parse(text, structured)
    except RecursionError:
        return Parsed(None, None, "the answer is nested too deeply to read")


def _parse(text: str, structured: bool) -> Parsed:
    if structured:
        try:
            answer, notes = _validate(json.loads(text, strict=False))
            return Parsed(answer, 1, None, tuple(notes), "structured")
        except (json.JSONDecodeError, ValidationError, ValueError, TypeError):
            pass  # the repair layers below say what is wrong with it
    attempts: list[tuple[int, str | None]] = [(1, layer1_fenced(text)), (2, layer2_braces(text))]
    last_error = "no JSON object in the answer"
    for layer, candidate in attempts:
        if candidate is None:
            continue
        for relaxed, bump in ((candidate, 0), (layer3_relax(candidate), 1)):
            try:
                data = json.loads(relaxed, strict=False)
            except json.JSONDecodeError as exc:
                last_error = f"not valid JSON: {exc.msg} at line {exc.lineno}"
                continue
            used = max(layer, 3) if bump else layer
            try:
                answer, notes = _validate(data)
                return Parsed(answer, used, None, tuple(notes), "repaired")
            except (ValidationError, ValueError, TypeError):
                pass
            try:
                lenient, dropped = layer4_lenient(data)
                answer, notes = _validate(lenient)
                return Parsed(answer, 4, None, (*dropped, *notes), "repaired")
            except (ValidationError, ValueError, TypeError) as exc:
                last_error = f"does not match the answer format: {str(exc).splitlines()[0]}"
    return Parsed(None, None, last_error)


# ---------------------------------------------------------------------------------------------
# From an answer to findings: verdicts update static findings, new drift stands on its own


@dataclass(frozen=True)
class Reconciled:
    """What one unit's answer does to the plan's findings."""

    verdicts: dict[str, Verdict]  # static finding id -> the model's verdict
    new: tuple[Finding, ...]  # drift the model found that no static finding covers
    dropped: tuple[str, ...]


def _key(path: str, symbol: str | None) -> tuple[str, str]:
    return (path, (symbol or "").rsplit(".", 1)[-1])


def reconcile(
    answer: Answer, static: Sequence[Finding], known_paths: set[str], unit_id: str
) -> Reconciled:
    """Verdicts on the unit's static findings, and the model's own findings. A model finding
    of the same kind at the same places as a static finding is that finding confirmed, not a
    copy of it (one finding per issue)."""
    by_id = {f.id.upper(): f for f in static}
    verdicts: dict[str, Verdict] = {}
    dropped: list[str] = []
    for v in answer.verdicts:
        target = by_id.get(v.finding.strip().upper())
        if target is None:
            dropped.append(f"verdict on {v.finding!r}: not a static finding of this unit")
            continue
        if target.id in verdicts:
            dropped.append(f"second verdict on {target.id} ignored")
            continue
        verdicts[target.id] = Verdict(v.verdict, v.reason.strip(), unit_id)
    new: list[Finding] = []
    for n, f in enumerate(answer.findings, start=1):
        locations = []
        for loc in f.locations:
            path = loc.path.strip().lstrip("./")
            if path not in known_paths:
                dropped.append(f"finding {n}: location {loc.path!r} is not a file of this unit")
                continue
            locations.append(
                Location(path, loc.symbol or None, None, None, loc.branch or None, tree="branch")
            )
        if not locations:
            dropped.append(f"finding {n}: no location in this unit")
            continue
        places = {_key(loc.path, loc.symbol) for loc in locations}
        same = next(
            (
                s
                for s in static
                if s.kind == f.kind
                and places <= {_key(loc.path, loc.symbol) for loc in s.locations}
            ),
            None,
        )
        if same is not None:
            if same.id not in verdicts:
                reason = f.evidence.strip() or f.title.strip() or "the model reported it too"
                verdicts[same.id] = Verdict("confirmed", reason, unit_id)
            continue
        new.append(
            Finding(
                id=f"{unit_id}-M{len(new) + 1}",
                kind=f.kind,
                title=f.title.strip()[:300] or f.kind,
                confidence=f.confidence,
                source="model",
                locations=tuple(locations),
                evidence=(f.evidence.strip(),) if f.evidence.strip() else (),
                recommendation=answer.decision.strip()[:1000],
            )
        )
    return Reconciled(verdicts, tuple(new), tuple(dropped))


def model_findings(
    answer: Answer, known_paths: set[str], unit_id: str
) -> tuple[list[Finding], list[str]]:
    """The model's own findings, with locations checked against the unit's files."""
    result = reconcile(answer, (), known_paths, unit_id)
    return list(result.new), list(result.dropped)


def apply_verdicts(
    findings: Sequence[Finding], verdicts: Mapping[str, Verdict], new: Sequence[Finding]
) -> tuple[Finding, ...]:
    """The plan's findings after the model stage: each static finding carries its verdict, a
    refuted one drops below every other, the model's new findings follow the static ones
    they did not duplicate; ranks are renumbered from 1."""
    judged = [replace(f, verdict=verdicts.get(f.id, f.verdict)) for f in findings]
    everything = [*judged, *new]

    def refuted(f: Finding) -> bool:
        return f.verdict is not None and f.verdict.status == "refuted"

    order = sorted(
        range(len(everything)),
        key=lambda i: (
            refuted(everything[i]),
            everything[i].tier != "finding",
            everything[i].source == "model",
            everything[i].rank or 10**9,
            i,
        ),
    )
    ranked = list(everything)
    for rank, i in enumerate(order, start=1):
        ranked[i] = replace(everything[i], rank=rank)
    return tuple(ranked)
