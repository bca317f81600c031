"""The search page in headless Chromium, over HTTP from 127.0.0.1 and from file://."""
from collections import Counter
from pathlib import Path

import pytest

from browser import serve
from gongkai.search_corpus import generate_docs
from gongkai.search_harness import write_site
from gongkai.search_index import SearchDoc

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
SEEDS = Path("/work/shared/seeds")
SECRET = "内部审议稿专用词"


def fixture_docs(suffix):
    docs = generate_docs(120, SEEDS, url_suffix=suffix)
    docs.append(SearchDoc(url=f"xxgk/gk-a{suffix}", title="关于做好政务公开工作的通知", doc_no="示府办〔2024〕193号",
                          publisher="示例市人民政府办公室", published="2024-06-01", kind="notice", validity="",
                          columns=[("tzgg", "通知公告")], text="各单位要推进政务公开工作，落实一网通办。"))
    # Holds every trigram of 甲乙丙丁戊 but not the string itself: the index lets it through, the page must not.
    docs.append(SearchDoc(url=f"xxgk/gk-trap{suffix}", title="试验条目", doc_no="", publisher="示例市数据局",
                          published="2024-06-03", kind="other", validity="", columns=[], text="甲乙丙，乙丙丁，丙丁戊。"))
    # Two documents that score alike for 同分排序测试 (same text, same length): the newer must come first.
    for day in ("2023-03-01", "2023-09-01"):
        docs.append(SearchDoc(url=f"xxgk/gk-tie-{day}{suffix}", title="排序条目", doc_no="", publisher="示例市数据局",
                              published=day, kind="other", validity="", columns=[], text="同分排序测试的正文。"))
    return docs


def non_public_doc(suffix):
    return SearchDoc(url=f"xxgk/secret{suffix}", title=SECRET, doc_no="", publisher="示例市财政局",
                     published="2024-06-02", kind="notice", validity="", columns=[], text=SECRET + "的正文")


def build(site, directory_urls):
    suffix = "/" if directory_urls else ".html"
    public = fixture_docs(suffix)
    everything = public + [non_public_doc(suffix)]
    # The plugin passes public entries only; so does this harness.
    write_site([d for d in everything if d.title != SECRET], site, directory_urls=directory_urls)
    return public




@pytest.fixture(scope="module")
def http_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("http-site")
    docs = build(site, directory_urls=True)
    with serve(site) as root_url:
        yield f"{root_url}search/", docs


@pytest.fixture(scope="module")
def file_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("file-site")
    docs = build(site, directory_urls=False)
    return (site / "search.html").as_uri(), docs


@pytest.fixture(params=["http", "file"])
def site(request, http_site, file_site):
    return http_site if request.param == "http" else file_site


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    pg.requests = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()


def search(page, base, query_string):
    page.goto(f"{base}?{query_string}")
    return wait_done(page)


def wait_done(page):
    page.wait_for_selector("[data-gk-search][data-gk-state=done]")
    return page.evaluate("window.gkSearch.last")


def assert_local(page):
    for url in page.requests:
        assert url.startswith(("http://127.0.0.1:", "file://")), url


def test_finds_entry_across_jieba_boundaries_and_shows_count(page, site):
    base, docs = site
    # jieba cuts 政务公开工作 as 政务公开/工作: "开工" crosses the cut and is still found.
    last = search(page, base, "q=开工")
    assert any("gk-a" in u for u in last["urls"])
    count = page.inner_text("[data-gk-count]")
    assert int(count) == last["count"] >= 1
    links = page.query_selector_all("a[data-gk-result]")
    assert len(links) == min(20, last["count"])
    assert_local(page)


def test_title_and_doc_no_matches_come_first_and_are_highlighted(page, site):
    base, _ = site
    search(page, base, "q=193号")
    first = page.query_selector("li.gk-result")
    assert "193号" in first.inner_text()
    marks = [m.inner_text() for m in page.query_selector_all("li.gk-result mark")]
    assert marks and all(m == "193号" for m in marks)
    search(page, base, "q=一网通办")
    assert "一网通办" in [m.inner_text() for m in page.query_selector_all(".gk-result__snippet mark")]


