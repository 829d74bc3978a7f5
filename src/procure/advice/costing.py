"""Resource-based cost estimates, used before (or without) an award."""

from __future__ import annotations

from statistics import median

from procure.inputs.scenario import System
from procure.inputs.vendors import Vendor


def unit_cost(system: System, vendor: Vendor, model: str) -> float:
    """Annual hosting cost of `system` at `vendor` under `model`, in CNY."""
    p = vendor.prices[model]  # type: ignore[index]
    return system.vcpu * p.vcpu + system.memory_gb * p.memory_gb + system.storage_tb * p.storage_tb


def annual_estimate(systems: list[System], models: dict[str, str], vendors: list[Vendor]) -> float:
    """Annual cost at the median catalog price for each system's model."""
    total = 0.0
    for s in systems:
        model = models[str(s.id)]
        offers = [unit_cost(s, v, model) for v in vendors if model in v.models]
        if offers:
            total += median(offers)
    return total
