"""Plan -> GitHub Actions workflow commands (``--format github``): one annotation per finding
and location in the analysed tree, which GitHub shows on those lines of a pull request's
diff. Locations elsewhere (another branch, gone from HEAD) are named in the message; a
finding with none in this tree is counted in a closing notice.
"""

from __future__ import annotations

from idealize.analyze.rules import rule
from idealize.output.anchor import anchor_commit, head_name, present, provenance, where
from idealize.types import Plan

_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _data(text: str) -> str:
    """Escape a message as the runner expects (``%``, CR and LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    """Escape a property value: the message escapes, and ``:`` and ``,``."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(plan: Plan, checked_out: str | None = None) -> str:
    anchor = anchor_commit(plan, checked_out)
    lines: list[str] = []
    missing = []
    for f in plan.findings:
        here = [loc for loc in f.locations if present(loc, plan, anchor)]
        if not here:
            missing.append(f.id)
            continue
        level = _LEVEL[rule(f.kind).level]
        for loc in dict.fromkeys(here):
            others = [o for o in f.locations if o is not loc]
            also = "; ".join(
                f"{where(o)}"
                + (f" {o.symbol}" if o.symbol else "")
                + f" ({provenance(o, head_name(plan, anchor))})"
                for o in others
            )
            message = f"{f.title}. {f.recommendation}" + (f"\nAlso: {also}" if also else "")
            props = [f"file={_prop(loc.path)}", f"line={loc.start_line}"]
            if loc.end_line and loc.end_line > (loc.start_line or 0):
                props.append(f"endLine={loc.end_line}")
            title = f"{f.id} " + f.kind.replace("_", " ")
            props.append(f"title={_prop(title)}")
            lines.append(f"::{level} {','.join(props)}::{_data(message)}")
    if missing:
        lines.append(
            "::notice title=idealize::"
            + _data(
                f"{len(missing)} finding(s) have no location in this tree "
                f"({', '.join(missing)}); the plan (--format md or json) lists them"
            )
        )
    return "".join(line + "\n" for line in lines)
