"""Working days on the Chinese public-holiday calendar (国务院办公厅 holiday notices, as the
`chinesecalendar` package records them, adjusted weekend working days included). A year the
package does not know falls back to weekends only, and the calendar remembers it so the plan
can say so."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar

MAX_STEPS = 3660  # ten years of days: a bound on every search


@dataclass
class WorkCalendar:
    """Answers "is this a working day"; records the years it had to guess (weekends only)."""

    guessed: set[int] = field(default_factory=set)

    def is_workday(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:  # a year past the package's data
            self.guessed.add(day.year)
            return day.weekday() < 5

    def on_or_after(self, day: date) -> date:
        """`day` if it is a working day, else the next one (a period whose last day is a
        holiday ends on the next working day)."""
        for _ in range(MAX_STEPS):
            if self.is_workday(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"no working day within {MAX_STEPS} days of {day}")  # pragma: no cover

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (the day itself not counted)."""
        if n < 0:
            raise ValueError("n must not be negative")
        for _ in range(n):
            day = self.on_or_after(day + timedelta(days=1))
        return day


def known_years() -> tuple[int, int]:
    """The first and last year the holiday data covers."""
    from chinese_calendar.constants import holidays

    years = [d.year for d in holidays]
    return min(years), max(years)
