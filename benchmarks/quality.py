"""Quality of the static engine on the samples' planted drift, next to two clone detectors.

    python benchmarks/quality.py [--no-peers]

For every sample and landing variant, idealize's findings are scored against the planted
list (precision and recall per kind). jscpd (npm) and pylint's duplicate-code check (PyPI)
are installed into this script's own temporary environments and run on the merged tree of
each sample's `merge` variant; they only know duplicates, so they are scored on the planted
duplicates: a planted item counts as found when one reported clone pair covers two of its
locations (file and line overlap), and a reported clone that covers no planted duplicate
is a false positive.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from idealize.config import Config
from idealize.evaluate.groundtruth import score, symbols_match
from idealize.evaluate.samples import Sample, build_sample, cleanup_config, load_samples
from idealize.pipeline import run
from idealize.repo.languages import language_of
from idealize.repo.symbols import parse_symbols

Span = tuple[str, int, int]  # path, first line, last line


def idealize_scores(work: Path) -> dict[str, list[int]]:
    """kind -> [true positives, false positives, false negatives] over all samples and variants."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for sample in load_samples():
        for variant in sample.variants:
            dest = work / f"{sample.name}-{variant}" / sample.name
            build_sample(sample, dest, variant)
            plan = run(cleanup_config(sample, variant, dest, use_cache=False))
            result = score(
                plan.findings, sample.planted, lambda b, s=sample, v=variant: s.label(b, v)
            )
            for kind, tp, fp, fn in result.by_kind:
                row = totals[kind]
                row[0] += tp
                row[1] += fp
                row[2] += fn
    return totals


def planted_spans(sample: Sample, tree: Path) -> list[tuple[str, list[Span]]]:
    """Planted duplicates with the line span of each location in the merged tree."""
    items = []
    for item in sample.planted:
        if item.kind != "duplicate":
            continue
        spans: list[Span] = []
        for loc in item.locations:
            source = (tree / loc.path).read_bytes()
            lang = language_of(loc.path) or ""
            for sym in parse_symbols(source, lang):
                if (
                    loc.symbol
                    and symbols_match(loc.symbol, sym.name)
                    and "." not in sym.name[len(loc.symbol) :]
                ):
                    spans.append((loc.path, sym.start_line, sym.end_line))
                    break
        items.append((item.id, spans))
    return items


def score_peer(
    pairs: list[tuple[Span, Span]], items: list[tuple[str, list[Span]]]
) -> tuple[int, int, int]:
    def hits(span: Span, target: Span) -> bool:
        return span[0] == target[0] and span[1] <= target[2] and target[1] <= span[2]

    found: set[str] = set()
    false_pos = 0
    for a, b in pairs:
        matched = False
        for item_id, spans in items:
            for i, s1 in enumerate(spans):
                for s2 in spans[i + 1 :]:
                    if (hits(a, s1) and hits(b, s2)) or (hits(a, s2) and hits(b, s1)):
                        found.add(item_id)
                        matched = True
        if not matched:
            false_pos += 1
    return len(found), false_pos, len(items) - len(found)


def run_jscpd(tool_dir: Path, tree: Path) -> list[tuple[Span, Span]]:
    out = tree.parent / "jscpd-report"
    subprocess.run(
        [
            str(tool_dir / "node_modules" / ".bin" / "jscpd"),
            "--silent",
            "--reporters",
            "json",
            "--output",
            str(out),
            "--ignore",
            "**/.git/**,**/.worktrees/**",
            str(tree),
        ],
        capture_output=True,
        check=False,
    )
    report = out / "jscpd-report.json"
    if not report.exists():
        return []
    data = json.loads(report.read_text())
    pairs = []
    for d in data.get("duplicates", []):
        a, b = d["firstFile"], d["secondFile"]
        pa = (
            os.path.relpath(a["name"], tree)
            if os.path.isabs(a["name"])
            else os.path.relpath(Path(a["name"]).resolve(), tree)
        )
        pb = (
            os.path.relpath(b["name"], tree)
            if os.path.isabs(b["name"])
            else os.path.relpath(Path(b["name"]).resolve(), tree)
        )
        pairs.append(((pa, a["start"], a["end"]), (pb, b["start"], b["end"])))
    return pairs


_PYLINT_BLOCK = re.compile(r"^==(?P<mod>[\w.]+):\[(?P<start>\d+):(?P<end>\d+)\]", re.M)


