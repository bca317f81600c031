"""Column checks: empty columns, stale columns, and the national inspection indicators.

国办秘函〔2019〕19号: a site fails outright with ≥5 stale columns (动态/要闻 not updated
within 2 weeks, 通知公告/政策文件 within 6 months), ≥10 columns that should have updated
and did not, or ≥5 empty columns (空白栏目).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .dates import chinese_date
from .findings import Findings
from .model import UPDATE_CYCLES, UPDATE_LABELS, Column
from .portal import Portal

NATIONAL_LIMITS = {"dynamic": 14, "notice": 183}   # days, by the kind of column
FAIL_STALE, FAIL_NOT_UPDATED, FAIL_EMPTY = 5, 10, 5


def national_limit(column: Column) -> int | None:
    kind = column.type + column.title
    if any(word in kind for word in ("动态", "要闻", "新闻")):
        return NATIONAL_LIMITS["dynamic"]
    if any(word in kind for word in ("通知", "公告", "政策")):
        return NATIONAL_LIMITS["notice"]
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
        cycle = UPDATE_CYCLES.get(column.update)
        if cycle is not None and age > cycle:
            report.not_updated.append(column)
            findings.add("GK-COLUMN-STALE", severity, column.source, column.line,
                         f"专栏“{column.title}”（{column.id}）的更新周期是{UPDATE_LABELS[column.update]}，"
                         f"但最新条目发布于 {chinese_date(newest)}，到 {chinese_date(as_of)} 已 {age} 天未更新。")
        limit = national_limit(column)
        if limit is not None and age > limit:
            report.nationally_stale.append(column)
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
