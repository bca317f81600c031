"""Working days on the PRC statutory calendar.

Public holidays and the weekend days turned into working days (调休) come from the
maintained `chinesecalendar` package. Outside the years it knows we count weekends
only and say so: the calendar never stops a build.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import chinese_calendar


# The library's own look-up scans its whole table for the years it knows on every call (0.1 ms); the same
# answer from its tables, with that range found once.
_HOLIDAYS, _WORKDAYS = chinese_calendar.holidays, chinese_calendar.workdays
_KNOWN_YEARS = range(min(_HOLIDAYS).year, max(_HOLIDAYS).year + 1)


def library_is_workday(day: dt.date) -> bool | None:
    """chinese_calendar.is_workday(day), or None for a year it has no data for."""
    if day.year not in _KNOWN_YEARS:
        return None
    return day in _WORKDAYS or (day.weekday() <= 4 and day not in _HOLIDAYS)


@dataclass
class WorkdayCalendar:
    unknown_years: set[int] = field(default_factory=set)  # years counted with weekends only
    _known: dict = field(default_factory=dict, repr=False)   # day -> is a working day (the library's look-up is slow)

    def is_workday(self, day: dt.date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = library_is_workday(day)
            if known is None:
                self.unknown_years.add(day.year)
                known = day.weekday() < 5
            self._known[day] = known
        return known

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The date `count` working days after `start` (start itself not counted)."""
        day, remaining = start, count
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count
