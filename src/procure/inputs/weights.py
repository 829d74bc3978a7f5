"""Criteria weights: direct weights normalised, or AHP pairwise judgments (Saaty 1-9).

AHP: the weights are the normalised principal right eigenvector of the reciprocal judgment
matrix A; consistency index CI = (lambda_max - n) / (n - 1) and consistency ratio CR = CI / RI,
with Saaty's random index RI (Saaty 1980, "The Analytic Hierarchy Process", table 1.7:
n = 1..10 -> 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49). CR > 0.10 is refused.
Judgments left out are filled by the eigenvector of the incomplete matrix (Harker 1987), so a
partial set of judgments still gives weights.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel

from procure.errors import InputError, Problem
from procure.inputs.scenario import CRITERIA, Criteria

RANDOM_INDEX = (0.0, 0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)
RANDOM_INDEX_SOURCE = "Saaty (1980), The Analytic Hierarchy Process, random index table"
CR_LIMIT = 0.10


class AHPResult(BaseModel):
    """Weights from pairwise judgments, with the consistency figures."""

    weights: list[float]
    lambda_max: float
    ci: float
    cr: float
    random_index: float


class Weights(BaseModel):
    """Normalised criteria weights and how they were obtained."""

    weights: dict[str, float]
    method: str
    ahp: AHPResult | None = None


def ahp(matrix: Sequence[Sequence[float]]) -> AHPResult:
    """Principal-eigenvector weights and consistency of a full reciprocal matrix."""
    import numpy as np

    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    w = np.abs(vectors[:, k].real)
    w = w / w.sum()
    lam = float(values[k].real)
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = RANDOM_INDEX[n] if n < len(RANDOM_INDEX) else RANDOM_INDEX[-1]
    cr = ci / ri if ri > 0 else 0.0
    return AHPResult(weights=[float(x) for x in w], lambda_max=lam, ci=ci, cr=cr, random_index=ri)


def judgment_matrix(
    judgments: Sequence[tuple[str, str, float]], names: Sequence[str]
) -> list[list[float]]:
    """Build a reciprocal matrix; missing pairs follow Harker's method (diagonal counts them)."""
    n = len(names)
    idx: dict[str, int] = {c: i for i, c in enumerate(names)}
    a = [[0.0] * n for _ in range(n)]
    for x, y, v in judgments:
        i, j = idx[x], idx[y]
        a[i][j], a[j][i] = v, 1.0 / v
    for i in range(n):
        a[i][i] = 1.0 + sum(1 for j in range(n) if j != i and a[i][j] == 0.0)
    return a


def criteria_weights(criteria: Criteria) -> Weights:
    """Normalised weights over the four criteria; raises InputError on inconsistent AHP."""
    if criteria.weights is not None:
        total = sum(criteria.weights.values())
        return Weights(
            weights={c: criteria.weights.get(c, 0.0) / total for c in CRITERIA},
            method="direct weights, normalised to sum to 1",
        )
    judgments = criteria.ahp or []
    result = ahp(judgment_matrix(judgments, CRITERIA))
    if result.cr > CR_LIMIT:
        message, zh = _inconsistency_message(judgments, result)
        raise InputError([Problem("criteria", message, field="criteria.ahp", zh=zh)])
    return Weights(
        weights=dict(zip(CRITERIA, result.weights, strict=True)),
        method=f"AHP principal eigenvector, CR {result.cr:.3f} "
        f"(RI {result.random_index:.2f}, {RANDOM_INDEX_SOURCE})",
        ahp=result,
    )


def _inconsistency_message(
    judgments: Sequence[tuple[str, str, float]], result: AHPResult
) -> tuple[str, str]:
    """Name the judgment furthest from what the weights imply, and suggest a value."""
    idx: dict[str, int] = {c: i for i, c in enumerate(CRITERIA)}
    w = result.weights
    worst = max(judgments, key=lambda j: abs(math.log(j[2] * w[idx[j[1]]] / w[idx[j[0]]])))
    x, y, v = worst
    implied = w[idx[x]] / w[idx[y]]
    suggestion = _nearest_saaty(implied)
    return (
        f"AHP judgments are inconsistent: CR {result.cr:.3f} > {CR_LIMIT:.2f}. "
        f"The most inconsistent is [{x}, {y}, {v:g}]; the other judgments imply about "
        f"{implied:.2f}, so try {suggestion}",
        f"层次分析法判断不一致：一致性比率 {result.cr:.3f} > {CR_LIMIT:.2f}。"
        f"最不一致的是 [{x}, {y}, {v:g}]；其余判断隐含的比值约为 {implied:.2f}，"
        f"可改为 {suggestion}",
    )


def _nearest_saaty(value: float) -> str:
    """The Saaty scale value (1..9 or 1/9..1) nearest to `value` on a log scale."""
    scale = [float(k) for k in range(1, 10)] + [1.0 / k for k in range(2, 10)]
    best = min(scale, key=lambda s: abs(math.log(s / value)))
    return f"{best:g}" if best >= 1 else f"1/{round(1 / best)} ({best:.3f})"
