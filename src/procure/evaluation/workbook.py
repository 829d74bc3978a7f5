"""The evaluation as an .xlsx workbook: a project sheet, the scoring table (factors), the bids,
the committee, and one sheet of scores per member (rows: bids; columns: factor ids and 合计).
Headers in Chinese or English; drop-downs and number checks in the template. Read into the
same `procure/evaluation@1` data a YAML file gives, each value located by sheet, row and
column, so errors read file:sheet:row:column."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procure.errors import InputError, Problem, excerpt
from procure.inputs.yamlio import Located, bad_char, read_bytes

MAX_BYTES = 5_000_000
MAX_UNZIPPED = 50_000_000
MAX_ROWS = 1_000


@dataclass(frozen=True)
class Col:
    key: str
    zh: str
    kind: str = "text"  # text | number | int | bool | choice
    help_zh: str = ""
    help_en: str = ""


# value words: Chinese (and English) cell text -> the format's value
WORDS = {
    "公开招标": "open_tender",
    "竞争性磋商": "competitive_consultation",
    "综合评分法": "comprehensive",
    "最低评标价法": "lowest_price",
    "服务": "services",
    "货物": "goods",
    "大型": "large",
    "中型": "medium",
    "小型": "small",
    "微型": "micro",
    "大型企业": "large",
    "中型企业": "medium",
    "小型企业": "small",
    "微型企业": "micro",
    "客观": "objective",
    "主观": "subjective",
    "评审专家": "expert",
    "采购人代表": "buyer",
    "未要求": "none",
    "已接受": "accepted",
    "未接受": "rejected",
    "并列": "none",
    "技术得分高者优先": "technical",
    "中文": "zh",
    "英文": "en",
}
ZH_WORD = {
    "open_tender": "公开招标",
    "competitive_consultation": "竞争性磋商",
    "comprehensive": "综合评分法",
    "lowest_price": "最低评标价法",
    "services": "服务",
    "goods": "货物",
    "large": "大型",
    "medium": "中型",
    "small": "小型",
    "micro": "微型",
    "objective": "客观",
    "subjective": "主观",
    "expert": "评审专家",
    "buyer": "采购人代表",
    "none": "未要求",
    "accepted": "已接受",
    "rejected": "未接受",
}
TRUE = {"是", "yes", "true", "y", "1"}
FALSE = {"否", "no", "false", "n", "0", ""}

PROJECT = (
    Col("project", "项目名称", help_zh="采购项目名称", help_en="the project's name"),
    Col(
        "procedure",
        "采购方式",
        "choice",
        "公开招标或竞争性磋商",
        "open_tender or competitive_consultation",
    ),
    Col(
        "method", "评标方法", "choice", "综合评分法或最低评标价法", "comprehensive or lowest_price"
    ),
    Col("category", "项目属性", "choice", "服务或货物", "services or goods"),
    Col("notice_date", "采购公告日期", help_zh="如 2025-09-15", help_en="e.g. 2025-09-15"),
    Col("budget_cny", "采购预算", "number", "元", "CNY"),
    Col("complex", "技术复杂或社会影响较大", "bool", "是或否", "yes or no"),
    Col("services_purchase", "政府购买服务", "bool", "是或否（财库〔2015〕124号）", "yes or no"),
    Col("research_project", "科研项目", "bool", "是或否（214号第二十一条）", "yes or no"),
    Col("sme_deduction", "小微企业价格扣除比例", "number", "如 0.10", "e.g. 0.10"),
    Col("tie_break", "得分且报价相同时", "choice", "并列或技术得分高者优先", "none or technical"),
    Col("candidates", "推荐候选人数", "int", "如 3", "e.g. 3"),
    Col("language", "报告语言", "choice", "中文或英文", "zh or en"),
)
FACTORS = (
    Col("lot", "采购包编号", help_zh="如 lot1", help_en="e.g. lot1"),
    Col("lot_name", "采购包名称", help_zh="填在该包第一行", help_en="on the lot's first row"),
    Col(
        "price_weight",
        "价格权值",
        "number",
        "如 0.30，填在该包第一行",
        "e.g. 0.30, on the lot's first row",
    ),
    Col("id", "因素编号", help_zh="小写字母、数字、- 和 _", help_en="a-z, 0-9, - and _"),
    Col("name", "因素名称"),
    Col("max", "满分", "number", "该因素满分", "the factor's full points"),
    Col("kind", "类型", "choice", "客观或主观", "objective or subjective"),
)
BIDS = (
    Col("id", "投标编号", help_zh="小写字母、数字、- 和 _", help_en="a-z, 0-9, - and _"),
    Col("name", "投标人"),
    Col("lot", "采购包编号", help_zh="只有一个采购包时可不填", help_en="may be blank with one lot"),
    Col("price_cny", "投标报价", "number", "元", "CNY"),
    Col("size", "企业规模", "choice", "大型、中型、小型或微型", "large, medium, small or micro"),
    Col("responsive", "通过符合性审查", "bool", "是或否", "yes or no"),
    Col("reason", "未通过理由"),
    Col(
        "price_explanation",
        "低价书面说明",
        "choice",
        "未要求、已接受或未接受",
        "none, accepted or rejected",
    ),
)
COMMITTEE = (
    Col(
        "id",
        "成员编号",
        help_zh="同时作为该成员评分表的工作表名",
        help_en="also the name of the member's score sheet",
    ),
    Col("name", "姓名"),
    Col("role", "身份", "choice", "评审专家或采购人代表", "expert or buyer"),
)
SHEETS = {"project": "项目", "factors": "评审因素", "bids": "投标", "committee": "评标委员会"}
BID_HEADER = ("bid", "投标编号")
TOTAL_HEADER = ("total", "合计")
CHOICES = {
    "procedure": ("公开招标", "竞争性磋商"),
    "method": ("综合评分法", "最低评标价法"),
    "category": ("服务", "货物"),
    "tie_break": ("并列", "技术得分高者优先"),
    "language": ("中文", "英文"),
    "kind": ("客观", "主观"),
    "size": ("大型", "中型", "小型", "微型"),
    "price_explanation": ("未要求", "已接受", "未接受"),
    "role": ("评审专家", "采购人代表"),
}
CHOICES_EN = {
    "procedure": ("open_tender", "competitive_consultation"),
    "method": ("comprehensive", "lowest_price"),
    "category": ("services", "goods"),
    "tie_break": ("none", "technical"),
    "language": ("zh", "en"),
    "kind": ("objective", "subjective"),
    "size": ("large", "medium", "small", "micro"),
    "price_explanation": ("none", "accepted", "rejected"),
    "role": ("expert", "buyer"),
}


def letter(index: int) -> str:
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _convert(col: Col, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    if isinstance(value, str):
        value = value.strip()
    if col.kind == "bool":
        word = str(value).strip().lower()
        return True if word in TRUE else False if word in FALSE else value
    if col.kind in ("number", "int") and isinstance(value, str):
        text = value.replace(",", "").replace("，", "")
        try:
            number = float(text)
            return int(number) if number.is_integer() else number
        except ValueError:
            return value
    if col.kind == "choice" and isinstance(value, str):
        return WORDS.get(value, value)
    if col.kind == "text" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # an id or name typed as a number is text
    return value


class _Reader:
    def __init__(self, path: Path, raw: bytes) -> None:
        import zipfile

        import openpyxl

        self.path = path
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                inflated = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile:
            raise self.refuse(
                "not an .xlsx workbook; save it from Excel or WPS as .xlsx",
                "不是 .xlsx 工作簿；请在 Excel 或 WPS 中另存为 .xlsx",
            ) from None
        if inflated > MAX_UNZIPPED:
            raise self.refuse(
                f"the workbook inflates to {inflated:,} bytes, over the {MAX_UNZIPPED:,} limit",
                f"工作簿解压后为 {inflated:,} 字节，超过 {MAX_UNZIPPED:,} 字节的上限",
            )
        try:
            self.book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise self.refuse(
                f"cannot read the workbook ({type(exc).__name__}); open and save it again",
                f"无法读取该工作簿（{type(exc).__name__}）；请打开后重新保存",
            ) from None

    def refuse(
        self,
        en: str,
        zh: str,
        sheet: str | None = None,
        row: int | None = None,
        col: int | None = None,
    ) -> InputError:
        where = f"{self.path}:{sheet}" if sheet else str(self.path)
        return InputError(
            [Problem(where, en, zh=zh, line=row, column_label=letter(col) if col else None)]
        )

    def sheet(self, key: str) -> str | None:
        wanted = {key, SHEETS.get(key, key)}
        return next((n for n in self.book.sheetnames if n.strip() in wanted), None)

    def rows(self, name: str) -> list[tuple[int, list[Any]]]:
        out = []
        for n, row in enumerate(self.book[name].iter_rows(values_only=True), 1):
            if n > MAX_ROWS + 1:
                raise self.refuse(f"more than {MAX_ROWS:,} rows", f"超过 {MAX_ROWS:,} 行", name)
            cells = list(row)
            for c, cell in enumerate(cells, 1):
                bad = bad_char(cell) if isinstance(cell, str) else None
                if bad:
                    raise self.refuse(
                        f"the text contains {bad}, a control character that can hide or "
                        "reverse what a reader sees; delete it",
                        f"文本中含有 {bad}，这种控制字符会隐藏或颠倒读者看到的内容；请删除",
                        name,
                        n,
                        c,
                    )
            if any(c not in (None, "") for c in cells):
                out.append((n, cells))
        return out


def read_workbook(path: Path) -> tuple[Located, dict[str, str]]:
    """The workbook as evaluation@1 data with each value's (row, column), and the sheet each
    top-level part of the data came from (for error locations)."""
    raw = read_bytes(path, MAX_BYTES, "workbook")
    reader = _Reader(path, raw)
    located = Located(data=None, file=str(path), raw=raw)
    sheet_of: dict[str, str] = {}
    data: dict[str, Any] = {"format": "procure/evaluation@1"}
    try:
        project = reader.sheet("project")
        if project is None:
            raise reader.refuse(
                "the workbook has no 项目 (project) sheet; start from procure evaluate --template",
                "工作簿中没有“项目”工作表；请从 procure evaluate --template 生成的模板开始",
            )
        sheet_of[""] = project
        by_label = {x: c for c in PROJECT for x in (c.key, c.zh)}
        for n, cells in reader.rows(project)[1:]:
            label = str(cells[0]).strip() if cells and cells[0] is not None else ""
            col = by_label.get(label)
            if col is None:
                raise reader.refuse(
                    f"unknown field '{excerpt(label)}'; the fields are: "
                    + ", ".join(c.key for c in PROJECT),
                    f"未知字段“{excerpt(label)}”；可用的字段：" + "、".join(c.zh for c in PROJECT),
                    project,
                    n,
                    1,
                )
            value = cells[1] if len(cells) > 1 else None
            if value in (None, ""):
                continue
            data[col.key] = _convert(col, value)
            located.values[(col.key,)] = located.keys[(col.key,)] = (n, 2)
        lots: list[dict[str, Any]] = []
        factors_sheet = reader.sheet("factors")
        if factors_sheet is not None:
            sheet_of["lots"] = factors_sheet
            for n, row in _records(reader, factors_sheet, FACTORS):
                lot_id = row.get("lot", (None, 0))[0] or "lot1"
                lot = next((x for x in lots if x["id"] == lot_id), None)
                if lot is None:
                    lot = {"id": lot_id, "factors": []}
                    lots.append(lot)
                    li = len(lots) - 1
                    located.values[("lots", li)] = located.keys[("lots", li)] = (n, 1)
                    located.values[("lots", li, "id")] = (n, row.get("lot", (None, 1))[1])
                li = lots.index(lot)
                for key, target in (("lot_name", "name"), ("price_weight", "price_weight")):
                    if key in row:
                        lot[target] = row[key][0]
                        located.values[("lots", li, target)] = located.keys[
                            ("lots", li, target)
                        ] = (n, row[key][1])
                factor = {k: v for k, (v, _) in row.items() if k in ("id", "name", "max", "kind")}
                if factor:
                    fi = len(lot["factors"])
                    lot["factors"].append(factor)
                    located.values[("lots", li, "factors", fi)] = (n, 1)
                    for k, (_, c) in row.items():
                        if k in factor:
                            located.values[("lots", li, "factors", fi, k)] = located.keys[
                                ("lots", li, "factors", fi, k)
                            ] = (n, c)
        data["lots"] = lots
        for part, cols in (("bids", BIDS), ("committee", COMMITTEE)):
            name = reader.sheet(part)
            items: list[dict[str, Any]] = []
            if name is not None:
                sheet_of[part] = name
                for n, row in _records(reader, name, cols):
                    i = len(items)
                    items.append({k: v for k, (v, _) in row.items()})
                    located.values[(part, i)] = located.keys[(part, i)] = (n, 1)
                    for k, (_, c) in row.items():
                        located.values[(part, i, k)] = located.keys[(part, i, k)] = (n, c)
            data[part] = items
        scores: dict[str, Any] = {}
        for member in data["committee"]:
            mid = str(member.get("id", ""))
            name = next((s for s in reader.book.sheetnames if s.strip() == mid), None)
            if name is None:
                continue
            sheet_of[f"scores.{mid}"] = name
            scores[mid] = _member_scores(reader, name, mid, located)
        if scores or data.get("method") != "lowest_price":
            data["scores"] = scores
        located.keys[("scores",)] = (1, 1)
    finally:
        reader.book.close()
    located.data = data
    return located, sheet_of


def _records(
    reader: _Reader, name: str, cols: tuple[Col, ...]
) -> list[tuple[int, dict[str, tuple[Any, int]]]]:
    rows = reader.rows(name)
    if not rows:
        return []
    header_row, header = rows[0]
    by_header = {x: c for c in cols for x in (c.key, c.zh)}
    columns: dict[int, Col] = {}
    for i, title in enumerate(header):
        if title in (None, ""):
            continue
        col = by_header.get(str(title).strip())
        if col is None:
            raise reader.refuse(
                f"unknown column '{excerpt(title)}'; the columns are: "
                + ", ".join(c.key for c in cols),
                f"未知的列“{excerpt(title)}”；可用的列：" + "、".join(c.zh for c in cols),
                name,
                header_row,
                i + 1,
            )
        columns[i] = col
    out = []
    for n, cells in rows[1:]:
        row: dict[str, tuple[Any, int]] = {}
        for i, col in columns.items():
            value = cells[i] if i < len(cells) else None
            if value in (None, "") and col.kind != "bool":
                continue
            if value in (None, ""):
                continue
            row[col.key] = (_convert(col, value), i + 1)
        out.append((n, row))
    return out


def _member_scores(reader: _Reader, name: str, member: str, located: Located) -> dict[str, Any]:
    rows = reader.rows(name)
    if not rows:
        return {}
    header_row, header = rows[0]
    keys: dict[int, str] = {}
    for i, title in enumerate(header):
        if title in (None, ""):
            continue
        text = str(title).strip()
        keys[i] = "bid" if text in BID_HEADER else "total" if text in TOTAL_HEADER else text
    if "bid" not in keys.values():
        raise reader.refuse(
            "the score sheet has no 投标编号 (bid) column",
            "评分表缺少“投标编号”列",
            name,
            header_row,
        )
    bid_col = next(i for i, k in keys.items() if k == "bid")
    out: dict[str, Any] = {}
    located.values[("scores", member)] = located.keys[("scores", member)] = (header_row, 1)
    for n, cells in rows[1:]:
        bid = cells[bid_col] if bid_col < len(cells) else None
        if bid in (None, ""):
            raise reader.refuse(
                "a score row needs the bid's id (投标编号)",
                "每一行评分都需要填写投标编号",
                name,
                n,
                bid_col + 1,
            )
        bid = str(bid).strip()
        if bid in out:
            raise reader.refuse(
                f"bid {bid} is scored twice on this sheet",
                f"投标 {bid} 在本表中重复评分",
                name,
                n,
                bid_col + 1,
            )
        given: dict[str, Any] = {}
        located.values[("scores", member, bid)] = located.keys[("scores", member, bid)] = (
            n,
            bid_col + 1,
        )
        for i, key in keys.items():
            if key == "bid" or i >= len(cells) or cells[i] in (None, ""):
                continue
            given[key] = _convert(Col(key, key, "number"), cells[i])
            located.values[("scores", member, bid, key)] = located.keys[
                ("scores", member, bid, key)
            ] = (n, i + 1)
        out[bid] = given
    return out


def sheet_for(field: str, sheet_of: dict[str, str]) -> str:
    """The sheet a validation problem's field (bids[2].price_cny, scores.m1.a.tech, ...) is on."""
    if field.startswith("scores."):
        member = field.split(".")[1].split("[")[0]
        return sheet_of.get(f"scores.{member}", sheet_of.get("", ""))
    for part in ("lots", "bids", "committee"):
        if field.startswith(part):
            return sheet_of.get(part, sheet_of.get("", ""))
    return sheet_of.get("", "")


