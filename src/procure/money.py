"""Money formatted for the reader: M CNY in English, 万元/亿元 in Chinese."""

from __future__ import annotations


def fmt_money(cny: float, lang: str) -> str:
    """12_345_678 -> '12.35 M CNY' (en) or '1234.57万元' (zh); 亿元 from 1e8 up.
    An amount that rounds to zero prints without a sign (never '-0.00'), and a small nonzero
    amount prints in yuan rather than as '0.00' (3,000 CNY over a limit is not nothing)."""
    if 0 < abs(cny) < (50 if lang == "zh" else 5_000):
        return f"{cny:,.0f}元" if lang == "zh" else f"{cny:,.0f} CNY"
    if lang == "zh":
        if abs(cny) >= 1e8:
            return f"{_unsigned_zero(cny / 1e8):,.2f}亿元"
        return f"{_unsigned_zero(cny / 1e4):,.2f}万元"
    if abs(cny) >= 1e9:
        return f"{_unsigned_zero(cny / 1e9):,.2f} bn CNY"
    return f"{_unsigned_zero(cny / 1e6):,.2f} M CNY"


def _unsigned_zero(x: float, digits: int = 2) -> float:
    """x, or +0.0 when it rounds to zero at `digits` decimals (so it never prints as -0.00)."""
    return 0.0 if round(x, digits) == 0 else x


def fmt_signed(x: float, digits: int = 2) -> str:
    """'+1.25', '-0.40', and '0.00' (no sign) for what rounds to zero."""
    x = _unsigned_zero(x, digits)
    return f"{x:.{digits}f}" if x == 0 else f"{x:+.{digits}f}"


def fmt_pct(x: float, digits: int = 1) -> str:
    """0.125 -> '12.5%'; never '-0.0%'."""
    return f"{_unsigned_zero(x * 100, digits):.{digits}f}%"


def fmt_amounts(amounts: list[float], lang: str) -> list[str]:
    """Amounts compared in one sentence, all in the unit of the largest (one unit per
    comparison: '3,675.15万元（10,900.00万元对14,575.15万元）' reads as 亿元 beside 万元 does not)."""
    largest = max((abs(a) for a in amounts), default=0.0)
    if lang == "zh":
        scale, unit = (1e8, "亿元") if largest >= 1e8 else (1e4, "万元")
        return [f"{_unsigned_zero(a / scale):,.2f}{unit}" for a in amounts]
    scale, unit = (1e9, " bn CNY") if largest >= 1e9 else (1e6, " M CNY")
    return [f"{_unsigned_zero(a / scale):,.2f}{unit}" for a in amounts]


def split_fen(total: float, weights: list[float]) -> list[float]:
    """`total` shared in proportion to `weights`, each share to the fen, the shares adding up
    to the total to the fen (largest remainder: rounding each share alone can miss by a fen)."""
    fen = round(total * 100)
    whole = sum(weights)
    if not weights or whole <= 0:
        return [0.0] * len(weights)
    exact = [fen * w / whole for w in weights]
    shares = [int(x) for x in exact]  # weights are costs, never negative
    order = sorted(range(len(exact)), key=lambda i: (shares[i] - exact[i], i))
    for i in order[: fen - sum(shares)]:
        shares[i] += 1
    return [s / 100 for s in shares]
