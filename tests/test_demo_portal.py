"""End-to-end: the demo portal builds clean with --strict, and its pages carry what the
national rules and the content model ask for."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from gongkai.checks import run_checks
from gongkai.config import load_config
from gongkai.urls import entry_path
from portal_factory import REPO
from site_build_helpers import DEMO_DATE, mkdocs_build, tree_digest


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    site = tmp_path_factory.mktemp("demo") / "site"
    run = mkdocs_build(REPO, site, strict=True)
    assert run.returncode == 0, run.stderr[-4000:]
    portal, findings = run_checks(load_config(REPO), DEMO_DATE.date())
    return site, portal, findings


def page(site: Path, path: str):
    return lxml_html.parse(str(site / path / "index.html")).getroot()


def resolve(from_path: str, href: str) -> str:
    """The site path a relative href on page `from_path` points at."""
    return posixpath.normpath(posixpath.join(from_path, href)) + "/"


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_demo_is_rich_enough_and_clean(demo):
    _, portal, findings = demo
    assert not findings.errors and not findings.warnings, findings.to_json()
    assert len(portal.entries) >= 40 and len(portal.columns) >= 8
    kinds = {e.kind for e in portal.entries}
    assert {"policy", "interpretation", "notice", "news", "report", "data", "guide"} <= kinds
    assert {e.validity for e in portal.entries if e.kind == "policy"} >= {"valid", "amended", "abolished"}
    assert {e.form for e in portal.entries if e.kind == "interpretation"} == {
        "text", "graphic", "qa", "video", "press", "expert", "media"}
    assert any(e.normative for e in portal.entries) and any(e.normative is False for e in portal.entries)
    assert any(e.interpretation_required is False for e in portal.entries)
    assert any(e.published > portal.as_of for e in portal.entries), "an embargoed entry"
    assert {e.disclosure for e in portal.entries} == {"public", "on_request", "withheld"}


def test_every_public_entry_has_a_page_and_no_other(demo):
    site, portal, _ = demo
    built = {p.name for p in (site / "xxgk").iterdir()}
    assert built == {entry_path(e).split("/")[1] for e in portal.public_entries}


def test_non_public_text_reaches_no_file(demo):
    site, portal, _ = demo
    hidden = [e for e in portal.entries if not portal.is_public(e)]
    assert len(hidden) >= 3
    markers = set()
    for entry in hidden:
        markers.add(entry.title.encode())
        markers.add(entry.id.encode())
        markers.update(m.encode() for m in re.findall(r"NONPUBLIC-[A-Z]+-[0-9a-f]+", entry.title + portal.body_text(entry)))
    assert any(m.startswith(b"NONPUBLIC-") for m in markers)
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for marker in markers:
                assert marker not in data, f"{marker.decode()} leaked into {path.relative_to(site)}"


def test_policy_and_interpretation_link_both_ways(demo):
    site, portal, _ = demo
    pairs = 0
    for interp in portal.public_entries:
        if interp.kind != "interpretation":
            continue
        for policy in portal.public_policies_of(interp):
            here = page(site, entry_path(interp))
            links = [resolve(entry_path(interp), a.get("href")) for a in here.cssselect(".gk-policies a")]
            assert entry_path(policy) in links
            there = page(site, entry_path(policy))
            back = [resolve(entry_path(policy), a.get("href")) for a in there.cssselect(".gk-interpretations a")]
            assert entry_path(interp) in back
            pairs += 1
    assert pairs >= 7


def test_validity_banner_links_replacement(demo):
    site, portal, _ = demo
    replaced = [e for e in portal.public_entries if e.validity in ("abolished", "amended") and portal.public_replacement(e)]
    assert replaced
    for entry in replaced:
        banner = page(site, entry_path(entry)).cssselect(".gk-banner")[0]
        assert ("已废止" if entry.validity == "abolished" else "已修改") in banner.text_content()
        href = banner.cssselect("a")[0].get("href")
        assert resolve(entry_path(entry), href) == entry_path(portal.public_replacement(entry))


def test_metadata_table_and_attachments(demo):
    site, portal, _ = demo
    policy = next(e for e in portal.public_entries if e.kind == "policy" and e.doc_no)
    rows = {th.text_content(): td.text_content() for th, td in
            ((tr[0], tr[1]) for tr in page(site, entry_path(policy)).cssselect("table.gk-meta tr"))}
    assert rows["索引号"] == policy.id and rows["文号"] == policy.doc_no and rows["发布机构"] == policy.publisher
    assert rows["发布日期"] == policy.published.isoformat() and "有效性" in rows
    with_files = [e for e in portal.public_entries if e.attachments]
    assert len(with_files) >= 3
    for entry in with_files:
        items = page(site, entry_path(entry)).cssselect(".gk-attachments li")
        assert len(items) == len(entry.attachments)
        for li, attachment in zip(items, entry.attachments):
            assert li.cssselect(".gk-filetype")[0].text_content()
            assert re.search(r"\d+(\.\d)? (B|KB|MB)", li.cssselect(".gk-filesize")[0].text_content())
            href = li.cssselect("a")[0].get("href")
            assert (site / entry_path(entry) / href).resolve().is_file()


def test_footer_and_meta_tags_on_every_page(demo):
    site, portal, _ = demo
    pages = html_pages(site)
    assert len(pages) > len(portal.public_entries)
    for path in pages:
        text = path.read_text(encoding="utf-8")
        root = lxml_html.fromstring(text.encode())
        assert root.get("lang") == "zh-CN", path
        meta = {m.get("name"): m.get("content") for m in root.iter("meta") if m.get("name")}
        assert meta.get("SiteName") == "示例市人民政府信息公开网", path
        assert meta.get("SiteDomain") == "www.shili.gov.cn" and meta.get("SiteIDCode") == "3799000001", path
        footer = root.cssselect("footer.gk-footer")
        assert footer, path
        footer_text = footer[0].text_content()
        for label in ("主办单位：示例市人民政府办公室", "网站标识码：3799000001", "示ICP备20240001号-1",
                      "示公网安备37990002000001号", "地址：", "联系电话："):
            assert label in footer_text, (label, path)
        hrefs = [a.get("href") for a in footer[0].iter("a")]
        assert "https://beian.miit.gov.cn/" in hrefs


def test_entry_pages_have_article_meta(demo):
    site, portal, _ = demo
    for entry in portal.public_entries:
        root = page(site, entry_path(entry))
        meta = {m.get("name"): m.get("content") for m in root.iter("meta") if m.get("name")}
        assert meta["ArticleTitle"] == entry.title
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", meta["PubDate"])
        assert meta["PubDate"].startswith(entry.published.isoformat())
        assert meta["ContentSource"] == entry.publisher


def test_column_pages_have_column_meta(demo):
    site, portal, _ = demo
    for column in portal.columns.values():
        root = page(site, f"zl/{column.id}")
        meta = {m.get("name"): m.get("content") for m in root.iter("meta") if m.get("name")}
        assert meta["ColumnName"] == column.title
        assert {"ColumnDescription", "ColumnKeywords", "ColumnType"} <= set(meta)


def test_nothing_is_loaded_from_other_hosts(demo):
    site, _, _ = demo
    external = re.compile(r"^(https?:)?//", re.I)
    for path in html_pages(site):
        root = lxml_html.parse(str(path)).getroot()
        for tag, attr in (("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"),
                          ("video", "src"), ("audio", "src")):
            for element in root.iter(tag):
                assert not external.match(element.get(attr) or ""), (path, tag, element.get(attr))
        for link in root.iter("link"):
            if link.get("rel") in ("stylesheet", "preconnect", "icon", "preload", "modulepreload", "dns-prefetch"):
                assert not external.match(link.get("href") or ""), (path, link.get("href"))
        assert b"fonts.googleapis" not in path.read_bytes()


def test_material_search_index_is_not_written(demo):
    site, _, _ = demo
    assert not (site / "search" / "search_index.json").exists()


def test_two_builds_are_byte_identical(demo, tmp_path):
    site, _, _ = demo
    again = tmp_path / "again"
    assert mkdocs_build(REPO, again).returncode == 0
    assert tree_digest(again) == tree_digest(site)
