"""The evaluation stage (评标 / 评审, after the bids): a committee's scores to the legal result.

It owns the `procure/evaluation@1` format (`model`), the legal figures of this stage
(`law`, from knowledge/evaluation.yaml), the scoring, ranking and checks (`scoring`), the
agreement statistics (`stats`), the bid workbook (`workbook`), the 评审报告 (`report`) and
re-running a report for `procure verify` (`rerun`).

May import: the root helpers, `procure.inputs` (the located YAML reading, validation, the
record, bid-sheet cell guards), `procure.advice` (the price-weight ranges routes.yaml already
cites) and `procure.documents` (the sealed template environment, the PDF renderer and
verify's bounded attachment reader). Only the CLI imports it (tests/test_architecture.py).
A plan's lots (a later stage) will feed it
through `model.Lot`, the same shape the evaluation file writes inline today.
"""
