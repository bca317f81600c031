"""The policy library (政策文件库) at zcwj/: every public policy with its validity, the
现行有效规范性文件 list, and the amended, abolished and expired documents with the
documents that replaced them -- the published result of the 规范性文件 clean-up."""

from __future__ import annotations

from typing import Iterator

from .listing import Listing, count_links, listing_paths, render_listing
from .model import Entry
from .portal import Portal
from .urls import POLICY_DIR, Linker

LIBRARY = f"{POLICY_DIR}/"
CRUMBS = [("政策文件库", LIBRARY)]
# (sub-path, title, description, which policies)
SUBLISTS = (
    ("gfxwj", "现行有效规范性文件", "现行有效的行政规范性文件目录，随清理结果动态更新。",
     lambda e: e.normative is True and e.validity == "valid"),
    ("xxyx", "现行有效政策文件", "全部现行有效的政策文件。", lambda e: e.validity == "valid"),
    ("yxg", "已修改的文件", "经清理已修改的文件，附修改后的文件。", lambda e: e.validity == "amended"),
    ("yfz", "已废止的文件", "经清理已废止的文件，附替代文件。", lambda e: e.validity == "abolished"),
    ("ysx", "已失效的文件", "有效期届满或因情势变化已失效的文件。", lambda e: e.validity == "expired"),
)


def public_policies(portal: Portal) -> list[Entry]:
    return [e for e in portal.public_entries if e.kind == "policy"]


def sublist_entries(portal: Portal) -> dict[str, list[Entry]]:
    policies = public_policies(portal)
    return {slug: [e for e in policies if wanted(e)] for slug, _, _, wanted in SUBLISTS}


def library_intro(portal: Portal, linker: Linker, groups: dict[str, list[Entry]]) -> str:
    policies = public_policies(portal)
    normative = sum(1 for e in policies if e.normative)
    links = count_links(linker, [(title, f"{LIBRARY}{slug}/", len(groups[slug])) for slug, title, _, _ in SUBLISTS],
                        "gk-facet-values gk-policy-lists")
    return (f'<section class="gk-cleanup" aria-labelledby="gk-cleanup-title"><h2 id="gk-cleanup-title">文件清理结果</h2>'
            f'<p>截至 <time datetime="{portal.as_of.isoformat()}">{portal.as_of.isoformat()}</time>，'
            f'本库共有政策文件 {len(policies)} 件，其中规范性文件 {normative} 件；'
            f'现行有效 {len(groups["xxyx"])} 件（规范性文件 {len(groups["gfxwj"])} 件），已修改 {len(groups["yxg"])} 件，'
            f'已废止 {len(groups["yfz"])} 件，已失效 {len(groups["ysx"])} 件。</p>{links}</section>'
            f'<h2>全部政策文件</h2>')


def library_listings(portal: Portal, linker: Linker | None = None) -> Iterator[Listing]:
    groups = sublist_entries(portal)
    yield Listing(base=LIBRARY, title="政策文件库", entries=public_policies(portal),
                  description="本机关发布的政策文件，标注有效性；已修改、已废止的文件附修改后或替代的文件。",
                  column_type="政策文件", keywords="政策文件库,规范性文件,有效性", policy_items=True,
                  intro=library_intro(portal, linker, groups) if linker else "")
    for slug, title, description, _ in SUBLISTS:
        yield Listing(base=f"{LIBRARY}{slug}/", title=title, entries=groups[slug], description=description,
                      column_type="政策文件", keywords=f"{title},政策文件库", breadcrumbs=CRUMBS, policy_items=True,
                      empty_text=f"目前没有{title}。")


def policy_library_pages(portal: Portal, linker: Linker, renderer=None) -> Iterator:
    for listing in library_listings(portal, linker):
        yield from render_listing(listing, portal, linker)


def policy_library_page_paths(portal: Portal) -> Iterator[str]:
    for listing in library_listings(portal):
        yield from listing_paths(listing.base, len(listing.entries), portal.config.page_size)


policy_library_pages.page_paths = policy_library_page_paths   # for the sitemap
