"""The evaluation stage (评标 / 评审, after the bids): a committee's scores to the legal result.

It owns the `procure/evaluation@1` format (`model`), the legal figures of this stage
(`law`, from knowledge/evaluation.yaml), the scoring, ranking and checks (`scoring`), the
agreement statistics (`stats`), the bid workbook (`workbook`), the 评审报告 (`report`) and
re-running a report for `procure verify` (`rerun`).

It may import the root helpers (errors, money, files, yamlio, validation, catalog, record),
the knowledge base for the price-weight ranges routes.yaml already cites, bids.py's formula
guard for workbook cells, and report.py's sandboxed template environment and PDF renderer.
Nothing imports it except cli, and verify's dispatch on an evaluation report (a few lines);
tests/test_architecture.py holds both rules. A plan's lots (a later stage) will feed it
through `model.Lot`, the same shape the evaluation file writes inline today.
"""
