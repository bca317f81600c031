"""The disclosure catalogue (facets with counts) and the policy library."""

from __future__ import annotations

import datetime as dt
import re

from gongkai.catalogue_pages import FACETS, catalogue_pages, facet_values, main_values
from gongkai.home_page import home_page
from gongkai.policy_library import policy_library_pages
from gongkai.urls import Linker

from test_columns_support import AS_OF, HIDDEN_MARKERS, entry, hidden_entries, make_portal


def varied_entries():
    return [
        entry(1, kind="policy", topic="综合政务\\政务公开", genre="通知", validity="valid", normative=True,
              doc_no="测府规〔2026〕1号", publisher="测试市人民政府"),
        entry(2, kind="policy", topic="综合政务", genre="办法", validity="abolished",
              superseded_by="113799000000000011/2026-00001", publisher="测试市人民政府", normative=True),
        entry(3, kind="policy", topic="城乡建设、环境保护", genre="意见", validity="amended",
              superseded_by="113799000000000011/2026-00902", publisher="测试市生态环境局"),
        entry(4, kind="interpretation", interprets=["113799000000000011/2026-00001"], form="qa",
              publisher="测试市人民政府办公室"),
        entry(5, kind="news", publisher="测试市生态环境局", day=dt.date(2025, 12, 30)),
        entry(6, kind="notice", genre="公告", publisher="测试市人民政府办公室", day=dt.date(2024, 7, 1)),
        entry(7, kind="policy", topic="民政、扶贫、救灾", validity="expired", publisher="测试市民政局"),
    ]


def test_every_facets_counts_add_up_to_the_public_total():
    portal = make_portal(varied_entries() + hidden_entries())
    total = len(portal.public_entries)
    assert total == 7
    for facet in FACETS:
        values = main_values(facet_values(portal, facet))
        assert sum(len(v.entries) for v in values) == total, facet.id
        assert len({v.slug for v in values}) == len(values)


def test_facet_values_group_correctly():
    portal = make_portal(varied_entries())
    by = {f.id: {v.label: len(v.entries) for v in facet_values(portal, f)} for f in FACETS}
    assert by["year"] == {"2026": 5, "2025": 1, "2024": 1}
    assert by["validity"]["现行有效"] == 1 and by["validity"]["已废止"] == 1
    assert by["kind"]["政策文件"] == 4
    assert by["topic"]["综合政务"] == 2 and by["topic"]["政务公开"] == 1   # a sub-class view of its class
    assert by["genre"]["未标注文种"] == 3
    assert by["publisher"]["测试市人民政府"] == 2


def test_every_facet_value_is_a_static_paginated_listing_with_its_count():
    portal = make_portal(varied_entries(), page_size=2)
    pages = {p.path: p for p in catalogue_pages(portal, Linker(True))}
    assert "ml/" in pages and "ml/page/4/" in pages and "ml/page/5/" not in pages   # 7 entries, 2 a page
    for facet in FACETS:
        assert facet.path() in pages
        for value in facet_values(portal, facet):
            assert facet.path(value.slug) in pages
            assert f"共 {len(value.entries)} 条" in pages[facet.path(value.slug)].content
    overview = pages["ml/"].content
    assert all(f"按{f.label}" in overview for f in FACETS)
    assert re.search(r'>2026</a> <span class="gk-count">5</span>', overview)


def test_facet_urls_are_stable_ascii():
    portal = make_portal(varied_entries())
    for facet in FACETS:
        for value in facet_values(portal, facet):
            assert re.fullmatch(r"[0-9a-z-]+", value.slug), value.slug
    again = make_portal(list(reversed(varied_entries())))
    publisher = FACETS[0]
    assert {v.label: v.slug for v in facet_values(portal, publisher)} == \
        {v.label: v.slug for v in facet_values(again, publisher)}


def test_policy_library_lists_validity_and_replacements():
    portal = make_portal(varied_entries() + hidden_entries())
    pages = {p.path: p for p in policy_library_pages(portal, Linker(True))}
    current = pages["zcwj/gfxwj/"].content
    assert "测试信息第1号" in current and "测试信息第2号" not in current
    abolished = pages["zcwj/yfz/"].content
    assert "测试信息第2号" in abolished and "替代文件" in abolished and "测试信息第1号" in abolished
    # the amended one names a replacement that is not public: it is not shown
    amended = pages["zcwj/yxg/"].content
    assert "测试信息第3号" in amended and "修改后文件" not in amended
    assert "测试信息第7号" in pages["zcwj/ysx/"].content
    library = pages["zcwj/"].content
    assert "现行有效 1 件" in library and "已废止 1 件" in library and "规范性文件 2 件" in library
    assert "测试信息第5号" not in library                      # news is not a policy


def test_home_page_has_newest_entries_columns_and_entry_points():
    portal = make_portal(varied_entries())
    page = next(home_page(portal, Linker(True)))
    assert page.path == ""
    assert 'action="./search/"' in page.content and 'name="q"' in page.content
    for href in ('href="./ml/"', 'href="./zcwj/"', 'href="./zl/"', 'href="./zl/gzdt/"'):
        assert href in page.content
    assert page.content.index("测试信息第1号") < page.content.index("测试信息第5号")
    offline = next(home_page(portal, Linker(False)))
    assert 'action="./search.html"' in offline.content and 'href="./ml.html"' in offline.content


def test_non_public_entries_never_appear_in_catalogue_library_or_home():
    portal = make_portal(varied_entries() + hidden_entries())
    linker = Linker(True)
    text = "".join(p.content + p.head for gen in (catalogue_pages, policy_library_pages, home_page)
                   for p in gen(portal, linker))
    assert not any(marker in text for marker in HIDDEN_MARKERS)
    assert AS_OF.isoformat()  # the build date is the as-of of the clean-up result
