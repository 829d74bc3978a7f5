"""Validation of parsed YAML (or a bid sheet) against a pydantic model, every error turned into a
located, bilingual `Problem` (file:line, field, what to do). Kept apart from the models it
serves, so the scenario, vendor and knowledge modules can all use it without importing each
other."""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from procure.errors import FieldError, InputError, Problem, excerpt
from procure.inputs.yamlio import Located, YamlPath, format_path

M = TypeVar("M", bound=BaseModel)


def validate_located(model: type[M], located: Located) -> M:
    """Validate parsed YAML against `model`, turning every error into a located Problem."""
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        raise InputError(_problems(model, located, exc)) from None


def _problems(model: type[BaseModel], located: Located, exc: ValidationError) -> list[Problem]:
    problems = []
    seen: set[tuple[str, str]] = set()
    for err in _taken_branches(exc.errors(include_url=False), located.data):
        path = _clean_loc(err["loc"], located.data)
        cause = (err.get("ctx") or {}).get("error")
        zh = _ZH_TYPES.get(err["type"], "").format(**_ctx_text(err.get("ctx") or {}))
        if isinstance(cause, FieldError):
            path = path + cause.path
            zh = cause.zh
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            name = str(path[-1])
            allowed = _fields_at(model, path[:-1], located.data)
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            message = f"unknown key '{name}'{hint} Allowed here: {', '.join(allowed)}"
            zh_hint = f"是否应为“{close[0]}”？" if close else ""
            zh = f"未知字段“{name}”；{zh_hint}此处可用的字段：{'、'.join(allowed)}"
            pos = located.where(path, key=True)
        elif err["type"] == "missing":
            message = f"required field '{path[-1]}' is missing"
            zh = f"缺少必填字段“{path[-1]}”"
            pos = located.where(path[:-1], key=True)
        else:
            got = err.get("input")
            if err["type"] not in ("value_error",) and not isinstance(got, (dict, list)):
                message += f" (got {excerpt(repr(got))})"
                zh += f"（实际为 {excerpt(repr(got))}）" if zh else ""
            pos = located.where(path, key=True) if path else (1, 1)
        key = (format_path(path), message)
        if key in seen:
            continue
        seen.add(key)
        line, col = pos if pos else (None, None)
        problems.append(
            Problem(
                located.file,
                message,
                field=format_path(path) or "(top level)",
                line=line,
                column=col,
                zh=zh,
            )
        )
    return problems


# pydantic's error types in Chinese; {name} placeholders are its error context
_ZH_TYPES = {
    "greater_than_equal": "应大于或等于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应小于或等于 {le}",
    "less_than": "应小于 {lt}",
    "string_too_long": "最多 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少需要 {min_length} 项",
    "literal_error": "应为以下取值之一：{expected}",
    "string_pattern_mismatch": "格式不符：只能用小写字母、数字、连字符和下划线，且以字母或数字开头",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数值",
    "bool_type": "应为 true 或 false",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "finite_number": "应为有限数值",
    "multiple_of": "应为 {multiple_of} 的整数倍",
    "union_tag_invalid": "取值不符合任何允许的形式",
}


def _ctx_text(ctx: dict[str, Any]) -> dict[str, str]:
    """pydantic's error context as text for the Chinese templates ('a' or 'b' becomes 'a'、'b')."""
    out = {k: f"{v:g}" if isinstance(v, float) else str(v) for k, v in ctx.items()}
    if "expected" in out:
        out["expected"] = out["expected"].replace(" or ", "、").replace(", ", "、")
    return out


def _union_tag(loc: tuple[int | str, ...], data: Any) -> int | None:
    """Where in `loc` pydantic names a union's branch (`literal['default']`, `list[...]`), if
    anywhere: the first part that is not a key or index of the data there."""
    node = data
    for i, part in enumerate(loc):
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):  # noqa: SIM114
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(part, str) and (not isinstance(node, dict) or not part.isidentifier()):
            return i
        else:
            return None
    return None


def _taken_branches(errors: list[Any], data: Any) -> list[Any]:
    """The errors without those of a union's branches the value plainly is not: where one
    branch's errors lie inside the value (a list of vendors, one with a bad field), the other
    branches' complaints about the value as a whole ("Input should be 'default'", "Input
    should be a valid string") are noise that hid the real error behind two wrong ones."""
    at = [_union_tag(e["loc"], data) for e in errors]
    inside = {
        tuple(e["loc"][:i])
        for e, i in zip(errors, at, strict=True)
        if i is not None and len(e["loc"]) > i + 1
    }
    return [
        e
        for e, i in zip(errors, at, strict=True)
        if i is None or len(e["loc"]) > i + 1 or tuple(e["loc"][:i]) not in inside
    ]


def _clean_loc(loc: tuple[int | str, ...], data: Any) -> YamlPath:
    """Drop pydantic's union/type tags from an error location, keeping real keys and indexes."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):  # noqa: SIM114
            path.append(part)
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict) and part.isidentifier():
            path.append(part)  # a missing field (not a union's tag: `constrained-str`)
            node = None
    return tuple(path)


def _fields_at(model: type[BaseModel], path: YamlPath, data: Any) -> list[str]:
    """Field names allowed at `path` inside `model` (for 'did you mean')."""
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if _is_model(current) else None
        if field is None:
            return []
        current = _model_in(field.annotation)
        if current is None:
            return []
    return list(current.model_fields) if _is_model(current) else []


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
