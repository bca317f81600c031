"""Search wired into the MkDocs build of the demo portal: page, index, HTTP and file://."""
from pathlib import Path

import pytest

pytest.importorskip("mkdocs")
playwright_api = pytest.importorskip("playwright.sync_api")
from browser import serve  # noqa: E402
from gongkai import search_site  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and (ROOT / "mkdocs.yml").exists()),
                                reason="needs /usr/bin/chromium and the demo portal")


def build_demo(site: Path, directory_urls: bool, cache: Path, monkeypatch):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    monkeypatch.setenv(search_site.CACHE_ENV, str(cache))
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site), use_directory_urls=directory_urls)
    config.plugins["gongkai"].config["link_check"] = False  # link checking has tests of its own
    build(config)



@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    base = tmp_path_factory.mktemp("demo")
    try:
        build_demo(base / "http", True, base / "cache", mp)
        build_demo(base / "file", False, base / "cache", mp)
    finally:
        mp.undo()
    with serve(base / "http") as root_url:
        yield {"http": (base / "http", f"{root_url}search/"),
               "file": (base / "file", (base / "file" / "search.html").as_uri())}



def test_build_writes_our_index_and_no_material_index(sites):
    for site, _ in sites.values():
        assert (site / "search" / "manifest.js").exists()
        assert not (site / "search" / "search_index.json").exists()
        blob = "".join(p.read_text(encoding="utf-8") for p in (site / "search").rglob("*.js"))
        assert "NONPUBLIC" not in blob and "nonpublic" not in blob


@pytest.mark.parametrize("mode", ["http", "file"])
def test_demo_search_finds_public_entries_only(sites, browser, mode):
    site, url = sites[mode]
    context = browser.new_context()
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url + "?q=政务公开")
    page.wait_for_selector("[data-gk-search][data-gk-state=done]")
    assert int(page.inner_text("[data-gk-count]")) >= 1
    first = page.get_attribute("a[data-gk-result]", "href")
    page.click("a[data-gk-result]")
    page.wait_for_load_state()
    assert page.url.startswith(url.split("search")[0]) and ("xxgk/" in page.url)
    for query in ("NONPUBLIC", "91c2", "专题会议纪要"):
        page.goto(url + "?q=" + query)
        page.wait_for_selector("[data-gk-search][data-gk-state=done]")
        assert page.inner_text("[data-gk-count]") == "0", query
    assert first
    assert all(u.startswith(("http://127.0.0.1:", "file://")) for u in requests), requests
    context.close()
