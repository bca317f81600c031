"""What a build writes besides MkDocs' own pages: generated pages and data files.

Pure core: it yields pages (title, head tags, content HTML) and files (bytes); the
theme adapter wraps pages in the site's frame and the MkDocs plugin writes them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from . import dictionary_process, disk_cache, files_beside, phases
from .disk_cache import key_of
from .generated_page import GeneratedPage
from .entry_page import (context_key, entry_context, entry_template, page_meta_tags, render_context,
                         use_bytecode_cache)
from .markdown_render import BodyRenderer
from .portal import Portal
from .search_segment import warm_up
from .urls import SEARCH_DIR, Linker, entry_path


def body_pages(portal: Portal) -> dict[str, str]:
    """Body markdown file -> the entry page that shows it (public entries only)."""
    return {e.body: entry_path(e) for e in portal.public_entries if e.body}


@dataclass
class EntryPageSource:
    """An entry page before its template runs: key() names its content, page() renders it."""
    path: str
    title: str
    head: str
    context: dict

    def key(self) -> bytes:
        return context_key(self.context)

    def page(self) -> GeneratedPage:
        return GeneratedPage(path=self.path, title=self.title, head=self.head, content=render_context(self.context))


def entry_page_source(portal: Portal, linker: Linker, renderer: BodyRenderer, entry) -> EntryPageSource:
    """One entry's page; depends on nothing but its arguments (pages render in parallel)."""
    path = entry_path(entry)
    body_html = _body_html(portal, renderer, entry, linker.file(path)) if entry.body else ""
    return EntryPageSource(path=path, title=entry.title, head=page_meta_tags(entry, portal.config.site_name),
                           context=entry_context(entry, portal, body_html, linker))


def _body_html(portal: Portal, renderer, entry, page_file: str) -> str:
    digest = portal.checked_digest(entry)
    if digest is None:
        return renderer.render(portal.body_text(entry), entry.body, page_file)
    # named by the bytes the checks passed: a cached body's file is not read again
    return renderer.render_file(digest, lambda: portal.body_text(entry), entry.body, page_file)


def _code_key() -> bytes:
    """Every module and template of gongkai: any change of code makes every entry page's inputs new."""
    here = Path(__file__).parent
    files = sorted(list(here.glob("*.py")) + [p for p in (here / "templates").rglob("*") if p.is_file()])
    return key_of(b"\x00".join(p.name.encode() + b"\x00" + p.read_bytes() for p in files))


_CODE_KEY = _code_key()


def entry_pages_key(portal: Portal, linker: Linker, markdown_key: str) -> bytes:
    """A key of everything the entry pages are made from but what each page has of its own, checked per
    page (parallel.py): its body's bytes and the body→page lookups its rendering made, its frame, and the
    entries it shows (entry_page.shown_entries_key). Here: the columns, the site name, the URL style, the
    markdown configuration and the code. When it equals the last build's and a page's own inputs are the
    same, the page is the same: adding an entry makes its page and those of the entries that show it."""
    shown = repr((portal.columns, portal.config.site_name, linker.directory_urls, markdown_key))
    return key_of(_CODE_KEY + shown.encode("utf-8", "surrogatepass"))


def listing_pages_key(portal: Portal, linker: Linker) -> bytes:
    """A key of everything the LISTING_GENERATORS' pages are made from but their frames: the public entries,
    the columns, the portal's configuration, the build date (the policy library shows it), the URL style and
    the code."""
    shown = repr((portal.columns, portal.config, portal.as_of, linker.directory_urls))
    return key_of(_CODE_KEY + portal.public_entries_key + shown.encode("utf-8", "surrogatepass"))


def entry_page(portal: Portal, linker: Linker, renderer: BodyRenderer, entry) -> GeneratedPage:
    return entry_page_source(portal, linker, renderer, entry).page()


def entry_pages(portal: Portal, linker: Linker, renderer: BodyRenderer) -> Iterator[GeneratedPage]:
    for entry in portal.public_entries:
        yield entry_page(portal, linker, renderer, entry)


# The generated sections, in the order the site navigation lists them (after the home page).
NAV_SECTIONS = [("政府信息公开目录", "ml/"), ("政策文件库", "zcwj/"), ("专栏", "zl/"), ("全文检索", "search/")]

# Listing, search and data generators register here so the adapter needs no change.
from .catalogue_pages import catalogue_pages  # noqa: E402
from .column_pages import column_pages  # noqa: E402
from .feeds import feed_files  # noqa: E402
from .home_page import home_page  # noqa: E402
from .open_data import open_data_files  # noqa: E402
from .policy_library import policy_library_pages  # noqa: E402
from .search_site import cache_dir_of, may_update, search_files, search_pages  # noqa: E402
from .sitemap import sitemap_files  # noqa: E402

