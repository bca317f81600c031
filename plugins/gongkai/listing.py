"""Shared listing machinery: list items rendered once per build, pagination, list pages.

Every listing (columns, catalogue facets, policy library, home page) shows the same
entries again and again, so each entry's list-item HTML is rendered once, with its
links written as ROOT + site-relative URL. A listing page replaces ROOT with the way
back to the site root from where it is written ('../../' or './'), one string replace
per page: a page costs the same at 100 entries or 100,000.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import Iterable, Iterator

from . import urls
from .disk_cache import key_of
from .model import VALIDITIES, Entry
from .portal import Portal
from .urls import Linker, entry_path

ROOT = "\x1eGKROOT\x1e"          # never in escaped text: only placed inside href="..."
STYLESHEET = "assets/gongkai/listing.css"
SCRIPT = "assets/gongkai/listing.js"
PAGE_WINDOW = 2                    # page links shown either side of the current page
# A listing page's content comes from this module's code and the links urls.py makes (its keys name both).
_CODE = key_of(Path(__file__).read_bytes() + b"\x00" + Path(urls.__file__).read_bytes())


def esc(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def paged_path(base: str, page: int) -> str:
    """'zl/gzdt/' -> 'zl/gzdt/' for page 1, 'zl/gzdt/page/N/' after."""
    return base if page <= 1 else f"{base}page/{page}/"


def page_count(total: int, page_size: int) -> int:
    """A listing with no entries still has one (empty) page."""
    return max(1, -(-total // page_size))


def root_prefix(linker: Linker, path: str) -> str:
    """From the page at `path` back to the site root, ending in '/'."""
    return linker.href(path, "")


def link(linker: Linker, to_path: str) -> str:
    """An href in ROOT form, valid on any listing page once filled."""
    return ROOT + linker.url(to_path)


def fill(content: str, linker: Linker, path: str) -> str:
    return content.replace(ROOT, root_prefix(linker, path))


class ItemRenderer:
    """Renders each entry's list item once per build and variant; `renders` counts them."""

    def __init__(self, portal: Portal, linker: Linker):
        self.portal, self.linker = portal, linker
        self._items: dict[str, str] = {}
        self._policy_items: dict[str, str] = {}
        self._keys: dict[tuple[str, bool], bytes] = {}
        self.renders = 0

    @classmethod
    def for_build(cls, portal: Portal, linker: Linker) -> "ItemRenderer":
        """One renderer per portal and URL style, shared by every listing generator."""
        key = ("gk_item_renderer", linker.directory_urls)
        if key not in portal.extra:
            portal.extra[key] = cls(portal, linker)
        return portal.extra[key]

    def item(self, entry: Entry) -> str:
        cached = self._items.get(entry.id)
        if cached is None:
            cached = self._items[entry.id] = self._render(entry, policy=False)
        return cached

    def policy_item(self, entry: Entry) -> str:
        """A policy with its 文号, validity and, when it was replaced, the replacing document."""
        cached = self._policy_items.get(entry.id)
        if cached is None:
            cached = self._policy_items[entry.id] = self._render(entry, policy=True)
        return cached

    def key(self, entry: Entry, policy: bool) -> bytes:
        """key_of the entry's item (or policy item) HTML, hashed once per build."""
        found = self._keys.get((entry.id, policy))
        if found is None:
            item = self.policy_item(entry) if policy else self.item(entry)
            found = self._keys[(entry.id, policy)] = key_of(item.encode("utf-8", "surrogatepass"))
        return found

    def _render(self, e: Entry, policy: bool) -> str:
        self.renders += 1
        day = e.published.isoformat()
        parts = [f'<time datetime="{day}">{day}</time>', f'<span class="gk-item-publisher">{esc(e.publisher)}</span>']
        if policy and e.doc_no:
            parts.append(f'<span class="gk-item-docno">{esc(e.doc_no)}</span>')
        if not policy:
            parts.append(f'<span class="gk-item-kind">{esc(e.kind_label)}</span>')
        tags = ""
        if e.validity and (policy or e.validity != "valid"):
            tags = f' <span class="gk-tag gk-validity-{e.validity}">{VALIDITIES[e.validity]}</span>'
        replaced = ""
        if policy and e.validity in ("abolished", "amended", "expired"):
            target = self.portal.public_replacement(e)
            if target is not None:
                verb = "修改后文件" if e.validity == "amended" else "替代文件"
                replaced = (f'<span class="gk-item-replacement">{verb}：<a href="{link(self.linker, entry_path(target))}">'
                            f'{esc(target.title)}</a>{"（" + esc(target.doc_no) + "）" if target.doc_no else ""}</span>')
        return (f'<li class="gk-item" data-date="{day}"><a class="gk-item-title" href="{link(self.linker, entry_path(e))}">'
                f'{esc(e.title)}</a>{tags}<span class="gk-item-meta">{" ".join(parts)}</span>{replaced}</li>')


def pagination_nav(linker: Linker, base: str, page: int, pages: int, total: int) -> str:
    """Accessible page links (ROOT form): first, last, and a window around the current page."""
    status = f'<p class="gk-page-status">共 {total} 条，第 {page} / {pages} 页</p>'
    if pages <= 1:
        return f'<nav class="gk-pagination" aria-label="分页">{status}</nav>'
    shown = sorted({1, pages, *range(max(1, page - PAGE_WINDOW), min(pages, page + PAGE_WINDOW) + 1)})
    items = []
    if page > 1:
        items.append(f'<li><a rel="prev" href="{link(linker, paged_path(base, page - 1))}">上一页</a></li>')
    previous = 0
    for number in shown:
        if number - previous > 1:
            items.append('<li class="gk-page-gap" aria-hidden="true">…</li>')
        current = ' aria-current="page"' if number == page else ""
        label = f'<span class="gk-visually-hidden">第</span>{number}<span class="gk-visually-hidden">页</span>'
        items.append(f'<li><a href="{link(linker, paged_path(base, number))}"{current}>{label}</a></li>')
        previous = number
    if page < pages:
        items.append(f'<li><a rel="next" href="{link(linker, paged_path(base, page + 1))}">下一页</a></li>')
    return f'<nav class="gk-pagination" aria-label="分页">{status}<ul>{"".join(items)}</ul></nav>'


