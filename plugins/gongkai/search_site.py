"""Search in the built site: the search page and the index files, as site_build generators.

Register in site_build: PAGE_GENERATORS += [search_pages]; FILE_GENERATORS += [search_files].
Only the portal's public entries reach the index.
"""
from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Iterator

from . import disk_cache, phases
from .deferred import Deferred
from .disk_cache import cache_enabled
from .generated_page import GeneratedPage
from .search_documents import SEARCH_DOCUMENTS, SearchDocuments
from .search_index import SEARCH_ASSETS, index_files, search_page_body
from .search_segment import DEFAULT_USER_DICT
from .search_store import IndexStore, fingerprint
from .search_update import index_with_state
from .urls import SEARCH_DIR, output_file, relative_url

SEARCH_PAGE_PATH = f"{SEARCH_DIR}/"
CACHE_ENV = "GONGKAI_CACHE_DIR"


def cache_dir(portal) -> Path | None:
    """Segmentation cache and stored index: $GONGKAI_CACHE_DIR, else .cache/gongkai in the repository
    (git-ignored); None when GONGKAI_CACHE=0 turns every cache off."""
    return cache_dir_of(portal.config.root)


def cache_dir_of(root: Path) -> Path | None:
    """cache_dir of the portal at root."""
    if not cache_enabled():
        return None
    return Path(os.environ.get(CACHE_ENV) or Path(root) / ".cache" / "gongkai")


def may_update(root: Path) -> bool:
    """Whether a build of the portal at root will likely update a stored index (caches on, one stored), and
    so segment only the texts that changed."""
    cache = cache_dir_of(root)
    return cache is not None and IndexStore(cache).state.exists()


def search_pages(portal, linker, renderer) -> Iterator[GeneratedPage]:
    page_file = output_file(SEARCH_PAGE_PATH, linker.directory_urls)
    tags = []
    for asset in SEARCH_ASSETS:
        href = relative_url(page_file, asset)
        tags.append(f'<link rel="stylesheet" href="{href}">' if asset.endswith(".css")
                    else f'<script src="{href}" defer></script>')
    yield GeneratedPage(path=SEARCH_PAGE_PATH, title="站内搜索", head="".join(tags), content=search_page_body())


def search_files(portal, linker) -> Iterator[tuple[str, bytes]]:
    """The index files under search/ (the index holds public entries only): the stored index when its
    documents are unchanged since the last build, else a fresh one (search_store.py). Under `mkdocs serve`
    the documents stay with the portal (SEARCH_DOCUMENTS), for a quick rebuild to replace a few of them."""
    cache = cache_dir(portal)
    store = IndexStore(cache) if cache is not None else None
    documents, key = _documents_and_key(portal, linker, store)
    if store is None:
        documents.make_texts()
        yield from _under_search_dir(index_files(documents.docs))
        return
    files = _build_stored(store, key, documents, cache)
    yield from _stored(files, store.digests())


# Public entries up to which a full index build runs beside the pages: above, its peak adds to theirs
# (4.8 GB at 100,000 entries, against 3.5 GB one after the other), and memory matters more than the seconds.
BESIDE_THE_PAGES_MAX = 30_000


def may_run_beside(portal) -> bool:
    """Whether search_files may run in a child process beside the pages (site_build.start_files_beside)."""
    return len(portal.public_entries) <= BESIDE_THE_PAGES_MAX


search_files.may_run_beside = may_run_beside


def _documents_and_key(portal, linker, store: IndexStore | None) -> tuple[SearchDocuments, str]:
    with phases.phase("  search: documents and fingerprint"):
        documents = portal.extra.get(SEARCH_DOCUMENTS)
        if documents is None:
            documents = SearchDocuments.of(portal, linker)
            if disk_cache.REMEMBER:
                portal.extra[SEARCH_DOCUMENTS] = documents
        if store is not None:
            documents.fill_keys()
        key = fingerprint(documents.docs, DEFAULT_USER_DICT, documents.keys) if store else ""
    return documents, key


def _build_stored(store: IndexStore, key: str, documents: SearchDocuments, cache: Path) -> list[tuple[str, str]]:
    """The stored index's files for `key`: as stored, or updated, or built afresh."""
    files = store.files_for(key)
    if files is None:
        def write(out, previous):
            stats, state = index_with_state(documents.docs, out, cache_dir=cache, previous=previous,
                                            doc_keys=documents.keys, before_full_build=documents.make_texts)
            phases.add("  search: " + ("update of %d documents" % stats["updated"] if "updated" in stats
                                       else "full index build"), 0.0, 0.0, count=stats["docs"])
            return state
        with phases.phase("  search: index build or update", workers=True):
            files = store.build(key, write)
    return files


def _stored(files: list[tuple[str, str]], digests: dict[str, bytes]) -> Iterator[tuple[str, Deferred]]:
    """The stored files, each named by the digest of its bytes the store recorded, so the output tree reads
    only those it does not hold already. An update rewrites only the files whose bytes change, so after an
    edit most keys stay: naming them by the index's fingerprint too made every file be read again (and by
    its stat, a stat and a hash of each of 12,000 files on every build)."""
    for name, path in files:   # under search/ (as _under_search_dir names them)
        yield f"{SEARCH_DIR}/{name}", Deferred(b"search index file\x00" + digests[name], partial(_read, path))


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _under_search_dir(files: Iterator[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
    for name, data in files:
        yield f"{SEARCH_DIR}/{name}", data