entry_page_generator = entry_pages   # run in parallel by the plugin (parallel.py), not through generated_pages
PAGE_GENERATORS = [entry_pages, column_pages, catalogue_pages, policy_library_pages, home_page, search_pages]
# Pages made from the loaded portal alone (no renderer, no other file): skipped together when unchanged.
LISTING_GENERATORS = (column_pages, catalogue_pages, policy_library_pages)
FILE_GENERATORS: list = [open_data_files, feed_files, search_files, sitemap_files]   # callables (portal, linker) -> Iterator[tuple[str, bytes]]
# File generators that fork worker processes: not run while other workers are (the plugin makes the others
# while the entry pages' workers run).
FORKING_FILE_GENERATORS = (search_files,)
FORKING_FILES_DIRS = (f"{SEARCH_DIR}/",)   # where those write: another's file there waits for them


def _timed(name: str, items: Iterator) -> Iterator:
    """Charge the time spent producing each item to the generator's phase (phases.py)."""
    wall = cpu = 0.0
    count = 0
    iterator = iter(items)
    while True:
        w, c = time.perf_counter(), time.process_time()
        try:
            item = next(iterator)
        except StopIteration:
            phases.add(name, wall + time.perf_counter() - w, cpu + time.process_time() - c, count)
            return
        wall, cpu, count = wall + time.perf_counter() - w, cpu + time.process_time() - c, count + 1
        yield item


def generated_pages(portal: Portal, linker: Linker, renderer: BodyRenderer, skip=(),
                    only=None) -> Iterator[GeneratedPage]:
    """Every generated page; `skip` leaves out generators the caller runs itself (entry pages in parallel),
    `only` keeps just those given."""
    for generator in PAGE_GENERATORS:
        if generator not in skip and (only is None or generator in only):
            yield from _timed(f"pages: {generator.__name__}", generator(portal, linker, renderer))


def generated_files(portal: Portal, linker: Linker, skip=(), only=None) -> Iterator[tuple[str, bytes]]:
    """Every generated file (but the generators in `skip`; only those in `only` when given)."""
    for generator in FILE_GENERATORS:
        if generator not in skip and (only is None or generator in only):
            yield from _timed(f"files: {generator.__name__}", generator(portal, linker))


def theme_files_memo(root: Path) -> Path | None:
    """Where a build keeps the list of the theme's static files for the next (None: caches off)."""
    cache = cache_dir_of(root)
    return cache / "theme-files.pickle" if cache is not None else None


def use_template_cache(directory: Path) -> None:
    """Keep gongkai's own compiled templates (the entry page's) in directory."""
    use_bytecode_cache(directory)


def prepare_entry_pages() -> None:
    """Compile the entry template (or load it from the bytecode cache) in this process, before it forks the
    entry pages' workers: each would compile it again."""
    entry_template()


def start_dictionary_process(root: Path) -> bool:
    """Before the portal is loaded: when the build will likely update a stored search index, load the
    segmenter's dictionary in a process of its own meanwhile (dictionary_process.py), for the child
    start_files_beside forks. Not under `mkdocs serve`, whose process keeps its dictionary loaded."""
    if disk_cache.REMEMBER or not may_update(root):
        return False
    return dictionary_process.start()


def start_files_beside(portal: Portal, linker: Linker, tree) -> bool:
    """Make the files of the generators that fork workers of their own (the search index) in a child
    process that writes them into tree (an output_tree.OutputTree) while the pages are made; True when
    started. take_files_made_beside() takes them. Not when a generator says it may not (its memory would
    add to the pages')."""
    def make_files():
        dictionary_process.take_over()   # when the build started one: it segments the few texts of an edit
        warm_up()   # else the index segments: the dictionary loads in a thread while the documents are made
        return generated_files(portal, linker, only=FORKING_FILE_GENERATORS)
    try:
        for generator in FORKING_FILE_GENERATORS:
            if not getattr(generator, "may_run_beside", lambda _portal: True)(portal):
                return False
        return files_beside.start(portal, tree, make_files)
    finally:
        dictionary_process.let_go()   # the child, if any, is its only client


def take_files_made_beside(portal: Portal, tree) -> bool:
    """Take into tree the files start_files_beside's child wrote; False when it was not started or failed (the
    caller then writes generated_files(only=FORKING_FILE_GENERATORS) itself)."""
    return files_beside.take(portal, tree)


def files_beside_pending(portal: Portal) -> bool:
    """Whether start_files_beside's child is making its files (take_files_made_beside not called yet)."""
    return files_beside.pending(portal)


def discard_files_made_beside(portal: Portal) -> None:
    """A failed build: wait for start_files_beside's child to stop writing into the tree."""
    files_beside.discard(portal)


def unpublished_content_files(portal: Portal) -> set[str]:
    """content/ files that must not be copied: every entry body (shown on entry pages, or
    not at all) and every attachment that belongs only to non-public entries."""
    public_attachments = {a.path for e in portal.public_entries for a in e.attachments}
    hidden = {e.body for e in portal.entries if e.body}
    hidden |= {a.path for e in portal.entries for a in e.attachments if a.path not in public_attachments}
    return hidden
