"""A baseline: today's findings, written once (``idealize baseline``) and committed, so later
runs report and gate on new findings only — as ruff, pylint and code scanning do.

Findings are keyed by ``Finding.fingerprint``: the kind and what the finding points at by
name (paths and symbols, or the text of a line found by text), never line numbers, so code
that moves keeps its fingerprint. The file is sorted and holds no dates, so re-writing an
unchanged baseline changes nothing in version control.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from idealize.analyze.engine import Analysis
from idealize.analyze.suppress import drop_findings
from idealize.errors import ConfigError, UsageError
from idealize.types import Finding, Plan, fingerprint

SCHEMA = "idealize.baseline/1"
DEFAULT_NAME = ".idealize-baseline.json"
NOTE_PREFIX = "Baseline"


def key(f: Finding) -> str:
    return f.fingerprint or fingerprint(f.kind, f.locations)


def to_text(findings: Sequence[Finding]) -> str:
    entries: dict[str, dict[str, Any]] = {}
    for f in findings:
        entries.setdefault(
            key(f),
            {
                "fingerprint": key(f),
                "kind": f.kind,
                "title": f.title,
                "where": sorted(
                    {
                        (loc.origin.path if loc.origin else loc.path)
                        + (f"::{loc.symbol}" if loc.symbol else "")
                        for loc in f.locations
                    }
                ),
            },
        )
    data = {"schema": SCHEMA, "findings": [entries[k] for k in sorted(entries)]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_baseline(path: Path, findings: Sequence[Finding]) -> int:
    """Write the baseline file; the number of findings in it."""
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "is a folder")
        path.write_text(to_text(findings), encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot write the baseline to {path}: {exc.strerror}", "pick a writable file"
        ) from exc
    return len({key(f) for f in findings})


def read_baseline(path: Path) -> frozenset[str]:
    """The fingerprints a baseline file holds; a damaged file is a ConfigError naming it."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"cannot read the baseline {path}: {exc.strerror}", "check the path"
        ) from exc
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ConfigError(
            f"{path} is not a baseline file: {(str(exc).splitlines() or ['unreadable'])[0][:200]}",
            "write it again with `idealize baseline`",
        ) from exc
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise ConfigError(
            f"{path} is not a baseline file (no schema {SCHEMA!r})",
            "write it again with `idealize baseline`",
        )
    items = data.get("findings")
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("fingerprint"), str) for i in items
    ):
        raise ConfigError(
            f"{path}: `findings` must be a list of objects with a fingerprint",
            "write it again with `idealize baseline`",
        )
    return frozenset(i["fingerprint"] for i in items)


def resolve_baseline(root: Path, setting: str | None, enabled: bool = True) -> Path | None:
    """The baseline a run uses: the one configured (``--baseline``, ``baseline =``), which
    must exist, else ``.idealize-baseline.json`` at the repository root when it exists."""
    if not enabled:
        return None
    if setting:
        path = root / setting
        if not path.is_file():
            raise UsageError(
                f"no baseline at {path}",
                "write one with `idealize baseline`, or run with --no-baseline",
            )
        return path
    default = root / DEFAULT_NAME
    return default if default.is_file() else None


def apply_baseline(
    plan: Plan, analysis: Analysis, path: Path, root: Path | None = None
) -> tuple[Plan, Analysis]:
    """Drop the findings the baseline knows; a note says how many of its findings remain."""
    known = read_baseline(path)
    drop = {f.id: "in the baseline" for f in plan.findings if key(f) in known}
    remaining = {key(f) for f in plan.findings if f.id in drop}
    plan, analysis = drop_findings(plan, analysis, drop)
    shown = path.name
    if root is not None:
        try:
            shown = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            shown = str(path)
    gone = len(known) - len(remaining)
    note = (
        f"{NOTE_PREFIX} {shown}: {len(remaining)} known finding(s) remain and are not reported; "
        f"{gone} of its {len(known)} are gone"
        + (" (run `idealize baseline` to drop them from it)." if gone else ".")
    )
    return replace(plan, notes=(*plan.notes, note)), analysis


def baseline_note(plan: Plan) -> str | None:
    """The note ``apply_baseline`` left in the plan, if any."""
    return next((n for n in plan.notes if n.startswith(f"{NOTE_PREFIX} ")), None)
