"""The scenario format `procure/scenario@1`: pydantic models (loaded by `procure.inputs.load`,
validated with file:line errors by `procure.inputs.validation`)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from procure.errors import FieldError
from procure.inputs.vendors import (
    MAX_COUNT,
    MAX_MEMORY_GB,
    MAX_MONEY_CNY,
    MAX_STORAGE_TB,
    MAX_VCPU,
    MAX_VENDORS,
    Identifier,
    Money,
    Name,
    ServiceLayer,
    Strict,
    Vendor,
    unique_vendor_ids,
)

Level = Literal["central", "province", "prefecture", "county"]
LowMedHigh = Literal["low", "medium", "high"]
Criterion = Literal["security", "flexibility", "scalability", "cost"]
CRITERIA: tuple[Criterion, ...] = ("security", "flexibility", "scalability", "cost")
Sector = Literal[
    "public_security", "tax", "customs", "hrss", "education", "health", "transport", "other"
]


class Agency(Strict):
    """The buying agency and the adoption factors (TOE) that describe it."""

    name: Name
    level: Level
    cloud_type: Literal["integrated", "industry"] = Field(
        description="integrated (综合政务云) or industry (行业政务云)"
    )
    sector: Sector | None = Field(None, description="industry clouds only")
    region: Literal["east", "central", "west", "northeast"]
    province: str | None = Field(
        None,
        max_length=40,
        pattern=r"^[a-z]+(-[a-z]+)*$",
        description="the province whose published open-tender threshold applies to a local "
        "unit, as the knowledge names it (e.g. henan; henan-zhengzhou for Zhengzhou's "
        "city-level units); unknown: give procurement.open_tender_threshold_cny",
    )
    cloud_trust: LowMedHigh = Field(description="technology factor: trust in cloud")
    leadership: Literal["top", "senior", "department", "none"] = Field(
        description="top = 一把手工程, the top leader drives it"
    )
    tech_staff: float = Field(ge=0, le=100_000, description="in-house IT staff, FTE")
    annual_it_budget_cny: Money
    policy_pressure: LowMedHigh
    data_sharing_need: LowMedHigh
    public_expectation: LowMedHigh
    legacy_share: float = Field(ge=0, le=1, description="share of systems not yet on cloud")
    strategic_partner: bool = Field(
        False, description="a core enterprise ready to co-invest (joint-venture precondition)"
    )
    parent_cloud: Literal["none", "prefecture", "province"] = Field(
        "none", description="a unified (统建) cloud of the level above that this agency may join"
    )

    @model_validator(mode="after")
    def _sector_for_industry(self) -> Agency:
        if self.cloud_type == "industry" and self.sector is None:
            raise FieldError(
                ("cloud_type",),
                "an industry cloud needs `sector` (public_security, tax, customs, "
                "hrss, education, health, transport or other)",
                "行业云需要填写 `sector`（public_security、tax、customs、hrss、education、health、"
                "transport 或 other）",
            )
        return self


DEFAULT_LAYERS: tuple[ServiceLayer, ...] = ("iaas",)


class System(Strict):
    """One information system to place on the cloud."""

    name: Name
    id: Identifier | None = Field(None, description="derived from name when omitted")
    public_facing: bool = False
    sensitivity: LowMedHigh
    mlps_level: int = Field(
        description="等保 level 1..4", json_schema_extra={"minimum": 1, "maximum": 4}
    )
    vcpu: float = Field(gt=0, le=MAX_VCPU)
    memory_gb: float = Field(ge=0, le=MAX_MEMORY_GB)
    storage_tb: float = Field(ge=0, le=MAX_STORAGE_TB)
    elasticity: LowMedHigh = "medium"
    legacy: bool = Field(False, description="an existing system to migrate")
    public_cloud_reason: str | None = Field(
        None,
        max_length=500,
        description="why this medium-sensitivity system may use public cloud after all (the "
        "report reserves public cloud for non-sensitive, public-facing systems)",
    )
    classified: bool = Field(
        False, description="stores or processes state secrets (涉密): out of scope, refused"
    )
    layers: list[ServiceLayer] = Field(default_factory=lambda: list(DEFAULT_LAYERS), min_length=1)

    @field_validator("classified")
    @classmethod
    def _not_classified(cls, v: bool) -> bool:
        if v:
            raise FieldError(
                (),
                "classified (涉密) systems are out of scope: a system that stores or processes "
                "state secrets follows the graded protection of the Law on Guarding State "
                "Secrets (《中华人民共和国保守国家秘密法》) on its own approved infrastructure, not "
                "a government-cloud procurement; leave it out of this scenario",
                "涉密系统不在本工具范围内：存储或处理国家秘密的系统按《中华人民共和国保守国家秘密法》"
                "实行分级保护，部署在经批准的专用设施上，不纳入政务云采购；请从本情景中删除该系统",
            )
        return v

    @field_validator("mlps_level")
    @classmethod
    def _mlps(cls, v: int) -> int:
        if v == 5:
            raise FieldError(
                (),
                "MLPS level 5 systems (the highest 等保 grade, reserved for critical national "
                "systems) are not eligible for a government cloud; keep such a system on its own "
                "isolated infrastructure and leave it out of this scenario",
                "等保第五级系统（最高级别，用于关系国家安全的重要系统）不适合部署在政务云上；"
                "请保留在独立的专用设施上，并从本情景中删除",
            )
        if not 1 <= v <= 4:
            raise FieldError(
                (),
                f"MLPS level must be 1, 2, 3 or 4, not {v}",
                f"等保级别应为 1、2、3 或 4，而不是 {v}",
            )
        return v


class Criteria(Strict):
    """How the agency weighs the four deployment criteria: direct weights or AHP judgments."""

    weights: dict[Criterion, Annotated[float, Field(ge=0, le=1e6)]] | None = None
    ahp: list[tuple[Criterion, Criterion, float]] | None = Field(
        None,
        max_length=100,
        description="pairwise judgments [a, b, v]: a is v times as important as b (1..9)",
    )

    @field_validator("ahp", mode="before")
    @classmethod
    def _judgments_as_tuples(cls, v: Any) -> Any:
        """YAML has lists, not tuples: accept a three-item list as a judgment."""
        if isinstance(v, list):
            return [tuple(item) if isinstance(item, list) else item for item in v]
        return v

    @model_validator(mode="after")
    def _one_way(self) -> Criteria:
        if (self.weights is None) == (self.ahp is None):
            raise FieldError(
                (),
                "give either `weights` or `ahp`, not both and not neither",
                "`weights` 与 `ahp` 二者必须给出且只能给出其一",
            )
        if self.weights is not None and sum(self.weights.values()) <= 0:
            raise FieldError(
                (),
                "weights are all zero; give at least one positive weight",
                "权重全为零；请至少给出一个正的权重",
            )
        if self.ahp is not None:
            for a, b, v in self.ahp:
                if a == b:
                    raise FieldError(
                        (),
                        f"judgment [{a}, {b}, {v}] compares a criterion with itself",
                        f"判断 [{a}, {b}, {v}] 把一个准则与它自身比较",
                    )
                if not 1 / 9 - 1e-9 <= v <= 9 + 1e-9:
                    raise FieldError(
                        (),
                        f"judgment [{a}, {b}, {v}]: Saaty values run 1/9..9",
                        f"判断 [{a}, {b}, {v}]：萨蒂标度的取值范围是 1/9 至 9",
                    )
        return self


class IntegratorRules(Strict):
    """What the general integrator keeps: a subcontractor may do only the non-main, non-key
    parts of the work (政府采购法 art. 48; 财政部令第87号 art. 35). Each is a rule of the award,
    on by default, priced in "what each rule costs"."""

    lead_share: bool = Field(
        True, description="the integrator's share of the award is at least every subcontractor's"
    )
    mlps4_with_integrator: bool = Field(
        True, description="MLPS level 4 systems are the integrator's own work"
    )
    security_with_integrator: bool = Field(
        True, description="the security layer is the integrator's own work"
    )


class Procurement(Strict):
    """Contract term, budget and the business rules of the award."""

    contract_years: int = Field(3, ge=1, le=15, description="the report's norm is 3 or 5")
    budget_cny: float = Field(
        gt=0, le=MAX_MONEY_CNY, description="cap on total cost over the contract term"
    )
    min_vendors: int = Field(1, ge=1, le=MAX_COUNT)
    max_vendors: int = Field(4, ge=1, le=MAX_COUNT)
    max_vendor_share: float = Field(1.0, gt=0, le=1, description="of total contract value")
    domestic_stack: Literal["required", "preferred", "any"] = "any"
    incumbent: Identifier | None = None
    expansion: bool = False
    expansion_value_cny: Money | None = Field(
        None, description="value of the add-on when expanding an existing contract"
    )
    original_contract_cny: float | None = Field(
        None, gt=0, le=MAX_MONEY_CNY, description="value of the contract being expanded"
    )
    prior_add_ons_cny: Money = Field(
        0,
        description="supplementary contracts already signed on the contract being expanded "
        "(art. 49: all add-ons together stay within 10% of the original)",
    )
    open_tender_threshold_cny: float | None = Field(
        None,
        gt=0,
        le=MAX_MONEY_CNY,
        description="the local threshold for open tender of services (it varies by province "
        "and year); default: the knowledge base's assumed value",
    )
    exclude_vendors: list[Identifier] = Field(default_factory=list, max_length=MAX_VENDORS)
    structure: Literal["integrator", "parallel"] = Field(
        "integrator",
        description="integrator: a general integrator (总集成) with subcontractors; parallel: "
        "several providers contracted side by side, no integrator (the report's Beijing case)",
    )
    integrator_rules: IntegratorRules = Field(default_factory=IntegratorRules)
    security_assessment: Literal["required", "preferred", "any"] = Field(
        "preferred",
        description="the cloud-service security assessment (云计算服务安全评估): required "
        "excludes platforms that do not declare it; preferred cautions for each such winner",
    )

    start: str | None = Field(
        None,
        max_length=10,
        description="the day the procurement plan starts (the procurement intent is published), "
        "as YYYY-MM-DD; default: today",
        json_schema_extra={"format": "date"},
    )

    @field_validator("start")
    @classmethod
    def _iso_date(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            day = date.fromisoformat(v)
        except ValueError:
            day = None
        if day is None or len(v) != 10 or not 2000 <= day.year <= 2100:
            raise FieldError(
                (),
                f"'{v[:20]}' is not a date: write it as YYYY-MM-DD, e.g. 2026-12-04 "
                "(years 2000 to 2100)",
                f"“{v[:20]}”不是日期：请写成 YYYY-MM-DD 格式，例如 2026-12-04（2000至2100年）",
            )
        return v

    @model_validator(mode="after")
    def _vendor_counts(self) -> Procurement:
        if self.min_vendors > self.max_vendors:
            raise FieldError(
                ("min_vendors",),
                f"min_vendors ({self.min_vendors}) is greater than max_vendors "
                f"({self.max_vendors})",
                f"供应商数量下限 min_vendors（{self.min_vendors}）大于上限 max_vendors"
                f"（{self.max_vendors}）",
            )
        if self.expansion and self.incumbent is None:
            raise FieldError(
                ("expansion",),
                "an expansion needs `incumbent`: the id of the vendor serving today",
                "扩容采购需要填写 `incumbent`：当前提供服务的供应商编号",
            )
        return self


class PartnershipInputs(Strict):
    """Horizon and discounting for joint venture vs direct purchase, plus optional overrides.

    Every override left out takes its default from the knowledge base (an assumption, stated).
    """

    horizon_years: int = Field(10, ge=1, le=30)
    discount_rate: float = Field(0.04, ge=0, le=0.3)
    annual_spend_cny: float | None = Field(
        None, gt=0, le=MAX_MONEY_CNY, description="overrides the estimate"
    )
    jv_equity_share: float | None = Field(None, gt=0, le=1)
    jv_capex_multiple: float | None = Field(None, ge=0, le=100)
    jv_prep_months: float | None = Field(None, ge=0, le=120)
    direct_prep_months: float | None = Field(None, ge=0, le=120)
    jv_overhead_rate: float | None = Field(None, ge=0, le=1)
    jv_fixed_overhead_cny: Money | None = None
    jv_efficiency_drift: float | None = Field(None, ge=-0.2, le=0.2)
    jv_opex_saving: float | None = Field(None, ge=0, le=0.9)
    jv_margin: float | None = Field(None, ge=0, le=1, description="the JV company's margin")
    parent_fee_rate: float | None = Field(None, gt=0, le=2)
    parent_onboarding_months: float | None = Field(None, ge=0, le=120)
    jv_residual_share: float | None = Field(None, ge=0, le=1)
    switching_cost_rate: float | None = Field(None, ge=0, le=1)
    switch_probability: float | None = Field(None, ge=0, le=1)
    turnover_years: int | None = Field(None, ge=1, le=10)
    turnover_disruption_rate: float | None = Field(None, ge=0, le=1)
    retender_cost_cny: Money | None = None
    price_decline: float | None = Field(None, ge=0, le=0.5)


class Scenario(Strict):
    """One agency, its systems, its criteria and its procurement rules."""

    format: Literal["procure/scenario@1"]
    name: Name
    language: Literal["en", "zh"] = "en"
    agency: Agency
    systems: list[System] = Field(min_length=1, max_length=10_000)
    criteria: Criteria
    procurement: Procurement
    vendors: Literal["default"] | Annotated[str, Field(max_length=1000)] | list[Vendor] = Field(
        "default", description="default, a vendor file beside the scenario, or an inline list"
    )
    partnership: PartnershipInputs = Field(default_factory=PartnershipInputs)

    @model_validator(mode="before")
    @classmethod
    def _derive_ids(cls, data: Any) -> Any:
        """A system without `id` gets one from its name (pinyin for Chinese), unique in the
        file: a second 'Portal' becomes portal-2. Never a generated system-N."""
        if isinstance(data, dict) and isinstance(data.get("systems"), list):
            # only text ids can clash with a derived one; a mapping or list given as an id is
            # left for validation to refuse (it is not hashable, so it never enters the set)
            given = {
                s["id"]
                for s in data["systems"]
                if isinstance(s, dict) and isinstance(s.get("id"), str)
            }
            systems = []
            tried: dict[str, int] = {}  # base -> the last suffix tried: 10,000 'Portal's stay
            for s in data["systems"]:  # linear, not quadratic
                if isinstance(s, dict) and s.get("id") is None and isinstance(s.get("name"), str):
                    base = slug(s["name"])
                    sid, n = base, tried.get(base, 1)
                    if n > 1:
                        sid = f"{base[:60]}-{n}"
                    while sid in given:
                        n += 1
                        sid = f"{base[:60]}-{n}"
                    tried[base] = n
                    given.add(sid)
                    s = {**s, "id": sid}
                systems.append(s)
            data = {**data, "systems": systems}
        return data

    @model_validator(mode="after")
    def _unique_system_ids(self) -> Scenario:
        seen: dict[str, int] = {}
        for i, s in enumerate(self.systems):
            if s.id in seen:
                raise FieldError(
                    ("systems", i, "id"),
                    f"systems[{i}] has id '{s.id}', already used by "
                    f"systems[{seen[s.id]}]; give each system a distinct `id`",
                    f"systems[{i}] 的编号“{s.id}”已被 systems[{seen[s.id]}] 使用；"
                    "每个系统的 `id` 必须不同",
                )
            seen[str(s.id)] = i
        if isinstance(self.vendors, list):
            if len(self.vendors) > MAX_VENDORS:
                raise FieldError(
                    ("vendors",),
                    f"at most {MAX_VENDORS} vendors",
                    f"供应商最多 {MAX_VENDORS} 家",
                )
            unique_vendor_ids(self.vendors)
        return self

    @property
    def stated_language(self) -> str | None:
        """The language the file states, or None when it leaves it to the reader's locale."""
        return self.language if "language" in self.model_fields_set else None

    def system_id(self, index: int) -> str:
        """The id of system `index` (always set after validation)."""
        return str(self.systems[index].id)


def slug(name: str) -> str:
    """A readable lowercase ASCII id from a name: 'Online service portal' ->
    'online-service-portal', '县政务服务门户' -> 'xian-zheng-wu-fu-wu-men-hu' (pinyin). A name
    with no letter or digit at all gets "sys-" and a short hash of the name."""
    import hashlib
    import unicodedata

    from pypinyin import lazy_pinyin

    words = " ".join(lazy_pinyin(name))  # Chinese characters become pinyin syllables
    ascii_text = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64].strip("-")
    return out or "sys-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def scenario_to_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data, in field order, for YAML output and the brief's appendix."""
    return scenario.model_dump(mode="json", exclude_none=True)
