"""A campaign's effect: the treated arm's conversion rate minus the holdout's, with a 95% interval.

The interval is Newcombe's hybrid score interval (Newcombe 1998, method 10), built from each arm's
Wilson score interval. Unlike Wald's it stays inside [-1, 1] and keeps close to 95% coverage for rare
conversions and small arms, which is what a studio's holdout usually is.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # the normal distribution's 97.5th percentile


@dataclass(frozen=True)
class Uplift:
    difference: float  # p_treated - p_holdout
    low: float
    high: float
    method: str = "Newcombe hybrid score, 95%"

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (trials > 0)."""
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def uplift(treated_converted: int, treated: int, holdout_converted: int, holdout: int, z: float = Z95) -> Uplift | None:
    """p_treated - p_holdout with Newcombe's interval; None while either arm is empty."""
    if treated <= 0 or holdout <= 0:
        return None
    p1, p2 = treated_converted / treated, holdout_converted / holdout
    l1, u1 = wilson(treated_converted, treated, z)
    l2, u2 = wilson(holdout_converted, holdout, z)
    d = p1 - p2
    return Uplift(d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))
