"""The page's fields: which scenario value each one edits, how a submitted form becomes an
edited scenario, and how the scenario's own validation (the YAML path: `parse_yaml`, then
`check_located`, the checks `procure validate` runs) is told back at the field it concerns.

Every value from the page is untrusted text: it is read as a YAML scalar by the project's own
reader (so 9e7, true or a stray control character mean what they mean in the file), put in a
copy of the scenario's data, and the whole scenario is checked again. Nothing from the page
names a file, a template or a field outside this table."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procure.errors import InputError, Problem
from procure.inputs.load import Inputs, check_located
from procure.inputs.scenario import CRITERIA
from procure.inputs.yamlio import YamlPath, dump_yaml, format_path, parse_bytes, parse_yaml

MAX_VALUE = 200  # characters in one field's value: a number or an id needs far fewer
MAX_EXCLUDED = 200  # ids in the exclusion list (procure.exclude_vendors' own bound is higher)
WEIGHT_STEP = 5e-5  # a weight within this of the scenario's is the scenario's (sliders: 4 dp)


@dataclass(frozen=True)
class Field:
    name: str  # the form's field name
    path: YamlPath  # where it lives in the scenario
    kind: str  # weight | number | choice | ids


FIELDS: tuple[Field, ...] = (
    *(Field(f"w_{c}", ("criteria", "weights", c), "weight") for c in CRITERIA),
    Field("budget_cny", ("procurement", "budget_cny"), "number"),
    Field("max_vendor_share", ("procurement", "max_vendor_share"), "number"),
    Field("min_vendors", ("procurement", "min_vendors"), "number"),
    Field("max_vendors", ("procurement", "max_vendors"), "number"),
    Field("structure", ("procurement", "structure"), "choice"),
    Field("strategic_partner", ("agency", "strategic_partner"), "choice"),
    Field("parent_cloud", ("agency", "parent_cloud"), "choice"),
    Field("exclude", ("procurement", "exclude_vendors"), "ids"),
)
BY_NAME = {f.name: f for f in FIELDS}
CHOICES = {
    "structure": ("integrator", "parallel"),
    "strategic_partner": ("false", "true"),
    "parent_cloud": ("none", "prefecture", "province"),
}
GENERAL = ""  # the key of problems no field owns (shown above the form)


def initial(inputs: Inputs, weights: dict[str, float]) -> dict[str, str | list[str]]:
    """The form's values for the scenario as written; `weights`: its normalised weights
    (AHP judgments give them too)."""
    s = inputs.scenario
    p = s.procurement
    out: dict[str, str | list[str]] = {f"w_{c}": shown_weight(weights[c]) for c in CRITERIA}
    out.update(
        budget_cny=f"{p.budget_cny:.15g}",
        max_vendor_share=f"{p.max_vendor_share:.15g}",
        min_vendors=str(p.min_vendors),
        max_vendors=str(p.max_vendors),
        structure=p.structure,
        strategic_partner="true" if s.agency.strategic_partner else "false",
        parent_cloud=s.agency.parent_cloud,
        exclude=list(p.exclude_vendors),
    )
    return out


def shown_weight(w: float) -> str:
    return f"{w:.4f}"


@dataclass(frozen=True)
class Edited:
    """A form read against the scenario: its data, the fields that differ from the scenario
    as written, and the problems found reading the values (before validation)."""

    data: dict[str, Any]
    changed: tuple[str, ...]
    problems: dict[str, list[str]]


def read_form(
    form: dict[str, list[str]], base: dict[str, Any], start: dict[str, str | list[str]], lang: str
) -> Edited:
    """The scenario data `base` with the form's values in place of the fields that changed
    against `start` (the form as first shown). Unknown fields are ignored; values are read as
    YAML scalars."""
    data = copy.deepcopy(base)
    problems: dict[str, list[str]] = {}
    changed: list[str] = []
    values: dict[str, Any] = {}
    for f in FIELDS:
        given = form.get(f.name, [] if f.kind == "ids" else None)
        if given is None:
            continue
        raw = given if f.kind == "ids" else given[-1:]
        if f.kind == "ids" and len(raw) > MAX_EXCLUDED:
            problems[f.name] = [_too_many(lang)]
            continue
        try:
            parsed = [scalar(v, f.name) for v in raw]
        except InputError as exc:
            problems[f.name] = [_message(p, lang) for p in exc.problems]
            continue
        values[f.name] = parsed if f.kind == "ids" else (parsed[0] if parsed else None)
    weights_changed = False
    for f in FIELDS:
        if f.name not in values:
            continue
        value = values[f.name]
        was = start[f.name]
        if f.kind == "weight":
            if _same_weight(value, str(was)):
                continue
            weights_changed = True
        elif f.kind == "ids":
            if [str(v) for v in value] == list(was):
                continue
        elif _text(value) == was:
            continue
        changed.append(f.name)
        if f.kind != "weight":
            _put(data, f.path, value)
    if weights_changed:  # the four weights together replace the scenario's (or its AHP)
        criteria = {c: values.get(f"w_{c}", float(str(start[f"w_{c}"]))) for c in CRITERIA}
        data["criteria"] = {"weights": criteria}
    return Edited(data, tuple(changed), problems)


def scalar(value: str, name: str) -> Any:
    """One field's text read as a YAML scalar by the project's reader (bounded, checked)."""
    if len(value) > MAX_VALUE:
        raise InputError(
            [
                Problem(
                    name,
                    f"at most {MAX_VALUE} characters",
                    field=name,
                    zh=f"最多 {MAX_VALUE} 个字符",
                )
            ]
        )
    if value.strip() == "":
        return None
    located = parse_yaml(value, name)
    data = located.data
    if isinstance(data, dict | list):  # a field holds one value, never a structure
        return value
    return data


def _same_weight(value: Any, was: str) -> bool:
    return isinstance(value, int | float) and abs(float(value) - float(was)) <= WEIGHT_STEP


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.15g}"
    return "" if value is None else str(value)


def _put(data: dict[str, Any], path: YamlPath, value: Any) -> None:
    node: Any = data
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value


def validate(
    data: dict[str, Any], path: Path, data_dir: Path | None, lang: str
) -> tuple[Inputs | None, dict[str, list[str]]]:
    """Check the edited scenario exactly as a file: its YAML is written, parsed and checked
    as if it were `path` (its vendor file beside it). Problems come back by field."""
    text = dump_yaml(json.loads(json.dumps(data)))
    try:
        located = parse_bytes(text.encode("utf-8"), str(path))
        return check_located(path, located, data_dir), {}
    except InputError as exc:
        out: dict[str, list[str]] = {}
        for p in exc.problems:
            out.setdefault(owner(p.field), []).append(_message(p, lang))
        return None, out


def owner(field: str) -> str:
    """The page field a problem at YAML path `field` belongs to ("" when no field owns it)."""
    for f in FIELDS:
        at = format_path(f.path)
        if field == at or field.startswith(at + "[") or field.startswith(at + "."):
            return f.name
    if field in ("criteria", "criteria.weights", "criteria.ahp"):
        return "w_security"
    return GENERAL


def _message(p: Problem, lang: str) -> str:
    """The problem's own message (as `procure validate` gives it), with its field."""
    text = p.zh if lang == "zh" and p.zh else p.message
    return (
        f"{p.field}：{text}"
        if lang == "zh" and p.field
        else (f"{p.field}: {text}" if p.field else text)
    )


def _too_many(lang: str) -> str:
    return f"最多排除 {MAX_EXCLUDED} 家供应商" if lang == "zh" else f"at most {MAX_EXCLUDED} ids"
