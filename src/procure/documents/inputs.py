"""The brief's table of its inputs: the scenario as a reader reads it (labels, units, the
brief's words for each value), in place of the YAML (which stays attached to the PDF).

Every setting the scenario format has is labelled here (`LABELS`); a setting without a label is
listed by its key in the technical annex instead, so the body never shows a configuration key.
"""

from __future__ import annotations

from typing import Any

from procure.money import fmt_money, fmt_pct
from procure.plan.rules import plan_knowledge
from procure.text import Text

# (zh, en) for each setting, by its place in the scenario
LABELS: dict[str, tuple[str, str]] = {
    "agency.name": ("单位名称", "Agency"),
    "agency.level": ("行政级别", "Level"),
    "agency.cloud_type": ("政务云类型", "Type of government cloud"),
    "agency.sector": ("所属行业", "Sector"),
    "agency.region": ("所在区域", "Region"),
    "agency.cloud_trust": ("对云技术的信任", "Trust in cloud technology"),
    "agency.leadership": ("领导参与", "Leadership"),
    "agency.tech_staff": ("自有IT人员", "In-house IT staff"),
    "agency.annual_it_budget_cny": ("年度IT预算", "Annual IT budget"),
    "agency.policy_pressure": ("上级政策压力", "Policy pressure from above"),
    "agency.data_sharing_need": ("业务协同与数据共享需求", "Need to share data"),
    "agency.public_expectation": ("公众服务期望", "Public expectation"),
    "agency.legacy_share": ("尚未上云的存量系统占比", "Share of systems not yet on cloud"),
    "agency.strategic_partner": ("已有战略合作企业", "Has a strategic partner"),
    "agency.parent_cloud": ("可接入的上级统建政务云", "Unified cloud of the level above"),
    "agency.province": ("公开招标数额标准适用地区", "Province whose open-tender threshold applies"),
    "procurement.contract_years": ("合同期", "Contract term"),
    "procurement.budget_cny": ("合同期预算", "Budget over the term"),
    "procurement.min_vendors": ("供应商数量下限", "Fewest suppliers"),
    "procurement.max_vendors": ("供应商数量上限", "Most suppliers"),
    "procurement.max_vendor_share": ("单一供应商份额上限", "Largest share of one supplier"),
    "procurement.domestic_stack": ("信创要求", "Domestic (Xinchuang) stack"),
    "procurement.incumbent": ("现有服务商", "Incumbent supplier"),
    "procurement.expansion": ("在现有合同上追加", "Add-on to an existing contract"),
    "procurement.expansion_value_cny": ("本次追加金额", "Value of this add-on"),
    "procurement.original_contract_cny": ("原合同金额", "Original contract"),
    "procurement.prior_add_ons_cny": ("此前追加金额", "Earlier add-ons"),
    "procurement.open_tender_threshold_cny": (
        "当地公开招标数额标准",
        "Local open-tender threshold",
    ),
    "procurement.exclude_vendors": ("排除的供应商", "Suppliers excluded"),
    "procurement.structure": ("合同结构", "Contract structure"),
    "procurement.integrator_rules.lead_share": (
        "总集成商份额不低于任一分包商",
        "Integrator's share at least every subcontractor's",
    ),
    "procurement.integrator_rules.mlps4_with_integrator": (
        "等保四级系统由总集成商承担",
        "MLPS level 4 systems with the integrator",
    ),
    "procurement.integrator_rules.security_with_integrator": (
        "安全服务由总集成商承担",
        "Security with the integrator",
    ),
    "procurement.security_assessment": ("云计算服务安全评估", "Cloud-service security assessment"),
    "procurement.start": ("采购计划开始日期", "Procurement plan starts"),
    "partnership.horizon_years": ("测算期", "Horizon"),
    "partnership.discount_rate": ("折现率", "Discount rate"),
    "partnership.annual_spend_cny": ("年度支出", "Annual spend"),
    "partnership.jv_equity_share": ("政府在合资公司中的持股比例", "Government's JV equity share"),
    "partnership.jv_capex_multiple": (
        "合资公司建设投入（折合年支出倍数）",
        "JV build cost (years of spend)",
    ),
    "partnership.jv_prep_months": ("合资公司筹备期", "JV preparation"),
    "partnership.direct_prep_months": ("直接购买服务准备期", "Direct purchase preparation"),
    "partnership.jv_overhead_rate": ("合资公司变动管理费率", "JV variable overhead"),
    "partnership.jv_fixed_overhead_cny": ("合资公司年度固定管理成本", "JV fixed overhead a year"),
    "partnership.jv_efficiency_drift": ("合资公司成本相对市场的年上浮率", "JV cost drift a year"),
    "partnership.jv_opex_saving": ("合资公司运营成本节省率", "JV operating saving"),
    "partnership.jv_margin": ("合资公司利润率", "JV margin"),
    "partnership.parent_fee_rate": ("上级统建云收费（占单独采购费用的比例）", "Parent cloud's fee"),
    "partnership.parent_onboarding_months": ("接入上级统建云所需时间", "Joining the parent cloud"),
    "partnership.jv_residual_share": (
        "测算期末政府股权的剩余价值比例",
        "JV equity left at the end",
    ),
    "partnership.switching_cost_rate": (
        "重新招标时更换供应商的成本率",
        "Cost of switching supplier",
    ),
    "partnership.switch_probability": ("重新招标更换供应商的概率", "Chance of switching supplier"),
    "partnership.turnover_years": ("政府换届周期", "Government term"),
    "partnership.turnover_disruption_rate": ("换届对服务的扰动成本率", "Disruption at a new term"),
    "partnership.retender_cost_cny": ("每次重新采购的成本", "Cost of each re-procurement"),
    "partnership.price_decline": ("云服务价格年降幅", "Cloud price decline a year"),
}

