"""What surrounds an award: how robust it is (`sensitivity`), what each partnership costs
over time (`cashflow`), and why each candidate supplier placed as it did (`explain`).

May import: the root helpers, `procure.inputs`, `procure.advice` and `procure.award`.
"""

# award re-solves over price and score draws: one number for the brief and `procure
# sensitivity`, so both give the same probabilities (here, light for the CLI to import)
AWARD_DRAWS = 20
