"""Bid sheets: the vendors of a scenario as a spreadsheet (.xlsx) or CSV, one row per bidder
and deployment model, read into the same `procure/vendors@1` catalog a YAML file gives.

Columns are named in English or Chinese (COLUMNS); a bidder's own fields (name, layers,
scores, ...) go on its first row and may be left blank on its other rows. Errors point at
file:sheet:row:column, like the YAML errors point at file:line:column.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NoReturn

from procure.errors import InputError, Problem, excerpt
from procure.inputs.yamlio import Located, YamlPath, bad_char, bad_char_message, read_bytes

SHEET_SUFFIXES = (".xlsx", ".csv")
MAX_SHEET_BYTES = 5_000_000  # a bid sheet of 500 bidders x 4 models is well under 1 MB
MAX_UNZIPPED = 50_000_000  # refuse a workbook that inflates past this (a "zip bomb")
MAX_MARKUP = 600_000  # XML tags in a workbook, counted before openpyxl parses it
MAX_ROWS = 2_000
MAX_COLUMNS = 100  # the bid sheet has 27 columns
MAX_CELL_CHARS = 4_000  # the longest text field (source, assumption) takes 2,000
SHEET_NAMES = ("报价", "bids")  # the sheet read, else the workbook's first


@dataclass(frozen=True)
class Column:
    key: str  # canonical name, used in English headers
    zh: str  # the Chinese header
    path: tuple[str, ...]  # where the value goes in a vendors@1 entry ("*" = the row's model)
    kind: str  # text | int | number | bool | list
    per_model: bool = False
    help_en: str = ""
    help_zh: str = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        "供应商编号",
        ("id",),
        "text",
        help_en="short id: a-z, 0-9, - and _",
        help_zh="简短编号：小写字母、数字、- 和 _",
    ),
    Column(
        "name",
        "供应商名称",
        ("name",),
        "text",
        help_en="the bidder's name",
        help_zh="候选供应商名称",
    ),
    Column(
        "name_zh",
        "供应商中文名称",
        ("name_zh",),
        "text",
        help_en="its Chinese name, if the name is not",
        help_zh="中文名称（名称不是中文时填写）",
    ),
    Column(
        "archetype",
        "供应商类型",
        ("archetype",),
        "text",
        help_en="infrastructure, public_cloud, telecom, integrator or specialist",
        help_zh="基础设施服务商、公有云服务商、电信运营商、系统集成商或专业服务商",
    ),
    Column(
        "integrator", "可任总集成商", ("integrator",), "bool", help_en="yes or no", help_zh="是或否"
    ),
    Column(
        "layers",
        "服务层",
        ("layers",),
        "list",
        help_en="iaas, paas, saas, security, ops (comma-separated)",
        help_zh="iaas、paas、saas、安全、运维（用顿号或逗号分隔）",
    ),
    Column(
        "mlps_max",
        "等保级别上限",
        ("mlps_max",),
        "int",
        help_en="highest MLPS level certified, 1-4",
        help_zh="已取得的最高等保级别，1-4",
    ),
    Column(
        "domestic_stack",
        "信创",
        ("domestic_stack",),
        "bool",
        help_en="full domestic (信创) stack: yes or no",
        help_zh="是否全栈信创：是或否",
    ),
    Column(
        "local_presence",
        "本地化服务",
        ("local_presence",),
        "bool",
        help_en="local resources and staff: yes or no",
        help_zh="是否有本地资源和人员：是或否",
    ),
    Column(
        "capacity_vcpu",
        "容量vCPU",
        ("capacity_vcpu",),
        "int",
        help_en="vCPU it can supply",
        help_zh="可供应的 vCPU 数量",
    ),
    Column(
        "model",
        "部署模式",
        ("models",),
        "text",
        per_model=True,
        help_en="private, dedicated, public or hybrid: one row per model",
        help_zh="私有云、专有云、公有云或混合云：每种模式一行",
    ),
    Column(
        "vcpu",
        "vCPU单价",
        ("prices", "*", "vcpu"),
        "number",
        per_model=True,
        help_en="CNY per vCPU-year",
        help_zh="元/vCPU/年",
    ),
    Column(
        "memory_gb",
        "内存单价",
        ("prices", "*", "memory_gb"),
        "number",
        per_model=True,
        help_en="CNY per GB-year of memory",
        help_zh="元/GB内存/年",
    ),
    Column(
        "storage_tb",
        "存储单价",
        ("prices", "*", "storage_tb"),
        "number",
        per_model=True,
        help_en="CNY per TB-year of storage",
        help_zh="元/TB存储/年",
    ),
    Column(
        "security_price",
        "安全服务单价",
        ("layer_prices", "security"),
        "number",
        help_en="CNY per covered vCPU-year, if it offers security",
        help_zh="元/覆盖vCPU/年（提供安全服务时填写）",
    ),
    Column(
        "ops_price",
        "运维服务单价",
        ("layer_prices", "ops"),
        "number",
        help_en="CNY per covered vCPU-year, if it offers operations",
        help_zh="元/覆盖vCPU/年（提供运维服务时填写）",
    ),
    Column(
        "setup_cny",
        "部署实施费",
        ("setup_cny",),
        "number",
        help_en="one-off CNY if awarded anything",
        help_zh="入选即发生的一次性费用（元）",
    ),
    Column(
        "score_security",
        "安全性评分",
        ("scores", "security"),
        "number",
        help_en="0-100",
        help_zh="0-100",
    ),
    Column(
        "score_flexibility",
        "灵活性评分",
        ("scores", "flexibility"),
        "number",
        help_en="0-100",
        help_zh="0-100",
    ),
    Column(
        "score_scalability",
        "可扩展性评分",
        ("scores", "scalability"),
        "number",
        help_en="0-100",
        help_zh="0-100",
    ),
    Column(
        "score_service",
        "服务评分",
        ("scores", "service"),
        "number",
        help_en="0-100",
        help_zh="0-100",
    ),
    Column(
        "price_uncertainty",
        "价格不确定度",
        ("price_uncertainty",),
        "number",
        help_en="+/- fraction of the prices, 0-0.5",
        help_zh="价格上下浮动比例，0-0.5",
    ),
    Column(
        "score_uncertainty",
        "评分不确定度",
        ("score_uncertainty",),
        "number",
        help_en="+/- points of the scores, 0-50",
        help_zh="评分上下浮动分值，0-50",
    ),
    Column(
        "security_assessed",
        "通过安全评估",
        ("security_assessed",),
        "bool",
        help_en="passed 云计算服务安全评估: yes, no or blank",
        help_zh="是否通过云计算服务安全评估：是、否或留空",
    ),
    Column(
        "source",
        "数据来源",
        ("source",),
        "text",
        help_en="where the figures come from",
        help_zh="数字出处",
    ),
    Column(
        "assumption",
        "假设说明",
        ("assumption",),
        "text",
        help_en="why the figures are illustrative",
        help_zh="为何只是示意数字",
    ),
    Column(
        "assumption_zh",
        "假设说明（中文）",
        ("assumption_zh",),
        "text",
        help_en="the assumption in Chinese",
        help_zh="假设说明的中文",
    ),
)
REQUIRED = ("id", "model")  # in the header row; the validator names any other missing field
FILLED = {  # what every bidder must give (on its first row), for the template's notes
    "id",
    "name",
    "archetype",
    "layers",
    "mlps_max",
    "domestic_stack",
    "capacity_vcpu",
    "model",
    "vcpu",
    "memory_gb",
    "storage_tb",
    "score_security",
    "score_flexibility",
    "score_scalability",
    "score_service",
}
_BY_HEADER = {
    _h: c for c in COLUMNS for _h in (c.key, c.zh, c.zh.replace("（", "(").replace("）", ")"))
}
_TRUE = {"true", "yes", "y", "1", "是", "有", "√", "✓"}
_FALSE = {"false", "no", "n", "0", "否", "无", "×", ""}
_WORDS = {  # Chinese values of the enumerated columns, as the template's drop-downs offer them
    "私有云": "private",
    "专有云": "dedicated",
    "公有云": "public",
    "混合云": "hybrid",
    "安全": "security",
    "运维": "ops",
    "基础设施服务商": "infrastructure",
    "公有云服务商": "public_cloud",
    "电信运营商": "telecom",
    "系统集成商": "integrator",
    "专业服务商": "specialist",
}


def is_sheet(path: Path | str) -> bool:
    return Path(path).suffix.lower() in SHEET_SUFFIXES


def _letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class _Table:
    where: str  # file, or file:sheet
    rows: list[tuple[int, list[Any]]]  # (row number, cells)


class _CellError(Exception):
    """A cell that cannot be read as it stands; read_sheet locates it (row, column)."""

    def __init__(self, en: str, zh: str, row: int | None = None, column: int | None = None):
        super().__init__(en)
        self.en, self.zh, self.row, self.column = en, zh, row, column


def _read_csv(path: Path, raw: bytes) -> _Table:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK by default
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise InputError([Problem(str(path), "not text", zh="不是文本文件")])
    import csv

    # the file is at most MAX_SHEET_BYTES, so no field can be longer than the text: the csv
    # module's own limit (131,072) would stop with no row or column; read_sheet checks each
    # cell's length against MAX_CELL_CHARS and names the cell instead
    limit = csv.field_size_limit(len(text) + 1)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        rows: list[tuple[int, list[Any]]] = []  # only rows with a value: millions of blank
        number = 0  # lines (5 MB of newlines) must not become millions of lists
        try:
            for number, row in enumerate(reader, 1):
                if not any(row):
                    continue
                beyond = next((c for c in range(MAX_COLUMNS, len(row)) if row[c]), None)
                if beyond is not None:
                    raise InputError(
                        [
                            Problem(
                                str(path),
                                f"a value beyond column {_letter(MAX_COLUMNS)}, where a bid "
                                "sheet has no columns; delete it",
                                line=number,
                                column_label=_letter(beyond + 1),
                                zh=f"在 {_letter(MAX_COLUMNS)} 列之后有内容，报价表没有这些列；请删除",
                            )
                        ]
                    )
                rows.append((number, row[:MAX_COLUMNS]))
                if len(rows) > MAX_ROWS + 1:
                    raise InputError(
                        [
                            Problem(
                                str(path),
                                f"more than {MAX_ROWS:,} rows",
                                line=number,
                                zh=f"超过 {MAX_ROWS:,} 行",
                            )
                        ]
                    )
        except csv.Error as exc:
            raise InputError(
                [
                    Problem(
                        str(path),
                        f"not a readable CSV ({exc}); save it again as CSV from Excel or WPS",
                        line=number + 1,
                        zh=f"无法按 CSV 读取（解析器信息：{exc}）；请在 Excel 或 WPS 中重新另存为 CSV",
                    )
                ]
            ) from None
    finally:
        csv.field_size_limit(limit)
    return _Table(str(path), rows)


def _check_parts(path: Path, archive: Any) -> None:
    """Refuse, before openpyxl parses anything, a workbook that would take long to read: one
    that inflates past MAX_UNZIPPED bytes, or whose XML holds more than MAX_MARKUP tags in
    all (a sheet of 2,000 bids needs under 450,000; a few kilobytes of zip can hold millions
    of shared strings, each costing openpyxl microseconds). Counting '<' while inflating in
    chunks takes a fraction of a second, and the sizes in the zip directory bound what
    inflating yields."""

    def refuse(en: str, zh: str) -> InputError:
        return InputError([Problem(str(path), en, zh=zh)])

    inflated = sum(info.file_size for info in archive.infolist())
    if inflated > MAX_UNZIPPED:
        raise refuse(
            f"the workbook inflates to {inflated:,} bytes, over the {MAX_UNZIPPED:,} limit",
            f"工作簿解压后为 {inflated:,} 字节，超过 {MAX_UNZIPPED:,} 字节的上限",
        )
    markup = 0
    for info in archive.infolist():
        if not info.filename.lower().endswith((".xml", ".rels")):
            continue
        with archive.open(info) as part:
            while chunk := part.read(1 << 20):
                markup += chunk.count(b"<")
        if markup > MAX_MARKUP:
            raise refuse(
                f"the workbook's XML holds more than {MAX_MARKUP:,} tags ({info.filename} "
                "among them), far more than a bid sheet needs and slow to read; copy the bids "
                "into a new workbook, or export CSV",
                f"工作簿的 XML 中超过 {MAX_MARKUP:,} 个标签（包括 {info.filename}），远多于报价表"
                "所需，读取缓慢；请把报价复制到新工作簿，或导出为 CSV",
            )


def _read_xlsx(path: Path, raw: bytes) -> _Table:
    import warnings
    import zipfile
    import zlib

    import openpyxl
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    def refuse(en: str, zh: str) -> InputError:
        return InputError([Problem(str(path), en, zh=zh)])

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            _check_parts(path, archive)
    except (  # a damaged, encrypted or exotic archive, found while counting its tags
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        NotImplementedError,
        RuntimeError,
        EOFError,
        OSError,
    ):
        raise refuse(
            "not an .xlsx workbook (an .xlsx file is a zip archive); save it from Excel or "
            "WPS as .xlsx, or export CSV",
            "不是 .xlsx 工作簿（.xlsx 文件是 zip 压缩包）；请在 Excel 或 WPS 中另存为 .xlsx，"
            "或导出为 CSV",
        ) from None
    try:
        with warnings.catch_warnings():  # openpyxl's notes on what it skips are not for users
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise refuse(
            f"cannot read the workbook ({type(exc).__name__}); open and save it again as .xlsx",
            f"无法读取该工作簿（{type(exc).__name__}）；请打开后重新另存为 .xlsx",
        ) from None
    try:
        if not book.sheetnames:
            raise refuse("the workbook has no sheet", "工作簿中没有工作表")
        name = next((n for n in book.sheetnames if n.strip().lower() in SHEET_NAMES), None)
        sheet = book[name or book.sheetnames[0]]
        bad = bad_char(sheet.title)
        if bad or len(sheet.title) > 31:  # it names every error's place: it must show as it is
            raise refuse(
                "the name of the bids sheet "
                + (f"contains {bad}; rename the sheet" if bad else "is over Excel's 31 characters"),
                "报价工作表的名称"
                + (f"含有 {bad}；请重命名该工作表" if bad else "超过 Excel 的 31 个字符上限"),
            )
        where = f"{path}:{sheet.title}"
        if not isinstance(sheet, ReadOnlyWorksheet):
            raise InputError(
                [
                    Problem(
                        where,
                        "this is a chart sheet, not a table of bids: put the bids on the first "
                        "sheet, or name their sheet 报价 or bids",
                        zh="这是图表工作表，不是报价表：请把报价放在第一个工作表，"
                        "或把报价所在的工作表命名为“报价”或“bids”",
                    )
                ]
            )
        try:
            with warnings.catch_warnings():  # a date out of range becomes #VALUE!, refused
                warnings.simplefilter("ignore")
                return _Table(where, _sheet_rows(book, sheet))
        except _CellError as exc:
            raise InputError(
                [
                    Problem(
                        where,
                        exc.en,
                        line=exc.row,
                        column_label=_letter(exc.column) if exc.column else None,
                        zh=exc.zh,
                    )
                ]
            ) from None
        except InputError:
            raise
        except Exception as exc:  # XML openpyxl cannot make sense of, outside any cell
            raise InputError(
                [
                    Problem(
                        where,
                        f"cannot read the sheet ({type(exc).__name__}); open and save the "
                        "workbook again as .xlsx, or export CSV",
                        zh=f"无法读取该工作表（{type(exc).__name__}）；请打开工作簿后重新另存为"
                        " .xlsx，或导出为 CSV",
                    )
                ]
            ) from None
    finally:
        book.close()


def _sheet_rows(book: Any, sheet: Any) -> list[tuple[int, list[Any]]]:
    """The rows of a read-only sheet as (row number, cell values), read with openpyxl's own
    sheet parser so that a cell it cannot convert is named (row, column) rather than ending
    the read; the sheet's declared used range (`dimension`) is not trusted to size rows."""
    from openpyxl.utils import coordinate_to_tuple
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> Any:
            ref = element.get("r")
            try:
                cell = super().parse_cell(element)
            except Exception as exc:
                try:
                    row, column = coordinate_to_tuple(ref) if ref else (self.row_counter, None)
                except Exception:
                    row, column = self.row_counter, None
                raise _CellError(
                    f"the cell cannot be read ({type(exc).__name__}: {excerpt(str(exc))}); "
                    "type the value again",
                    f"无法读取该单元格（{type(exc).__name__}）；请重新输入该值",
                    row,
                    column,
                ) from None
            value, row, column = cell["value"], cell["row"], cell["column"]
            if cell["data_type"] == "e":
                raise _CellError(
                    f"the cell holds the spreadsheet error {excerpt(value)}; give a value",
                    f"该单元格是电子表格错误值 {excerpt(value)}；请填写数值",
                    row,
                    column,
                )
            if value is None and element.find(FORMULA_TAG) is not None:
                raise _CellError(
                    "the cell holds a formula whose result was never saved; open the workbook "
                    "in Excel or WPS and save it, or type the value",
                    "该单元格是未保存计算结果的公式；请在 Excel 或 WPS 中打开并保存工作簿，"
                    "或直接输入数值",
                    row,
                    column,
                )
            if isinstance(value, float) and not math.isfinite(value):
                raise _CellError(
                    f"the cell holds {value}, not a finite number; give an ordinary number",
                    f"该单元格为 {value}，不是有限数值；请填写普通数字",
                    row,
                    column,
                )
            return cell

    rows: list[tuple[int, list[Any]]] = []
    with sheet._get_source() as source:  # openpyxl's read-only sheet: its XML part
        parser = Parser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            filled = [c for c in cells if c["value"] is not None]
            if not filled:
                continue
            if number > MAX_ROWS + 1:
                raise _CellError(
                    f"more than {MAX_ROWS:,} rows: a value in row {number:,}",
                    f"超过 {MAX_ROWS:,} 行：第 {number:,} 行有内容",
                    number,
                )
            values: list[Any] = []
            for c in filled:
                if c["column"] > MAX_COLUMNS:
                    raise _CellError(
                        f"a value beyond column {_letter(MAX_COLUMNS)}, where a bid sheet has "
                        "no columns; delete it",
                        f"在 {_letter(MAX_COLUMNS)} 列之后有内容，报价表没有这些列；请删除",
                        number,
                        c["column"],
                    )
                values += [None] * (c["column"] - len(values))
                if values[c["column"] - 1] is not None:  # hand-made XML: which one stands?
                    raise _CellError(
                        "two cells at the same place in the workbook's XML; open and save it "
                        "again in Excel or WPS",
                        "工作簿的 XML 中同一位置有两个单元格；请在 Excel 或 WPS 中打开并重新保存",
                        number,
                        c["column"],
                    )
                values[c["column"] - 1] = c["value"]
            rows.append((number, values))
    return rows


