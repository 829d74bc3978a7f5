"""Money formatted for the reader: M CNY in English, 万元/亿元 in Chinese."""

from __future__ import annotations


def fmt_money(cny: float, lang: str) -> str:
    """12_345_678 -> '12.35 M CNY' (en) or '1234.57万元' (zh); 亿元 from 1e8 up."""
    if lang == "zh":
        if abs(cny) >= 1e8:
            return f"{cny / 1e8:,.2f}亿元"
        return f"{cny / 1e4:,.2f}万元"
    if abs(cny) >= 1e9:
        return f"{cny / 1e9:,.2f} bn CNY"
    return f"{cny / 1e6:,.2f} M CNY"
