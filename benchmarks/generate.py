"""Random but plausible benchmark instances: a scenario with N systems and a catalog of M vendors."""

from __future__ import annotations

import random
from typing import Any

from procure.inputs.scenario import Scenario
from procure.inputs.vendors import DEPLOYMENT_MODELS, Vendor

ARCHETYPES = ("infrastructure", "public_cloud", "telecom", "integrator", "specialist")


def vendors(count: int, seed: int, max_models: int = 4) -> list[Vendor]:
    """`count` bidders; each bids 1 to `max_models` deployment models (a province's bidders
    bid one or two: `max_models=2` keeps a 3,000-system tender within the model-size bound)."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        models = sorted(
            rng.sample(DEPLOYMENT_MODELS, rng.randint(1, max_models)), key=DEPLOYMENT_MODELS.index
        )
        layers = ["iaas"] + [x for x in ("paas", "saas", "security", "ops") if rng.random() < 0.6]
        factor = rng.uniform(0.9, 1.1)
        out.append(
            Vendor(
                id=f"v{i:03d}",
                name=f"Vendor {i}",
                archetype=rng.choice(ARCHETYPES),
                integrator=rng.random() < 0.4,
                layers=layers,
                models=models,
                mlps_max=rng.choice((3, 3, 4)),
                domestic_stack=rng.random() < 0.6,
                capacity_vcpu=rng.randint(20_000, 200_000),
                prices={
                    m: {
                        "vcpu": round(900 * factor * rng.uniform(0.95, 1.05)),
                        "memory_gb": round(120 * factor),
                        "storage_tb": round(2400 * factor),
                    }
                    for m in models
                },
                layer_prices={x: rng.randint(100, 160) for x in ("security", "ops") if x in layers},
                setup_cny=rng.randint(3, 20) * 100_000,
                scores={
                    c: rng.randint(60, 95)
                    for c in ("security", "flexibility", "scalability", "service")
                },
                assumption="random benchmark vendor",
            )
        )
    return out


def scenario(systems: int, vendor_list: list[Vendor], seed: int) -> Scenario:
    rng = random.Random(seed)
    items: list[dict[str, Any]] = []
    for i in range(systems):
        vcpu = rng.choice((32, 64, 128, 256, 512, 1024))
        items.append(
            {
                "name": f"System {i}",
                "id": f"s{i:04d}",
                "public_facing": rng.random() < 0.3,
                "sensitivity": rng.choice(("low", "medium", "medium", "high")),
                "mlps_level": rng.choice((2, 2, 3, 3, 3, 4)),
                "vcpu": vcpu,
                "memory_gb": vcpu * 4,
                "storage_tb": rng.randint(1, 50),
                "elasticity": rng.choice(("low", "medium", "high")),
                "legacy": rng.random() < 0.4,
                "layers": ["iaas"] + (["paas"] if rng.random() < 0.4 else []),
            }
        )
    total = sum(s["vcpu"] for s in items)
    return Scenario.model_validate(
        {
            "format": "procure/scenario@1",
            "name": f"benchmark {systems}x{len(vendor_list)}",
            "agency": {
                "name": "Benchmark bureau",
                "level": "province",
                "cloud_type": "integrated",
                "region": "east",
                "cloud_trust": "medium",
                "leadership": "senior",
                "tech_staff": 50,
                "annual_it_budget_cny": 5e8,
                "policy_pressure": "high",
                "data_sharing_need": "high",
                "public_expectation": "medium",
                "legacy_share": 0.4,
            },
            "systems": items,
            "criteria": {
                "weights": {"security": 0.35, "flexibility": 0.2, "scalability": 0.15, "cost": 0.3}
            },
            "procurement": {
                "contract_years": 3,
                "budget_cny": total * 6000.0,
                "min_vendors": 2,
                "max_vendors": 8,
                "max_vendor_share": 0.5,
                "domestic_stack": "preferred",
            },
            "vendors": [v.model_dump() for v in vendor_list],
        }
    )


ALL_LAYERS = ["iaas", "paas", "saas", "security", "ops"]


def province(systems: int, bidders: int, seed: int) -> tuple[Scenario, list[Vendor]]:
    """A province's tender (the scale the tool promises: 3,000 systems x 40 bidders): bidders
    bid one or two deployment models, and three of them are full-service integrators (MLPS 4,
    every layer), as the large provincial integrators are. Without them most generated
    tenders of this size have no award under the integrator rules."""
    catalog = vendors(bidders, seed, max_models=2)
    catalog[:3] = [
        v.model_copy(
            update={
                "integrator": True,
                "mlps_max": 4,
                "layers": ALL_LAYERS,
                "layer_prices": {"security": 100.0, "ops": 120.0},
            }
        )
        for v in catalog[:3]
    ]
    return scenario(systems, catalog, seed + 1), catalog


def capable(v: Vendor, **update: Any) -> Vendor:
    """A generated bidder able to serve anything (every layer and model, MLPS 4): a case
    built from such bidders is hard, not infeasible."""
    first = next(iter(v.prices.values()))
    return v.model_copy(
        update={
            "mlps_max": 4,
            "layers": ALL_LAYERS,
            "models": list(DEPLOYMENT_MODELS),
            "prices": {m: v.prices.get(m, first) for m in DEPLOYMENT_MODELS},
            "layer_prices": {"security": 100.0, "ops": 120.0},
            **update,
        }
    )


def with_budget(s: Scenario, budget: float) -> Scenario:
    return s.model_copy(
        update={"procurement": s.procurement.model_copy(update={"budget_cny": budget})}
    )