# the brief's words for the values a setting takes (zh, en)
VALUES: dict[str, tuple[str, str]] = {
    "central": ("中央", "central"),
    "province": ("省级", "provincial"),
    "prefecture": ("地市级", "prefecture"),
    "county": ("区县级", "county"),
    "integrated": ("综合政务云", "integrated cloud"),
    "industry": ("行业政务云", "industry cloud"),
    "east": ("东部", "east"),
    "west": ("西部", "west"),
    "northeast": ("东北", "northeast"),
    "low": ("低", "low"),
    "medium": ("中", "medium"),
    "high": ("高", "high"),
    "top": ("一把手", "top leader"),
    "senior": ("分管领导", "senior leader"),
    "department": ("部门负责人", "department head"),
    "required": ("必须满足", "required"),
    "preferred": ("优先考虑", "preferred"),
    "any": ("不作要求", "not required"),
    "integrator": ("总集成（总包加分包）", "general integrator with subcontractors"),
    "parallel": ("平行签约", "parallel contracts"),
    "public_security": ("公安", "public security"),
    "tax": ("税务", "tax"),
    "customs": ("海关", "customs"),
    "hrss": ("人力资源和社会保障", "human resources and social security"),
    "education": ("教育", "education"),
    "health": ("卫生健康", "health"),
    "transport": ("交通运输", "transport"),
    "other": ("其他", "other"),
    "iaas": ("基础设施", "IaaS"),
    "paas": ("平台", "PaaS"),
    "saas": ("应用", "SaaS"),
}
# a value that depends on the setting it belongs to
FIELD_VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "agency.region": {"central": ("中部", "central")},
    "agency.leadership": {"none": ("无", "none")},
    "agency.parent_cloud": {
        "none": ("无", "none"),
        "prefecture": ("地市统建政务云", "the prefecture's"),
        "province": ("省级统建政务云", "the province's"),
    },
}
UNITS: dict[str, tuple[str, str]] = {  # (zh, en) after a number
    "agency.tech_staff": ("人", " staff"),
    "procurement.contract_years": ("年", " years"),
    "partnership.horizon_years": ("年", " years"),
    "partnership.turnover_years": ("年", " years"),
    "partnership.jv_prep_months": ("个月", " months"),
    "partnership.direct_prep_months": ("个月", " months"),
    "partnership.parent_onboarding_months": ("个月", " months"),
    "partnership.jv_capex_multiple": ("倍", " times"),
    "procurement.min_vendors": ("家", ""),
    "procurement.max_vendors": ("家", ""),
}
SHARES = {  # settings that are fractions: shown as percentages
    "agency.legacy_share",
    "procurement.max_vendor_share",
    "partnership.discount_rate",
    "partnership.jv_equity_share",
    "partnership.jv_overhead_rate",
    "partnership.jv_efficiency_drift",
    "partnership.jv_opex_saving",
    "partnership.jv_margin",
    "partnership.parent_fee_rate",
    "partnership.jv_residual_share",
    "partnership.switching_cost_rate",
    "partnership.switch_probability",
    "partnership.turnover_disruption_rate",
    "partnership.price_decline",
}
GROUPS = ("agency", "procurement", "partnership")
HIDDEN = {"format", "name", "language", "systems", "criteria", "vendors"}  # shown elsewhere


