"""The rule registry: one record per finding kind.

Everything idealize says about a kind lives here once: its id prefix (``DUP-3``), its SARIF
rule (name, description, help, level), the words a model may use for it, the detector that
finds it, and the detector's parameters (every threshold and weight with its reason). The
engine, the answer parser, SARIF output and ``--fail-on`` all read this table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from idealize.analyze.context import Context
from idealize.analyze.detectors import divergence, double_fix, duplicates, phantom
from idealize.analyze.params import override
from idealize.types import Finding, FindingKind


@dataclass(frozen=True)
class Rule:
    kind: FindingKind
    prefix: str  # finding ids: DUP-1, PHA-2, ...
    name: str  # SARIF rule name
    title: str  # one line: what the finding means
    help: str  # what to do about it (SARIF help, docs)
    level: Literal["error", "warning", "note"]  # SARIF default level
    synonyms: tuple[str, ...]  # words a model may use for this kind
    params: Any  # the detector's frozen parameters object (see analyze/params.py)
    detect: Callable[[Context, Any], list[Finding]]

    def run(self, ctx: Context, params: Any | None = None) -> list[Finding]:
        return self.detect(ctx, self.params if params is None else params)


RULES: tuple[Rule, ...] = (
    Rule(
        kind="duplicate",
        prefix="DUP",
        name="DuplicateImplementation",
        title="The same concept implemented again under another name",
        help=(
            "Two branches (or a branch and code already on the target) built the same thing. "
            "Keep one canonical implementation, move the callers to it and delete the copies; "
            "say in AGENTS.md which one is canonical so the next agent reuses it."
        ),
        level="warning",
        synonyms=("duplicate", "duplication", "duplicated", "duplicate_implementation", "copy"),
        params=duplicates.DuplicateParams(),
        detect=duplicates.detect,
    ),
    Rule(
        kind="divergence",
        prefix="DIV",
        name="Divergence",
        title="One branch replaces a mechanism that another extends",
        help=(
            "One branch moved callers off a mechanism (or simplified it away) while another "
            "extended it. Decide which mechanism stays and carry the other branch's additions "
            "over to it."
        ),
        level="warning",
        synonyms=("divergence", "divergent", "conflict", "diverging"),
        params=divergence.DivergenceParams(),
        detect=divergence.detect,
    ),
    Rule(
        kind="double_fix",
        prefix="FIX",
        name="DoubleFix",
        title="Two branches fix the same defect in two ways",
        help=(
            "Two branches fixed one defect: in place, or with a compensating wrapper or "
            "pre-filter. Keep the fix at the cause, cover its cases with a test, and drop the "
            "other."
        ),
        level="warning",
        synonyms=("double_fix", "duplicate_fix", "double-fix", "fixed_twice"),
        params=double_fix.DoubleFixParams(),
        detect=double_fix.detect,
    ),
    Rule(
        kind="phantom_dependency",
        prefix="PHA",
        name="PhantomDependency",
        title="Code uses something another branch removed or renamed",
        help=(
            "One branch removed or renamed a module, symbol or parameter while another branch "
            "added (or kept) a use of it. Merged, the code fails at import or call time. Move "
            "the uses to the replacement, or restore what was removed."
        ),
        level="error",
        synonyms=("phantom", "phantom_dependency", "broken_dependency", "missing_dependency"),
        params=phantom.PhantomParams(),
        detect=phantom.detect,
    ),
)

BY_KIND: Mapping[str, Rule] = {r.kind: r for r in RULES}


def rule(kind: str) -> Rule:
    return BY_KIND[kind]


def kind_for(word: str) -> FindingKind | None:
    """The kind a model's word names (``duplication`` -> duplicate), or None."""
    w = word.strip().lower().replace(" ", "_")
    for r in RULES:
        if w == r.kind or w in r.synonyms:
            return r.kind
    return None


def configured_params(overrides: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Each kind's parameters with the configuration's overrides applied
    (``[tool.idealize.rules.<kind>]``); an unknown kind or parameter is a ConfigError."""
    from idealize.errors import ConfigError

    unknown = set(overrides) - set(BY_KIND)
    if unknown:
        raise ConfigError(
            f"unknown rule {sorted(unknown)[0]!r} in [rules]", f"rules: {', '.join(BY_KIND)}"
        )
    return {r.kind: override(r.params, overrides.get(r.kind, {}), f"rules.{r.kind}") for r in RULES}
