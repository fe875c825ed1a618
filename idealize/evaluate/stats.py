"""Small, exact statistics for comparing variants on few cases.

- bootstrap percentile intervals for a mean, and for a paired mean difference;
- Wilson score intervals for rates;
- the exact McNemar test (a two-sided binomial test on the discordant pairs).
Seeded, so a report is reproducible.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float
    n: int


def mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs) if xs else math.nan


def bootstrap_mean(
    xs: Sequence[float], resamples: int = 2000, seed: int = 0, level: float = 0.95
) -> Interval:
    if not xs:
        return Interval(math.nan, math.nan, math.nan, 0)
    rng = random.Random(seed)
    n = len(xs)
    means = sorted(sum(xs[rng.randrange(n)] for _ in range(n)) / n for _ in range(resamples))
    lo = means[math.floor((1 - level) / 2 * resamples)]
    hi = means[min(resamples - 1, math.ceil((1 + level) / 2 * resamples) - 1)]
    return Interval(mean(xs), lo, hi, n)


def paired_difference(
    a: Sequence[float], b: Sequence[float], resamples: int = 2000, seed: int = 0
) -> Interval:
    """Mean of a[i] - b[i] over matched cells, with a bootstrap interval over the pairs."""
    if len(a) != len(b):
        raise ValueError("paired samples must have the same length")
    return bootstrap_mean([x - y for x, y in zip(a, b, strict=True)], resamples, seed)


def wilson(successes: int, n: int, z: float = Z95) -> Interval:
    if n == 0:
        return Interval(math.nan, 0.0, 1.0, 0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), n)


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact p-value from the discordant pairs (a right where b wrong, and back)."""
    n = only_a + only_b
    if n == 0:
        return 1.0
    k = min(only_a, only_b)
    tail = float(sum(math.comb(n, i) for i in range(k + 1))) / float(2**n)
    return min(1.0, 2.0 * tail)


def verdict(diff: Interval, p_value: float | None, min_pairs: int = 6) -> str:
    if diff.n < min_pairs:
        return f"too few paired cases ({diff.n}) to tell the variants apart"
    if diff.low <= 0 <= diff.high and (p_value is None or p_value >= 0.05):
        return "no detectable difference (the interval includes 0)"
    better = "first" if diff.estimate > 0 else "second"
    return f"the {better} variant scores higher (interval excludes 0)"