FORMULA_START = ("=", "+", "-", "@")  # text a spreadsheet would run as a formula


def csv_text(value: Any) -> Any:
    """Text for a CSV cell that Excel will not run as a formula: a leading ' keeps
    '=HYPERLINK(...)' as text (the reader drops that quote again)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def as_text_cells(sheet: Any) -> None:
    """Make every text cell of an openpyxl sheet a string cell: openpyxl would otherwise
    store text that starts with '=' as a formula, to run when the workbook is opened."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"


def _cell(value: Any) -> Any:
    """A cell as the validator should see it: text stripped, integral numbers as int, and a
    formula guard (a ' before =, +, - or @) dropped."""
    if isinstance(value, str):
        value = value.strip()
        if value[:1] == "'" and value[1:2] in FORMULA_START:
            return value[1:]
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)  # 1,234,567.89


def _number(text: str) -> int | float | None:
    """A number typed as text: ASCII digits with an optional point and exponent, commas only
    as thousands separators (1,234,567); None for text that is no number (the validator
    names it). A comma in any other place ("1,5", "1,50", "12,3456", "1.234,5") may be a
    decimal comma: refused as ambiguous, never guessed."""
    text = text.strip().replace("，", ",")
    if "," in text:
        if not _GROUPED.fullmatch(text):
            raise _CellError(
                f"ambiguous number '{excerpt(text)}': its comma is not a thousands separator "
                "(groups of three digits, as in 1,234,567) and may be a decimal comma; write "
                "it with a decimal point and no other separator, e.g. 1.5",
                f"数字“{excerpt(text)}”有歧义：其中的逗号不是千位分隔符（三位一组，如 1,234,567），"
                "可能是小数逗号；请用小数点书写、不加其他分隔符，例如 1.5",
            )
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        return None
    if re.fullmatch(r"[+-]?\d+", text, re.ASCII):
        return int(text)
    number: int | float = _cell(float(text))
    return number


