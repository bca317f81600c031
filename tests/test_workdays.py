"""Working days on the PRC statutory calendar, across holidays and adjusted weekends."""

import datetime as dt

import pytest

from gongkai.workdays import WorkdayCalendar

D = dt.date


@pytest.mark.parametrize("published, deadline", [
    (D(2020, 9, 30), D(2020, 10, 12)),   # National Day + Mid-Autumn 2020; Sat 10-10 is a working day
    (D(2024, 2, 8), D(2024, 2, 19)),     # Spring Festival 2024; Sun 02-18 is a working day
    (D(2024, 9, 27), D(2024, 10, 8)),    # Sun 09-29 worked, then the National Day week
    (D(2024, 3, 1), D(2024, 3, 6)),      # an ordinary Friday: Mon, Tue, Wed
    (D(2025, 1, 24), D(2025, 2, 5)),     # Sun 01-26 worked, then Spring Festival 2025 (01-28 to 02-04)
])
def test_deadline_three_working_days(published, deadline):
    assert WorkdayCalendar().add_workdays(published, 3) == deadline


def test_adjusted_weekend_counts_and_holiday_does_not():
    calendar = WorkdayCalendar()
    assert calendar.is_workday(D(2020, 10, 10))       # Saturday, adjusted working day
    assert not calendar.is_workday(D(2020, 10, 5))    # Monday, National Day holiday
    assert calendar.workdays_between(D(2020, 9, 30), D(2020, 10, 12)) == 3


def test_outside_known_years_counts_weekends_only_and_remembers_it():
    calendar = WorkdayCalendar()
    # 2099-01-01 is a Thursday: Fri, Mon, Tue
    assert calendar.add_workdays(D(2099, 1, 1), 3) == D(2099, 1, 6)
    assert calendar.unknown_years == {2099}


def test_the_quick_look_up_answers_as_the_library_does():
    import chinese_calendar

    from gongkai.workdays import library_is_workday
    day, last = D(2000, 1, 1), D(2030, 12, 31)   # beyond the years the library knows, both ends
    while day <= last:
        try:
            expected = chinese_calendar.is_workday(day)
        except NotImplementedError:
            expected = None
        assert library_is_workday(day) == expected, day
        day += dt.timedelta(days=1)
