"""Column (专栏) pages: a simple list of a column's public entries, newest first."""

from __future__ import annotations

import html
from typing import Iterator

from .portal import Portal
from .urls import Linker, column_path, entry_path


def column_meta_tags(name: str, description: str, keywords: str, column_type: str) -> str:
    tags = {"ColumnName": name, "ColumnDescription": description, "ColumnKeywords": keywords, "ColumnType": column_type}
    return "\n".join(f'<meta name="{k}" content="{html.escape(v, quote=True)}">' for k, v in tags.items())


def column_pages(portal: Portal, linker: Linker, renderer=None) -> Iterator:
    from .site_build import GeneratedPage
    for column in portal.columns.values():
        here = column_path(column)
        items = "".join(
            f'<li><a href="{linker.href(here, entry_path(e))}">{html.escape(e.title)}</a> '
            f'<time datetime="{e.published.isoformat()}">{e.published.isoformat()}</time></li>'
            for e in portal.column_entries.get(column.id, []))
        closed = '<p class="gk-banner" role="note">本栏目已归档，不再更新。</p>' if column.archived else ""
        content = (f'<h1>{html.escape(column.title)}</h1>{closed}<p>{html.escape(column.description)}</p>'
                   f'<ul class="gk-list">{items}</ul>')
        yield GeneratedPage(path=here, title=column.title, content=content,
                            head=column_meta_tags(column.title, column.description, column.title, column.type))