def _convert(column: Column, value: Any) -> Any:
    """Text from a CSV (or a cell typed as text) into the column's kind; a value that does
    not convert is passed on as it is, for the validator to name."""
    if column.kind == "bool":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        return value
    if column.kind in ("int", "number") and isinstance(value, str):
        number = _number(value)
        return value if number is None else number
    if column.kind == "list":
        return [
            _WORDS.get(x.strip(), x.strip())
            for x in re.split(r"[,，、;；\s]+", str(value))
            if x.strip()
        ]
    if column.key in ("model", "archetype") and isinstance(value, str):
        return _WORDS.get(value, value)
    return value


def read_sheet(path: Path, raw: bytes | None = None) -> Located:
    """A bid sheet as vendors@1 data, with each value's position (row, column) for errors.
    `raw`: the file's bytes, if already read. Nothing is dropped or changed silently: a value
    under no header, a row without a model, a second row for the same bidder and model, an
    ambiguous number or text with an invisible character is refused at its cell."""
    if raw is None:
        raw = read_bytes(path, MAX_SHEET_BYTES, "bid sheet")
    table = _read_xlsx(path, raw) if path.suffix.lower() == ".xlsx" else _read_csv(path, raw)
    located = Located(data=None, file=table.where, raw=raw)

    def refuse(en: str, zh: str, row: int, col: int | None, field: str = "") -> NoReturn:
        label = _letter(col + 1) if col is not None else None
        problem = Problem(table.where, en, field=field, line=row, column_label=label, zh=zh)
        raise InputError([problem])

    rows = [(n, [_cell(c) for c in cells]) for n, cells in table.rows]
    rows = [(n, cells) for n, cells in rows if any(c not in (None, "") for c in cells)]
    if not rows:
        raise InputError([Problem(table.where, "the sheet is empty", zh="工作表为空")])
    if len(rows) > MAX_ROWS + 1:
        raise InputError(
            [Problem(table.where, f"more than {MAX_ROWS:,} rows", zh=f"超过 {MAX_ROWS:,} 行")]
        )
    for n, cells in rows:  # every cell, the header's too, before any is echoed or kept
        for c, cell in enumerate(cells):
            if not isinstance(cell, str):
                continue
            if len(cell) > MAX_CELL_CHARS:
                refuse(
                    f"the cell holds {len(cell):,} characters, over the {MAX_CELL_CHARS:,} "
                    "limit (the longest field, source or assumption, takes 2,000)",
                    f"该单元格有 {len(cell):,} 个字符，超过 {MAX_CELL_CHARS:,} 个字符的上限"
                    "（最长的字段“数据来源”或“假设说明”为 2,000 个字符）",
                    n,
                    c,
                )
            bad = bad_char(cell)
            if bad:  # as in YAML: nothing that can hide or reverse text reaches a brief
                refuse(*bad_char_message(bad), n, c)
    header_row, header = rows[0]
    columns: dict[int, Column] = {}
    problems = []
    for i, title in enumerate(header):
        if title in (None, ""):
            continue
        column = _BY_HEADER.get(str(title).strip())
        if column is None:
            problems.append(
                Problem(
                    table.where,
                    f"unknown column '{excerpt(title)}'; the columns are: "
                    + ", ".join(c.key for c in COLUMNS),
                    line=header_row,
                    column_label=_letter(i + 1),
                    zh=f"未知的列“{excerpt(title)}”；可用的列：" + "、".join(c.zh for c in COLUMNS),
                )
            )
        elif column in columns.values():
            problems.append(
                Problem(
                    table.where,
                    f"column {column.key} appears twice",
                    line=header_row,
                    column_label=_letter(i + 1),
                    zh=f"列“{column.zh}”出现了两次",
                )
            )
        else:
            columns[i] = column
    for key in REQUIRED:
        if key not in (c.key for c in columns.values()):
            column = next(c for c in COLUMNS if c.key == key)
            problems.append(
                Problem(
                    table.where,
                    f"the header row has no column {key} ({column.zh})",
                    line=header_row,
                    zh=f"表头缺少“{column.zh}”（{key}）列",
                )
            )
    if problems:
        raise InputError(problems)
    if len(rows) > MAX_ROWS + 1:
        raise InputError(
            [Problem(table.where, f"more than {MAX_ROWS:,} rows", zh=f"超过 {MAX_ROWS:,} 行")]
        )

    for n, cells in rows[1:]:  # a value under no header would be dropped: refuse it
        for c, cell in enumerate(cells):
            if cell not in (None, "") and c not in columns:
                refuse(
                    "a value in a column without a header; give the column one of the "
                    "headers, or delete the value",
                    "该值所在的列没有表头；请为该列填写表头，或删除该值",
                    n,
                    c,
                )

    vendors: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    model_rows: dict[tuple[str, str], int] = {}  # (bidder, model) -> its row
    id_col = next(i for i, c in columns.items() if c.key == "id")
    model_col = next(c for c, col in columns.items() if col.key == "model")
    for n, cells in rows[1:]:
        cells = cells + [None] * (len(header) - len(cells))
        vid = cells[id_col]

        def at(path: YamlPath, col: int, n: int = n) -> None:
            located.values.setdefault(path, (n, col + 1))
            located.keys.setdefault(path, (n, col + 1))

        if vid in (None, ""):
            refuse(
                "a bid row needs the bidder's id",
                "每一行报价都需要填写供应商编号",
                n,
                id_col,
                "id",
            )
        model = _convert(columns[model_col], cells[model_col])
        if model in (None, ""):
            refuse(
                "a bid row needs its deployment model (private, dedicated, public or hybrid): "
                "one row per bidder and model",
                "每一行报价都需要填写部署模式（私有云、专有云、公有云或混合云）：每个供应商的每种"
                "模式各占一行",
                n,
                model_col,
                "model",
            )
        key, model_key = str(vid), str(model)
        first = model_rows.setdefault((key, model_key), n)
        if first != n:
            refuse(
                f"bidder {excerpt(key)} has a second row for model {excerpt(model_key)} (rows "
                f"{first} and {n}); give one row per bidder and model: delete one, or correct "
                "its model",
                f"供应商 {excerpt(key)} 的部署模式 {excerpt(model_key)} 有两行（第 {first} 行和第 "
                f"{n} 行）；每个供应商的每种模式只能有一行：请删除其中一行，或更正其部署模式",
                n,
                model_col,
                "model",
            )
        if key not in index:
            index[key] = len(vendors)
            vendors.append({"id": vid, "models": [], "prices": {}})
            at(("vendors", index[key]), id_col)
            at(("vendors", index[key], "id"), id_col)
        i = index[key]
        entry = vendors[i]
        entry["models"].append(model)
        at(("vendors", i, "models", len(entry["models"]) - 1), model_col)
        at(("vendors", i, "prices", model_key), model_col)
        for c, column in columns.items():
            value = cells[c]
            if column.key in ("id", "model") or value in (None, ""):
                continue
            try:
                value = _convert(column, value)
            except _CellError as exc:
                refuse(exc.en, exc.zh, n, c, column.key)
            dest = tuple(model_key if part == "*" else part for part in column.path)
            node = entry
            for part in dest[:-1]:
                node = node.setdefault(part, {})
            if not column.per_model and dest[-1] in node and node[dest[-1]] != value:
                refuse(
                    f"bidder {key}: {column.key} is {excerpt(node[dest[-1]])} on an "
                    f"earlier row and {excerpt(value)} here; give it once, on the "
                    "bidder's first row",
                    f"供应商 {key} 的“{column.zh}”在前面一行为 {excerpt(node[dest[-1]])}，"
                    f"此处为 {excerpt(value)}；请只在该供应商的第一行填写一次",
                    n,
                    c,
                    column.key,
                )
            node[dest[-1]] = value
            at(("vendors", i, *dest), c)
    located.data = {"format": "procure/vendors@1", "vendors": vendors}
    located.keys[("format",)] = (header_row, 1)
    located.keys[("vendors",)] = (header_row, 1)
    return located


