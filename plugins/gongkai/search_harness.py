"""A minimal static site around the search index, for tests and the benchmark (the plugin writes the real one)."""
from __future__ import annotations

import html
import shutil
from pathlib import Path

from gongkai.search_index import SEARCH_ASSETS, SearchDoc, build_search_index, search_page_body

ASSETS_DIR = Path(__file__).resolve().parents[2] / "theme_overrides" / "assets" / "gongkai"


def page(title: str, root: str, body: str, head: str = "") -> str:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'{head}</head><body><main>{body}</main></body></html>\n')


def write_site(docs: list[SearchDoc], site: Path, *, directory_urls: bool = True, entry_pages: bool = True,
               cache_dir: Path | None = None) -> dict:
    """Entry pages, the search page (search/index.html or search.html) and the index; returns index stats."""
    site = Path(site)
    (site / "assets" / "gongkai").mkdir(parents=True, exist_ok=True)
    for asset in ASSETS_DIR.glob("search*"):
        shutil.copyfile(asset, site / "assets" / "gongkai" / asset.name)
    stats = build_search_index(docs, site / "search", cache_dir=cache_dir)
    root = "../" if directory_urls else ""
    head = "".join(f'<link rel="stylesheet" href="{root}{a}">' if a.endswith(".css") else
                   f'<script src="{root}{a}"></script>' for a in SEARCH_ASSETS)
    search_page = site / ("search/index.html" if directory_urls else "search.html")
    search_page.write_text(page("站内搜索", root, search_page_body(), head), encoding="utf-8")
    if entry_pages:
        for d in docs:
            target = site / (d.url + "index.html" if d.url.endswith("/") else d.url)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(page(d.title, "", f"<h1>{html.escape(d.title)}</h1><p>{html.escape(d.text)}</p>"),
                              encoding="utf-8")
    return stats
