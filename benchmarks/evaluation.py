"""Benchmark of issue #27: 30 bids x 9 members x 20 factors evaluated with every check, the
agreement statistics and the first-place safety analysis; target under 1 s. Prints, asserts
nothing. Run: .venv/bin/python benchmarks/evaluation.py [bids members factors]"""

from __future__ import annotations

import random
import statistics
import sys
import time
from typing import Any


def generated(bids: int, members: int, factors: int, seed: int = 27) -> dict[str, Any]:
    """A comprehensive-scoring evaluation: price weight 30%, the other 70 points split over
    `factors` factors (a third objective), scores around a bid's quality with member noise."""
    rng = random.Random(seed)
    points = 70 / factors
    lot = {
        "id": "lot1",
        "name": "generated lot",
        "price_weight": 0.30,
        "factors": [
            {
                "id": f"f{k}",
                "name": f"factor {k}",
                "max": points,
                "kind": "objective" if k % 3 == 0 else "subjective",
            }
            for k in range(factors)
        ],
    }
    offers = [
        {
            "id": f"b{i}",
            "name": f"bidder {i}",
            "price_cny": float(rng.randint(8_000_000, 12_000_000)),
            "size": rng.choice(["large", "medium", "small", "micro"]),
        }
        for i in range(bids)
    ]
    quality = {b["id"]: rng.uniform(0.4, 0.95) for b in offers}
    committee = [
        {"id": f"m{k}", "name": f"member {k}", "role": "expert" if k < members - 2 else "buyer"}
        for k in range(members)
    ]
    scores: dict[str, Any] = {}
    for m in committee:
        scores[m["id"]] = {}
        for b in offers:
            given = {}
            for f in lot["factors"]:
                if f["kind"] == "objective":
                    value = round(quality[b["id"]] * points, 1)
                else:
                    value = round(
                        min(points, max(0.0, rng.gauss(quality[b["id"]], 0.08) * points)), 1
                    )
                given[f["id"]] = value
            scores[m["id"]][b["id"]] = given
    return {
        "format": "procure/evaluation@1",
        "project": "generated",
        "procedure": "open_tender",
        "method": "comprehensive",
        "category": "services",
        "notice_date": "2025-09-15",
        "budget_cny": 12_000_000.0,
        "sme_deduction": 0.10,
        "lots": [lot],
        "bids": offers,
        "committee": committee,
        "scores": scores,
    }


def main(bids: int = 30, members: int = 9, factors: int = 20) -> None:
    from procure.evaluation.model import EvaluationFile
    from procure.evaluation.scoring import evaluate

    data = generated(bids, members, factors)
    ev = EvaluationFile.model_validate(data)
    evaluate(ev)  # warm: the knowledge base loads once
    times = []
    for _ in range(5):
        start = time.perf_counter()
        result = evaluate(ev)
        times.append(time.perf_counter() - start)
    lot = result.lots[0]
    import tempfile
    from pathlib import Path

    from procure.evaluation.model import load_evaluation
    from procure.inputs.yamlio import dump_yaml

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.yaml"
        path.write_text(dump_yaml(data), encoding="utf-8")
        start = time.perf_counter()
        evaluate(load_evaluation(path)[0])
        whole = time.perf_counter() - start
    print(
        f"evaluate {bids} bids x {members} members x {factors} factors, every check, W, "
        f"leave-one-out, safety: median {statistics.median(times):.3f} s over 5 "
        f"(target < 1 s); with reading and checking the YAML file {whole:.3f} s; "
        f"{len(result.findings)} findings, W = {lot.agreement.kendall_w if lot.agreement else None}"
    )


if __name__ == "__main__":
    main(*(int(x) for x in sys.argv[1:4]))
