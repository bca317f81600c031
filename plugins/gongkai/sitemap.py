"""sitemap.xml and sitemap.xml.gz, replacing MkDocs' own: every public page of the site.

Pages come from three places: MkDocs' hand-written pages (content/*.md that are not
entry bodies), the entry pages, and every generated listing. A page generator tells the
sitemap its paths through a `page_paths(portal)` attribute (a generator without one is
run a second time, which is fine for one-page generators such as the search page); when
the build recorded the paths it wrote (portal.extra['generated_page_paths']), those are
used as they are.
"""

from __future__ import annotations

import gzip
import io
from typing import Iterable, Iterator

from .deferred import Deferred
from .disk_cache import key_of
from .markdown_render import md_page_path
from .portal import Portal
from .urls import Linker, entry_path
from .xml_text import escape

SITEMAP = "sitemap.xml"
NOT_IN_SITEMAP = {"404.md"}


def hand_written_paths(portal: Portal) -> list[str]:
    """MkDocs pages: markdown under content/ except entry bodies and hidden files."""
    from .loader import portal_content_files
    from .site_build import unpublished_content_files
    if not portal.config.content_path.is_dir():
        return []
    hidden = unpublished_content_files(portal)
    paths = []
    for rel in sorted(portal_content_files(portal)):   # a set: its order changes with the process's hash seed
        if not rel.endswith(".md") or rel in hidden or rel in NOT_IN_SITEMAP:
            continue
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        paths.append(md_page_path(rel))
    return paths


def generated_paths(portal: Portal) -> Iterator[str]:
    from . import site_build
    recorded = portal.extra.get("generated_page_paths")
    if recorded:
        yield from recorded
        return
    for generator in site_build.PAGE_GENERATORS:
        if generator is site_build.entry_pages:
            yield from (entry_path(e) for e in portal.public_entries)
        elif hasattr(generator, "page_paths"):
            yield from generator.page_paths(portal)
        else:   # a small generator that does not declare its paths: run it again (no body renderer)
            yield from (page.path for page in generator(portal, Linker(True), None))


def lastmod_of(portal: Portal) -> dict[str, str]:
    return {entry_path(e): e.published.isoformat() for e in portal.public_entries}


def sitemap_xml(portal: Portal, linker: Linker, paths: Iterable[str]) -> bytes:
    base = portal.config.site_url.rstrip("/") + "/" if portal.config.site_url else ""
    dates = lastmod_of(portal)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in sorted(set(paths)):
        lastmod = f"<lastmod>{dates[path]}</lastmod>" if path in dates else ""
        lines.append(f"<url><loc>{escape(base + linker.url(path))}</loc>{lastmod}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def deterministic_gzip(data: bytes) -> bytes:
    """gzip with mtime 0 and no file name, so the same input gives the same bytes."""
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as fh:
        fh.write(data)
    return out.getvalue()


def sitemap_files(portal: Portal, linker: Linker) -> Iterator[tuple[str, bytes | Deferred]]:
    """Both files, named by what they are made from (the listing pages' inputs, which hold every public
    entry, the portal's configuration and the URL style; and the hand-written pages): a rebuild whose inputs
    are the last build's neither lists the pages nor compresses them again."""
    from .site_build import listing_pages_key
    hand_written = hand_written_paths(portal)
    if portal.extra.get("generated_page_paths"):   # paths given by the caller: not named by the portal
        data = sitemap_xml(portal, linker, [*hand_written, *generated_paths(portal)])
        yield SITEMAP, data
        yield SITEMAP + ".gz", deterministic_gzip(data)
        return
    inputs = key_of(b"sitemap\x00" + listing_pages_key(portal, linker)
                    + repr(hand_written).encode("utf-8", "surrogatepass"))
    made: list[bytes] = []

    def xml() -> bytes:
        if not made:
            made.append(sitemap_xml(portal, linker, [*hand_written, *generated_paths(portal)]))
        return made[0]

    yield SITEMAP, Deferred(inputs, xml)
    yield SITEMAP + ".gz", Deferred(key_of(b"gzip-9\x00" + inputs), lambda: deterministic_gzip(xml()))