def test_non_public_entry_is_never_found(page, site):
    base, _ = site
    last = search(page, base, f"q={SECRET}")
    assert last["count"] == 0 and page.inner_text("[data-gk-count]") == "0"
    assert not page.query_selector_all("a[data-gk-result]")
    assert_local(page)


def test_candidates_that_only_share_trigrams_are_dropped(page, site):
    base, _ = site
    last = search(page, base, "q=甲乙丙丁戊")
    assert last["candidates"] == 1 and last["count"] == 0
    assert page.inner_text("[data-gk-count]") == "0" and not page.query_selector_all("a[data-gk-result]")
    assert search(page, base, "q=乙丙丁")["count"] == 1


def test_all_terms_required_and_phrases(page, site):
    base, docs = site
    both = search(page, base, "q=政务公开 一网通办")["count"]
    only = search(page, base, "q=一网通办")["count"]
    assert 1 <= both <= only
    phrase = search(page, base, 'q="公开工作，落实"')
    assert any("gk-a" in u for u in phrase["urls"])
    assert search(page, base, "q=落实 政务")["count"] > 0
    assert search(page, base, 'q="落实 政务"')["count"] == 0


def test_filters_url_back_button_and_keyboard(page, site):
    base, _ = site
    search(page, base, "q=政务")
    everything = page.evaluate("window.gkSearch.last.count")
    page.select_option("select[name=kind]", "notice")
    page.wait_for_function("location.search.includes('kind=notice')")
    last = wait_done(page)
    assert 0 < last["count"] < everything
    kinds = page.eval_on_selector_all(".gk-result__meta", "els => els.map(e => e.textContent)")
    assert all("通知公告" in k for k in kinds)
    page.go_back()
    page.wait_for_function(f"window.gkSearch.last && window.gkSearch.last.count === {everything}")
    assert page.input_value("select[name=kind]") == ""
    # Keyboard only: type a query into the box and press Enter.
    page.focus("input[name=q]")
    page.keyboard.press("Control+A")
    page.keyboard.type("一网通办")
    page.keyboard.press("Enter")
    page.wait_for_function("location.search.includes('q=%E4%B8%80')")
    assert wait_done(page)["count"] >= 1
    assert page.get_attribute("[data-gk-status]", "aria-live") == "polite"
    assert_local(page)


def test_shared_url_with_filters_only_lists_matching_entries(page, site):
    base, docs = site
    pairs = Counter((c, d.published[:4]) for d in docs for c in d.columns)
    ((cid, ctitle), year), _ = pairs.most_common(1)[0]
    expected = [d for d in docs if (cid, ctitle) in d.columns and d.published.startswith(year)]
    last = search(page, base, f"column={cid}&year={year}")
    assert last["count"] == len(expected) > 0
    assert page.input_value("select[name=column]") == cid and page.input_value("select[name=year]") == year
    metas = page.eval_on_selector_all(".gk-result__meta", "els => els.map(e => e.textContent)")
    assert len(metas) == min(20, len(expected))
    assert all(f"{year}-" in m and ctitle in m for m in metas)


def test_date_order_is_newest_first(page, site):
    """Documents are numbered oldest first: the page must reverse that order for ?sort=date."""
    base, docs = site
    def order(hrefs):   # each href ends with its document's site-relative URL
        shown = [next(d for d in docs if h.endswith("/" + d.url)) for h in hrefs]
        return [(d.published, d.url) for d in shown]
    last = search(page, base, "q=政府&sort=date")
    shown = order(last["urls"])
    assert len(shown) >= 5
    assert shown == sorted(shown, key=lambda d: (tuple(-ord(c) for c in d[0]), d[1]))
    assert shown[0][0] == max(d.published for d in docs if "政府" in d.title + d.doc_no + d.text)


def test_equally_ranked_results_show_the_newest_first(page, site):
    base, _ = site
    last = search(page, base, "q=同分排序测试")
    assert [u.rsplit("gk-tie-", 1)[1][:10] for u in last["urls"]] == ["2023-09-01", "2023-03-01"]
