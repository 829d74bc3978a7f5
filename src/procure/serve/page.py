"""The page's HTML: the package's own templates rendered in the project's sealed sandbox
(`procure.documents.sandbox`) with autoescaping, so a name in the scenario (a vendor called
`<script>`) is text on the page, never markup. Templates see plain data only."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from jinja2 import DictLoader, StrictUndefined

from procure.documents.sandbox import SealedEnvironment, plain
from procure.serve.compute import View, labels
from procure.serve.fields import FIELDS, shown_weight

TEMPLATES = ("page", "results", "robustness", "changes")


def _sources() -> dict[str, str]:
    root = files("procure.serve") / "templates"
    return {f"{n}.html.j2": (root / f"{n}.html.j2").read_text(encoding="utf-8") for n in TEMPLATES}


_SOURCES = _sources()


def render(template: str, lang: str, **ctx: Any) -> str:
    """One template, autoescaped, in a fresh sealed environment (its own budget)."""
    env = SealedEnvironment(
        loader=DictLoader(_SOURCES),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    data = {k: plain(v) for k, v in ctx.items()}
    return env.get_template(f"{template}.html.j2").render(
        t=labels(lang), lang=lang, colon="：" if lang == "zh" else ": ", **data
    )


def marks(view: View, base: View | None) -> dict[str, Any]:
    """What differs from the scenario as written: systems whose supplier or model changed,
    the total, the lots whose method or ceiling changed, the recommended partnership."""
    if base is None:
        return {"systems": [], "deployment": [], "lots": [], "total": False, "partnership": False}
    key, was = view.get("key", {}), base.get("key", {})
    plan = view.get("plan") or {}
    plan_was = {lot[0]: lot for lot in (base.get("plan") or {}).get("key", [])}
    return {
        "systems": [s for s in key if key[s] != was.get(s)],
        "deployment": [
            d["id"]
            for d, old in zip(view["deployment"], base["deployment"], strict=False)
            if d != old
        ],
        "lots": [lot[0] for lot in plan.get("key", []) if plan_was.get(lot[0]) != lot],
        "total": (view.get("award") or {}).get("total") != (base.get("award") or {}).get("total"),
        "partnership": view["partnership"]["recommended"] != base["partnership"]["recommended"],
    }


def changes(
    changed: tuple[str, ...],
    form: dict[str, list[str]],
    start: dict[str, str | list[str]],
    vendor_names: dict[str, str],
    lang: str,
) -> list[str]:
    """Each changed field as 'label: now (was before)', in the page's language."""
    t = labels(lang)
    colon = "：" if lang == "zh" else ": "
    out = []
    for f in FIELDS:
        if f.name not in changed:
            continue
        if f.kind == "ids":
            now = _names(form.get(f.name, []), vendor_names, lang)
            was = _names(list(start[f.name]), vendor_names, lang)
        else:
            now = _shown(f.name, (form.get(f.name) or [""])[-1], t)
            was = _shown(f.name, str(start[f.name]), t)
        label = t["exclude"] if f.kind == "ids" else t[f.name]
        out.append(
            f"{label}{colon}{now}（{t['was'].format(value=was)}）"
            if lang == "zh"
            else f"{label}{colon}{now} ({t['was'].format(value=was)})"
        )
    return out


def _names(ids: list[str], names: dict[str, str], lang: str) -> str:
    if not ids:
        return "—"
    return ("、" if lang == "zh" else ", ").join(names.get(i, i) for i in ids)


def _shown(name: str, value: str, t: dict[str, str]) -> str:
    if name.startswith("w_"):
        try:
            return shown_weight(float(value))
        except ValueError:
            return value
    prefix = {"structure": "structure_", "strategic_partner": "bool_", "parent_cloud": "parent_"}
    if name in prefix:
        return t.get(prefix[name] + value, value)
    return value
