"""Atom feeds and the sitemap: valid XML, newest first, dates from entries, nothing non-public;
and one real build: the sitemap lists every page, the home page replaces MkDocs' index."""

from __future__ import annotations

import datetime as dt
import gzip
import sys
from pathlib import Path

import pytest
from lxml import etree

from gongkai.feeds import FEED_SIZE, feed_files
from gongkai.deferred import materialize
from gongkai.sitemap import deterministic_gzip, sitemap_files
from gongkai.urls import Linker

from test_columns_support import HIDDEN_MARKERS, column, entry, hidden_entries, make_portal

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def feeds_of(portal, directory_urls=True):
    return dict(feed_files(portal, Linker(directory_urls)))


def test_site_feed_is_valid_atom_with_the_newest_50():
    entries = [entry(n, columns=["gzdt"], summary="概述 <b>&</b>") for n in range(1, FEED_SIZE + 6)]
    portal = make_portal(entries + hidden_entries(), [column("gzdt"), column("empty")])
    feeds = feeds_of(portal)
    assert set(feeds) == {"feeds/all.xml", "feeds/gzdt.xml", "feeds/empty.xml"}
    root = etree.fromstring(feeds["feeds/all.xml"])
    items = root.findall(f"{ATOM}entry")
    assert len(items) == FEED_SIZE
    assert [i.findtext(f"{ATOM}title") for i in items[:2]] == ["测试信息第1号", "测试信息第2号"]
    newest = portal.public_entries[0].published.isoformat()
    assert root.findtext(f"{ATOM}updated") == f"{newest}T00:00:00+08:00"
    link = items[0].find(f"{ATOM}link").get("href")
    assert link == "https://www.test.gov.cn/xxgk/113799000000000011-2026-00001/"
    assert items[0].findtext(f"{ATOM}summary") == "概述 <b>&</b>"
    empty = etree.fromstring(feeds["feeds/empty.xml"])
    assert empty.findall(f"{ATOM}entry") == [] and empty.findtext(f"{ATOM}updated") == f"{newest}T00:00:00+08:00"
    for data in feeds.values():
        assert not any(marker in data.decode("utf-8") for marker in HIDDEN_MARKERS)


def test_feeds_do_not_depend_on_the_wall_clock():
    entries = [entry(n, columns=["gzdt"]) for n in range(1, 4)]
    first = feeds_of(make_portal(entries))
    later = feeds_of(make_portal(entries, as_of=dt.date(2030, 1, 1)))
    assert first == later


def test_sitemap_is_valid_and_its_gzip_is_deterministic():
    portal = make_portal([entry(1, columns=["gzdt"]), *hidden_entries()])
    files = {rel: materialize(data) for rel, data in sitemap_files(portal, Linker(True))}
    root = etree.fromstring(files["sitemap.xml"])
    locs = [u.findtext(f"{SM}loc") for u in root.findall(f"{SM}url")]
    assert "https://www.test.gov.cn/xxgk/113799000000000011-2026-00001/" in locs
    assert "https://www.test.gov.cn/zl/gzdt/" in locs and "https://www.test.gov.cn/ml/" in locs
    assert "https://www.test.gov.cn/" in locs
    assert not any(marker in files["sitemap.xml"].decode() for marker in HIDDEN_MARKERS)
    assert gzip.decompress(files["sitemap.xml.gz"]) == files["sitemap.xml"]
    assert deterministic_gzip(b"x") == deterministic_gzip(b"x")
    assert files["sitemap.xml.gz"][4:8] == b"\0\0\0\0"            # mtime 0


def test_the_sitemap_is_named_by_its_inputs_and_not_made_until_needed(monkeypatch):
    from gongkai import sitemap

    def keys(portal):
        return {rel: data.key for rel, data in sitemap_files(portal, Linker(True))}

    monkeypatch.setattr(sitemap, "generated_paths", lambda portal: pytest.fail("listed the pages"))
    entries = [entry(1, columns=["gzdt"]), entry(2, columns=["gzdt"])]
    first = keys(make_portal(entries))
    assert keys(make_portal(entries)) == first            # the same inputs: named alike, nothing made
    later = [entry(1, columns=["gzdt"]), entry(2, columns=["gzdt"], day=dt.date(2026, 3, 1))]
    moved = keys(make_portal(later))
    assert all(moved[rel] != first[rel] for rel in first)  # a lastmod changed: both files are new


def test_the_sitemaps_name_does_not_hang_on_the_order_of_a_set(monkeypatch, tmp_path):
    """The hand-written pages come from a set of paths, whose order changes from process to process: named in
    that order, the sitemap was made again on most rebuilds for nothing."""
    (tmp_path / "content").mkdir()
    pages = [f"page{n}.md" for n in range(8)]

    def key(order):
        portal = make_portal([entry(1, columns=["gzdt"])], root=tmp_path)
        portal.content_files = order
        return {rel: data.key for rel, data in sitemap_files(portal, Linker(True))}

    assert key(list(pages)) == key(list(reversed(pages)))


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    sys.path.insert(0, str(Path(__file__).parent))
    from portal_factory import INTERPRETATION, POLICY, write_portal
    from site_build_helpers import mkdocs_build
    root = tmp_path_factory.mktemp("portal")
    columns = """\
        - id: zfwj
          title: 政府文件
          description: 政策文件
          type: 政策文件
          update: irregular
          status: active
        """
    secret = POLICY.replace("2024-00001", "2024-00009").replace("示例事项", "秘密事项") + "disclosure: withheld\n"
    write_portal(root, {"p1.yml": POLICY + "columns: [zfwj]\n", "i1.yml": INTERPRETATION, "s.yml": secret},
                 columns=columns)
    sites = []
    for name in ("site1", "site2"):
        result = mkdocs_build(root, root / name)
        assert result.returncode == 0, result.stderr[-3000:]
        sites.append(root / name)
    return sites


def test_build_sitemap_lists_every_public_page_and_replaces_mkdocs_own(built_site):
    site = built_site[0]
    locs = {u.findtext(f"{SM}loc") for u in etree.parse(str(site / "sitemap.xml")).getroot().iter(f"{SM}url")}
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")} - {"404.html"}
    expected = {"https://www.test.gov.cn/" + (p[:-len("index.html")] if p.endswith("index.html") else p)
                for p in pages}
    assert locs == expected
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()) == (site / "sitemap.xml").read_bytes()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'class="gk-home"' in home and 'name="q"' in home and "欢迎访问" in home


def test_build_outputs_are_byte_identical_and_hold_nothing_non_public(built_site):
    from site_build_helpers import tree_digest
    first, second = built_site
    assert tree_digest(first) == tree_digest(second)
    for rel in ("sitemap.xml", "feeds/all.xml", "feeds/zfwj.xml", "data/catalog.json", "data/catalog.csv"):
        text = (first / rel).read_bytes().decode("utf-8-sig")
        assert "秘密事项" not in text and "2024-00009" not in text
    etree.parse(str(first / "feeds/zfwj.xml"))


def test_xml_text_escapes_as_saxutils_does():
    from xml.sax import saxutils
    from gongkai import xml_text
    samples = ["", "plain", "a&b<c>d", 'say "hi"', "it's", "both \"'", "line\nbreak\r\ttab", "&amp; 已转义 <b>",
               "https://example.gov.cn/a?x=1&y=2", "\"'&<>\n\r\t"]
    for text in samples:
        assert xml_text.escape(text) == saxutils.escape(text), text
        assert xml_text.quoteattr(text) == saxutils.quoteattr(text), text
