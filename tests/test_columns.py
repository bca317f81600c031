"""Column pages and listings: pagination, meta tags, links in both URL styles, archived
columns, the column index, list items rendered once, and column freshness checks."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from gongkai.column_check import check_columns
from gongkai.column_pages import column_pages
from gongkai.findings import Findings
from gongkai.listing import ItemRenderer, paged_path
from gongkai.urls import Linker, entry_path

from test_columns_support import AS_OF, HIDDEN_MARKERS, column, entry, hidden_entries, make_portal, resolve

PAGE_SIZE = 3


def pages_of(portal, linker, column_id="gzdt"):
    return {p.path: p for p in column_pages(portal, linker) if p.path.startswith(f"zl/{column_id}/")}


@pytest.mark.parametrize("count, expected_pages", [(0, 1), (1, 1), (PAGE_SIZE, 1), (PAGE_SIZE + 1, 2),
                                                   (2 * PAGE_SIZE + 1, 3)])
def test_pagination_boundaries(count, expected_pages):
    entries = [entry(n, columns=["gzdt"]) for n in range(1, count + 1)]
    portal = make_portal(entries, page_size=PAGE_SIZE)
    pages = pages_of(portal, Linker(True))
    assert sorted(pages) == sorted(paged_path("zl/gzdt/", n) for n in range(1, expected_pages + 1))
    shown = [re.findall(r"测试信息第(\d+)号", p.content) for p in (pages[paged_path("zl/gzdt/", n)]
                                                               for n in range(1, expected_pages + 1))]
    assert [int(n) for page in shown for n in page] == list(range(1, count + 1))   # newest first, each once
    assert all(len(page) <= PAGE_SIZE for page in shown)
    if count == 0:
        assert "本栏目暂无信息" in pages["zl/gzdt/"].content


def test_pagination_nav_is_accessible_and_links_resolve_in_both_url_styles():
    entries = [entry(n, columns=["gzdt"]) for n in range(1, 3 * PAGE_SIZE + 1)]
    for directory_urls in (True, False):
        linker = Linker(directory_urls)
        portal = make_portal(entries, page_size=PAGE_SIZE)
        pages = pages_of(portal, linker)
        outputs = {linker.file(p) for p in pages} | {linker.file(entry_path(e)) for e in entries} | {
            linker.file("zl/"), linker.file(""), "assets/gongkai/listing.js", "assets/gongkai/listing.css",
            "feeds/gzdt.xml"}
        second = pages["zl/gzdt/page/2/"]
        nav = re.search(r'<nav class="gk-pagination" aria-label="分页">.*?</nav>', second.content).group(0)
        assert re.search(r'<a href="[^"]+" aria-current="page">.*?2.*?</a>', nav)
        assert nav.count('aria-current="page"') == 1 and 'rel="prev"' in nav and 'rel="next"' in nav
        for page in pages.values():
            for href in re.findall(r'(?:href|src)="([^"]+)"', page.content + page.head):
                assert resolve(linker, page.path, href) in outputs, (directory_urls, page.path, href)


def test_listing_pages_carry_the_national_column_meta_tags():
    portal = make_portal([entry(1, columns=["gzdt"])], [column("gzdt", title="工作动态", type="动态要闻")])
    head = pages_of(portal, Linker(True))["zl/gzdt/"].head
    for name in ("ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType"):
        assert f'<meta name="{name}"' in head
    assert '<meta name="ColumnName" content="工作动态">' in head
    assert '<meta name="ColumnType" content="动态要闻">' in head


def test_archived_columns_stay_readable_and_say_they_are_closed():
    portal = make_portal([entry(1, columns=["old"])], [column("old", status="archived"), column("gzdt")])
    page = pages_of(portal, Linker(True), "old")["zl/old/"]
    assert "已归档" in page.content and "测试信息第1号" in page.content


def test_child_columns_and_index_of_all_columns():
    cols = [column("gzdt", title="工作动态"), column("bmdt", title="部门动态", parent="gzdt"),
            column("old", title="旧专栏", status="archived")]
    portal = make_portal([entry(1, columns=["bmdt"])], cols)
    pages = {p.path: p for p in column_pages(portal, Linker(True))}
    assert "部门动态" in pages["zl/gzdt/"].content and "下级栏目" in pages["zl/gzdt/"].content
    index = pages["zl/"].content
    assert all(title in index for title in ("工作动态", "部门动态", "旧专栏"))
    # the child is nested under its parent
    assert index.index("工作动态") < index.index("部门动态")
    assert re.search(r"旧专栏</a>\s*<span class=\"gk-tag\">已归档", index)


def test_non_public_entries_never_appear_in_column_pages():
    portal = make_portal([entry(1, columns=["gzdt"]), *hidden_entries()])
    text = "".join(p.content + p.head for p in column_pages(portal, Linker(True)))
    assert "测试信息第1号" in text
    assert not any(marker in text for marker in HIDDEN_MARKERS)


def test_each_list_item_is_rendered_once_per_build():
    from gongkai.catalogue_pages import catalogue_pages
    from gongkai.home_page import home_page
    cols = [column("a"), column("b")]
    entries = [entry(n, columns=["a", "b"], kind="policy", validity="valid", topic="综合政务") for n in range(1, 8)]
    portal = make_portal(entries, cols)
    linker = Linker(True)
    for generator in (column_pages, catalogue_pages, home_page):
        list(generator(portal, linker))
    items = ItemRenderer.for_build(portal, linker)
    assert items.renders == len(entries)    # shown in two columns, the catalogue and its facets: rendered once


# --- freshness -------------------------------------------------------------------------------------------

CYCLE_BOUNDARIES = [  # update cycle, newest entry, last day it is still fresh
    ("weekly", dt.date(2026, 5, 1), dt.date(2026, 5, 8)),
    ("biweekly", dt.date(2026, 5, 1), dt.date(2026, 5, 15)),
    ("monthly", dt.date(2026, 1, 31), dt.date(2026, 2, 28)),          # calendar month, clamped
    ("quarterly", dt.date(2026, 1, 15), dt.date(2026, 4, 15)),
    ("half-yearly", dt.date(2025, 12, 31), dt.date(2026, 6, 30)),
    ("yearly", dt.date(2024, 2, 29), dt.date(2025, 2, 28)),
]


@pytest.mark.parametrize("update, newest, last_fresh_day", CYCLE_BOUNDARIES)
def test_freshness_around_each_cycle_boundary(update, newest, last_fresh_day):
    col = column("c", update=update, type="专题", title="专题栏目")   # no national limit for 专题
    portal = make_portal([entry(1, day=newest, columns=["c"])], [col], as_of=dt.date(2027, 1, 1))
    fresh, stale = Findings(), Findings()
    check_columns(portal, fresh, as_of=last_fresh_day)
    report = check_columns(portal, stale, as_of=last_fresh_day + dt.timedelta(days=1))
    assert "GK-COLUMN-STALE" not in {f.code for f in fresh}
    assert "GK-COLUMN-STALE" in {f.code for f in stale} and report.not_updated == [col]


def test_irregular_and_archived_columns_are_never_stale():
    cols = [column("irr", update="irregular", type="专题"), column("old", update="weekly", status="archived")]
    portal = make_portal([entry(1, day=dt.date(2020, 1, 1), columns=["irr", "old"])], cols)
    findings = Findings()
    report = check_columns(portal, findings)
    assert not report.not_updated and not report.empty and not findings


def test_empty_column_is_reported_and_a_pure_parent_is_not():
    cols = [column("empty"), column("parent"), column("child", parent="parent")]
    portal = make_portal([entry(1, columns=["child"])], cols)
    findings = Findings()
    report = check_columns(portal, findings)
    assert report.empty == [cols[0]]
    assert [f.code for f in findings if f.code == "GK-COLUMN-EMPTY"] == ["GK-COLUMN-EMPTY"]


def test_a_column_with_only_non_public_entries_is_empty():
    portal = make_portal(hidden_entries())
    report = check_columns(portal, Findings())
    assert [c.id for c in report.empty] == ["gzdt"]


def test_national_limit_applies_when_the_own_cycle_is_looser():
    col = column("news", update="monthly", type="动态要闻")
    portal = make_portal([entry(1, day=AS_OF - dt.timedelta(days=20), columns=["news"])], [col])
    findings = Findings()
    report = check_columns(portal, findings)
    assert report.nationally_stale == [col] and not report.not_updated
    assert any(f.code == "GK-COLUMN-STALE" and "两周" in f.message for f in findings)


@pytest.mark.parametrize("empty, passes", [(4, True), (5, False)])
def test_inspection_summary_says_whether_the_site_passes(empty, passes):
    cols = [column(f"e{n}") for n in range(empty)] + [column("ok")]
    portal = make_portal([entry(1, columns=["ok"])], cols)
    findings = Findings()
    report = check_columns(portal, findings)
    assert report.passes is passes
    summary = [f for f in findings if f.code == "GK-COLUMN-INSPECTION"]
    assert len(summary) == 1
    assert ("可以通过检查" in summary[0].message) is passes and ("不合格" in summary[0].message) is not passes


def test_column_severity_is_configurable():
    portal = make_portal([], [column(f"e{n}") for n in range(5)])
    portal.config.column_severity = "error"
    findings = Findings()
    check_columns(portal, findings)
    assert {f.severity for f in findings} == {"error"}
    portal.config.column_severity = "warning"
    findings = Findings()
    check_columns(portal, findings)
    assert {f.severity for f in findings} == {"warning"}