def template_xlsx(lang: str) -> bytes:
    """An empty evaluation workbook: the project, factors, bids and committee sheets with a
    note on each header, drop-downs and number checks, and five member score sheets."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    zh = lang == "zh"
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    project = book.create_sheet(SHEETS["project"] if zh else "project")
    project.append(["字段", "值", "说明"] if zh else ["field", "value", "note"])
    for n, col in enumerate(PROJECT, 2):
        project.append([col.zh if zh else col.key, None, col.help_zh if zh else col.help_en])
        check = _check(col, zh)
        if check is not None:
            project.add_data_validation(check)
            check.add(f"B{n}")
    project.column_dimensions["A"].width = 24
    project.column_dimensions["B"].width = 30
    for part, cols in (("factors", FACTORS), ("bids", BIDS), ("committee", COMMITTEE)):
        sheet = book.create_sheet(SHEETS[part] if zh else part)
        for i, col in enumerate(cols, 1):
            cell = sheet.cell(row=1, column=i, value=col.zh if zh else col.key)
            cell.font = Font(bold=True)
            if col.help_zh:
                cell.comment = Comment(col.help_zh if zh else col.help_en, "procure")
            sheet.column_dimensions[letter(i)].width = 16
            check = _check(col, zh)
            if check is not None:
                sheet.add_data_validation(check)
                check.add(f"{letter(i)}2:{letter(i)}{MAX_ROWS + 1}")
        sheet.freeze_panes = "A2"
    for k in range(1, 6):
        sheet = book.create_sheet(f"m{k}")
        sheet.append(
            [BID_HEADER[1] if zh else BID_HEADER[0], TOTAL_HEADER[1] if zh else TOTAL_HEADER[0]]
        )
        sheet["A1"].comment = Comment(
            f"成员 m{k} 的评分表：每个投标一行；在投标编号与合计之间为每个评审因素加一列，列标题为因素编号。"
            if zh
            else f"member m{k}'s scores: one row per bid; add a column per factor (headed by "
            "its id) between the bid and the total.",
            "procure",
        )
        check = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
        sheet.add_data_validation(check)
        check.add(f"B2:Z{MAX_ROWS + 1}")
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _check(col: Col, zh: bool) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    if col.kind == "choice":
        values = (CHOICES if zh else CHOICES_EN)[col.key]
        return DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
    if col.kind == "bool":
        return DataValidation(
            type="list", formula1='"是,否"' if zh else '"yes,no"', allow_blank=True
        )
    if col.kind in ("number", "int"):
        top = (
            "1"
            if col.key in ("price_weight", "sme_deduction")
            else "100"
            if col.key == "max"
            else "10000000000000"
        )
        return DataValidation(type="decimal", operator="between", formula1="0", formula2=top)
    return None


def workbook_from(data: dict[str, Any], lang: str = "zh") -> bytes:
    """An evaluation (plain evaluation@1 data) as a filled workbook that reads back to it."""
    from openpyxl import Workbook

    from procure.inputs.bids import as_text_cells

    zh = lang == "zh"

    def word(v: Any) -> Any:
        if isinstance(v, bool):
            return ("是" if v else "否") if zh else ("yes" if v else "no")
        return ZH_WORD.get(v, v) if zh and isinstance(v, str) else v

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    project = book.create_sheet(SHEETS["project"] if zh else "project")
    project.append(["字段", "值"] if zh else ["field", "value"])
    for col in PROJECT:
        if col.key in data:
            value = data[col.key]
            if col.key == "language":
                value = {"zh": "中文", "en": "英文"}[value] if zh else value
            elif col.key == "tie_break":
                value = {"none": "并列", "technical": "技术得分高者优先"}[value] if zh else value
            else:
                value = word(value)
            project.append([col.zh if zh else col.key, value])
    factors = book.create_sheet(SHEETS["factors"] if zh else "factors")
    factors.append([c.zh if zh else c.key for c in FACTORS])
    for lot in data["lots"]:
        for i, f in enumerate(lot.get("factors", [])):
            factors.append(
                [
                    lot["id"],
                    lot["name"] if i == 0 else None,
                    lot["price_weight"] if i == 0 else None,
                    f["id"],
                    f["name"],
                    f["max"],
                    word(f["kind"]),
                ]
            )
    for part, cols in (("bids", BIDS), ("committee", COMMITTEE)):
        sheet = book.create_sheet(SHEETS[part] if zh else part)
        sheet.append([c.zh if zh else c.key for c in cols])
        for item in data[part]:
            sheet.append([word(item[c.key]) if c.key in item else None for c in cols])
    for member, by_bid in data.get("scores", {}).items():
        sheet = book.create_sheet(member)
        keys = list(dict.fromkeys(k for given in by_bid.values() for k in given if k != "total"))
        has_total = any("total" in given for given in by_bid.values())
        sheet.append(
            [
                BID_HEADER[1] if zh else BID_HEADER[0],
                *keys,
                *([TOTAL_HEADER[1] if zh else TOTAL_HEADER[0]] if has_total else []),
            ]
        )
        for bid, given in by_bid.items():
            sheet.append(
                [bid, *(given.get(k) for k in keys), *([given.get("total")] if has_total else [])]
            )
    for sheet in book.worksheets:
        as_text_cells(sheet)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
