"""Everything a command reads, checked in one place: the scenario, its vendor catalog and the
references between them. `procure validate` runs exactly this, so a scenario it accepts is
never refused as bad input by a later command."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from procure.errors import InputError, Problem
from procure.inputs.bids import MAX_SHEET_BYTES, is_sheet
from procure.inputs.scenario import Scenario
from procure.inputs.size import MAX_OPTIONS, Size, estimate
from procure.inputs.validation import validate_located
from procure.inputs.vendors import Vendor, catalog_for, load_vendor_file, vendor_path
from procure.inputs.weights import criteria_weights
from procure.inputs.yamlio import (
    MAX_BYTES,
    STDIN,
    Located,
    YamlPath,
    format_path,
    read_bytes,
    read_yaml,
)
from procure.text import Text


@dataclass(frozen=True)
class Inputs:
    """A validated scenario, the vendors it names, and the files they came from."""

    scenario: Scenario
    vendors: list[Vendor]
    files: tuple[Path, ...]  # read from disk: an output may never replace one of them
    contents: tuple[bytes, ...] = ()  # each file's bytes, exactly as read and parsed

    @property
    def base_dir(self) -> Path:
        return Path.cwd() if str(self.files[0]) == STDIN else self.files[0].parent


def load_inputs(path: Path, data_dir: Path | None = None) -> Inputs:
    """Read and check a scenario and its vendors; raise InputError with located problems."""
    located = read_yaml(path)
    stated = located.data.get("language") if isinstance(located.data, dict) else None
    try:
        return _checked(path, located, data_dir)
    except InputError as exc:  # its messages go out in the language the file states
        exc.language = stated if stated in ("en", "zh") else None
        raise


def check_located(path: Path, located: Located, data_dir: Path | None = None) -> Inputs:
    """What `load_inputs` checks, for YAML already parsed (`parse_bytes`) as if it were the file
    at `path`: its vendor file is looked for beside `path`. The what-if page validates its
    edited scenario this way, so the page and the file give the same messages."""
    return _checked(path, located, data_dir)


def _checked(path: Path, located: Located, data_dir: Path | None) -> Inputs:
    scenario = validate_located(Scenario, located)
    base_dir = Path.cwd() if str(path) == STDIN else path.parent

    def problem(field: YamlPath, cause: Problem) -> InputError:
        line, col = located.where(field, key=True) or (None, None)
        return InputError(
            [
                Problem(
                    located.file,
                    cause.message,
                    field=format_path(field),
                    line=line,
                    column=col,
                    zh=cause.zh,
                )
            ]
        )

    files: tuple[Path, ...] = (path,)
    contents: tuple[bytes, ...] = (located.raw,)
    if isinstance(scenario.vendors, str) and scenario.vendors != "default":
        try:
            where = vendor_path(scenario.vendors, base_dir, data_dir)
        except InputError as exc:
            raise problem(("vendors",), exc.problems[0]) from None
        raw = read_bytes(where, MAX_SHEET_BYTES if is_sheet(where) else MAX_BYTES)
        files, contents = (*files, where), (*contents, raw)
        vendors = load_vendor_file(where, raw).vendors  # the bytes fingerprinted are the ones read
    else:
        vendors = catalog_for(scenario.vendors, base_dir, data_dir)
    if scenario.criteria.ahp is not None:  # inconsistent judgments are bad input, located
        try:
            criteria_weights(scenario.criteria)
        except InputError as exc:
            raise problem(("criteria", "ahp"), exc.problems[0]) from None
    problems = _references(scenario, vendors, located)
    if problems:
        raise InputError(problems)
    size = estimate(scenario, vendors)
    if size.too_large:  # refused before anything is built, not by running out of memory
        raise InputError([_too_large(size, scenario, vendors, located)])
    return Inputs(scenario, vendors, files, contents)


def _too_large(size: Size, scenario: Scenario, vendors: list[Vendor], located: Located) -> Problem:
    """The model's size, the bound, and what to cut to come under it."""
    systems = len(scenario.systems)
    bidders = len(vendors)
    per_system = size.options / systems
    per_bidder = size.options / max(bidders, 1)
    fit_systems = max(1, int(MAX_OPTIONS / per_system))
    fit_bidders = max(1, int(MAX_OPTIONS / per_bidder))
    line, col = located.where(("systems",), key=True) or (None, None)
    return Problem(
        located.file,
        f"the award model would be too large to solve within memory: about {size.options:,} "
        f"eligible options (system x bidder x deployment model), {size.rows:,} rows and "
        f"{size.nonzeros:,} nonzeros from {systems:,} systems and {bidders:,} bidders; the "
        f"limit is {MAX_OPTIONS:,} options. Split the systems into lots of at most about "
        f"{fit_systems:,} each, or keep at most about {fit_bidders:,} bidders (drop "
        "non-compliant bids, or list them in procurement.exclude_vendors)",
        field="systems",
        line=line,
        column=col,
        zh=f"测算模型过大，无法在内存限度内求解：约 {size.options:,} 个可选方案（系统×候选供应商×部署模式）、"
        f"{size.rows:,} 行约束、{size.nonzeros:,} 个非零系数（{systems:,} 个系统、{bidders:,} 家候选供应商）；"
        f"上限为 {MAX_OPTIONS:,} 个可选方案。请把系统分成每包约 {fit_systems:,} 个以内的采购包，"
        f"或把候选供应商减至约 {fit_bidders:,} 家以内（剔除不合格报价，或列入 procurement.exclude_vendors）",
    )


