"""Bilingual text: a sentence in both languages of the output, and the strict, immutable
base of the knowledge base's entries. Every stage uses it, so it sits at the root."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict


class Data(BaseModel):
    """Base for knowledge entries: strict and immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Data):
    """A sentence in both languages of the brief."""

    en: str
    zh: str

    def __call__(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def fmt_date(day: date | str, lang: str) -> str:
    """A date as the reader writes it: 2026-12-04 (en) or 2026年12月4日 (zh); an ISO string is
    read first."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else d.isoformat()


# a Chinese citation in an English sentence: 《title》 and its article, up to the first ASCII
# letter, space or punctuation (digits belong to it: 财政部令第74号)
CITATION = re.compile(r"《(?:[^\x00-\x7f†—–]|[0-9])+")
_CITED = re.compile(r" ?\(《(?:[^\x00-\x7f†—–]|[0-9])+\)|" + CITATION.pattern)


def lift_citations(text: Text) -> tuple[Text, list[str]]:
    """`text` with the Chinese citations taken out of its English sentence (a citation in
    parentheses with them), and the citations: an English reader finds them as [n] under
    Sources; the Chinese sentence keeps them inline."""
    found = CITATION.findall(text.en)
    return Text(en=_CITED.sub("", text.en), zh=text.zh), found
