"""Records -> per-variant statistics, paired comparisons, markdown, results.json, HTML."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from idealize.evaluate.runner import CellRecord
from idealize.evaluate.stats import (
    Interval,
    bootstrap_mean,
    mcnemar_exact,
    mean,
    paired_difference,
    verdict,
    wilson,
)


def _clean(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 4)


def _iv(i: Interval) -> dict[str, Any]:
    clean = _clean
    return {"estimate": clean(i.estimate), "low": clean(i.low), "high": clean(i.high), "n": i.n}


def summarize(records: Sequence[CellRecord]) -> dict[str, Any]:
    """The report document (results.json): per-variant intervals and paired comparisons."""
    variants = sorted({r.variant for r in records})
    per: dict[str, Any] = {}
    for v in variants:
        rs = [r for r in records if r.variant == v]
        scored = [r for r in rs if r.recall is not None]
        rubric = [float(r.rubric) for r in rs if r.rubric is not None]
        proposed = sum(r.patches for r in rs)
        applied = sum(r.patches_applied for r in rs)
        passed = sum(r.patches_passed for r in rs)
        per[v] = {
            "cells": len(rs),
            "recall": _iv(
                bootstrap_mean([float(r.recall) for r in scored if r.recall is not None])
            ),
            "precision": _iv(bootstrap_mean([r.precision for r in rs if r.precision is not None])),
            "all_planted_found": _iv(wilson(sum(1 for r in scored if r.found_all), len(scored))),
            "answers_parsed": _iv(wilson(sum(r.units_ok for r in rs), sum(r.units for r in rs))),
            "rubric": _iv(bootstrap_mean(rubric)) if rubric else None,
            "patches_applied": _iv(wilson(applied, proposed)) if proposed else None,
            "tests_pass_after_patches": _iv(wilson(passed, applied)) if applied else None,
            "plan_chars": round(mean([float(r.plan_chars) for r in rs]), 1),
            "input_tokens": sum(r.input_tokens for r in rs),
            "output_tokens": sum(r.output_tokens for r in rs),
            "cost_usd": round(sum(r.cost_usd for r in rs), 6),
            "latency_s": round(mean([r.latency_s for r in rs]), 3),
        }
    comparisons = []
    for a, b in combinations(variants, 2):
        index = {(r.case, r.model, r.epoch): r for r in records if r.variant == b}
        pairs = [
            (ra, index[(ra.case, ra.model, ra.epoch)])
            for ra in records
            if ra.variant == a and (ra.case, ra.model, ra.epoch) in index
        ]
        scored_pairs = [(x, y) for x, y in pairs if x.recall is not None and y.recall is not None]
        diff = paired_difference(
            [float(x.recall or 0.0) for x, _ in scored_pairs],
            [float(y.recall or 0.0) for _, y in scored_pairs],
        )
        only_a = sum(1 for x, y in scored_pairs if x.found_all and not y.found_all)
        only_b = sum(1 for x, y in scored_pairs if y.found_all and not x.found_all)
        p = mcnemar_exact(only_a, only_b)
        # the vote sits on the record that was compared with the base variant
        wins = {a: 0, b: 0}
        votes = 0
        for x, y in pairs:
            judged, other = (x, y) if x.pairwise_judged else (y, x)
            if judged.pairwise_judged and judged.pairwise_vs_base is not None:
                votes += 1
                wins[judged.variant if judged.pairwise_vs_base == 0 else other.variant] += 1
        comparisons.append(
            {
                "a": a,
                "b": b,
                "pairs": len(scored_pairs),
                "recall_difference": _iv(diff),
                "mcnemar_all_found": {"only_a": only_a, "only_b": only_b, "p_value": round(p, 4)},
                "pairwise_judge": {"votes": votes, "wins": wins} if votes else None,
                "verdict": verdict(diff, p),
            }
        )
    return {"variants": per, "comparisons": comparisons}


def _fmt(i: dict[str, Any] | None) -> str:
    if not i or i["estimate"] is None:
        return "—"
    return f"{i['estimate']:.2f} [{i['low']:.2f}, {i['high']:.2f}]"


def markdown(summary: dict[str, Any]) -> str:
    lines = [
        "| variant | cells | recall (95% CI) | precision | all planted found | answers parsed | rubric | patches applied | tests pass | tokens in/out | cost | latency |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for v, s in summary["variants"].items():
        lines.append(
            f"| {v} | {s['cells']} | {_fmt(s['recall'])} | {_fmt(s['precision'])} | {_fmt(s['all_planted_found'])} | "
            f"{_fmt(s['answers_parsed'])} | {_fmt(s['rubric'])} | {_fmt(s['patches_applied'])} | "
            f"{_fmt(s['tests_pass_after_patches'])} | {s['input_tokens']}/{s['output_tokens']} | "
            f"${s['cost_usd']:.4f} | {s['latency_s']:.1f}s |"
        )
    lines.append("")
    for c in summary["comparisons"]:
        lines.append(
            f"- {c['a']} vs {c['b']}: recall difference {_fmt(c['recall_difference'])} over {c['pairs']} paired cell(s); "
            f"exact McNemar on 'all planted found' p = {c['mcnemar_all_found']['p_value']}; "
            + (
                f"judge preferred {c['a']} {c['pairwise_judge']['wins'][c['a']]} and {c['b']} "
                f"{c['pairwise_judge']['wins'][c['b']]} time(s); "
                if c["pairwise_judge"]
                else ""
            )
            + f"{c['verdict']}."
        )
    return "\n".join(lines) + "\n"


TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _tick(t: float) -> str:
    """An axis label that says the value exactly: 0, 0.25, 0.5, 0.75, 1."""
    return f"{t:g}"


def _chart(rows: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Geometry of the recall chart: a bar per variant with its interval, ticks on 0..1."""
    width, row_h, left, right = 720, 34, 170, 24
    span = width - left - right

    def x(v: float) -> float:
        return round(left + v * span, 1)

    bars = []
    for i, (name, s) in enumerate(rows):
        y = 34 + i * row_h
        r = s["recall"]
        bars.append(
            {
                "name": name,
                "y": y,
                "value": r["estimate"],
                "x": x(r["estimate"]) if r["estimate"] is not None else None,
                "lo": x(r["low"]) if r["low"] is not None else None,
                "hi": x(r["high"]) if r["high"] is not None else None,
                "label": _fmt(r),
            }
        )
    return {
        "width": width,
        "height": 44 + len(rows) * row_h,
        "left": left,
        "ticks": [{"x": x(t), "label": _tick(t)} for t in TICKS],
        "bars": bars,
    }


