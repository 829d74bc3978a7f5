"""The commented starter scenario written by `procure init`."""

from __future__ import annotations

from pathlib import Path

STARTER = Path(__file__).parent / "starter.yaml"
STARTERS = {"en": STARTER, "zh": Path(__file__).parent / "starter-zh.yaml"}

# Magnitudes per level: (IT staff FTE, annual IT budget CNY, contract budget CNY, vCPU scale).
# assumption: orders of magnitude for a first draft only; the analyst replaces them.
_LEVELS = {
    "province": ("120", "400000000", "600000000", "4"),
    "prefecture": ("12", "30000000", "90000000", "1"),
    "county": ("3", "4000000", "8000000", "0.25"),
}


def starter_scenario(level: str, lang: str = "en") -> str:
    """The starter text for `level` (province, prefecture or county), its names and comments
    in `lang`."""
    staff, it_budget, budget, scale = _LEVELS[level]
    text = STARTERS[lang].read_text(encoding="utf-8")
    factor = float(scale)
    for key, base in (("VCPU_A", 256), ("VCPU_B", 512), ("VCPU_C", 128)):
        text = text.replace(f"{{{key}}}", str(max(8, int(base * factor))))
    return (
        text.replace("{LEVEL}", level)
        .replace("{STAFF}", staff)
        .replace("{IT_BUDGET}", it_budget)
        .replace("{BUDGET}", budget)
    )
