"""The disclosure catalogue (政府信息公开目录) at ml/: every public entry, browsable by
发布机构, 主题分类, 年份, 文种, 有效性 and 信息类别, with counts. Every facet value is a
static paginated listing; listing.js only adds in-page filtering and sorting on top.

Each facet has a bucket for entries without a value, so every facet's counts add up
to the number of public entries.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, Iterator

from .listing import Listing, count_links, esc, fill, link, listing_meta_tags, listing_paths, render_listing
from .model import GENRES, KINDS, VALIDITIES, Entry
from .portal import Portal
from .urls import CATALOGUE_DIR, Linker

CATALOGUE = f"{CATALOGUE_DIR}/"
NONE = "none"                     # slug of the "no value" bucket


def value_slug(value: str) -> str:
    """A short ASCII slug that never changes for the same value (URLs stay stable)."""
    return hashlib.blake2s(value.encode("utf-8"), digest_size=5).hexdigest()


def top_topic(topic: str) -> str:
    return topic.split("\\", 1)[0].strip()


@dataclass
class FacetValue:
    key: str            # the value as stored ('' for the no-value bucket)
    label: str
    slug: str
    entries: list[Entry]
    parent: str | None = None   # topic sub-classes: slug of their main class


@dataclass
class Facet:
    id: str
    label: str
    values: Callable[[Entry], list[str]]     # facet keys of an entry; [] puts it in the no-value bucket
    none_label: str
    labels: dict[str, str] | None = None     # key -> label (fixed vocabularies)
    slugs_are_keys: bool = False             # ascii keys (kinds, validity, years) are their own slugs

    def path(self, slug: str | None = None) -> str:
        return f"{CATALOGUE_DIR}/{self.id}/" + (f"{slug}/" if slug else "")


def _topic_values(entry: Entry) -> list[str]:
    if not entry.topic:
        return []
    top = top_topic(entry.topic)
    return [top] if top == entry.topic else [top, entry.topic]


FACETS = (
    Facet("publisher", "发布机构", lambda e: [e.publisher] if e.publisher else [], "未标注发布机构"),
    Facet("topic", "主题分类", _topic_values, "未标注主题分类"),
    Facet("year", "年份", lambda e: [str(e.published.year)], "未标注年份", slugs_are_keys=True),
    Facet("genre", "文种", lambda e: [e.genre] if e.genre else [], "未标注文种"),
    Facet("validity", "有效性", lambda e: [e.validity] if e.validity else [], "未标注有效性（非政策文件）",
          labels=VALIDITIES, slugs_are_keys=True),
    Facet("kind", "信息类别", lambda e: [e.kind], "其他", labels=KINDS, slugs_are_keys=True),
)


def _order(facet: Facet, portal: Portal, counts: dict[str, int]):
    """Fixed vocabularies in their own order, years newest first, the rest by count."""
    if facet.labels:
        rank = {k: i for i, k in enumerate(facet.labels)}
        return lambda key: (rank.get(key, len(rank)), key)
    if facet.id == "year":
        return lambda key: -int(key) if key.isdigit() else 0
    if facet.id == "topic":
        rank = {t: i for i, t in enumerate(portal.config.topics)}
        return lambda key: (rank.get(key, len(rank)), key)
    if facet.id == "genre":
        rank = {g: i for i, g in enumerate(GENRES)}
        return lambda key: (rank.get(key, len(rank)), key)
    return lambda key: (-counts[key], key)


def facet_values(portal: Portal, facet: Facet) -> list[FacetValue]:
    """The values of a facet with their entries (newest first); the no-value bucket last."""
    cache = portal.extra.setdefault("gk_facets", {})
    if facet.id in cache:
        return cache[facet.id]
    groups: dict[str, list[Entry]] = {}
    missing: list[Entry] = []
    for entry in portal.public_entries:           # already newest first
        keys = facet.values(entry)
        if not keys:
            missing.append(entry)
        for key in keys:
            groups.setdefault(key, []).append(entry)
    counts = {k: len(v) for k, v in groups.items()}
    values = []
    for key in sorted(groups, key=_order(facet, portal, counts)):
        slug = key if facet.slugs_are_keys else value_slug(key)
        label = (facet.labels or {}).get(key, key.split("\\")[-1] if "\\" in key else key)
        parent = value_slug(top_topic(key)) if facet.id == "topic" and "\\" in key else None
        values.append(FacetValue(key, label, slug, groups[key], parent))
    if missing:
        values.append(FacetValue("", facet.none_label, NONE, missing))
    cache[facet.id] = values
    return values


def main_values(values: list[FacetValue]) -> list[FacetValue]:
    """Values that partition the entries (topic sub-classes are extra views)."""
    return [v for v in values if v.parent is None]


def facet_overview(portal: Portal, linker: Linker, facet: Facet) -> str:
    values = facet_values(portal, facet)
    subs: dict[str, list[FacetValue]] = {}
    for v in values:
        if v.parent:
            subs.setdefault(v.parent, []).append(v)
    items = []
    for v in main_values(values):
        nested = ""
        if v.slug in subs:
            nested = count_links(linker, [(s.label, facet.path(s.slug), len(s.entries)) for s in subs[v.slug]],
                                 "gk-facet-subvalues")
        items.append(f'<li><a href="{link(linker, facet.path(v.slug))}">{esc(v.label)}</a> '
                     f'<span class="gk-count">{len(v.entries)}</span>{nested}</li>')
    return f'<ul class="gk-facet-values" data-gk-facet="{facet.id}">{"".join(items)}</ul>'


def catalogue_intro(portal: Portal, linker: Linker) -> str:
    sections = "".join(
        f'<section class="gk-facet" aria-labelledby="gk-facet-{f.id}"><h2 id="gk-facet-{f.id}">'
        f'<a href="{link(linker, f.path())}">按{f.label}</a></h2>{facet_overview(portal, linker, f)}</section>'
        for f in FACETS)
    return f'<div class="gk-facets">{sections}</div><h2>全部信息</h2>'


def facet_index_page(portal: Portal, linker: Linker, facet: Facet):
    from .generated_page import GeneratedPage
    path = facet.path()
    total = len(portal.public_entries)
    content = (f'<div class="gk-listing"><nav class="gk-breadcrumbs" aria-label="当前位置"><ol>'
               f'<li><a href="{link(linker, "")}">首页</a></li><li><a href="{link(linker, CATALOGUE)}">信息公开目录</a></li>'
               f'<li aria-current="page">按{facet.label}</li></ol></nav><h1>按{esc(facet.label)}浏览</h1>'
               f'<p class="gk-listing-description">全部 {total} 条主动公开信息按{esc(facet.label)}分类，括号中为信息条数。</p>'
               f'{facet_overview(portal, linker, facet)}</div>')
    head = listing_meta_tags(f"按{facet.label}浏览", f"政府信息公开目录：按{facet.label}分类", facet.label, "信息公开目录") + (
        f'\n<link rel="stylesheet" href="{linker.href(path, "assets/gongkai/listing.css")}">')
    return GeneratedPage(path=path, title=f"按{facet.label}浏览 - 信息公开目录", head=head, content=fill(content, linker, path))


def catalogue_listings(portal: Portal, linker: Linker | None = None) -> Iterator[Listing]:
    yield Listing(base=CATALOGUE, title="政府信息公开目录", entries=portal.public_entries,
                  description="本机关主动公开的全部政府信息，可按发布机构、主题分类、年份、文种、有效性和信息类别浏览。",
                  column_type="信息公开目录", keywords="政府信息公开目录,主动公开",
                  intro=catalogue_intro(portal, linker) if linker else "", feed="feeds/all.xml")
    for facet in FACETS:
        for value in facet_values(portal, facet):
            crumbs = [("信息公开目录", CATALOGUE), (f"按{facet.label}", facet.path())]
            yield Listing(base=facet.path(value.slug), title=f"{facet.label}：{value.label}", entries=value.entries,
                          description=f"{facet.label}为“{value.label}”的主动公开信息，共 {len(value.entries)} 条。",
                          column_type="信息公开目录", keywords=f"{facet.label},{value.label}", breadcrumbs=crumbs)


def catalogue_pages(portal: Portal, linker: Linker, renderer=None) -> Iterator:
    for facet in FACETS:
        yield facet_index_page(portal, linker, facet)
    for listing in catalogue_listings(portal, linker):
        yield from render_listing(listing, portal, linker)


def catalogue_page_paths(portal: Portal) -> Iterator[str]:
    for facet in FACETS:
        yield facet.path()
    for listing in catalogue_listings(portal):
        yield from listing_paths(listing.base, len(listing.entries), portal.config.page_size)


catalogue_pages.page_paths = catalogue_page_paths   # for the sitemap