VENDOR_KEYS = {"procurement.incumbent", "procurement.exclude_vendors"}  # bidders' ids


def value_text(key: str, value: Any, lang: str, names: dict[str, str] | None = None) -> str:
    """One setting's value in the brief's words: money in 万元, fractions as percentages,
    yes/no, the words for an enum value, a count with its unit, a bidder by its name
    (`names`: id -> name), never its id."""
    zh = lang == "zh"
    if key in VENDOR_KEYS and isinstance(value, str):
        return (names or {}).get(value, value)
    if isinstance(value, bool):
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if isinstance(value, list):
        sep = "、" if zh else ", "
        return sep.join(value_text(key, v, lang, names) for v in value) or ("无" if zh else "none")
    if isinstance(value, int | float):
        if key.endswith("_cny"):
            return fmt_money(float(value), lang)
        if key in SHARES:
            return fmt_pct(float(value), 1 if float(value) * 100 % 1 else 0)
        unit = UNITS.get(key, ("", ""))
        return f"{value:,.10g}{unit[0] if zh else unit[1]}"
    if isinstance(value, str):
        if key == "agency.province":  # by the knowledge's name for it, else as the user wrote it
            region = plan_knowledge().regions.get(value)
            return region(lang) if region else value
        words = FIELD_VALUES.get(key, {}).get(value) or VALUES.get(value)
        if words:
            return words[0] if zh else words[1]
        return value  # a name or an id the user wrote
    return str(value)


def flatten(prefix: str, node: Any) -> list[tuple[str, Any]]:
    """(dotted key, value) for every leaf setting under `prefix`."""
    if isinstance(node, dict):
        out: list[tuple[str, Any]] = []
        for k, v in node.items():
            out += flatten(f"{prefix}.{k}", v)
        return out
    return [(prefix, node)]


def input_tables(
    scenario: dict[str, Any],
    lang: str,
    names: dict[str, str] | None = None,
    changed: dict[str, Text] | None = None,
) -> dict[str, Any]:
    """The scenario as the brief's tables (plain data): for each group its rows (label,
    value), the systems' rows, the criteria and the bidders' source; and the settings this
    list has no label for (shown by key in the technical annex). `names`: bidders' names by id;
    `changed`: a note after the value the user gave for each setting the plan changed (a
    requirement made a preference: `recommendation.relaxed_requirements`)."""
    i = 0 if lang == "zh" else 1
    groups: list[dict[str, Any]] = []
    unlabelled: list[list[str]] = []
    for group in GROUPS:
        rows = []
        for key, value in flatten(group, scenario.get(group) or {}):
            if value is None:
                continue
            if key in LABELS:
                shown = value_text(key, value, lang, names)
                note = (changed or {}).get(key)
                if note is not None:
                    shown += f"（{note.zh}）" if lang == "zh" else f" ({note.en})"
                rows.append([LABELS[key][i], shown])
            else:
                unlabelled.append([key, str(value)])
        groups.append({"group": group, "rows": rows})
    for key in scenario:
        if key not in HIDDEN and key not in GROUPS:
            unlabelled.append([key, str(scenario[key])])
    systems = [
        {
            "id": str(s.get("id", "")),
            "cells": [
                str(s.get("name", "")),
                value_text("", bool(s.get("public_facing", False)), lang),
                value_text("", s.get("sensitivity", ""), lang),
                str(s.get("mlps_level", "")),
                resources(s, lang),
                value_text("", s.get("elasticity", ""), lang),
                value_text("", bool(s.get("legacy", False)), lang),
                value_text("", list(s.get("layers") or []), lang),
            ],
        }
        for s in scenario.get("systems", [])
    ]
    criteria = scenario.get("criteria") or {}
    return {
        "groups": groups,
        "systems": systems,
        "weights": criteria.get("weights"),
        "ahp": criteria.get("ahp"),
        "vendors": _bidders(scenario.get("vendors"), lang),
        "unlabelled": unlabelled,
    }


