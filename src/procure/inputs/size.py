"""The award model's size, estimated from the inputs before anything is built, and the bound
above which a tender is refused as bad input (exit 2) rather than left to run out of memory.

The estimate is an upper bound found without the deployment assessment: an option is a
(system, bidder, deployment model) that passes every rule known from the inputs alone
(exclusions, 信创 and the security assessment when required, the MLPS level, the layers and
the capacity); the assessment can only remove options. `procure validate` applies the same
bound, so a scenario it accepts is never refused for its size later.

The bound comes from measurement (benchmarks/run.py `size`): the memory of a solve grows with
the options (their costs and values, the matrix's columns and its HiGHS copies), and a model
at the bound was measured to peak at MEASURED_PEAK_MB in `procure optimize`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from procure.inputs.scenario import Scenario
from procure.inputs.vendors import Vendor

MAX_OPTIONS = 150_000  # eligible (system, bidder, model) options of one award model
MEASURED_PEAK_MB = 617  # `procure optimize` on generated 2000x43 (149,588 options), 2026-12-05


@dataclass(frozen=True)
class Size:
    """An upper bound on the award model's size."""

    options: int  # eligible (system, bidder, deployment model) triples: the model's columns
    pairs: int  # eligible (system, bidder) pairs: one link row each
    rows: int
    nonzeros: int

    @property
    def too_large(self) -> bool:
        return self.options > MAX_OPTIONS


def estimate(scenario: Scenario, vendors: list[Vendor]) -> Size:
    """The award model's size, bounded from above from the inputs alone (no assessment)."""
    p = scenario.procurement
    pool = [
        v
        for v in vendors
        if v.id not in p.exclude_vendors
        and (p.domestic_stack != "required" or v.domestic_stack)
        and (p.security_assessment != "required" or v.security_assessed)
    ]
    # systems with the same MLPS level and layers share their candidate bidders; within those,
    # capacity decides, so bidders sorted by capacity and a running count of models answer
    # each system with one bisection (2,000 systems x 500 bidders in milliseconds)
    groups: dict[tuple[int, frozenset[str]], tuple[list[int], list[int], list[int]]] = {}
    options = pairs = 0
    for s in scenario.systems:
        key = (s.mlps_level, frozenset(s.layers))
        if key not in groups:
            able = sorted(
                (v for v in pool if v.mlps_max >= s.mlps_level and key[1] <= set(v.layers)),
                key=lambda v: v.capacity_vcpu,
            )
            caps = [v.capacity_vcpu for v in able]
            models_after = [0] * (len(able) + 1)  # models of the bidders from i on
            for i in range(len(able) - 1, -1, -1):
                models_after[i] = models_after[i + 1] + len(able[i].models)
            groups[key] = (caps, models_after, [len(able)])
        caps, models_after, count = groups[key]
        first = bisect.bisect_left(caps, s.vcpu)  # bidders with room for the system
        options += models_after[first]
        pairs += count[0] - first
    vendor_rows = 8 * len(pool) + 2 * sum(len(v.layers) for v in pool)
    rows = len(scenario.systems) + pairs + vendor_rows + 16
    # each option sits in its assign, link, contract-value, fee, capacity, share and lead rows
    # (and a key row for an MLPS-4 system); each pair's link row holds its bidder too
    nonzeros = 8 * options + pairs + 4 * vendor_rows
    return Size(options=options, pairs=pairs, rows=rows, nonzeros=nonzeros)
