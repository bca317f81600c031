"""The link check reads a page made from a theme frame in its own parts (the frame's shared parts are
parsed once), and finds exactly what parsing the whole page finds."""

from __future__ import annotations

import os

import pytest
from lxml import etree

from gongkai import linkcheck, mkdocs_plugin, phases
from gongkai.linkcheck import Frame, _page_links
from portal_factory import REPO
from site_build_helpers import DEMO_DATE

BEFORE = ('<!doctype html>\n<html><head><title>{title}</title>\n<link rel="stylesheet" href="../a.css">\n'
          '<meta name="ArticleTitle" content="{title}"></head>\n<body><header><a href="../">首页</a>'
          '<span>{title}</span>\n</header>\n')
MIDDLE = ('<nav>\n<a href="../x/">栏目</a>\n<a id="top" href="#top">顶部</a>\n</nav>\n<main>\n'
          '<article class="md-content__inner">\n')
TAIL = '\n</article></main>\n<footer><a href="../y/">关于</a>\n<a href="../x/">栏目</a></footer>\n</body></html>\n'
PARSER = etree.HTMLParser(encoding="utf-8")

SETTLED = [
    "",
    "<p>正文</p>",
    '<h2 id="s1">一、总体要求</h2>\n<p>见<a href="../z/#s1">附件</a>与<a href="../x/">栏目</a>。</p>\n<img src="../i.png">',
    '<p id="top">与框架同名的锚点</p><a href="../">首页</a>',
    '<nav><a href="../a/">a</a></nav><script src="../s.js" defer></script>\n<!-- 注释 -->\n<p>后</p>',
    '<SCRIPT src="../S.js"></Script><Style>p {}</STYLE><P ID="Up">大写的标签</P>'
    '<!--x--><![CDATA[y]]><a href="../u/">u</a>',
]
UNSETTLING = [
    "<p>开着的注释 <!-- 没有结束",
    '<script>var a = "</p>";',
    "<style>p { color: red }",
    '<body class="x"><p>文档标签</p>',
    '<p>最后一个标签没有结束</p><a href="../q/"',
    '<SCRIPT>var a = "</p>";',
    '<Body class="x"><p>大写的文档标签</p>',
    '<TextArea>没有结束<a href="../t/">t</a>',
    '<script></scrip><a href="../v/">结束标签拼错</a>',
]


def page(content: str, title: str = "标题") -> bytes:
    return (BEFORE.format(title=title) + MIDDLE + content + TAIL).encode("utf-8")


def frame() -> Frame:
    made = Frame(BEFORE.format(title="GKSHELLTITLE"), MIDDLE, TAIL, PARSER)
    assert made.usable
    return made


@pytest.mark.parametrize("content", SETTLED)
def test_page_read_in_parts_finds_what_the_whole_page_holds(content):
    for title in ("标题", "很长的标题\n跨两行"):
        data = page(content, title)
        assert frame().page_links(data, PARSER) == _page_links(data, PARSER)


@pytest.mark.parametrize("content", UNSETTLING)
def test_content_that_could_change_the_parse_after_it_is_read_whole(content):
    assert frame().page_links(page(content), PARSER) is None


def test_a_page_not_made_from_the_frame_is_read_whole():
    other = page("<p>x</p>").replace(b'<a href="../y/">', b'<a href="../w/">')
    assert frame().page_links(other, PARSER) is None
    assert frame().page_links(page("<p>x</p>")[:-40], PARSER) is None


def test_a_frame_that_would_read_otherwise_is_not_used():
    # the middle begins inside a tag: read alone, that tag's link would be lost
    split = MIDDLE.index('href="../x/"')
    assert not Frame(BEFORE + MIDDLE[:split], MIDDLE[split:], TAIL, PARSER).usable


