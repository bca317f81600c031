"""Column (专栏) pages: each column's entries newest first, paginated, with its child
columns; archived columns stay readable and say they are closed; and the index of
all columns at zl/."""

from __future__ import annotations

from typing import Iterator

from .feeds import feed_path
from .listing import Listing, esc, fill, link, listing_meta_tags, listing_paths, render_listing
from .model import COLUMN_STATUSES, UPDATE_LABELS, Column
from .portal import Portal
from .urls import COLUMN_DIR, Linker, column_path

COLUMN_INDEX = f"{COLUMN_DIR}/"
ARCHIVED_TAG = ' <span class="gk-tag">已归档</span>'
ARCHIVED_NOTICE = '<p class="gk-banner gk-banner-archived" role="note">本栏目已归档，不再更新，内容仅供查阅。</p>'


def column_meta_tags(name: str, description: str, keywords: str, column_type: str) -> str:
    return listing_meta_tags(name, description, keywords, column_type)


def ancestors(portal: Portal, column: Column) -> list[Column]:
    chain, node = [], column
    while node.parent and node.parent in portal.columns and len(chain) < len(portal.columns):
        node = portal.columns[node.parent]
        chain.append(node)
    return chain[::-1]


def column_facts(column: Column, count: int, newest: str | None) -> str:
    facts = [f"栏目类型：{esc(column.type or '专栏')}", f"更新周期：{UPDATE_LABELS.get(column.update, column.update)}",
             f"状态：{COLUMN_STATUSES.get(column.status, column.status)}", f"信息数：{count} 条"]
    if newest:
        facts.append(f'最近更新：<time datetime="{newest}">{newest}</time>')
    return f'<p class="gk-column-facts">{"；".join(facts)}</p>'


def child_list(portal: Portal, linker: Linker, column: Column) -> str:
    children = portal.child_columns(column.id)
    if not children:
        return ""
    items = "".join(
        f'<li><a href="{link(linker, column_path(c))}">{esc(c.title)}</a> '
        f'<span class="gk-count">{len(portal.column_entries.get(c.id, []))}</span>'
        f'{ARCHIVED_TAG if c.archived else ""}</li>' for c in children)
    return (f'<nav class="gk-child-columns" aria-label="下级栏目"><h2>下级栏目</h2>'
            f'<ul>{items}</ul></nav>')


def column_listing(portal: Portal, linker: Linker, column: Column) -> Listing:
    entries = portal.column_entries.get(column.id, [])
    crumbs = [("专栏", COLUMN_INDEX)] + [(c.title, column_path(c)) for c in ancestors(portal, column)]
    newest = entries[0].published.isoformat() if entries else None
    return Listing(
        base=column_path(column), title=column.title, entries=entries, description=column.description,
        column_type=column.type or "专栏", keywords=column.title, breadcrumbs=crumbs,
        banner=(ARCHIVED_NOTICE if column.archived else "") + column_facts(column, len(entries), newest),
        intro=child_list(portal, linker, column), feed=feed_path(column.id),
        empty_text="本栏目暂无信息。")


def column_index(portal: Portal, linker: Linker):
    """zl/: every column as a tree, with counts, update cycle and status."""
    from .generated_page import GeneratedPage

    def tree(parent: str | None, depth: int) -> str:
        children = portal.child_columns(parent)
        if not children or depth > len(portal.columns):
            return ""
        rows = []
        for c in children:
            entries = portal.column_entries.get(c.id, [])
            newest = entries[0].published.isoformat() if entries else "—"
            status = ARCHIVED_TAG if c.archived else ""
            rows.append(f'<li><a href="{link(linker, column_path(c))}">{esc(c.title)}</a> {status}'
                        f'<span class="gk-item-meta"><span>{len(entries)} 条</span>'
                        f'<span>{UPDATE_LABELS.get(c.update, c.update)}更新</span>'
                        f'<span>最近更新 {newest}</span></span>'
                        f'<p class="gk-column-description">{esc(c.description)}</p>{tree(c.id, depth + 1)}</li>')
        return f'<ul class="gk-column-tree">{"".join(rows)}</ul>'

    content = (f'<div class="gk-listing"><h1>专栏</h1><p class="gk-listing-description">本站全部专栏（栏目），'
               f'共 {len(portal.columns)} 个。已归档的栏目不再更新，内容仍可查阅。</p>{tree(None, 0)}</div>')
    head = listing_meta_tags("专栏", "本站全部专栏（栏目）列表", "专栏,栏目", "专栏导航") + (
        f'\n<link rel="stylesheet" href="{linker.href(COLUMN_INDEX, "assets/gongkai/listing.css")}">')
    return GeneratedPage(path=COLUMN_INDEX, title="专栏", head=head, content=fill(content, linker, COLUMN_INDEX))


def column_pages(portal: Portal, linker: Linker, renderer=None) -> Iterator:
    yield column_index(portal, linker)
    for column in portal.columns.values():
        yield from render_listing(column_listing(portal, linker, column), portal, linker)


def column_page_paths(portal: Portal) -> Iterator[str]:
    yield COLUMN_INDEX
    for column in portal.columns.values():
        yield from listing_paths(column_path(column), len(portal.column_entries.get(column.id, [])),
                                 portal.config.page_size)


column_pages.page_paths = column_page_paths   # for the sitemap
