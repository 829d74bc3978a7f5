"""The report's and the law's rules, as data and pure functions over the scenario: the
knowledge base and its rule conditions, readiness, deployment fit, the partnership lean, the
procurement route, and `assess`, which puts them together.

May import: the root helpers and `procure.inputs`.
"""