def _references(scenario: Scenario, vendors: list[Vendor], located: Located) -> list[Problem]:
    """Vendor ids the procurement names must exist, and its rules must not contradict."""
    p = scenario.procurement
    known = [v.id for v in vendors]
    out = []

    def at(field: YamlPath, message: str, zh: str) -> Problem:
        line, col = located.where(field, key=True) or (None, None)
        return Problem(
            located.file, message, field=format_path(field), line=line, column=col, zh=zh
        )

    def unknown(field: YamlPath, vid: str) -> Problem:
        close = difflib.get_close_matches(vid, known, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        zh_hint = f"是否应为“{close[0]}”？" if close else ""
        return at(
            field,
            f"no vendor has the id '{vid}'; {hint}the vendors are: {', '.join(known)}",
            f"没有编号为“{vid}”的供应商；{zh_hint}现有供应商编号：{'、'.join(known)}",
        )

    if p.incumbent is not None and p.incumbent not in known:
        out.append(unknown(("procurement", "incumbent"), p.incumbent))
    for i, vid in enumerate(p.exclude_vendors):
        if vid not in known:
            out.append(unknown(("procurement", "exclude_vendors", i), vid))
    if p.max_vendors * p.max_vendor_share < 1 - 1e-9:
        out.append(
            at(
                ("procurement", "max_vendor_share"),
                f"at most {p.max_vendors} vendor(s) with at most {p.max_vendor_share:.4g} of the "
                f"award each cover only {p.max_vendors * p.max_vendor_share:.4g} of it; the rules "
                f"contradict each other. Raise max_vendors or set max_vendor_share to at least "
                f"{1 / p.max_vendors:.4g}",
                f"最多 {p.max_vendors} 家供应商、每家至多占测算金额的 {p.max_vendor_share:.4g}，"
                f"合计只能覆盖测算的 {p.max_vendors * p.max_vendor_share:.4g}，两条规则互相矛盾。"
                f"请提高 max_vendors，或把 max_vendor_share 设为不低于 {1 / p.max_vendors:.4g}",
            )
        )
    return out


def warnings_for(scenario: Scenario) -> list[Text]:
    """Accepted but unusual inputs, worth a word to the analyst."""
    out = []
    years = scenario.procurement.contract_years
    if years not in (3, 5):
        out.append(
            Text(
                en=f"procurement.contract_years is {years}; the report's norm for IaaS/PaaS "
                "service contracts is 3 or 5 years (iResearch 2020, ch.3)",
                zh=f"procurement.contract_years 为{years}年；报告所述 IaaS/PaaS 服务合同的通常期限"
                "为3年或5年（艾瑞咨询《2020年中国政务云行业研究报告》第三章）",
            )
        )
    if scenario.agency.cloud_type == "integrated" and scenario.agency.sector is not None:
        out.append(
            Text(
                en="agency.sector is ignored for an integrated cloud",
                zh="综合政务云不使用 agency.sector，该字段被忽略",
            )
        )
    return out


def load_scenario(path: Path) -> Scenario:
    """Read, parse and validate a scenario file and what it references. Raises InputError with
    located problems."""
    return load_inputs(path).scenario
