"""Options several commands share, declared once."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer


class PatchFormat(str, Enum):
    """What `patch check` prints: it has no plan, so no SARIF or HTML."""

    md = "md"
    json = "json"


ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="anthropic/MODEL, openai/MODEL, ollama/MODEL, or any litellm model string. Unset: offline.",
    ),
]
ApiBaseOpt = Annotated[
    str | None, typer.Option(help="Base URL of an OpenAI-compatible server.", metavar="URL")
]
FailOnOpt = Annotated[
    str | None,
    typer.Option(
        help="Exit 1 when findings of these kinds exist: KIND[,KIND] or all.", metavar="KINDS"
    ),
]
MinConfidenceOpt = Annotated[
    float | None, typer.Option(help="With --fail-on: only findings at least this confident (0-1).")
]
IntoOpt = Annotated[
    str | None,
    typer.Option(
        help="Target of --branch/--worktrees (default: the default branch).", metavar="REF"
    ),
]
FormatOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--format",
        "-f",
        help="md, json, sarif, html or github (annotations); several (md,sarif) are all written "
        "into --out, the first is printed.",
        metavar="FORMAT[,FORMAT]",
    ),
]
VariantOpt = Annotated[
    str | None,
    typer.Option(
        help="Prompt variant: idealized, idealized-single, critique, refactor, or your own."
    ),
]
PromptsOpt = Annotated[
    Path | None,
    typer.Option("--prompts", help="A folder of your own prompt variants.", metavar="DIR"),
]
BudgetOpt = Annotated[
    int | None,
    typer.Option(help="Prompt tokens per unit (default: from the model's context window)."),
]
MaxTokensOpt = Annotated[
    int | None, typer.Option(help="Output tokens per call (default 4096).", metavar="N")
]
MaxCostOpt = Annotated[
    float | None,
    typer.Option(help="Stop before spending more than this many US dollars.", metavar="USD"),
]
DryRunOpt = Annotated[
    bool, typer.Option(help="Render every prompt and estimate tokens and cost; call nothing.")
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        help="Also keep files matching this gitignore-style pattern out of the analysis and "
        "every prompt (repeatable; adds to exclude and extend-exclude).",
        metavar="PATTERN",
    ),
]
BaselineOpt = Annotated[
    str | None,
    typer.Option(
        help="Known findings not to report (default: .idealize-baseline.json when it exists).",
        metavar="FILE",
    ),
]
NoBaselineOpt = Annotated[
    bool, typer.Option("--no-baseline", help="Report every finding, the baseline's too.")
]
OfflineOpt = Annotated[bool, typer.Option(help="Static analysis only; no model.")]
PatchesOpt = Annotated[
    bool,
    typer.Option(
        help="Ask for edits that carry out each unit's plan, checked in a throwaway worktree."
    ),
]
VerifyOpt = Annotated[
    str | None,
    typer.Option(
        help="With --patches: the project's test command, run in the throwaway worktree.",
        metavar="CMD",
    ),
]
BatchOpt = Annotated[
    bool,
    typer.Option(
        help="Send the units through the provider's batch API (half price; may take hours)."
    ),
]
CandidatesOpt = Annotated[
    bool,
    typer.Option(
        "--candidates",
        help="Also show candidates: leads below the bar for a finding (markdown, SARIF, annotations).",
    ),
]
AllOpt = Annotated[
    bool, typer.Option("--all", help="Show every finding in markdown, not only the top 20.")
]
