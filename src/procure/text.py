"""Bilingual text: a sentence in both languages of the output, and the strict, immutable
base of the knowledge base's entries. Every stage uses it, so it sits at the root."""

from __future__ import annotations

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