def _cells(records: Sequence[CellRecord]) -> list[dict[str, Any]]:
    """Every cell with what it was scored on, in a stable order, for the drill-down."""
    ordered = sorted(records, key=lambda r: (r.case, r.model, r.epoch, r.variant))
    cells = []
    for n, r in enumerate(ordered, start=1):
        cells.append(
            {
                "id": f"cell-{n}",
                "case": r.case,
                "variant": r.variant,
                "model": r.model,
                "epoch": r.epoch,
                "record": r,
                "prompts": list(r.prompts),
                "responses": list(r.responses),
            }
        )
    return cells


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("idealize.evaluate", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def html_report(summary: dict[str, Any], title: str, records: Sequence[CellRecord] = ()) -> str:
    """One self-contained page: a chart of each variant's recall with its interval, a sortable
    table of every measure, the comparisons, and a drill-down per case and cell (the prompts
    sent, the answers, and how the cell was scored)."""
    rows = list(summary["variants"].items())
    cells = _cells(records)
    variants = [name for name, _ in rows]
    lines = sorted({(c["case"], c["model"], c["epoch"]) for c in cells})
    matrix = [
        {
            "case": case,
            "model": model,
            "epoch": epoch,
            "cells": [
                next(
                    (
                        c
                        for c in cells
                        if (c["case"], c["model"], c["epoch"], c["variant"])
                        == (case, model, epoch, v)
                    ),
                    None,
                )
                for v in variants
            ],
        }
        for case, model, epoch in lines
    ]
    embedded = json.dumps(summary).replace("</", "<\\/")  # raw text in <script>: "</" could end it
    return (
        _env()
        .get_template("eval.html.j2")
        .render(
            title=title,
            chart=_chart(rows),
            rows=rows,
            fmt=_fmt,
            comparisons=summary["comparisons"],
            variants=variants,
            matrix=matrix,
            cells=cells,
            embedded=Markup(embedded),
        )
    )


def write_results(
    out: Path, spec: dict[str, Any], records: Sequence[CellRecord], title: str
) -> str:
    """results.json and report.html in ``out``; returns the markdown summary."""
    summary = summarize(records)
    (out / "results.json").write_text(
        json.dumps({"config": spec, "cells": len(records), **summary}, indent=2) + "\n",
        encoding="utf-8",
    )
    (out / "report.html").write_text(html_report(summary, title, records), encoding="utf-8")
    return markdown(summary)
