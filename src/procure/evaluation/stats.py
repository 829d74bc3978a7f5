"""Agreement among the members: Kendall's coefficient of concordance W, corrected for ties, and
its p-value by the chi-square approximation (chi2 = m (n - 1) W, n - 1 degrees of freedom).

The chi-square survival function is the regularized upper incomplete gamma function
Q(k/2, x/2), computed here (scipy is not a dependency) by its series below a + 1 and by its
continued fraction above (Numerical Recipes, 2nd ed., section 6.2), with math.lgamma."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def average_ranks(values: Sequence[float], decimals: int = 6) -> list[float]:
    """Rank 1 for the highest value; tied values (equal at `decimals`) share their mean rank."""
    keyed = [round(v, decimals) for v in values]
    order = sorted(range(len(keyed)), key=lambda i: -keyed[i])
    ranks = [0.0] * len(keyed)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and keyed[order[j + 1]] == keyed[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def kendall_w(scores: Sequence[Sequence[float]]) -> tuple[float, float, float, int]:
    """W, chi-square, p-value and degrees of freedom for m members (rows) scoring n bidders
    (columns). Raters that give every bidder the same score add ties, not information."""
    m = len(scores)
    n = len(scores[0]) if m else 0
    if m < 2 or n < 2:
        return math.nan, math.nan, math.nan, max(n - 1, 0)
    ranks = np.array([average_ranks(row) for row in scores])
    sums = ranks.sum(axis=0)
    s = float(((sums - sums.mean()) ** 2).sum())
    ties = 0.0
    for row in ranks:
        _, counts = np.unique(row, return_counts=True)
        ties += float((counts**3 - counts).sum())
    denominator = m * m * (n**3 - n) - m * ties
    if denominator <= 0:  # every member ties every bidder: nothing to agree on
        return math.nan, math.nan, math.nan, n - 1
    w = 12 * s / denominator
    chi2 = m * (n - 1) * w
    return w, chi2, chi2_sf(chi2, n - 1), n - 1


def chi2_sf(x: float, df: int) -> float:
    """P(X > x) for X chi-square with `df` degrees of freedom."""
    if x <= 0:
        return 1.0
    return _gammq(df / 2, x / 2)


def _gammq(a: float, x: float) -> float:
    """The regularized upper incomplete gamma function Q(a, x)."""
    if x < a + 1:
        return 1.0 - _gser(a, x)
    return _gcf(a, x)


def _gser(a: float, x: float) -> float:
    term = total = 1.0 / a
    ap = a
    for _ in range(10_000):
        ap += 1
        term *= x / ap
        total += term
        if abs(term) < abs(total) * 1e-16:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _gcf(a: float, x: float) -> float:
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h
