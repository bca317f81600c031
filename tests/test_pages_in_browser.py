"""Entry pages in a real browser, served from loopback and opened from file://."""

from __future__ import annotations

import pytest

from browser import needs_chromium, off_site, record_requests, serve
from portal_factory import INTERPRETATION, POLICY, write_portal
from site_build_helpers import mkdocs_build

pytestmark = needs_chromium
POLICY_PAGE = "xxgk/113799000000000011-2024-00001"
INTERP_PAGE = "xxgk/113799000000000011-2024-00002"


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    built = {}
    for directory_urls in (True, False):
        base = tmp_path_factory.mktemp(f"portal-{directory_urls}")
        root = write_portal(base / "portal", {"p.yml": POLICY + "columns: [zcwj]\n", "i.yml": INTERPRETATION},
                            columns="- id: zcwj\n  title: 政策文件\n  type: 政策文件\n", directory_urls=directory_urls)
        run = mkdocs_build(root, base / "site")
        assert run.returncode == 0, run.stderr[-3000:]
        built[directory_urls] = base / "site"
    return built



def _walk_policy_to_interpretation(browser, start_url: str, base: str):
    page = browser.new_page()
    urls = record_requests(page)
    page.goto(start_url)
    assert page.locator("h1#gk-title").inner_text() == "测试市人民政府关于示例事项的通知"
    # The theme's stylesheet loaded: the header is coloured, not the unstyled default.
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in ("sticky", "fixed")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_role("link", name="《测试市人民政府关于示例事项的通知》解读").click()
    page.wait_for_load_state()
    assert page.locator("h1#gk-title").inner_text() == "《测试市人民政府关于示例事项的通知》解读"
    page.locator(".gk-policies a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1#gk-title").inner_text() == "测试市人民政府关于示例事项的通知"
    page.locator(".gk-columns a").first.click()
    page.wait_for_load_state()
    assert "政策文件" in page.locator("h1").first.inner_text()
    assert off_site(urls, base) == []
    page.close()


def test_entry_pages_over_http(sites, browser):
    with serve(sites[True]) as base:
        _walk_policy_to_interpretation(browser, f"{base}{POLICY_PAGE}/", base)


def test_entry_pages_from_file_url(sites, browser):
    site = sites[False]
    _walk_policy_to_interpretation(browser, (site / f"{POLICY_PAGE}.html").as_uri(), site.as_uri())


def test_elderly_mode_large_text_persists_and_works_by_keyboard(sites, browser):
    with serve(sites[True]) as base:
        page = browser.new_page()
        page.goto(f"{base}{POLICY_PAGE}/")
        size = lambda: page.evaluate(  # noqa: E731
            "parseFloat(getComputedStyle(document.querySelector('.gk-body p')).fontSize)")
        normal = size()
        toggle = page.locator("[data-gk-large-toggle]")
        assert toggle.get_attribute("aria-pressed") == "false"
        toggle.focus()
        page.keyboard.press("Enter")
        assert toggle.get_attribute("aria-pressed") == "true"
        large = size()
        assert large >= 24 > normal          # 18pt = 24px
        line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.gk-body p')).lineHeight)")
        assert line / large >= 1.3
        page.goto(f"{base}{INTERP_PAGE}/")   # remembered on the next page
        assert size() >= 24
        assert page.locator("[data-gk-large-toggle]").get_attribute("aria-pressed") == "true"
        page.close()


@pytest.mark.parametrize("directory_urls", [True, False])
def test_header_search_box_leads_to_gongkai_search(sites, browser, directory_urls):
    site = sites[directory_urls]

    def run(start: str, base: str):
        page = browser.new_page()
        urls = record_requests(page)
        page.goto(start)
        page.fill("[data-gk-header-search]", "示例事项")
        page.keyboard.press("Enter")
        page.wait_for_selector("[data-gk-result]")
        # The count is shown once the first page of results has been checked against their texts.
        page.wait_for_function("() => document.querySelector('[data-gk-count]').textContent.trim() !== ''")
        assert "q=" in page.url and ("search/" in page.url or "search.html" in page.url)
        assert page.locator("[data-gk-count]").first.inner_text().strip().startswith("2")
        titles = page.locator("[data-gk-result]").all_inner_texts()
        assert any("测试市人民政府关于示例事项的通知" in t for t in titles)
        assert off_site(urls, base) == []
        page.close()

    if directory_urls:
        with serve(site) as base:
            run(f"{base}{POLICY_PAGE}/", base)
    else:
        run((site / f"{POLICY_PAGE}.html").as_uri(), site.as_uri())
