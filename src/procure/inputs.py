"""Everything a command reads, checked in one place: the scenario, its vendor catalog and the
references between them. `procure validate` runs exactly this, so a scenario it accepts is
never refused as bad input by a later command."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from procure.errors import InputError, Problem
from procure.scenario import Scenario, validate_located
from procure.vendors import Vendor, catalog_for, vendor_path
from procure.weights import criteria_weights
from procure.yamlio import STDIN, Located, YamlPath, format_path, read_yaml


@dataclass(frozen=True)
class Inputs:
    """A validated scenario, the vendors it names, and the files they came from."""

    scenario: Scenario
    vendors: list[Vendor]
    files: tuple[Path, ...]  # read from disk: an output may never replace one of them

    @property
    def base_dir(self) -> Path:
        return Path.cwd() if str(self.files[0]) == STDIN else self.files[0].parent


def load_inputs(path: Path, data_dir: Path | None = None) -> Inputs:
    """Read and check a scenario and its vendors; raise InputError with located problems."""
    located = read_yaml(path)
    scenario = validate_located(Scenario, located)
    base_dir = Path.cwd() if str(path) == STDIN else path.parent

    def problem(field: YamlPath, message: str) -> InputError:
        line, col = located.where(field, key=True) or (None, None)
        return InputError(
            [Problem(located.file, message, field=format_path(field), line=line, column=col)]
        )

    files: tuple[Path, ...] = (path,)
    if isinstance(scenario.vendors, str) and scenario.vendors != "default":
        try:
            files += (vendor_path(scenario.vendors, base_dir, data_dir),)
        except InputError as exc:
            raise problem(("vendors",), exc.problems[0].message) from None
    vendors = catalog_for(scenario.vendors, base_dir, data_dir)
    if scenario.criteria.ahp is not None:  # inconsistent judgments are bad input, located
        try:
            criteria_weights(scenario.criteria)
        except InputError as exc:
            raise problem(("criteria", "ahp"), exc.problems[0].message) from None
    problems = _references(scenario, vendors, located)
    if problems:
        raise InputError(problems)
    return Inputs(scenario, vendors, files)


def _references(scenario: Scenario, vendors: list[Vendor], located: Located) -> list[Problem]:
    """Vendor ids the procurement names must exist, and its rules must not contradict."""
    p = scenario.procurement
    known = [v.id for v in vendors]
    out = []

    def at(field: YamlPath, message: str) -> Problem:
        line, col = located.where(field, key=True) or (None, None)
        return Problem(located.file, message, field=format_path(field), line=line, column=col)

    def unknown(vid: str) -> str:
        close = difflib.get_close_matches(vid, known, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"no vendor has the id '{vid}'; {hint}the vendors are: {', '.join(known)}"

    if p.incumbent is not None and p.incumbent not in known:
        out.append(at(("procurement", "incumbent"), unknown(p.incumbent)))
    for i, vid in enumerate(p.exclude_vendors):
        if vid not in known:
            out.append(at(("procurement", "exclude_vendors", i), unknown(vid)))
    if p.max_vendors * p.max_vendor_share < 1 - 1e-9:
        out.append(
            at(
                ("procurement", "max_vendor_share"),
                f"at most {p.max_vendors} vendor(s) with at most {p.max_vendor_share:.4g} of the "
                f"award each cover only {p.max_vendors * p.max_vendor_share:.4g} of it; the rules "
                f"contradict each other. Raise max_vendors or set max_vendor_share to at least "
                f"{1 / p.max_vendors:.4g}",
            )
        )
    return out
