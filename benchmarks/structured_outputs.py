"""Share of units whose answer comes back through the structured-output path, per sample,
with a real model behind an OpenAI-compatible server (CI: SmolLM2-135M under
llama-cpp-python on 127.0.0.1).

    python benchmarks/structured_outputs.py --url http://127.0.0.1:8765/v1
    python benchmarks/structured_outputs.py --url ... --variant idealized --landing squash
    python benchmarks/structured_outputs.py --url ... --no-baseline     # half the time

Every unit of every built-in sample is sent (no response cache). A unit counts as
*structured* when the provider constrained its answer with the answer schema and the text
was read as it came (``answer_path == "structured"``); *repaired* when only the repair
layers could read it; *failed* otherwise. The baseline, measured in the same run, sends the
same prompts without a schema (free text, repair layers only). The script exits 1 when a
sample is under the 90% bar.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from idealize.evaluate.samples import build_sample, cleanup_config, load_samples
from idealize.llm.providers import make_provider
from idealize.llm.providers.base import Completion, Pricing, Provider, Request
from idealize.pipeline import run

BAR = 0.9


class FreeText:
    """The same provider with the schema taken off every request: the baseline."""

    def __init__(self, inner: Provider) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.endpoint = inner.endpoint
        self.context_window = inner.context_window
        self.max_concurrency = inner.max_concurrency
        self.pricing: Pricing | None = inner.pricing

    def complete(self, request: Request) -> Completion:
        return self.inner.complete(replace(request, schema=None))


@dataclass
class Row:
    sample: str
    units: int
    structured: int
    repaired: int
    failed: int
    seconds: float
    layers: dict[int, int]

    @property
    def rate(self) -> float:
        return self.structured / self.units if self.units else 0.0


def measure(
    provider: Provider,
    variant: str,
    landing: str,
    max_tokens: int,
    work: Path,
    only: Sequence[str] = (),
) -> list[Row]:
    rows = []
    for sample in load_samples():
        if only and sample.name not in only:
            continue
        dest = work / f"{sample.name}-{landing}" / sample.name
        if not dest.exists():
            build_sample(sample, dest, landing)
        config = replace(
            cleanup_config(sample, landing, dest),
            variant=variant,
            max_tokens=max_tokens,
            use_cache=False,
            max_units=0,
            run_dir=work / "runs" / f"{sample.name}-{provider.__class__.__name__}",
        )
        start = time.perf_counter()
        plan = run(config, provider)
        seconds = time.perf_counter() - start
        reviews = [r for r in plan.reviews if r.cause != "max-units"]
        layers: dict[int, int] = {}
        for r in reviews:
            if r.answer_path == "repaired" and r.parse_layer is not None:
                layers[r.parse_layer] = layers.get(r.parse_layer, 0) + 1
        rows.append(
            Row(
                sample.name,
                len(reviews),
                sum(1 for r in reviews if r.answer_path == "structured"),
                sum(1 for r in reviews if r.answer_path == "repaired"),
                sum(1 for r in reviews if r.status == "failed"),
                seconds,
                layers,
            )
        )
        print(f"  {sample.name:<16} done in {seconds:.0f}s", file=sys.stderr, flush=True)
    return rows


def table(title: str, rows: list[Row]) -> None:
    print(f"\n{title}")
    print(
        f"{'sample':<16} {'units':>5} {'structured':>10} {'repaired':>9} {'failed':>6} {'rate':>6} {'s/unit':>7}"
    )
    for r in rows:
        layers = ", ".join(f"layer {k}: {v}" for k, v in sorted(r.layers.items()))
        print(
            f"{r.sample:<16} {r.units:>5} {r.structured:>10} {r.repaired:>9} {r.failed:>6} "
            f"{r.rate:>6.0%} {r.seconds / max(r.units, 1):>7.1f}"
            + (f"  ({layers})" if layers else "")
        )
    units = sum(r.units for r in rows)
    structured = sum(r.structured for r in rows)
    seconds = sum(r.seconds for r in rows)
    print(
        f"{'all':<16} {units:>5} {structured:>10} {sum(r.repaired for r in rows):>9} "
        f"{sum(r.failed for r in rows):>6} {structured / max(units, 1):>6.0%} {seconds / max(units, 1):>7.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8765/v1")
    parser.add_argument("--model", default="openai/smollm2")
    parser.add_argument("--variant", default="idealized-single")
    parser.add_argument("--landing", default="merge")
    parser.add_argument("--max-tokens", type=int, default=600)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--sample", action="append", default=[], help="only this sample (repeatable)"
    )
    parser.add_argument("--keep", type=Path, help="keep the run folders (raw answers) here")
    args = parser.parse_args()
    provider = make_provider(args.model, api_base=args.url)
    print(
        f"{args.model} at {args.url}, variant {args.variant}, landing {args.landing}, "
        f"max_tokens {args.max_tokens}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        print("structured outputs:", file=sys.stderr)
        rows = measure(provider, args.variant, args.landing, args.max_tokens, work, args.sample)
        base = None
        if not args.no_baseline:
            print("baseline (free text):", file=sys.stderr)
            base = measure(
                FreeText(provider), args.variant, args.landing, args.max_tokens, work, args.sample
            )
    table("With the answer schema (structured outputs):", rows)
    if base is not None:
        table("Baseline, same prompts without a schema (free text, repair layers only):", base)
        parsed = sum(r.structured + r.repaired for r in rows)
        parsed_base = sum(r.structured + r.repaired for r in base)
        units = sum(r.units for r in rows)
        t = sum(r.seconds for r in rows) / max(units, 1)
        t_base = sum(r.seconds for r in base) / max(units, 1)
        print(
            f"\nparsed at all: {parsed}/{units} with the schema vs {parsed_base}/{units} without; "
            f"time per unit {t:.1f}s vs {t_base:.1f}s (ratio {t / max(t_base, 1e-9):.2f})"
        )
    low = [r.sample for r in rows if r.rate < BAR]
    print(
        f"\n{'every sample' if not low else 'NOT every sample'} at or above {BAR:.0%} through the "
        f"structured path" + (f" (below: {', '.join(low)})" if low else "")
    )
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