def sheet_problems(located: Located, problems: list[Problem]) -> list[Problem]:
    """Problems from validating a sheet's data, with spreadsheet column letters and the
    sheet's own names for the fields (vCPU单价, not vendors[2].prices.private.vcpu)."""
    out = []
    for p in problems:
        label = _letter(p.column) if p.column else None
        out.append(replace(p, column=None, column_label=label))
    return out


_CHOICES = {
    "model": ("私有云", "专有云", "公有云", "混合云"),
    "archetype": ("基础设施服务商", "公有云服务商", "电信运营商", "系统集成商", "专业服务商"),
}
_CHOICES_EN = {
    "model": ("private", "dedicated", "public", "hybrid"),
    "archetype": ("infrastructure", "public_cloud", "telecom", "integrator", "specialist"),
}


def template_csv(lang: str) -> bytes:
    """An empty CSV bid sheet: the header row (UTF-8 with a BOM, so Excel reads Chinese)."""
    import csv

    stream = io.StringIO()
    csv.writer(stream, lineterminator="\r\n").writerow(
        [c.zh if lang == "zh" else c.key for c in COLUMNS]
    )
    return stream.getvalue().encode("utf-8-sig")


def template_xlsx(lang: str) -> bytes:
    """An empty .xlsx bid sheet: headers with a note on each, drop-down lists and number
    checks on the cells, and a sheet that documents every column."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    zh = lang == "zh"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_NAMES[0] if zh else SHEET_NAMES[1]
    last = MAX_ROWS + 1
    yes_no = '"是,否"' if zh else '"yes,no"'
    for i, column in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=1, column=i, value=column.zh if zh else column.key)
        cell.font = Font(bold=True)
        cell.comment = Comment(column.help_zh if zh else column.help_en, "procure")
        sheet.column_dimensions[_letter(i)].width = max(12, len(str(cell.value)) * 2)
        span = f"{_letter(i)}2:{_letter(i)}{last}"
        check: DataValidation | None = None
        if column.key in _CHOICES:
            values = (_CHOICES if zh else _CHOICES_EN)[column.key]
            check = DataValidation(type="list", formula1='"' + ",".join(values) + '"')
        elif column.kind == "bool":
            check = DataValidation(type="list", formula1=yes_no, allow_blank=True)
        elif column.key == "mlps_max":
            check = DataValidation(type="whole", operator="between", formula1="1", formula2="4")
        elif column.key.startswith("score_"):
            check = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
        elif column.kind in ("int", "number"):
            check = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        if check is not None:
            check.error = column.help_zh if zh else column.help_en
            check.showErrorMessage = True
            sheet.add_data_validation(check)
            check.add(span)
    sheet.freeze_panes = "B2"
    notes = book.create_sheet("说明" if zh else "notes")
    notes.append(["列", "含义", "必填"] if zh else ["column", "meaning", "required"])
    for column in COLUMNS:
        required = column.key in FILLED
        notes.append(
            [
                column.zh if zh else column.key,
                column.help_zh if zh else column.help_en,
                ("是" if zh else "yes") if required else "",
            ]
        )
    notes.append([])
    notes.append(
        [
            "每个供应商的每种部署模式各占一行；供应商自身的信息（名称、服务层、评分等）填在其第一行即可。"
            if zh
            else "One row per bidder and deployment model; a bidder's own fields (name, layers, "
            "scores, ...) go on its first row."
        ]
    )
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def sheet_rows(vendors: list[Any], lang: str) -> list[list[Any]]:
    """A catalog as bid-sheet rows (header first): one row per bidder and model, the
    bidder's own fields on its first row only. `read_sheet` reads them back to the same
    catalog."""
    zh = lang == "zh"
    english = {v: k for k, v in _WORDS.items() if k.endswith("云")}  # models only
    rows: list[list[Any]] = [[c.zh if zh else c.key for c in COLUMNS]]
    for vendor in vendors:
        data = vendor.model_dump(mode="json", exclude_defaults=True)
        for n, model in enumerate(vendor.models):
            row: list[Any] = []
            for column in COLUMNS:
                if column.key == "id":
                    row.append(vendor.id)
                    continue
                if column.key == "model":
                    row.append(english[model] if zh else model)
                    continue
                if n and not column.per_model:
                    row.append(None)
                    continue
                node: Any = data
                for part in column.path:
                    node = (
                        node.get(model if part == "*" else part) if isinstance(node, dict) else None
                    )
                if column.key == "archetype" and zh:
                    node = {v: k for k, v in _WORDS.items()}.get(node, node)
                elif column.kind == "number" and node is not None:
                    node = _cell(node)
                if column.kind == "list" and node is not None:
                    node = ", ".join(node)
                elif column.kind == "bool" and node is not None:
                    node = ("是" if node else "否") if zh else ("yes" if node else "no")
                row.append(node)
            rows.append(row)
    return rows


def sheet_csv(vendors: list[Any], lang: str) -> bytes:
    import csv

    stream = io.StringIO()
    csv.writer(stream, lineterminator="\r\n").writerows(
        [["" if c is None else csv_text(c) for c in row] for row in sheet_rows(vendors, lang)]
    )
    return stream.getvalue().encode("utf-8-sig")


def sheet_xlsx(vendors: list[Any], lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_NAMES[0] if lang == "zh" else SHEET_NAMES[1]
    for row in sheet_rows(vendors, lang):
        sheet.append(row)
    as_text_cells(sheet)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