def run_pylint(python: Path, tree: Path) -> list[tuple[Span, Span]]:
    files = [
        str(p) for p in tree.rglob("*.py") if ".git" not in p.parts and ".worktrees" not in p.parts
    ]
    if not files:
        return []
    proc = subprocess.run(
        [str(python), "-m", "pylint", "--disable=all", "--enable=duplicate-code", *files],
        capture_output=True,
        text=True,
        cwd=tree,
        check=False,
    )
    pairs = []
    for block in proc.stdout.split("R0801")[1:]:
        spans = []
        for m in _PYLINT_BLOCK.finditer(block):
            path = m.group("mod").replace(".", "/") + ".py"
            if not (tree / path).exists() and (tree / path.replace("/py", ".py")).exists():
                path = path.replace("/py", ".py")
            spans.append((path, int(m.group("start")) + 1, int(m.group("end"))))
        pairs += [(spans[i], spans[j]) for i in range(len(spans)) for j in range(i + 1, len(spans))]
    return pairs


def install_peers(work: Path) -> tuple[Path | None, Path | None, list[str]]:
    notes: list[str] = []
    jscpd_dir: Path | None = work / "jscpd"
    assert jscpd_dir is not None
    jscpd_dir.mkdir()
    if shutil.which("npm"):
        proc = subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "jscpd"],
            cwd=jscpd_dir,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            notes.append(f"jscpd not installed: {proc.stderr.strip()[:200]}")
            jscpd_dir = None
    else:
        notes.append("jscpd not installed: npm is missing")
        jscpd_dir = None
    env_dir = work / "pylint-env"
    venv.create(env_dir, with_pip=True)
    python: Path | None = env_dir / "bin" / "python"
    assert python is not None
    proc = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "pylint"], capture_output=True, text=True
    )
    if proc.returncode != 0:
        notes.append(f"pylint not installed: {proc.stderr.strip()[:200]}")
        python = None
    return jscpd_dir, python, notes


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-peers", action="store_true", help="score idealize only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="idealize-quality-") as tmp:
        work = Path(tmp)
        totals = idealize_scores(work)
        print("idealize (static), all samples x all landing variants")
        print(f"{'kind':<20} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}")
        for kind in sorted(totals):
            tp, fp, fn = totals[kind]
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            print(f"{kind:<20} {tp:>4} {fp:>4} {fn:>4} {precision:>9.2f} {recall:>7.2f}")
        if args.no_peers:
            return 0
        jscpd_dir, pylint_python, notes = install_peers(work)
        rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for sample in load_samples():
            tree = work / f"{sample.name}-merge" / sample.name
            items = planted_spans(sample, tree)
            if jscpd_dir is not None:
                for i, v in enumerate(score_peer(run_jscpd(jscpd_dir, tree), items)):
                    rows["jscpd"][i] += v
            if pylint_python is not None:
                for i, v in enumerate(score_peer(run_pylint(pylint_python, tree), items)):
                    rows["pylint duplicate-code"][i] += v
        merge_only = idealize_merge_duplicates(work)
        rows["idealize"] = merge_only
        print()
        print("duplicates on the merged trees (merge variant), side by side")
        print(
            f"{'tool':<22} {'found':>5} {'false+':>6} {'missed':>6} {'precision':>9} {'recall':>7}"
        )
        for tool in ("idealize", "jscpd", "pylint duplicate-code"):
            if tool not in rows:
                continue
            tp, fp, fn = rows[tool]
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            print(f"{tool:<22} {tp:>5} {fp:>6} {fn:>6} {precision:>9.2f} {recall:>7.2f}")
        for note in notes:
            print(f"note: {note}")
    return 0


def idealize_merge_duplicates(work: Path) -> list[int]:
    row = [0, 0, 0]
    for sample in load_samples():
        dest = work / f"{sample.name}-merge" / sample.name
        plan = run(Config(repo=dest, since="sample-base", use_cache=False))
        dup_items = [p for p in sample.planted if p.kind == "duplicate"]
        result = score([f for f in plan.findings if f.kind == "duplicate"], dup_items)
        row[0] += len(result.found)
        row[1] += len(result.extra)
        row[2] += len(result.missed)
    return row


if __name__ == "__main__":
    raise SystemExit(main())
