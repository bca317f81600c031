"""Atom feeds: feeds/all.xml (the newest public entries site-wide) and one per column.

Absolute URLs come from site_url. Every date comes from the entries (never the wall
clock), so two builds of the same content are byte-identical.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator

from .model import Entry
from .portal import Portal
from .urls import Linker, column_path, entry_path
from .xml_text import escape, quoteattr

FEED_SIZE = 50
TZ = "+08:00"                 # entries carry dates only; China Standard Time
EPOCH = dt.date(2000, 1, 1)   # 'updated' of a feed when the whole site has no entry yet


def feed_path(column_id: str | None = None) -> str:
    return f"feeds/{column_id or 'all'}.xml"


def absolute(portal: Portal, site_relative: str) -> str:
    base = portal.config.site_url
    if not base:
        return site_relative or "./"
    return base.rstrip("/") + "/" + site_relative


def stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00{TZ}"


def tag_id(portal: Portal, entry: Entry) -> str:
    """A permanent Atom id: the 索引号 never changes, even if URLs do."""
    domain = portal.config.identity.get("domain") or "gongkai.invalid"
    return f"tag:{domain},{entry.published.year}:xxgk/{entry.id}"


def entry_xml(portal: Portal, linker: Linker, entry: Entry) -> str:
    day = stamp(entry.published)
    summary = f"<summary>{escape(entry.summary)}</summary>" if entry.summary else ""
    return (f"<entry><title>{escape(entry.title)}</title>"
            f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(absolute(portal, linker.url(entry_path(entry))))}/>"
            f"<id>{escape(tag_id(portal, entry))}</id><published>{day}</published><updated>{day}</updated>"
            f"<author><name>{escape(entry.publisher)}</name></author>"
            f"<category term={quoteattr(entry.kind)} label={quoteattr(entry.kind_label)}/>{summary}</entry>\n")


def feed_xml(portal: Portal, linker: Linker, title: str, page: str, feed: str, entries: list[Entry],
             cache: dict[str, str]) -> bytes:
    newest = entries[:FEED_SIZE]
    site_newest = portal.public_entries[0].published if portal.public_entries else EPOCH
    updated = stamp(newest[0].published if newest else site_newest)
    items = []
    for entry in newest:               # each entry's XML once per build, shared by every feed
        if entry.id not in cache:
            cache[entry.id] = entry_xml(portal, linker, entry)
        items.append(cache[entry.id])
    head = (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">\n'
            f"<title>{escape(title)}</title>\n"
            f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(absolute(portal, linker.url(page)))}/>\n"
            f"<link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(absolute(portal, feed))}/>\n"
            f"<id>{escape(absolute(portal, feed))}</id>\n<updated>{updated}</updated>\n"
            f"<author><name>{escape(portal.config.identity.get('sponsor') or portal.config.site_name)}</name></author>\n")
    return (head + "".join(items) + "</feed>\n").encode("utf-8")


def feed_files(portal: Portal, linker: Linker) -> Iterator[tuple[str, bytes]]:
    cache: dict[str, str] = {}
    site = portal.config.site_name
    yield feed_path(), feed_xml(portal, linker, f"{site}：最新信息", "", feed_path(), portal.public_entries, cache)
    for column in portal.columns.values():
        yield feed_path(column.id), feed_xml(portal, linker, f"{site}：{column.title}", column_path(column),
                                             feed_path(column.id), portal.column_entries.get(column.id, []), cache)
