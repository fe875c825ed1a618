"""The plan as markdown, rendered from ``templates/plan.md.j2``."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from idealize.output.plan_json import plan_to_dict
from idealize.types import Plan


@cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("idealize.output", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["loc"] = format_location
    env.filters["pct"] = lambda x: f"{round(float(x) * 100)}%"
    env.filters["mdcode"] = lambda s: "`" + str(s).replace("`", "'") + "`"
    return env


def format_location(loc: dict[str, Any]) -> str:
    where = loc["path"]
    if loc.get("start_line"):
        where += f":{loc['start_line']}"
        if loc.get("end_line") and loc["end_line"] != loc["start_line"]:
            where += f"-{loc['end_line']}"
    text = f"`{where}`"
    if loc.get("symbol"):
        text += f" `{loc['symbol']}`"
    if loc.get("branch"):
        text += f" ({loc['branch']})"
    return text


def to_markdown(plan: Plan, root: Path | None = None) -> str:
    data = plan_to_dict(plan, root)
    return _templates().get_template("plan.md.j2").render(plan=data)