def test_broken_links_in_frame_and_content_are_reported_at_their_lines(tmp_path):
    site = tmp_path / "site"
    (site / "x").mkdir(parents=True)
    (site / "x" / "index.html").write_bytes(page('<p>ok</p>\n<a href="../gone/">坏链接</a>'))
    phases.RECORDER.reset()
    found = linkcheck.check_site(site, frames={1: frame()})
    assert phases.RECORDER.counts == {"link check: pages parsed without their theme frame": 1}
    whole = linkcheck.check_site(site)
    assert sorted((f.file, f.line, f.message) for f in found) == sorted((f.file, f.line, f.message) for f in whole)
    assert {f.message.split("“")[1].split("”")[0] for f in found} == {"a.css", "index.html", "y/index.html",
                                                                      "gone/index.html"}


def test_every_page_of_the_demo_build_reads_the_same_in_parts(tmp_path, monkeypatch):
    """A real build's frames: each page of the demo site read through them equals the page read whole,
    and the entry and listing pages are read through them."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    for name, value in {"SOURCE_DATE_EPOCH": str(int(DEMO_DATE.timestamp())), "NO_MKDOCS_2_WARNING": "1",
                        "GONGKAI_CACHE": "0", "GONGKAI_PROGRESS": "0"}.items():
        monkeypatch.setenv(name, value)
    checked, heads = {}, []
    real = mkdocs_plugin.check_site

    def check_site(root, **kwargs):
        frames = {depth: f for depth, f in kwargs["frames"].items() if f.usable}
        for rel in sorted(f for f in kwargs["files"] if f.endswith(".html") and os.path.exists(root / f)):
            data = (root / rel).read_bytes()
            in_parts = frames[rel.count("/")].page_links(data, PARSER) if rel.count("/") in frames else None
            checked[rel] = in_parts is not None
            assert in_parts is None or in_parts == _page_links(data, PARSER), rel
        heads.extend(f._head is not None for f in frames.values())
        return real(root, **kwargs)

    monkeypatch.setattr(mkdocs_plugin, "check_site", check_site)
    monkeypatch.chdir(REPO)
    build(load_config(str(REPO / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
    assert checked and all(checked[rel] for rel in checked if rel.startswith(("xxgk/", "ml/", "zl/")))
    assert heads and all(heads), "a frame's head is parsed on every page"


def _split_by_urlsplit(value: str):
    """linkcheck._split as it was, every link through urlsplit."""
    from urllib.parse import unquote, urlsplit
    value = value.strip()
    if not value or value.startswith(linkcheck.SKIP_SCHEMES):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith("/"):
        return None
    return parts.path, unquote(parts.fragment)


def test_a_link_is_split_as_urlsplit_splits_it():
    """_split takes most relative links apart without urlsplit (a listing page's links are new to each
    page): the same path and fragment, on usual links and on random strings of the characters that matter."""
    import random
    usual = ["../../xxgk/a-2025-00001/", "../x/#s1", "../i%20b.png?v=1#frag%E4%B8%80", "#top", "?q=1", "a/b.pdf",
             "https://x.gov.cn/a", "http://x.gov.cn/", "HTTPS://X.gov.cn/", "https:x", "//cdn/x.js", "/abs/",
             " ../sp/ ", "mailto:a@b.cn", "a:b", "..", ".", "\x01../c/",
             "../d\n/e/", "\x1f/x", "../e\t/f", "%2e%2e/g/", "#", "h#i#j", "k?l#m?n"]
    rng = random.Random(7)
    alphabet = "ab./#?:%2E \t\n\x00\x01\x1f/一"
    randoms = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))) for _ in range(20_000)]
    for value in usual + randoms:
        assert linkcheck._split(value) == _split_by_urlsplit(value), repr(value)
    fast = []
    real = linkcheck.urlsplit
    try:
        linkcheck.urlsplit = lambda value: fast.append(value) or real(value)
        linkcheck._split("../../xxgk/a-2025-00001/#s2")
    finally:
        linkcheck.urlsplit = real
    assert fast == [], "a plain relative link went through urlsplit"


def test_a_link_path_is_joined_to_its_page_as_normpath_joins_it():
    """_plain_join joins most relative paths to their page's directory by slicing: where it does, what
    normpath(join(page_dir, unquote(path))) gives, on usual paths and random ones; the others are left to it."""
    import posixpath
    import random
    from urllib.parse import unquote
    usual = [("xxgk/a", "../b/"), ("xxgk/a", "../../ml/"), ("", "xxgk/a/"), ("ml/x/page/2", "../../../../"),
             ("a", "../../out/"), ("a/b", "./c/"), ("a/b", "../c/../d/"), ("a", "c%20d/"), ("a", "..//c"), ("a", ".h/")]
    rng = random.Random(9)
    pieces = ["../", "a", "b/", "./", ".", "..", "/", "%41", "x.html", ".h/", "一/"]
    dirs = ["", "a", "a/b", "xxgk/id-1", "ml/genre/x/page/2"]
    randoms = [(rng.choice(dirs), "".join(rng.choice(pieces) for _ in range(rng.randint(1, 5)))) for _ in range(30_000)]
    joined = 0
    for page_dir, path in usual + randoms:
        got = linkcheck._plain_join(page_dir, path)
        if got is not None:
            joined += 1
            assert got == posixpath.normpath(posixpath.join(page_dir, unquote(path))), (page_dir, path)
    assert linkcheck._plain_join("xxgk/a", "../b/") == "xxgk/b" and linkcheck._plain_join("a", "../../x/") is None
    assert joined > 5_000


def test_the_profile_counts_the_cpu_of_the_workers_that_scan_the_pages(tmp_path, monkeypatch):
    """The pages are scanned by forked workers: the phase counts their CPU (without it, the parent's
    waiting showed a fifth of a full build's CPU as none)."""
    monkeypatch.setenv("GONGKAI_JOBS", "2")
    site = tmp_path / "site"
    filler = "".join(f'<p id="p{n}">第{n}段<a href="../x{n % 7}/">链接</a></p>\n' for n in range(120))
    for n in range(3 * linkcheck.CHUNK):
        (site / f"x{n}").mkdir(parents=True)
        (site / f"x{n}" / "index.html").write_bytes(page(filler))
    phases.RECORDER.reset()
    started = os.times()
    linkcheck.check_site(site)   # the frame's own links (../x/, ../y/) are broken here: beside the point
    own = os.times().user - started.user + os.times().system - started.system
    name = "  link check: pages scanned (with its workers' CPU)"
    assert name in phases.RECORDER.wall
    assert phases.RECORDER.cpu[name] > 2 * own, (phases.RECORDER.cpu[name], own)
    phases.RECORDER.reset()


HOLED = ('<!doctype html>\n<html><head><title>TITLEMARK - 站点</title>\n'
         '<link rel="canonical" href="https://x.gov.cn/SHELLURL">\n<link rel="icon" href="../i.png">\n'
         '<!--HEADMARK-->\n<link rel="stylesheet" href="../a.css"></head>\n<body><header><a href="../">首页</a>'
         '<span>TITLEMARK</span>\n</header>\n')


def holed_frame() -> Frame:
    made = Frame(HOLED, MIDDLE, TAIL, PARSER, text_holes=("TITLEMARK", "SHELLURL"), markup_hole="<!--HEADMARK-->")
    assert made.usable and made._head is not None
    return made


def holed_page(title: str, url: str, head: str, content: str = "<p>正文</p>") -> bytes:
    """As material_adapter.Shell.fill fills a frame."""
    import html
    out = (HOLED + MIDDLE + "<!--C-->" + TAIL).replace("<!--C-->", content, 1).replace("<!--HEADMARK-->", head, 1)
    return out.replace("TITLEMARK", html.escape(title, quote=False)).replace("SHELLURL", url).encode("utf-8")


@pytest.mark.parametrize("title,url,head", [
    ("标题", "xxgk/a-1/", '<meta name="ArticleTitle" content="标题">\n<meta name="PubDate" content="2025-01-01">'),
    ("标题", "xxgk/a-2/", ""),
    ("检索", "search/", '<link rel="stylesheet" href="../s.css"><script src="../s.js" defer></script>'),
    ("带锚点", "zl/b/", '<meta id="m1" name="x" content="y">\n<link rel="prev" href="../a/#top">\n\n'),
    ("标题 &amp; “引号”", "xxgk/c/", "<meta name='q' content='1'>"),
    ('有"引号"', "xxgk/d/", ""),
    ("跨\n两行", "xxgk/e/", ""),
    ("标题", "xxgk/f/", "<!-- 没有结束"),
    ("标题", "xxgk/g/", "<script>var s = '</head>';"),
])
def test_a_pages_head_read_from_the_frames_template_is_what_parsing_it_finds(title, url, head, monkeypatch):
    """The head (title, URL and head tags put in the frame's holes) is read from the frame's template, or
    parsed when its values could change the parse: either way what parsing the whole page finds; head tags
    that could change how the rest is parsed (an open comment or script) have the page parsed whole."""
    data = holed_page(title, url, head)
    found = holed_frame().page_links(data, PARSER)
    assert (found is None) == head.startswith(("<!--", "<script>var"))
    assert found is None or found == _page_links(data, PARSER)


def test_a_plain_head_is_not_parsed(monkeypatch):
    """Of a page with a plain title and URL and head tags without links, only the content is parsed."""
    frame = holed_frame()
    data = holed_page("标题", "xxgk/a-1/", '<meta name="ArticleTitle" content="标题">\n<meta name="PubDate" content="x">')
    parsed = []
    real = linkcheck._page_links
    monkeypatch.setattr(linkcheck, "_page_links", lambda d, p: parsed.append(d) or real(d, p))
    found = frame.page_links(data, PARSER)
    assert parsed == [b"<p>\xe6\xad\xa3\xe6\x96\x87</p>"], parsed
    assert found == _page_links(data, PARSER) and ("https://x.gov.cn/xxgk/a-1/", 3) in found[1]


def test_a_frame_whose_holes_sit_side_by_side_has_no_head_template():
    before = HOLED.replace("TITLEMARK - 站点", "TITLEMARKSHELLURL")
    assert Frame(before, MIDDLE, TAIL, PARSER, text_holes=("TITLEMARK", "SHELLURL"),
                 markup_hole="<!--HEADMARK-->")._head is None


def test_head_tags_after_the_pages_own_meta_tags_are_parsed_once(monkeypatch):
    """Pages whose head tags are their own meta tags, then the same style sheet and script links: those
    links are parsed for the first page only, and every page reads as parsing it whole reads."""
    frame = holed_frame()
    links = '<link rel="stylesheet" href="../s.css">\n  <script src="../s.js"></script>\n'
    heads = [f'<meta name="ArticleTitle" content="标题{n}">\n<meta name="Keywords" content="{"甲,乙" * n}">\n{links}'
             for n in range(3)]
    parsed = []
    real = linkcheck._page_links
    monkeypatch.setattr(linkcheck, "_page_links", lambda d, p: parsed.append(d) or real(d, p))
    for n, head in enumerate(heads):
        data = holed_page(f"标题{n}", f"xxgk/a-{n}/", head)
        found = frame.page_links(data, PARSER)
        assert found == real(data, PARSER) and ("../s.js", 8) in found[1]
    assert parsed.count(links.encode("utf-8")) == 1 and len(parsed) == 4, parsed   # and each page's content


@pytest.mark.parametrize("head", [
    '<meta name="x" content="y">\n<link rel="prev" href="../SHELLURL">\n',        # a hole's text in its own link
    '<meta name="x" content="<!-- y">\n<link rel="stylesheet" href="../s.css">\n',   # lines that unsettle
    '<meta name="x"\ncontent="y"><link rel="stylesheet" href="../s.css">\n',         # a tag over two lines
])
def test_head_tags_the_memo_cannot_read_are_read_as_parsing_finds(head):
    """Head tags put in after the holes were filled, so a hole's text in them stays as it is."""
    data = holed_page("标题", "xxgk/h/", "<!--TAGS-->").replace(b"<!--TAGS-->", head.encode("utf-8"))
    frame = holed_frame()
    for _ in range(2):   # the second time from what the first kept
        found = frame.page_links(data, PARSER)
        assert found is None or found == _page_links(data, PARSER)


def test_a_link_is_split_once_in_all_the_chunks_one_process_scans(tmp_path, monkeypatch):
    """An entry's link comes back in the listing pages of each of its columns and facets, in other chunks:
    what a link splits into is kept for every chunk the process scans in one check, and the verdicts are
    those of chunks scanned alone."""
    monkeypatch.setenv("GONGKAI_JOBS", "1")
    site = tmp_path / "site"
    (site / "xxgk" / "a").mkdir(parents=True)
    (site / "xxgk" / "a" / "index.html").write_text("<p>a</p>", encoding="utf-8")
    for n in range(6):
        (site / "ml" / f"p{n}").mkdir(parents=True)
        (site / "ml" / f"p{n}" / "index.html").write_text(
            f'<ul><li><a href="../../xxgk/a/">甲</a></li><li><a href="../../xxgk/missing{n % 2}/">乙</a></li></ul>',
            encoding="utf-8")
    whole = linkcheck.check_site(site)
    monkeypatch.setattr(linkcheck, "CHUNK", 2)
    split = []
    real = linkcheck._split
    monkeypatch.setattr(linkcheck, "_split", lambda value: split.append(value) or real(value))
    chunked = linkcheck.check_site(site)
    assert [f.to_dict() for f in chunked.sorted()] == [f.to_dict() for f in whole.sorted()] and len(whole.sorted()) == 6
    assert split.count("../../xxgk/a/") == 1, split


def test_a_pages_url_that_makes_two_head_links_one_reads_as_parsing_finds():
    """The canonical link and another head link become one link when the page's URL is put in: read as parsing
    the page whole reads it (one link, at its first line), whether the head tags' links were kept or not."""
    before = ('<!doctype html>\n<html><head><title>TITLEMARK</title>\n<link rel="alternate" href="../SHELLURL">\n'
              '<!--HEADMARK-->\n<link rel="next" href="../n/">\n</head>\n<body><header><a href="../">首页</a>\n</header>\n')
    frame = Frame(before, MIDDLE, TAIL, PARSER, text_holes=("TITLEMARK", "SHELLURL"), markup_hole="<!--HEADMARK-->")
    assert frame.usable and frame._head is not None and frame._head.marked
    for url, head in (("n/", '<meta name="a" content="b">\n<link rel="icon" href="../i.png">\n'), ("m/", ""),
                      ("n/", ""), ("i.png", '<meta name="a" content="b">\n<link rel="icon" href="../i.png">\n')):
        data = (before + MIDDLE + "<p>正文</p>" + TAIL).replace("<!--HEADMARK-->", head).replace(
            "TITLEMARK", "标题").replace("SHELLURL", url).encode("utf-8")
        found = frame.page_links(data, PARSER)
        assert found is None or found == _page_links(data, PARSER), (url, head)


def test_a_verdicts_directory_probes_are_judged_once_per_tuple_the_cache_shares():
    """Pages at one depth probe the same paths for being directories; the verdict cache keeps one tuple of
    them (linkcheck._shared), and a rebuild judges it once for all those pages, as it would one by one."""
    from gongkai.linkcheck import _shared, _still_holds

    class CountingDirs(set):
        asked = 0

        def __contains__(self, item):
            CountingDirs.asked += 1
            return super().__contains__(item)

    files, dirs = {"a/index.html", "b/index.html", "x.css"}, CountingDirs({"a", "b"})
    memo: dict = {}
    verdicts = [_shared((b"k%d" % n, frozenset(), (), (), (("x.css",), (("a", True), ("b", True), ("c", False)))),
                        memo) for n in range(50)]
    held: dict = {}
    assert all(_still_holds(v, files, dirs, held) for v in verdicts)
    assert CountingDirs.asked == 3
    assert all(_still_holds(v, files, dirs) for v in verdicts) and CountingDirs.asked == 3 + 50 * 3
    dirs.discard("b")
    assert not _still_holds(verdicts[0], files, dirs, {})
