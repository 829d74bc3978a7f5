"""Loaded once by the worker processes' fork server (`procure.serve.worker.PRELOAD`): the
solver stack and the knowledge base's caches, so a worker started after a cancelled or
superseded job answers its first change as fast as the next one."""

from __future__ import annotations

from procure.advice.knowledge import knowledge
from procure.catalog import strings
from procure.plan.rules import plan_knowledge
from procure.serve import compute, fields  # noqa: F401  (imported to be in the fork server)


def warm() -> None:
    knowledge()
    plan_knowledge()
    strings()
    for lang in ("en", "zh"):
        compute.labels(lang)


warm()
