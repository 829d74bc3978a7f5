"""The message catalog (templates/strings.yaml): every heading and label in en and zh, for
the brief and the terminal alike. Light to import: the terminal uses it without the renderer."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path


def templates_dir() -> Path:
    """Templates ship inside the wheel as procure/templates; in a checkout they are top-level."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


@cache
def strings() -> dict[str, dict[str, str]]:
    """The message catalog: every heading and label in en and zh."""
    # a bundled file, not user input: the plain safe loader, without the position tracking
    # and checks of `read_yaml`, takes half the time (it is on `procure validate`'s path)
    from ruamel.yaml import YAML

    text = (templates_dir() / "strings.yaml").read_text(encoding="utf-8")
    data = YAML(typ="safe", pure=True).load(text)
    return {str(key): {str(k): str(v) for k, v in value.items()} for key, value in data.items()}


def catalog(lang: str) -> dict[str, str]:
    return {key: value[lang] for key, value in strings().items()}


def locale_language(environ: Mapping[str, str] | None = None) -> str:
    """zh when the user's locale is Chinese (LC_ALL, then LC_MESSAGES, then LANG, as POSIX
    orders them), else en."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def choose_language(option: str | None, stated: str | None) -> str:
    """The output language: --lang if given, else the language the scenario states, else the
    locale's."""
    return option or stated or locale_language()
