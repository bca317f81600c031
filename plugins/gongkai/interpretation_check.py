"""The interpretation rule: every public policy that needs a 政策解读 has one, in time.

An interpretation is due no later than N working days (default 3) after its policy,
counted on the PRC statutory calendar.
"""

from __future__ import annotations

from .dates import chinese_date
from .findings import Findings
from .portal import Portal
from .workdays import WorkdayCalendar


def check_interpretations(portal: Portal, findings: Findings, calendar: WorkdayCalendar | None = None) -> None:
    calendar = calendar or WorkdayCalendar()
    severity = portal.config.interpretation_severity
    days = portal.config.interpretation_days
    # Scheduled (embargoed) interpretations count: they will appear on their date.
    scheduled: dict[str, list] = {}
    for entry in portal.entries:
        if entry.kind == "interpretation" and entry.disclosure == "public":
            for pid in entry.interprets:
                scheduled.setdefault(pid, []).append(entry)
    calendar_warned: set[int] = set()
    deadlines: dict = {}   # publication date -> deadline: many policies share a date
    for policy in portal.public_entries:
        if not policy.needs_interpretation:
            continue
        deadline = deadlines.get(policy.published)
        if deadline is None:
            deadline = deadlines[policy.published] = calendar.add_workdays(policy.published, days)
        for year in sorted(calendar.unknown_years - calendar_warned):
            calendar_warned.add(year)
            findings.warning("GK-CALENDAR-RANGE", policy.source, policy.line("published"),
                             f"节假日日历没有 {year} 年的数据，{year} 年的工作日只按周末计算（未计入法定节假日和调休），解读期限可能不准确。")
        interpretations = scheduled.get(policy.id)
        if interpretations and len(interpretations) == 1 and interpretations[0].published <= deadline:
            continue   # most policies: one interpretation, in time
        where = f"《{policy.title}》（{policy.id}，{chinese_date(policy.published)}发布）"
        interpretations = sorted(interpretations or [], key=lambda e: (e.published, e.id))
        if not interpretations:
            if portal.as_of <= deadline:
                findings.warning("GK-INTERP-PENDING", policy.source, policy.line(),
                                 f"政策文件{where}还没有政策解读，最迟应在 {chinese_date(deadline)} 前发布解读。")
            else:
                findings.add("GK-INTERP-MISSING", severity, policy.source, policy.line(),
                             f"政策文件{where}没有政策解读：解读应在 {days} 个工作日内（{chinese_date(deadline)} 前）发布。"
                             "请新增一个 kind: interpretation 的条目并在 interprets 中填写本文件的索引号；"
                             "确实无需解读的，请设置 interpretation_required: false 并写明 interpretation_exempt_reason。")
            continue
        first = interpretations[0]
        if first.published > deadline:
            late = calendar.workdays_between(policy.published, first.published)
            findings.add("GK-INTERP-LATE", severity, first.source, first.line("published"),
                         f"解读《{first.title}》（{first.id}）于 {chinese_date(first.published)} 发布，"
                         f"比政策文件{where}晚了 {late} 个工作日，超过 {days} 个工作日的期限（应不晚于 {chinese_date(deadline)}）。")
