"""Names of systems in the plan's own texts (the MLPS level 4 systems the supplier keeps, the
existing systems to migrate, the systems a split puts in a lot, the systems an agency asks the
cloud above to host): a province's 3,000 systems ran to four pages of them. Past LARGE systems
in the scenario, a text names at most LISTED and says where every one is, as the rest of a
large brief does (documents.report.SUMMARY_SYSTEMS, analysis.explain.LISTED)."""

from __future__ import annotations

from procure.analysis.explain import LISTED
from procure.text import Text

LARGE = 40  # systems in the scenario past which the plan's texts name at most LISTED of them


def name_list(names: list[str], systems: int) -> Text:
    """`names` joined, or past LARGE `systems` in the scenario the first LISTED of them and a
    count, with where every one is (the plan's list of systems; brief.json in a brief)."""
    if systems <= LARGE or len(names) <= LISTED:
        return Text(en=", ".join(names), zh="、".join(names))
    shown, rest = names[:LISTED], len(names) - LISTED
    return Text(
        en=", ".join(shown) + f" and {rest} more, every one of them in the plan's list of "
        "systems and in brief.json, attached to a brief's PDF",
        zh="、".join(shown) + f"等{len(names)}个系统，全部系统见本计划的系统清单及简报 PDF 附件 "
        "brief.json",
    )
