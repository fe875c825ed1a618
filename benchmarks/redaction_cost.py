"""What secret redaction costs: detect-secrets on every text a prompt is built from.

    python benchmarks/redaction_cost.py

1. Text: every Python file of this repository (idealize/, tests/, benchmarks/), redacted as
   code blocks are - with no redaction (baseline), with our patterns only, and with our
   patterns plus detect-secrets; cold (a new Redactor) and warm (the same texts again, as
   when a code block's variants or a rendered prompt repeat its lines).
2. Packing: a dry run of every built-in sample (collect, analyse, pack, render, record) with
   the redactor switched off (baseline) and on; the ratio is the cost a user sees.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from idealize.evaluate.samples import build_sample, cleanup_config, load_samples
from idealize.llm.redact import Redactor
from idealize.pipeline import run

ROOT = Path(__file__).resolve().parents[1]


def _time(texts: list[tuple[str, str]], redact: Redactor | None) -> float:
    start = time.perf_counter()
    for path, text in texts:
        if redact is not None:
            redact(text, path)
    return time.perf_counter() - start


@contextmanager
def _off() -> Iterator[None]:
    with mock.patch.object(Redactor, "__call__", lambda self, text, filename="": text):
        yield


def texts() -> None:
    files = [p for d in ("idealize", "tests", "benchmarks") for p in (ROOT / d).rglob("*.py")]
    data = [(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8")) for p in files]
    lines = sum(t.count("\n") + 1 for _, t in data)
    Redactor()("warm up the imports: password = 'x'", "x.py")  # import cost not counted
    base = _time(data, None)
    patterns = Redactor(detect_secrets=False)
    own = _time(data, patterns)
    full = Redactor()
    cold = _time(data, full)
    warm = _time(data, full)
    per_k = 1000 / lines
    print(f"1. {len(data)} files, {lines:,} lines of this repository's Python")
    print(f"   {'no redaction (baseline)':<34} {base * 1000:8.1f} ms")
    print(
        f"   {'our patterns only':<34} {own * 1000:8.1f} ms   {own * 1000 * per_k:6.2f} ms / 1k lines"
    )
    print(
        f"   {'patterns + detect-secrets, cold':<34} {cold * 1000:8.1f} ms   {cold * 1000 * per_k:6.2f} ms / 1k lines"
        f"   ({cold / max(own, 1e-9):.1f}x our patterns)"
    )
    print(f"   {'patterns + detect-secrets, warm':<34} {warm * 1000:8.1f} ms   (lines seen before)")
    print(
        f"   secrets found: {dict(sorted(full.counts.items()))} (false positives: this is our own code)"
    )


def packing() -> None:
    print("2. dry runs of the samples (collect, analyse, pack, render), best of 3")
    with tempfile.TemporaryDirectory() as tmp:
        cases = []
        for sample in load_samples():
            for landing in sample.variants:
                dest = Path(tmp) / f"{sample.name}-{landing}" / sample.name
                build_sample(sample, dest, landing)
                cases.append((sample, landing, dest))

        def dry(n: int) -> tuple[float, int]:
            units = 0
            start = time.perf_counter()
            for sample, landing, dest in cases:
                config = replace(
                    cleanup_config(sample, landing, dest),
                    dry_run=True,
                    model="fake/demo",
                    run_dir=Path(tmp) / f"run-{n}-{sample.name}-{landing}",
                    cache_dir=Path(tmp) / "cache",
                )
                units += len(run(config).reviews)
            return time.perf_counter() - start, units

        dry(0)  # parse caches and imports warm for both
        with _off():
            base = min(dry(i)[0] for i in range(1, 4))
        timed = [dry(i) for i in range(4, 7)]
        full, units = min(t for t, _ in timed), timed[0][1]
    print(f"   {len(cases)} sample runs, {units} units")
    print(
        f"   {'redactor off (baseline)':<34} {base:6.2f} s   {base / units * 1000:6.1f} ms / unit"
    )
    print(
        f"   {'redactor on':<34} {full:6.2f} s   {full / units * 1000:6.1f} ms / unit"
        f"   (ratio {full / base:.2f})"
    )


if __name__ == "__main__":
    texts()
    packing()