def resources(system: dict[str, Any], lang: str) -> str:
    """A system's size in one cell: 640核／2,560 GB／60 TB (vCPU, memory, storage)."""
    cores = f"{system.get('vcpu', 0):,.10g}{'核' if lang == 'zh' else ' vCPU'}"
    memory = f"{system.get('memory_gb', 0):,.10g} GB"
    storage = f"{system.get('storage_tb', 0):,.10g} TB"
    return ("／" if lang == "zh" else " / ").join((cores, memory, storage))


def _bidders(vendors: Any, lang: str) -> str:
    """Where the bids come from, in words."""
    zh = lang == "zh"
    if vendors == "default" or vendors is None:
        return (
            "内置的示意性供应商名录（非报价数据）"
            if zh
            else "the built-in illustrative catalog (not price data)"
        )
    if isinstance(vendors, list):
        return (
            f"情景文件中列出的{len(vendors)}家候选供应商"
            if zh
            else f"{len(vendors)} candidate suppliers listed in the scenario"
        )
    return f"报价表 {vendors}" if zh else f"the price sheet {vendors}"


SETTINGS: list[tuple[str, Text]] = [  # the settings the brief's advice refers to, by key
    (
        "procurement.security_assessment",
        Text(
            en="required: only platforms that declare the cloud-service security assessment "
            "(security_assessed: true in the price data) may be in the mix; preferred: others "
            "may, with a caution; any: not considered",
            zh="required：只有声明已通过云计算服务安全评估（报价数据中 security_assessed: true）的"
            "平台可以入选；preferred：其他平台也可入选但给出提示；any：不考虑",
        ),
    ),
    (
        "systems[].public_cloud_reason",
        Text(
            en="a system's reason to allow public cloud for a medium-sensitivity system",
            zh="允许中等敏感系统部署在公有云上的理由",
        ),
    ),
    (
        "procurement.integrator_rules",
        Text(
            en="lead_share, mlps4_with_integrator, security_with_integrator: each rule of what "
            "the general integrator keeps, on (true) or off (false)",
            zh="lead_share、mlps4_with_integrator、security_with_integrator：总集成商承担的各项"
            "工作规则，true为开启，false为关闭",
        ),
    ),
    (
        "procurement.open_tender_threshold_cny",
        Text(
            en="the local open-tender threshold for services, in CNY (default: the province's figure in the knowledge base, else the central 2 M CNY)",
            zh="当地服务类公开招标数额标准（元）；不填则按知识库中的省级标准，否则按中央标准200万元",
        ),
    ),
    (
        "agency.province",
        Text(
            en="the agency's province, for its open-tender threshold (sourced: henan, "
            "henan-zhengzhou)",
            zh="本机构所在省份，用于确定公开招标数额标准（已查证：henan、henan-zhengzhou）",
        ),
    ),
    (
        "procurement.start",
        Text(
            en="the day the procurement plan starts, YYYY-MM-DD (default: the day the brief "
            "is made)",
            zh="采购计划开始日期，格式YYYY-MM-DD；不填则为简报生成当日",
        ),
    ),
    (
        "vendors[].local_presence",
        Text(
            en="a candidate supplier with local resources and staff (adds to its score)",
            zh="候选供应商在本地有资源和人员（评分加分）",
        ),
    ),
    (
        "criteria.weights / criteria.ahp",
        Text(
            en="the four criteria's weights, directly or by pairwise (AHP) judgments",
            zh="四项准则的权重，直接给定或以层次分析法两两比较给出",
        ),
    ),
    (
        "partnership.*",
        Text(
            en="the cash-flow parameters of the partnership comparison (Annex: Assumptions "
            "lists each with its default)",
            zh="合作模式比较的现金流参数（各参数及其默认值见“假设”附件）",
        ),
    ),
]


def settings(lang: str) -> list[list[str]]:
    """(key, what it does) for the technical annex."""
    return [[key, text(lang)] for key, text in SETTINGS]
