"""Records -> per-variant statistics, paired comparisons, markdown, results.json, HTML."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

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


def summarize(all_records: Sequence[CellRecord]) -> dict[str, Any]:
    """The report document (results.json): per-variant intervals and paired comparisons.
    Cells that failed with an error are listed apart and left out of every statistic."""
    errors = [{"cell": r.key, "error": r.error} for r in all_records if r.error]
    records = [r for r in all_records if not r.error]
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
    return {"variants": per, "comparisons": comparisons, "errors": errors}


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
    errors = summary.get("errors") or []
    if errors:
        lines.append("")
        lines.append(
            f"{len(errors)} cell(s) failed with an error and are left out of every figure above "
            "(a rerun tries them again):"
        )
        lines.extend(f"- {e['cell']}: {e['error']}" for e in errors)
    return "\n".join(lines) + "\n"


def html_report(summary: dict[str, Any], title: str) -> str:
    """One self-contained page: a chart of each variant's recall with its interval, and the tables."""
    rows = list(summary["variants"].items())
    width, row_h, left = 640, 34, 170
    bars = []
    for i, (v, s) in enumerate(rows):
        y = 30 + i * row_h
        r = s["recall"]
        if r["estimate"] is None:
            bars.append(
                f'<text x="{left}" y="{y + 16}" class="muted">no recall (no ground truth)</text>'
            )
        else:
            x = left + r["estimate"] * (width - left - 20)
            lo = left + r["low"] * (width - left - 20)
            hi = left + r["high"] * (width - left - 20)
            bars.append(
                f'<rect x="{left}" y="{y + 4}" width="{x - left:.1f}" height="16" fill="#c7d2fe"/>'
                f'<line x1="{lo:.1f}" x2="{hi:.1f}" y1="{y + 12}" y2="{y + 12}" stroke="#1e3a8a" stroke-width="2"/>'
                f'<line x1="{lo:.1f}" x2="{lo:.1f}" y1="{y + 6}" y2="{y + 18}" stroke="#1e3a8a"/>'
                f'<line x1="{hi:.1f}" x2="{hi:.1f}" y1="{y + 6}" y2="{y + 18}" stroke="#1e3a8a"/>'
            )
        bars.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end">{html.escape(v)}</text>')
    height = 40 + len(rows) * row_h
    axis = "".join(
        f'<text x="{left + t * (width - left - 20):.1f}" y="20" text-anchor="middle" class="muted">{t:.1f}</text>'
        for t in (0.0, 0.25, 0.5, 0.75, 1.0)
    )
    svg = f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="recall by variant">{axis}{"".join(bars)}</svg>'
    table = markdown(summary)
    embedded = json.dumps(summary).replace("</", "<\\/")  # raw text in <script>: "</" could end it
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:24px auto;padding:0 16px;color:#1d2330}}
.muted{{fill:#5b6475;color:#5b6475;font-size:12px}} pre{{background:#f4f5f8;padding:12px;overflow:auto;font-size:12px}}</style>
</head><body><h1>{html.escape(title)}</h1>
<p class="muted">Recall of the planted drift by the model's findings, per prompt variant: the bar is the mean, the whisker its 95% bootstrap interval.</p>
{svg}
<h2>Table</h2><pre>{html.escape(table)}</pre>
<script type="application/json" id="results">{embedded}</script>
</body></html>
"""


def write_results(
    out: Path, spec: dict[str, Any], records: Sequence[CellRecord], title: str
) -> str:
    """results.json and report.html in ``out``; returns the markdown summary."""
    summary = summarize(records)
    (out / "results.json").write_text(
        json.dumps({"config": spec, "cells": len(records), **summary}, indent=2) + "\n",
        encoding="utf-8",
    )
    (out / "report.html").write_text(html_report(summary, title), encoding="utf-8")
    return markdown(summary)
