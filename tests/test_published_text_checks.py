"""Privacy and safety checks on what would be published, wired into `gongkai check`;
the link check of a built site; body links re-pointed to entry pages."""

from __future__ import annotations

import shutil
from pathlib import Path

from gongkai import linkcheck
from gongkai.disk_cache import key_of
from gongkai.linkcheck import check_site
from gongkai.markdown_render import BodyRenderer
from portal_factory import INTERPRETATION, POLICY, check, codes, write_portal


def id_number(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


def test_unmasked_id_in_body_is_an_error_at_its_line(tmp_path):
    body = "第一段。\n\n联系人身份证号：" + id_number("35010219800101123") + "\n"
    root = write_portal(tmp_path, {"p.yml": POLICY, "i.yml": INTERPRETATION}, files={"p1.md": body})
    _, findings = check(root)
    hit = next(f for f in findings if f.code == "GK-PRIV-ID")
    assert hit.severity == "error" and hit.file == "content/p1.md" and hit.line == 3
    assert id_number("35010219800101123") not in hit.message


def test_masked_numbers_pass(tmp_path):
    body = "联系人：张先生，手机 138****1234，身份证 35*************123。\n"
    root = write_portal(tmp_path, {"p.yml": POLICY, "i.yml": INTERPRETATION}, files={"p1.md": body})
    _, findings = check(root)
    assert not {"GK-PRIV-ID", "GK-PRIV-MOBILE"} & codes(findings)


def test_mobile_number_in_entry_summary(tmp_path):
    root = write_portal(tmp_path, {"p.yml": POLICY + "summary: 咨询电话 13812345678\n", "i.yml": INTERPRETATION})
    _, findings = check(root)
    hit = next(f for f in findings if f.code == "GK-PRIV-MOBILE")
    assert hit.file == "catalog/p.yml" and hit.line == 9


def test_script_and_external_image_in_hand_written_page(tmp_path):
    page = "# 关于\n\n<script>alert(1)</script>\n\n![图](https://cdn.example.com/a.png)\n"
    root = write_portal(tmp_path, {"p.yml": POLICY, "i.yml": INTERPRETATION}, files={"about.md": page})
    _, findings = check(root)
    assert {"GK-SAFE-SCRIPT", "GK-SAFE-EXTERNAL"} <= codes(findings)
    assert all(f.file == "content/about.md" for f in findings if f.code.startswith("GK-SAFE"))


def test_non_public_entry_body_is_not_scanned_as_published(tmp_path):
    body = "申请人手机 13812345678\n"
    hidden = INTERPRETATION.replace("2024-00002", "2024-00003").replace("i1.md", "secret.md") + "disclosure: withheld\n"
    root = write_portal(tmp_path, {"p.yml": POLICY, "i.yml": INTERPRETATION, "h.yml": hidden},
                        files={"secret.md": body})
    _, findings = check(root)
    assert "GK-PRIV-MOBILE" not in codes(findings)


def test_gbk_body_file_is_reported(tmp_path):
    root = write_portal(tmp_path, {"p.yml": POLICY, "i.yml": INTERPRETATION}, files={"p1.md": "政策正文。\n".encode("gbk")})
    _, findings = check(root)
    hit = next(f for f in findings if f.code == "GK-FILE-ENCODING")
    assert hit.file == "content/p1.md" and "GB18030/GBK" in hit.message


def _site(tmp_path: Path, pages: dict[str, str]) -> Path:
    for rel, text in pages.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_link_check_finds_broken_links_and_anchors(tmp_path):
    site = _site(tmp_path, {
        "index.html": '<a href="a/">a</a><a href="a/#sec">ok</a><a href="a/#nope">bad anchor</a>'
                      '<a href="missing/">gone</a><a href="https://example.com/x">external</a>',
        "a/index.html": '<h2 id="sec">节</h2><a href="../">home</a><img src="../img/x.png">'
                        '<link rel="stylesheet" href="../../assets/x.css">',
    })
    findings = check_site(site)
    found = sorted((f.code, f.file) for f in findings)
    assert found == [("GK-LINK-ANCHOR", "site/index.html"), ("GK-LINK-BROKEN", "site/a/index.html"),
                     ("GK-LINK-BROKEN", "site/a/index.html"), ("GK-LINK-BROKEN", "site/index.html")]


def test_link_check_passes_a_whole_site(tmp_path):
    site = _site(tmp_path, {"index.html": '<a href="a/#sec">a</a>', "a/index.html": '<p id="sec">x</p>'})
    assert not check_site(site)


def test_link_check_judges_links_against_files_written_while_it_scanned(tmp_path):
    """more_files: the files another process wrote while the pages were scanned (the search index). A link
    to one of them is good; a page among them is checked too; a link to a file still missing is broken."""
    site = _site(tmp_path, {"index.html": '<script src="search/manifest.js"></script><a href="gone.js">x</a>',
                            "a/index.html": '<p id="sec">x</p>'})
    files, keys = _keys(site)
    scanned_first = []

    def more_files():
        scanned_first.append(True)
        _site(site, {"search/manifest.js": "gkSearchLoad();", "search/index.html": '<a href="../a/#nope">x</a>'})
        return {"search/manifest.js", "search/index.html"}
    found = check_site(site, files=files, page_keys=keys, more_files=more_files)
    assert scanned_first == [True]
    assert sorted((f.code, f.file) for f in found) == [("GK-LINK-ANCHOR", "site/search/index.html"),
                                                       ("GK-LINK-BROKEN", "site/index.html")]
    assert "gone.js" in next(f.message for f in found if f.code == "GK-LINK-BROKEN")


def test_body_links_point_at_entry_pages_and_files():
    renderer = BodyRenderer(True, {"texts/other.md": "xxgk/B/"})
    html = renderer.render("[另一个](other.md) [附件](../files/a.pdf) [指南](../guide.md) [外部](https://x.cn/)",
                           "texts/this.md", "xxgk/A/index.html")
    assert 'href="../B/"' in html and 'href="../../files/a.pdf"' in html
    assert 'href="../../guide/"' in html and 'href="https://x.cn/"' in html
    offline = BodyRenderer(False, {"texts/other.md": "xxgk/B/"})
    html = offline.render("[另一个](other.md#sec) [指南](../guide.md)", "texts/this.md", "xxgk/A.html")
    assert 'href="B.html#sec"' in html and 'href="../guide.html"' in html


def _keys(site: Path) -> tuple[set[str], dict[str, bytes]]:
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    return files, {f: key_of((site / f).read_bytes()) for f in files if f.endswith(".html")}


def test_link_check_verdicts_are_cached_by_page_bytes_and_site_files(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_CACHE", "1")
    site = _site(tmp_path / "site", {"index.html": '<a href="a/#sec">a</a>', "a/index.html": '<p id="sec">x</p>',
                                     "b/index.html": '<a href="../a/">a</a>'})
    cache_root = tmp_path / "repo"
    files, keys = _keys(site)
    assert not check_site(site, cache_root=cache_root, files=files, page_keys=keys)
    # A page that is not rewritten is not read again: its verdict comes from the cache.
    parsed = []
    real = linkcheck._page_links
    monkeypatch.setattr(linkcheck, "_page_links", lambda data, parser: parsed.append(data) or real(data, parser))
    files, keys = _keys(site)
    assert not check_site(site, cache_root=cache_root, files=files, page_keys=keys)
    # The same page bytes judged against a site that lost its link target: the verdict is not reused.
    shutil.rmtree(site / "a")
    files, keys = _keys(site)
    found = check_site(site, cache_root=cache_root, files=files, page_keys=keys)
    assert sorted((f.code, f.file) for f in found) == [("GK-LINK-BROKEN", "site/b/index.html"),
                                                       ("GK-LINK-BROKEN", "site/index.html")]
    # A target page that loses the anchor (its bytes change) fails the page linking to it.
    _site(site, {"a/index.html": '<p id="other">x</p>'})
    files, keys = _keys(site)
    found = check_site(site, cache_root=cache_root, files=files, page_keys=keys)
    assert [(f.code, f.file) for f in found] == [("GK-LINK-ANCHOR", "site/index.html")]
    assert parsed == [b'<p id="other">x</p>']   # only the rewritten page was parsed


def test_link_verdicts_survive_unrelated_files_and_follow_their_own_targets(tmp_path, monkeypatch):
    """A verdict depends on the files its page's links reach, not on the whole site: adding an entry (a new
    page elsewhere) re-parses nothing, but a missing target that appears, or a path that becomes a directory,
    re-judges the pages that link to it."""
    monkeypatch.setenv("GONGKAI_CACHE", "1")
    site = _site(tmp_path / "site", {"index.html": '<a href="a/">a</a><a href="gone.pdf">pdf</a><a href="doc">d</a>',
                                     "a/index.html": '<a href="../index.html">home</a>', "doc": "a file"})
    cache_root = tmp_path / "repo"
    parsed = []
    real = linkcheck._page_links
    monkeypatch.setattr(linkcheck, "_page_links", lambda data, parser: parsed.append(data) or real(data, parser))

    def check():
        parsed.clear()
        files, keys = _keys(site)
        return sorted((f.code, f.file, f.message) for f in check_site(site, cache_root=cache_root, files=files,
                                                                    page_keys=keys))

    assert [f[:2] for f in check()] == [("GK-LINK-BROKEN", "site/index.html")]
    _site(site, {"new/index.html": "<p>新增的一条</p>"})
    assert [f[:2] for f in check()] == [("GK-LINK-BROKEN", "site/index.html")]
    assert parsed == [b"<p>\xe6\x96\xb0\xe5\xa2\x9e\xe7\x9a\x84\xe4\xb8\x80\xe6\x9d\xa1</p>"]   # only the new page
    (site / "gone.pdf").write_bytes(b"%PDF")
    assert check() == []
    # 'doc' was a file; as a directory the same link means doc/index.html, which is missing
    (site / "doc").unlink()
    _site(site, {"doc/readme.txt": "x"})
    assert [(f[0], f[1], "doc/index.html" in f[2]) for f in check()] == [("GK-LINK-BROKEN", "site/index.html", True)]
    _site(site, {"doc/index.html": "<p>目录页</p>"})
    assert check() == []
    (site / "a" / "index.html").unlink()
    assert [f[:2] for f in check()] == [("GK-LINK-BROKEN", "site/index.html")]
    # a missing path that becomes a directory with an index page: the link now reaches doc-like later/
    _site(site, {"a/index.html": '<a href="../later">later</a>'})
    assert [(f[0], f[1]) for f in check()] == [("GK-LINK-BROKEN", "site/a/index.html")]
    _site(site, {"later/index.html": "<p>后来</p>"})
    assert check() == []


def test_saved_link_verdicts_share_the_links_and_ids_their_pages_have_in_common(tmp_path, monkeypatch):
    """Pages made from one frame reach the same theme files and hold the same ids: the verdict cache, loaded
    on every rebuild, holds each of those once (pickle writes a shared object once)."""
    import pickle
    monkeypatch.setenv("GONGKAI_CACHE", "1")
    frame = '<header id="top"><a href="../assets/site.css">css</a><a href="../search/">搜索</a></header>'
    pages = {f"p{n}/index.html": frame + f'<p id="s{n}">正文</p>' for n in range(3)}
    site = _site(tmp_path / "site", {**pages, "assets/site.css": "", "search/index.html": ""})
    cache_root = tmp_path / "repo"
    files, keys = _keys(site)
    assert not check_site(site, cache_root=cache_root, files=files, page_keys=keys)
    [saved] = (cache_root / ".cache" / "gongkai").glob("link-verdicts-*.pickle")
    verdicts = [v for v in pickle.loads(saved.read_bytes()).values() if v[4][0]]
    assert len(verdicts) == 3
    css = [next(t for t in v[4][0] if t.endswith("site.css")) for v in verdicts]
    assert css[0] is css[1] is css[2]
    probes = [v[4][1] for v in verdicts]
    assert probes[0] and all(a is b for a, b in zip(probes[0], probes[1]))
