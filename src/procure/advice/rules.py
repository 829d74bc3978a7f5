"""Rule conditions: a small safe expression language (simpleeval), never `eval`.

Names a condition may use are fixed per scope; a rule naming anything else fails when the
knowledge base loads, not silently when a scenario is assessed.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from simpleeval import EvalWithCompoundTypes

from procure.errors import ProcureError

if TYPE_CHECKING:
    from procure.inputs.scenario import Scenario, System


class Condition(Protocol):
    """A rule as this module reads it (`procure.advice.knowledge.Rule` is one); structural, so the
    knowledge base may import this module without this module importing it back."""

    @property
    def id(self) -> str: ...
    @property
    def when(self) -> str: ...


class Book(Protocol):
    @property
    def deployment(self) -> Sequence[Condition]: ...
    @property
    def partnership(self) -> Sequence[Condition]: ...


AGENCY_NAMES = (
    "level",
    "cloud_type",
    "sector",
    "region",
    "cloud_trust",
    "leadership",
    "tech_staff",
    "annual_it_budget_cny",
    "policy_pressure",
    "data_sharing_need",
    "public_expectation",
    "legacy_share",
    "strategic_partner",
)
PROCUREMENT_NAMES = ("domestic_stack", "contract_years", "budget_cny", "expansion")
SYSTEM_NAMES = (
    "public_facing",
    "sensitivity",
    "mlps_level",
    "vcpu",
    "memory_gb",
    "storage_tb",
    "elasticity",
    "legacy",
    "public_cloud_reason",
)
SCOPES = {
    "deployment": set(AGENCY_NAMES + PROCUREMENT_NAMES + SYSTEM_NAMES),
    "partnership": set(AGENCY_NAMES + PROCUREMENT_NAMES),
}


class RuleError(ProcureError):
    """A rule in the knowledge base is malformed."""


def names_in(expression: str) -> set[str]:
    """The variable names an expression reads."""
    tree = ast.parse(expression, mode="eval")
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} - {
        "True",
        "False",
        "None",
    }


def check_rules(book: Book) -> None:
    """Fail on any rule whose condition does not parse or names an unknown field."""
    for scope, rules in (("deployment", book.deployment), ("partnership", book.partnership)):
        for rule in rules:
            try:
                unknown = names_in(rule.when) - SCOPES[scope]
            except SyntaxError as exc:
                raise RuleError(f"rule {rule.id}: condition does not parse: {exc.msg}") from None
            if unknown:
                raise RuleError(
                    f"rule {rule.id}: unknown field(s) {sorted(unknown)} in "
                    f"`{rule.when}`; allowed: {sorted(SCOPES[scope])}"
                )


def namespace(scenario: Scenario, system: System | None = None) -> dict[str, Any]:
    """The values rule conditions can read."""
    names: dict[str, Any] = {n: getattr(scenario.agency, n) for n in AGENCY_NAMES}
    names.update({n: getattr(scenario.procurement, n) for n in PROCUREMENT_NAMES})
    if system is not None:
        names.update({n: getattr(system, n) for n in SYSTEM_NAMES})
    return names


_parsing = threading.Lock()
_parsed: dict[str, ast.Expr] = {}


def _parse(condition: str) -> ast.Expr:
    """A condition's syntax tree, parsed once. Under a lock: CPython 3.11's parser is not safe
    to run in two threads at once (SystemError: AST constructor recursion depth mismatch), and
    the robustness analysis places systems from several threads."""
    with _parsing:
        if condition not in _parsed:
            _parsed[condition] = EvalWithCompoundTypes().parse(condition)
        return _parsed[condition]


def holds(rule: Condition, names: dict[str, Any]) -> bool:
    """Whether a rule's condition holds for these values."""
    evaluator = EvalWithCompoundTypes(names=names, functions={})
    return bool(evaluator.eval(rule.when, previously_parsed=_parse(rule.when)))
