"""The procurement plan (采购实施计划, issue #24): lots with their scope, estimated value,
competition depth and ceiling price; the method, evaluation rules, qualifications and SME terms
of each lot; a dated timeline on the Chinese working-day calendar. The award is used only as a
market-research estimate, never as a result: before bids exist nothing here names a winner.

Owns: the plan's model (`Plan`), its legal figures (`knowledge/plan.yaml`), its working-day
calendar and its terminal view.

May import: the root helpers, `procure.inputs`, `procure.advice`, `procure.award` and
`procure.analysis`. The pipeline (`procure.recommendation`) builds it for the brief's plan
chapter, and an agency that joins the cloud above gets its joining plan (`plan.joining`).
"""

from procure.plan.build import Plan, build_plan, plan_and_estimate

__all__ = ["Plan", "build_plan", "plan_and_estimate"]
