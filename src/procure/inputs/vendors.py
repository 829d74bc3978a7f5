"""Vendor catalogs (`procure/vendors@1`): the model of a bidder and the built-in catalog."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from procure.errors import FieldError, InputError, Problem, excerpt

DeploymentModel = Literal["private", "dedicated", "public", "hybrid"]
DEPLOYMENT_MODELS: tuple[DeploymentModel, ...] = ("private", "dedicated", "public", "hybrid")
ServiceLayer = Literal["iaas", "paas", "saas"]
VendorLayer = Literal["iaas", "paas", "saas", "security", "ops"]
Archetype = Literal["infrastructure", "public_cloud", "telecom", "integrator", "specialist"]
Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]

# Upper bounds on every number a user gives: far beyond any real government cloud, yet small
# enough that sums and products stay exact in floating point and inside the solver's range.
MAX_MONEY_CNY = 1e13  # ten trillion CNY: more than any procurement budget
MAX_UNIT_PRICE_CNY = 1e8  # per unit-year
MAX_VCPU = 1e7
MAX_MEMORY_GB = 1e8
MAX_STORAGE_TB = 1e7
MAX_COUNT = 1000  # vendors to award, staff in thousands, ...
MAX_VENDORS = 500  # bidders in one catalog
MAX_NAME = 200  # characters of a name: a long official title fits; a page of text does not
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
Money = Annotated[float, Field(ge=0, le=MAX_MONEY_CNY)]

BUILTIN_CATALOG = Path(__file__).parents[1] / "knowledge" / "vendors.yaml"


class Strict(BaseModel):
    """Base for input models: unknown keys are errors."""

    # strict: a quoted number ("0.3") is refused, as the JSON Schema refuses it
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class UnitPrices(Strict):
    """Price per unit-year in CNY."""

    vcpu: float = Field(ge=0, le=MAX_UNIT_PRICE_CNY, description="CNY per vCPU-year")
    memory_gb: float = Field(ge=0, le=MAX_UNIT_PRICE_CNY, description="CNY per GB-year of memory")
    storage_tb: float = Field(ge=0, le=MAX_UNIT_PRICE_CNY, description="CNY per TB-year of storage")

    def scaled(self, factor: float) -> UnitPrices:
        """Every unit price times `factor`."""
        return self.model_copy(
            update={
                "vcpu": self.vcpu * factor,
                "memory_gb": self.memory_gb * factor,
                "storage_tb": self.storage_tb * factor,
            }
        )


class VendorScores(Strict):
    """Bid-evaluation scores, 0-100."""

    security: float = Field(ge=0, le=100)
    flexibility: float = Field(ge=0, le=100)
    scalability: float = Field(ge=0, le=100)
    service: float = Field(ge=0, le=100)


class Vendor(Strict):
    """One bidder: what it can supply, at what price, how well it scored."""

    id: Identifier
    name: Name
    name_zh: Name | None = Field(None, description="the name in Chinese, for Chinese briefs")
    archetype: Archetype
    integrator: bool = Field(False, description="may act as general integrator (总集成商)")
    layers: list[VendorLayer] = Field(min_length=1)
    models: list[DeploymentModel] = Field(min_length=1)
    mlps_max: int = Field(ge=1, le=4, description="highest MLPS (等保) level certified")
    domestic_stack: bool = Field(description="full 信创 (domestic) stack")
    local_presence: bool = False
    capacity_vcpu: int = Field(gt=0, le=int(MAX_VCPU))
    prices: dict[DeploymentModel, UnitPrices]
    layer_prices: dict[
        Literal["security", "ops"], Annotated[float, Field(ge=0, le=MAX_UNIT_PRICE_CNY)]
    ] = Field(
        default_factory=dict, description="CNY per covered vCPU-year for the cross-cutting layers"
    )
    setup_cny: Money = Field(0, description="one-off setup fee if awarded anything")
    scores: VendorScores
    price_uncertainty: float = Field(
        0.0, ge=0, le=0.5, description="+/- fraction of the prices, for robustness analysis"
    )
    score_uncertainty: float = Field(
        0.0, ge=0, le=50, description="+/- points of the scores, for robustness analysis"
    )
    security_assessed: bool | None = Field(
        None,
        description="the platform passed the cloud-service security assessment "
        "(云计算服务安全评估); absent = not declared",
    )
    source: str | None = Field(None, max_length=2000)
    assumption: str | None = Field(None, max_length=2000)
    assumption_zh: str | None = Field(
        None, max_length=2000, description="the assumption in Chinese"
    )

    def label(self, lang: str) -> str:
        """The vendor's name in the brief's language (its Chinese name when it has one)."""
        return self.name_zh if lang == "zh" and self.name_zh else self.name

    @model_validator(mode="after")
    def _prices_cover_models(self) -> Vendor:
        for i, model in enumerate(self.models):
            first = self.models.index(model)
            if first != i:  # a second bid for one model: which prices stand is not ours to pick
                raise FieldError(
                    ("models", i),
                    f"deployment model {model} is listed twice (models[{first}] and "
                    f"models[{i}]); list each model once, with one set of prices",
                    f"部署模式 {model} 列出了两次（models[{first}] 和 models[{i}]）；每种模式只列一次，"
                    "只给一组单价",
                )
        missing = [m for m in self.models if m not in self.prices]
        if missing:
            raise FieldError(
                ("prices",),
                f"prices missing for deployment model(s) {', '.join(missing)}; "
                "give vcpu, memory_gb and storage_tb for each model in `models`",
                f"缺少部署模式 {'、'.join(missing)} 的单价；`models` 中的每种模式都要给出 vcpu、"
                "memory_gb 和 storage_tb",
            )
        unpriced = [
            x for x in ("security", "ops") if x in self.layers and x not in self.layer_prices
        ]
        if unpriced:
            raise FieldError(
                ("layer_prices",),
                f"layer_prices missing for {', '.join(unpriced)}: give CNY per "
                "covered vCPU-year for each cross-cutting layer the vendor offers",
                f"缺少 {'、'.join(unpriced)} 的 layer_prices：供应商提供的每个横向服务层都要给出"
                "每覆盖 vCPU 每年的价格（元）",
            )
        if not self.source and not self.assumption:
            raise FieldError(
                (),
                "give `source:` (where the figures come from) or `assumption:` "
                "(why they are illustrative)",
                "请给出 `source:`（数字的出处）或 `assumption:`（为何只是示意数字）",
            )
        return self


class VendorFile(Strict):
    """A vendor catalog file."""

    format: Literal["procure/vendors@1"]
    vendors: list[Vendor] = Field(min_length=1, max_length=MAX_VENDORS)

    @model_validator(mode="after")
    def _unique_ids(self) -> VendorFile:
        unique_vendor_ids(self.vendors)
        return self


def unique_vendor_ids(vendors: list[Vendor]) -> None:
    """Refuse a catalog in which two vendors share an id (the award could not tell them apart)."""
    seen: dict[str, int] = {}
    for i, v in enumerate(vendors):
        if v.id in seen:
            raise FieldError(
                ("vendors", i, "id"),
                f"vendor id '{v.id}' is already used by vendors[{seen[v.id]}]; ids must be unique",
                f"供应商编号“{v.id}”已被 vendors[{seen[v.id]}] 使用；编号必须唯一",
            )
        seen[v.id] = i


def load_vendor_file(path: Path, raw: bytes | None = None) -> VendorFile:
    """Load and validate a vendor catalog (a vendors@1 YAML file, or a bid sheet in .xlsx or
    .csv), with file:line (or file:sheet:row:column) errors. `raw`: its bytes, if read."""
    from procure.inputs.bids import MAX_SHEET_BYTES, is_sheet, read_sheet, sheet_problems
    from procure.inputs.validation import validate_located
    from procure.inputs.yamlio import parse_bytes, read_bytes

    if not is_sheet(path):
        return validate_located(VendorFile, parse_bytes(raw or read_bytes(path), str(path)))
    located = read_sheet(path, raw if raw is not None else read_bytes(path, MAX_SHEET_BYTES))
    try:
        return validate_located(VendorFile, located)
    except InputError as exc:
        raise InputError(sheet_problems(located, exc.problems)) from None


@cache
def builtin_catalog() -> VendorFile:
    """The built-in illustrative catalog of archetype vendors."""
    return load_vendor_file(BUILTIN_CATALOG)


def vendor_path(name: str, base_dir: Path, data_dir: Path | None = None) -> Path:
    """Where a scenario's `vendors: FILE` points, refused unless it is a regular file inside
    the scenario's directory or the `--data-dir` directory (symlinks resolved first), so a
    scenario cannot make procure read, or echo, a file elsewhere on the machine."""

    def refuse(message: str, zh: str) -> InputError:  # the caller locates it in the scenario
        return InputError([Problem("vendors", message, field="vendors", zh=zh)])

    roots = [base_dir.resolve()] + ([data_dir.resolve()] if data_dir else [])
    where = " or ".join(str(r) for r in roots)
    candidates = [root / name for root in roots] if not Path(name).is_absolute() else [Path(name)]
    for candidate in candidates:
        real = candidate.resolve()
        if not any(real.is_relative_to(root) for root in roots):
            raise refuse(
                f"'{excerpt(name)}' lies outside {where}; put the vendor file beside the "
                "scenario (or in the directory given with --data-dir) and name it relatively",
                f"“{excerpt(name)}”位于 {where} 之外；请把供应商文件放在情景文件旁"
                "（或 --data-dir 指定的目录中），并用相对路径引用",
            )
        if real.exists():
            if not real.is_file():
                raise refuse(
                    f"'{excerpt(name)}' is not a regular file; name a vendors@1 YAML file or a "
                    "bid sheet (.xlsx, .csv)",
                    f"“{excerpt(name)}”不是普通文件；请指定 vendors@1 YAML 文件或报价表"
                    "（.xlsx、.csv）",
                )
            return real
    raise refuse(
        f"vendor file '{excerpt(name)}' not found in {where}; use `default` for the built-in "
        "catalog or a path relative to the scenario",
        f"在 {where} 中找不到供应商文件“{excerpt(name)}”；使用内置名录请写 `default`，"
        "否则请写相对于情景文件的路径",
    )


def catalog_for(
    vendors: str | list[Vendor], base_dir: Path, data_dir: Path | None = None
) -> list[Vendor]:
    """The vendors a scenario names: the built-in catalog, a file beside it, or an inline list."""
    if isinstance(vendors, list):
        return vendors
    if vendors == "default":
        return builtin_catalog().vendors
    return load_vendor_file(vendor_path(vendors, base_dir, data_dir)).vendors
