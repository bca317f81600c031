"""Dates as editors write them: ISO, 2018年6月29日, full-width digits."""

from __future__ import annotations

import datetime as dt
import re

_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_CHINESE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")


def parse_date(value: object) -> dt.date | None:
    """Return the date, or None when the value is not a date we accept."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip().translate(_FULLWIDTH)
    match = _ISO.match(text) or _CHINESE.match(text)
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
