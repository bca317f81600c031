"""Working days on the PRC statutory calendar.

Public holidays and the weekend days turned into working days (调休) come from the
maintained `chinesecalendar` package. Outside the years it knows we count weekends
only and say so: the calendar never stops a build.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import chinese_calendar


# day -> the library's answer (None: a year it does not know), shared by every calendar of the process: the
# library's look-up is slow and its answers never change while it runs (a serve process rebuilds many times).
_LIBRARY_ANSWERS: dict[dt.date, bool | None] = {}


def _library_is_workday(day: dt.date) -> bool | None:
    if day not in _LIBRARY_ANSWERS:
        try:
            _LIBRARY_ANSWERS[day] = chinese_calendar.is_workday(day)
        except NotImplementedError:
            _LIBRARY_ANSWERS[day] = None
    return _LIBRARY_ANSWERS[day]


@dataclass
class WorkdayCalendar:
    unknown_years: set[int] = field(default_factory=set)  # years counted with weekends only
    _known: dict = field(default_factory=dict, repr=False)   # day -> is a working day (the library's look-up is slow)

    def is_workday(self, day: dt.date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = _library_is_workday(day)
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
