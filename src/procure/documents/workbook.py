"""The award as an Excel workbook (`procure optimize --format xlsx`): by system, by vendor, by
year, and the rules with what each costs, as numbers a spreadsheet can go on computing with."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from procure.catalog import catalog
from procure.inputs.bids import as_text_cells

if TYPE_CHECKING:
    from procure.award.optimizer import Award
    from procure.inputs.vendors import Vendor

YUAN = "#,##0.00"
SHARE = "0.0000%"


def award_xlsx(
    awards: dict[str, Award], vendors: list[Vendor], systems: dict[str, str], lang: str
) -> bytes:
    """One workbook; with two contract structures, each sheet has a column for it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    t = catalog(lang)
    names = {v.id: v.label(lang) for v in vendors}
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    several = len(awards) > 1

    def sheet(
        title: str, header: list[str], rows: list[list[Any]], formats: dict[int, str]
    ) -> None:
        ws = book.create_sheet(title)
        ws.append(([t["structure"]] if several else []) + header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
        as_text_cells(ws)  # a bidder named "=..." stays a name, never a formula
        shift = 1 if several else 0
        for col, fmt in formats.items():
            for (cell,) in ws.iter_rows(
                min_row=2, min_col=col + shift + 1, max_col=col + shift + 1
            ):
                cell.number_format = fmt
        for i, _ in enumerate(ws[1], 1):
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = 18
        ws.freeze_panes = "A2"

    def tag(name: str) -> list[str]:
        return [t[f"structure_{name}"]] if several else []

    sheet(
        t["term_xlsx_summary"],
        [
            t["total_cost"],
            t["budget"],
            t["value_points"],
            t["term_xlsx_status"],
            t["term_xlsx_gap"],
            t["term_xlsx_solver"],
        ],
        [
            [
                *tag(k),
                a.total_cost_cny,
                a.budget_cny,
                a.value,
                t.get("val_status_" + a.status.replace(" ", "_"), a.status),
                a.gap,
                a.solver,
            ]
            for k, a in awards.items()
        ],
        {0: YUAN, 1: YUAN, 4: SHARE},
    )
    sheet(
        t["term_placements"],
        [
            t["system"],
            t["term_col_id"],
            t["vendor"],
            t["model"],
            t["cost_over_term"],
            t["value_points"],
        ],
        [
            [
                *tag(k),
                systems.get(s.system, s.system),
                s.system,
                names.get(s.vendor, s.vendor),
                t[f"model_{s.model}"],
                s.cost_cny,
                s.value,
            ]
            for k, a in awards.items()
            for s in a.systems
        ],
        {4: YUAN},
    )
    sheet(
        t["term_vendors"],
        [
            t["vendor"],
            t["term_col_id"],
            t["role"],
            t["systems"],
            t["layers"],
            t["cost_over_term"],
            t["share"],
        ],
        [
            [
                *tag(k),
                names.get(v.vendor, v.vendor),
                v.vendor,
                t[f"role_{v.role}"],
                t["list_sep"].join(systems.get(s, s) for s in v.systems),
                t["list_sep"].join(t[f"layer_{x}"] for x in v.layers),
                v.cost_cny,
                v.share,
            ]
            for k, a in awards.items()
            for v in a.vendors
        ],
        {5: YUAN, 6: SHARE},
    )
    sheet(
        t["cost_by_year"],
        [t["year"], t["term_cost"]],
        [
            [*tag(k), t["year_n"].format(n=i), cost]
            for k, a in awards.items()
            for i, cost in enumerate(a.cost_by_year, 1)
        ],
        {1: YUAN},
    )
    sheet(
        t["term_xlsx_rules"],
        [
            t["term_xlsx_rule"],
            t["term_xlsx_delta_cost"],
            t["term_xlsx_delta_value"],
            t["term_xlsx_feasible"],
        ],
        [
            [
                *tag(k),
                r.description(lang),
                r.delta_cost_cny,
                r.delta_value,
                t["term_yes"] if r.feasible else "",
            ]
            for k, a in awards.items()
            for r in a.rule_costs
        ],
        {1: YUAN},
    )
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
