"""Model answer -> structured plan for one unit. Model output is untrusted input.

The answer format is one JSON object (documented in prompts/_shared/answer_format.j2),
validated with pydantic. Before giving up, the text goes through numbered repair layers,
each tested on its own:

1. the last fenced ```json block (or the whole text when it is bare JSON);
2. the outermost balanced {...} object in the text;
3. relaxed JSON: comments, trailing commas, smart quotes, Python literals;
4. lenient fields: a string where a list belongs, synonyms for finding kinds,
   unknown kinds and keys dropped.

Which layer succeeded is recorded; an answer no layer can read marks the unit failed and
its raw text stays in the run folder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from idealize.analyze.rules import kind_for
from idealize.types import FINDING_KINDS, Finding, Location


class AnswerLocation(BaseModel):
    model_config = ConfigDict(extra="ignore")
    path: str
    symbol: str | None = None
    branch: str | None = None


class AnswerFinding(BaseModel):
    model_config = ConfigDict(extra="ignore")
    kind: str
    title: str = ""
    locations: list[AnswerLocation] = Field(default_factory=list)
    evidence: str | list[str] = ""
    confidence: float = 0.5

    @field_validator("kind", mode="before")
    @classmethod
    def _known_kind(cls, v: Any) -> Any:
        """A model's word for a kind (``duplication``) is read as the kind; an unknown
        word stays, and the finding is dropped (and listed) later."""
        return kind_for(v) or v if isinstance(v, str) else v

    @field_validator("confidence", mode="before")
    @classmethod
    def _clamp(cls, v: Any) -> float:
        try:
            return min(1.0, max(0.0, float(v)))
        except (TypeError, ValueError):
            return 0.5


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    ideal: str = ""
    findings: list[AnswerFinding] = Field(default_factory=list)
    decision: str = ""
    steps: list[str] = Field(default_factory=list)
    open_questions: list[str] = Field(default_factory=list)
    agents_md: str = ""


@dataclass(frozen=True)
class Parsed:
    answer: Answer | None
    layer: int | None  # which repair layer produced it (1 = as written)
    error: str | None
    dropped: tuple[str, ...] = ()


_FENCE = re.compile(r"```(?:json|JSON)?\s*\n(.*?)```", re.S)


def layer1_fenced(text: str) -> str | None:
    blocks = _FENCE.findall(text)
    if blocks:
        return str(blocks[-1]).strip()
    stripped = text.strip()
    return stripped if stripped.startswith("{") else None


def layer2_braces(text: str) -> str | None:
    """The longest balanced {...} span, braces inside strings ignored."""
    best: str | None = None
    for start in [i for i, ch in enumerate(text) if ch == "{"]:
        depth, in_str, escape = 0, False, False
        for i in range(start, len(text)):
            ch = text[i]
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
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    span = text[start : i + 1]
                    if best is None or len(span) > len(best):
                        best = span
                    break
        if best is not None and start > 0 and len(best) > len(text) // 2:
            break
    return best


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
    for key in ("ideal", "decision", "agents_md"):
        value = fixed.get(key)
        if isinstance(value, list):
            fixed[key] = "\n".join(str(v) for v in value)
        elif value is not None and not isinstance(value, str):
            fixed[key] = json.dumps(value)
    findings = []
    for f in fixed.get("findings") or []:
        if not isinstance(f, dict):
            dropped.append(f"finding that is not an object: {str(f)[:80]}")
            continue
        kind = kind_for(str(f.get("kind", "")))
        if kind is None:
            dropped.append(f"finding of unknown kind {f.get('kind')!r}")
            continue
        locations = f.get("locations") or []
        if isinstance(locations, dict):
            locations = [locations]
        f = {
            **f,
            "kind": kind,
            "locations": [loc for loc in locations if isinstance(loc, dict) and loc.get("path")],
        }
        findings.append(f)
    fixed["findings"] = findings
    return fixed, dropped


def parse_answer(text: str) -> Parsed:
    attempts: list[tuple[int, str | None]] = [(1, layer1_fenced(text)), (2, layer2_braces(text))]
    last_error = "no JSON object in the answer"
    for layer, candidate in attempts:
        if candidate is None:
            continue
        for relaxed, bump in ((candidate, 0), (layer3_relax(candidate), 1)):
            try:
                data = json.loads(relaxed)
            except json.JSONDecodeError as exc:
                last_error = f"not valid JSON: {exc.msg} at line {exc.lineno}"
                continue
            used = max(layer, 3) if bump else layer
            try:
                return Parsed(Answer.model_validate(data), used, None)
            except ValidationError:
                pass
            try:
                lenient, dropped = layer4_lenient(data)
                return Parsed(Answer.model_validate(lenient), 4, None, tuple(dropped))
            except (ValidationError, ValueError) as exc:
                last_error = f"does not match the answer format: {str(exc).splitlines()[0]}"
    return Parsed(None, None, last_error)


def model_findings(
    answer: Answer, known_paths: set[str], unit_id: str
) -> tuple[list[Finding], list[str]]:
    """Findings the model reported, with locations checked against the files the unit covers."""
    found: list[Finding] = []
    dropped: list[str] = []
    for n, f in enumerate(answer.findings, start=1):
        if f.kind not in FINDING_KINDS:
            dropped.append(f"finding {n}: unknown kind {f.kind!r}")
            continue
        locations = []
        for loc in f.locations:
            path = loc.path.strip().lstrip("./")
            if path not in known_paths:
                dropped.append(f"finding {n}: location {loc.path!r} is not a file of this unit")
                continue
            locations.append(Location(path, loc.symbol, None, None, loc.branch))
        if not locations:
            dropped.append(f"finding {n}: no location in this unit")
            continue
        evidence = (
            f.evidence if isinstance(f.evidence, list) else [f.evidence] if f.evidence else []
        )
        found.append(
            Finding(
                id=f"{unit_id}-M{n}",
                kind=f.kind,
                title=f.title[:300] or f.kind,
                confidence=f.confidence,
                source="model",
                locations=tuple(locations),
                evidence=tuple(str(e)[:500] for e in evidence),
                recommendation=answer.decision[:1000],
            )
        )
    return found, dropped
