"""The home page (site root): the hand-written content/index.md on top, a search box,
entry points to the catalogue, the policy library and the columns, the newest entries
and each column's latest items. It replaces the index.html MkDocs renders."""

from __future__ import annotations

import re
from typing import Iterator

from .listing import STYLESHEET, ItemRenderer, esc, fill, link
from .portal import Portal
from .textfiles import NotUtf8, read_text
from .urls import CATALOGUE_DIR, COLUMN_DIR, POLICY_DIR, SEARCH_DIR, Linker, column_path

HOME = ""
NEWEST = 10            # entries in 最新信息
PER_COLUMN = 3         # latest items shown per column
FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n(---|\.\.\.)\s*\n", re.S)


def hand_written_intro(portal: Portal, linker: Linker, renderer) -> str:
    """content/index.md rendered like a body (links re-pointed), '' when there is none."""
    path = portal.config.content_path / "index.md"
    if renderer is None or not path.is_file():
        return ""
    try:
        text = FRONT_MATTER.sub("", read_text(path), count=1)
    except (OSError, NotUtf8):
        return ""
    return renderer.render(text, "index.md", linker.file(HOME))


def search_form(linker: Linker) -> str:
    return (f'<form class="gk-home-search" role="search" method="get" action="{link(linker, SEARCH_DIR + "/")}">'
            f'<label for="gk-home-q">搜索本站公开信息</label> '
            f'<input id="gk-home-q" type="search" name="q" placeholder="例如：最低生活保障" required> '
            f'<button type="submit" class="md-button md-button--primary">搜索</button></form>')


def entry_points(portal: Portal, linker: Linker) -> str:
    points = (("政府信息公开目录", f"{CATALOGUE_DIR}/", f"全部 {len(portal.public_entries)} 条主动公开信息，按机构、主题、年份等分类浏览"),
              ("政策文件库", f"{POLICY_DIR}/", "政策文件及其有效性，现行有效规范性文件目录"),
              ("专栏", f"{COLUMN_DIR}/", f"全部 {len(portal.columns)} 个专栏"))
    items = "".join(f'<li><a href="{link(linker, path)}"><strong>{esc(title)}</strong></a><span>{esc(note)}</span></li>'
                    for title, path, note in points)
    return f'<nav class="gk-entry-points" aria-label="主要入口"><ul>{items}</ul></nav>'


def column_boxes(portal: Portal, linker: Linker, items: ItemRenderer) -> str:
    boxes = []
    for column in portal.child_columns(None):
        if column.archived:
            continue
        entries = portal.column_entries.get(column.id, [])[:PER_COLUMN]
        listing = "".join(items.item(e) for e in entries) or '<li class="gk-empty">暂无信息。</li>'
        boxes.append(f'<section class="gk-home-column"><h3><a href="{link(linker, column_path(column))}">'
                     f'{esc(column.title)}</a></h3><ul class="gk-list">{listing}</ul></section>')
    return (f'<section aria-labelledby="gk-home-columns"><h2 id="gk-home-columns">专栏</h2>'
            f'<div class="gk-home-columns">{"".join(boxes)}</div>'
            f'<p><a href="{link(linker, COLUMN_DIR + "/")}">全部专栏（含已归档栏目）</a></p></section>')


def home_page(portal: Portal, linker: Linker, renderer=None) -> Iterator:
    from .generated_page import GeneratedPage
    items = ItemRenderer.for_build(portal, linker)
    intro = hand_written_intro(portal, linker, renderer)
    heading = "" if "<h1" in intro else f"<h1>{esc(portal.config.site_name)}</h1>"
    newest = "".join(items.item(e) for e in portal.public_entries[:NEWEST]) or '<li class="gk-empty">暂无信息。</li>'
    content = (f'<div class="gk-home">{heading}<div class="gk-home-intro">{intro}</div>{search_form(linker)}{entry_points(portal, linker)}'
               f'<section aria-labelledby="gk-home-newest"><h2 id="gk-home-newest">最新信息</h2>'
               f'<ul class="gk-list">{newest}</ul><p><a href="{link(linker, CATALOGUE_DIR + "/")}">更多信息</a>'
               f'（<a href="{link(linker, "feeds/all.xml")}">订阅</a>）</p></section>'
               f'{column_boxes(portal, linker, items)}</div>')
    head = (f'<link rel="stylesheet" href="{linker.href(HOME, STYLESHEET)}">\n'
            f'<link rel="alternate" type="application/atom+xml" title="{esc(portal.config.site_name)}" '
            f'href="{linker.href(HOME, "feeds/all.xml")}">')
    yield GeneratedPage(path=HOME, title=portal.config.site_name, head=head, content=fill(content, linker, HOME))


home_page.page_paths = lambda portal: [HOME]   # for the sitemap