def listing_meta_tags(name: str, description: str, keywords: str, column_type: str) -> str:
    """List-page meta tags of the national page-design rules."""
    tags = {"ColumnName": name, "ColumnDescription": description, "ColumnKeywords": keywords, "ColumnType": column_type}
    return "\n".join(f'<meta name="{k}" content="{esc(v)}">' for k, v in tags.items())


@dataclass
class Listing:
    """One paginated listing: page 1 at `base`, page N at base + 'page/N/'."""
    base: str
    title: str
    entries: list[Entry]
    description: str = ""
    column_type: str = "信息列表"
    keywords: str = ""
    breadcrumbs: list[tuple[str, str]] = field(default_factory=list)   # (title, path), root first
    intro: str = ""                   # ROOT-form HTML shown on page 1 only
    banner: str = ""                  # ROOT-form HTML shown on every page (e.g. archived notice)
    feed: str | None = None           # site path of an Atom feed for this listing
    policy_items: bool = False        # policy rows (文号, validity, replacement)
    empty_text: str = "暂无信息。"


def breadcrumb_nav(linker: Linker, crumbs: list[tuple[str, str]], current: str) -> str:
    crumbs = [("首页", "")] + list(crumbs)
    links = "".join(f'<li><a href="{link(linker, path)}">{esc(title)}</a></li>' for title, path in crumbs)
    return (f'<nav class="gk-breadcrumbs" aria-label="当前位置"><ol>{links}'
            f'<li aria-current="page">{esc(current)}</li></ol></nav>')


def head_tags(listing: Listing, linker: Linker, path: str) -> str:
    tags = [listing_meta_tags(listing.title, listing.description or listing.title,
                              listing.keywords or listing.title, listing.column_type),
            f'<link rel="stylesheet" href="{linker.href(path, STYLESHEET)}">']
    if listing.feed:
        tags.append(f'<link rel="alternate" type="application/atom+xml" title="{esc(listing.title)}" '
                    f'href="{linker.href(path, listing.feed)}">')
    return "\n".join(tags)


def render_listing(listing: Listing, portal: Portal, linker: Linker, page_size: int | None = None) -> Iterator:
    """Every page of a listing (each a real static page), as KeyedPage objects: a page's content is named by
    the listing's fields, its place and its items, and made only when the output does not hold it already."""
    from .generated_page import KeyedPage
    size = page_size or portal.config.page_size
    items = ItemRenderer.for_build(portal, linker)
    render_item = items.policy_item if listing.policy_items else items.item
    total = len(listing.entries)
    pages = page_count(total, size)
    shown = repr([(f.name, getattr(listing, f.name)) for f in fields(listing) if f.name != "entries"])
    listing_key = key_of(b"\x00".join((_CODE, shown.encode("utf-8", "surrogatepass"),
                                       repr((size, linker.directory_urls, total, pages)).encode())))
    for page in range(1, pages + 1):
        path = paged_path(listing.base, page)
        chunk = listing.entries[(page - 1) * size: page * size]
        key = key_of(b"".join([listing_key, page.to_bytes(4, "big")] +
                              [items.key(e, listing.policy_items) for e in chunk]))
        title = listing.title if page == 1 else f"{listing.title}（第 {page} 页）"
        yield KeyedPage(path=path, title=title, head=head_tags(listing, linker, path), content_key=key,
                        make_content=partial(_page_content, listing, linker, render_item, path, page, pages, chunk))


def _page_content(listing: Listing, linker: Linker, render_item, path: str, page: int, pages: int,
                  chunk: list[Entry]) -> str:
    """One listing page's content: depends on nothing but its arguments (render_listing names them)."""
    total = len(listing.entries)
    crumbs = breadcrumb_nav(linker, listing.breadcrumbs, listing.title)
    description = f'<p class="gk-listing-description">{esc(listing.description)}</p>' if listing.description else ""
    script = f'<script src="{link(linker, SCRIPT)}" defer></script>'
    if chunk:
        body = f'<ul class="gk-list" data-gk-listing>{"".join(render_item(e) for e in chunk)}</ul>'
    else:
        body = f'<p class="gk-empty">{esc(listing.empty_text)}</p>'
    heading = esc(listing.title) + (f'<small class="gk-page-number">（第 {page} 页）</small>' if page > 1 else "")
    content = (f'<div class="gk-listing">{crumbs}<h1>{heading}</h1>{listing.banner}{description}'
               f'{listing.intro if page == 1 else ""}{body}'
               f'{pagination_nav(linker, listing.base, page, pages, total)}{script}</div>')
    return fill(content, linker, path)


def listing_paths(base: str, total: int, page_size: int) -> list[str]:
    return [paged_path(base, page) for page in range(1, page_count(total, page_size) + 1)]


def count_links(linker: Linker, values: Iterable[tuple[str, str, int]], css: str = "gk-facet-values") -> str:
    """A list of (label, path, count) links in ROOT form."""
    lis = "".join(f'<li><a href="{link(linker, path)}">{esc(label)}</a> <span class="gk-count">{count}</span></li>'
                  for label, path, count in values)
    return f'<ul class="{css}">{lis}</ul>'

