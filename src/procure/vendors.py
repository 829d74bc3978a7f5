"""Vendor catalogs (`procure/vendors@1`): the model of a bidder and the built-in catalog."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DeploymentModel = Literal["private", "dedicated", "public", "hybrid"]
DEPLOYMENT_MODELS: tuple[DeploymentModel, ...] = ("private", "dedicated", "public", "hybrid")
ServiceLayer = Literal["iaas", "paas", "saas"]
VendorLayer = Literal["iaas", "paas", "saas", "security", "ops"]
Archetype = Literal["infrastructure", "public_cloud", "telecom", "integrator", "specialist"]
Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]

BUILTIN_CATALOG = Path(__file__).parent / "knowledge" / "vendors.yaml"


class Strict(BaseModel):
    """Base for input models: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitPrices(Strict):
    """Price per unit-year in CNY."""

    vcpu: float = Field(ge=0, description="CNY per vCPU-year")
    memory_gb: float = Field(ge=0, description="CNY per GB-year of memory")
    storage_tb: float = Field(ge=0, description="CNY per TB-year of storage")


class VendorScores(Strict):
    """Bid-evaluation scores, 0-100."""

    security: float = Field(ge=0, le=100)
    flexibility: float = Field(ge=0, le=100)
    scalability: float = Field(ge=0, le=100)
    service: float = Field(ge=0, le=100)


class Vendor(Strict):
    """One bidder: what it can supply, at what price, how well it scored."""

    id: Identifier
    name: str = Field(min_length=1)
    archetype: Archetype
    integrator: bool = Field(False, description="may act as general integrator (总集成商)")
    layers: list[VendorLayer] = Field(min_length=1)
    models: list[DeploymentModel] = Field(min_length=1)
    mlps_max: int = Field(ge=1, le=4, description="highest MLPS (等保) level certified")
    domestic_stack: bool = Field(description="full 信创 (domestic) stack")
    local_presence: bool = False
    capacity_vcpu: int = Field(gt=0)
    prices: dict[DeploymentModel, UnitPrices]
    layer_prices: dict[Literal["security", "ops"], float] = Field(
        default_factory=dict, description="CNY per covered vCPU-year for the cross-cutting layers"
    )
    setup_cny: float = Field(0, ge=0, description="one-off setup fee if awarded anything")
    scores: VendorScores
    price_uncertainty: float = Field(
        0.0, ge=0, le=0.5, description="+/- fraction of the prices, for robustness analysis"
    )
    score_uncertainty: float = Field(
        0.0, ge=0, le=50, description="+/- points of the scores, for robustness analysis"
    )
    source: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _prices_cover_models(self) -> Vendor:
        missing = [m for m in self.models if m not in self.prices]
        if missing:
            raise ValueError(
                f"prices missing for deployment model(s) {', '.join(missing)}; "
                "give vcpu, memory_gb and storage_tb for each model in `models`"
            )
        unpriced = [
            x for x in ("security", "ops") if x in self.layers and x not in self.layer_prices
        ]
        if unpriced:
            raise ValueError(
                f"layer_prices missing for {', '.join(unpriced)}: give CNY per "
                "covered vCPU-year for each cross-cutting layer the vendor offers"
            )
        if not self.source and not self.assumption:
            raise ValueError(
                "give `source:` (where the figures come from) or `assumption:` "
                "(why they are illustrative)"
            )
        return self


class VendorFile(Strict):
    """A vendor catalog file."""

    format: Literal["procure/vendors@1"]
    vendors: list[Vendor] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> VendorFile:
        seen: set[str] = set()
        for v in self.vendors:
            if v.id in seen:
                raise ValueError(f"vendor id '{v.id}' appears twice; ids must be unique")
            seen.add(v.id)
        return self


def load_vendor_file(path: Path) -> VendorFile:
    """Load and validate a vendor catalog, with file:line errors."""
    from procure.scenario import validate_located
    from procure.yamlio import read_yaml

    return validate_located(VendorFile, read_yaml(path))


@cache
def builtin_catalog() -> VendorFile:
    """The built-in illustrative catalog of archetype vendors."""
    return load_vendor_file(BUILTIN_CATALOG)


def catalog_for(vendors: str | list[Vendor], base_dir: Path) -> list[Vendor]:
    """The vendors a scenario names: the built-in catalog, a file beside it, or an inline list."""
    if isinstance(vendors, list):
        return vendors
    if vendors == "default":
        return builtin_catalog().vendors
    return load_vendor_file(base_dir / vendors).vendors
