"""Column checks: empty columns, stale columns, and the national inspection indicators.

国办秘函〔2019〕19号: a site fails outright with ≥5 stale columns (动态/要闻 not updated
within 2 weeks, 通知公告/政策文件 within 6 months), ≥10 columns that should have updated
and did not, or ≥5 empty columns (空白栏目).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from .dates import chinese_date
from .findings import Findings
from .model import UPDATE_LABELS, Column
from .portal import Portal

FAIL_STALE, FAIL_NOT_UPDATED, FAIL_EMPTY = 5, 10, 5
# An update cycle as (days, months): a column is behind when the build date is after
# the newest entry's date plus one cycle. Months are calendar months (31 Jan + 1 month
# = 28/29 Feb), so "monthly" means the same day next month, not a fixed 31 days.
CYCLES = {"weekly": (7, 0), "biweekly": (14, 0), "monthly": (0, 1), "quarterly": (0, 3),
          "half-yearly": (0, 6), "yearly": (0, 12)}
NATIONAL_CYCLES = {"dynamic": (14, 0), "notice": (0, 6)}   # 动态要闻: 2 weeks; 通知公告/政策文件: 6 months


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def due_date(newest: dt.date, cycle: tuple[int, int]) -> dt.date:
    """The last day on which the column still counts as updated."""
    days, months = cycle
    return add_months(newest, months) + dt.timedelta(days=days)


def national_cycle(column: Column) -> tuple[int, int] | None:
    kind = column.type + column.title
    if any(word in kind for word in ("动态", "要闻", "新闻")):
        return NATIONAL_CYCLES["dynamic"]
    if any(word in kind for word in ("通知", "公告", "政策")):
        return NATIONAL_CYCLES["notice"]
    return None


@dataclass
class ColumnReport:
    empty: list[Column] = field(default_factory=list)
    not_updated: list[Column] = field(default_factory=list)       # behind their own update cycle
    nationally_stale: list[Column] = field(default_factory=list)  # behind the national limit

    @property
    def passes(self) -> bool:
        return (len(self.nationally_stale) < FAIL_STALE and len(self.not_updated) < FAIL_NOT_UPDATED
                and len(self.empty) < FAIL_EMPTY)


def check_columns(portal: Portal, findings: Findings, as_of: dt.date | None = None) -> ColumnReport:
    as_of = as_of or portal.as_of
    severity = portal.config.column_severity
    report = ColumnReport()
    for column in portal.columns.values():
        if column.archived:
            continue  # closed columns stay readable and are not expected to update
        entries = portal.column_entries.get(column.id, [])
        has_children = bool(portal.child_columns(column.id))
        if not entries:
            if has_children:
                continue  # a parent column can be a pure grouping of its children
            report.empty.append(column)
            findings.add("GK-COLUMN-EMPTY", severity, column.source, column.line,
                         f"专栏“{column.title}”（{column.id}）没有任何已公开的条目，属于空白栏目。"
                         "请发布内容，或将其 status 设为 archived（已归档）。")
            continue
        newest = entries[0].published
        age = (as_of - newest).days
        cycle = CYCLES.get(column.update)
        if cycle is not None and as_of > due_date(newest, cycle):
            report.not_updated.append(column)
            findings.add("GK-COLUMN-STALE", severity, column.source, column.line,
                         f"专栏“{column.title}”（{column.id}）的更新周期是{UPDATE_LABELS[column.update]}，"
                         f"最迟应于 {chinese_date(due_date(newest, cycle))} 更新，但最新条目发布于 {chinese_date(newest)}，"
                         f"到 {chinese_date(as_of)} 已 {age} 天未更新。")
        national = national_cycle(column)
        if national is not None and as_of > due_date(newest, national):
            report.nationally_stale.append(column)
            if column not in report.not_updated:   # its own cycle is looser than the national rule
                limit = "两周" if national == NATIONAL_CYCLES["dynamic"] else "六个月"
                findings.add("GK-COLUMN-STALE", severity, column.source, column.line,
                             f"专栏“{column.title}”（{column.id}）属于{column.type or '动态/通知类'}栏目，按政府网站检查指标"
                             f"应在{limit}内更新，但最新条目发布于 {chinese_date(newest)}，到 {chinese_date(as_of)} 已 {age} 天未更新。")
    summary = (f"按政府网站检查指标：超期未更新栏目 {len(report.nationally_stale)} 个（≥{FAIL_STALE} 个单项否决），"
               f"应更新未更新栏目 {len(report.not_updated)} 个（≥{FAIL_NOT_UPDATED} 个单项否决），"
               f"空白栏目 {len(report.empty)} 个（≥{FAIL_EMPTY} 个单项否决）。")
    source = f"{portal.config.catalog_dir}/columns.yml"
    if report.passes:
        if report.empty or report.not_updated or report.nationally_stale:
            findings.warning("GK-COLUMN-INSPECTION", source, None, summary + "结论：可以通过检查，但请尽快处理上述栏目。")
    else:
        findings.add("GK-COLUMN-INSPECTION", severity, source, None,
                     summary + "结论：网站将被判定为不合格，请立即处理。")
    return report
