"""What surrounds an award: how robust it is (`sensitivity`), what each partnership costs
over time (`cashflow`), and why each candidate supplier placed as it did (`explain`).

May import: the root helpers, `procure.inputs`, `procure.advice` and `procure.award`.
"""
