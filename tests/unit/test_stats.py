"""The eval statistics on fixed inputs, against values computed by hand."""

from __future__ import annotations

import math

import pytest

from idealize.evaluate.stats import (
    bootstrap_mean,
    mcnemar_exact,
    paired_difference,
    verdict,
    wilson,
)


def test_wilson_against_hand_computed_values() -> None:
    # p = 0.8, n = 10, z = 1.96: centre 0.7156, half-width 0.2266 -> [0.4902, 0.9433]
    w = wilson(8, 10)
    assert w.estimate == 0.8
    assert w.low == pytest.approx(0.4902, abs=1e-4) and w.high == pytest.approx(0.9433, abs=1e-4)
    # all successes: the upper bound is 1, the lower n/(n+z^2) = 5/(5+3.8415) = 0.5655
    w = wilson(5, 5)
    assert w.high == pytest.approx(1.0) and w.low == pytest.approx(0.5655, abs=1e-4)
    assert math.isnan(wilson(0, 0).estimate)


def test_mcnemar_exact_against_the_binomial() -> None:
    # 1 vs 6 discordant: 2 * P(X <= 1 | n=7, p=1/2) = 2 * (1 + 7) / 128 = 0.125
    assert mcnemar_exact(1, 6) == pytest.approx(0.125)
    # 0 vs 5: 2 / 32 = 0.0625; balanced counts: 1
    assert mcnemar_exact(0, 5) == pytest.approx(0.0625)
    assert mcnemar_exact(3, 3) == 1.0
    assert mcnemar_exact(0, 0) == 1.0


def test_bootstrap_mean() -> None:
    constant = bootstrap_mean([0.5] * 8)
    assert (constant.estimate, constant.low, constant.high) == (0.5, 0.5, 0.5)
    xs = [0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 0.5, 0.0]
    ci = bootstrap_mean(xs, seed=3)
    assert ci.estimate == pytest.approx(sum(xs) / len(xs))
    assert 0.0 <= ci.low < ci.estimate < ci.high <= 1.0
    assert bootstrap_mean(xs, seed=3) == ci  # seeded: reproducible


def test_paired_difference_and_verdicts() -> None:
    a = [1.0, 1.0, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0]
    b = [0.0, 0.5, 0.0, 0.0, 0.5, 0.0, 0.0, 0.5]
    d = paired_difference(a, b)
    assert d.estimate == pytest.approx((7.5 - 1.5) / 8)
    assert d.low > 0
    assert "first variant scores higher" in verdict(d, mcnemar_exact(0, 6))
    small = paired_difference(a[:3], b[:3])
    assert "too few" in verdict(small, None)
    same = paired_difference([0.5] * 8, [0.5] * 8)
    assert "no detectable difference" in verdict(same, 1.0)
    with pytest.raises(ValueError):
        paired_difference([1.0], [1.0, 2.0])
