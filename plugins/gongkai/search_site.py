"""Search in the built site: the search page and the index files, as site_build generators.

Register in site_build: PAGE_GENERATORS += [search_pages]; FILE_GENERATORS += [search_files].
Only the portal's public entries reach the index.
"""
from __future__ import annotations

import os
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Iterator

from . import disk_cache, markdown_render, phases
from .deferred import Deferred
from .disk_cache import DiskCache, cache_enabled, key_of
from .markdown_render import plain_text
from .search_index import SEARCH_ASSETS, SearchDoc, doc_key, index_files, search_page_body
from .search_segment import DEFAULT_USER_DICT
from .search_store import IndexStore, fingerprint
from .workers import build_jobs, fork_map
from .portal import CHECKED_BODIES
from .search_update import index_with_state
from .generated_page import GeneratedPage
from .urls import SEARCH_DIR, entry_path, output_file, page_url, relative_url

SEARCH_PAGE_PATH = f"{SEARCH_DIR}/"
CACHE_ENV = "GONGKAI_CACHE_DIR"


def search_docs(portal, linker, entries=None, bodies=None) -> list[SearchDoc]:
    """One SearchDoc per public entry (or per one of `entries`); its text is the body, then summary, keywords
    and attachment titles."""
    plain = DiskCache.for_root(portal.config.root, "plain-text", code_version=_PLAIN_TEXT_CODE)
    entries = portal.public_entries if entries is None else entries
    docs = [search_doc(portal, linker, entry, body)
            for entry, body in zip(entries, _body_plain_texts(plain, portal, entries))]
    plain.save()
    return docs


def search_doc(portal, linker, entry, body: str) -> SearchDoc:
    """One entry's SearchDoc, given its body's plain text."""
    parts = [body] if entry.body else []
    parts += [entry.summary or "", " ".join(entry.keywords), " ".join(a.title for a in entry.attachments)]
    columns = [(cid, portal.columns[cid].title) for cid in entry.columns if cid in portal.columns]
    return SearchDoc(
        url=page_url(entry_path(entry), linker.directory_urls), title=entry.title, doc_no=entry.doc_no or "",
        publisher=entry.publisher, published=entry.published.isoformat(), kind=entry.kind,
        validity=entry.validity or "", columns=columns, text="\n".join(p for p in parts if p))


def _body_plain_texts(cache: DiskCache, portal, entries) -> list[str]:
    """plain_text of each entry's body ('' without one), remembered (1.5 s of regular expressions at 10,000
    entries) by the digest of the bytes the checks passed, so an unchanged body is not even read; else by its
    text. Bodies not remembered are read and converted by forked workers, so the parent holds no raw body."""
    checked = portal.extra.get(CHECKED_BODIES, {})
    texts: list[str] = [""] * len(entries)
    missing: list[tuple[int, bytes]] = []
    for n, entry in enumerate(entries):
        if not entry.body:
            continue
        digest = checked.get(entry.body)
        if digest is None:   # not checked (a test's portal): keyed by its text
            text = portal.body_text(entry)
            key = key_of(text.encode("utf-8", "surrogatepass"))
            found = texts[n] = cache.get(key) or plain_text(text)
            cache.put(key, found)
            continue
        key = key_of(b"checked bytes\x00" + digest)
        found = cache.get(key)
        if found is None:
            missing.append((n, key))
        else:
            texts[n] = found
    jobs = build_jobs() if len(missing) >= PARALLEL_FROM else 1
    step = max(1, -(-len(missing) // (jobs * 4)))
    _JOB.update(portal=portal, entries=entries)
    try:
        chunks = fork_map(_plain_chunk, [[n for n, _ in missing[i:i + step]] for i in range(0, len(missing), step)],
                          jobs)
    finally:
        _JOB.clear()
    for (n, key), text in zip(missing, chain.from_iterable(chunks)):
        texts[n] = text
        cache.put(key, text)
    return texts


_JOB: dict = {}          # the portal and entries, inherited by forked workers
PARALLEL_FROM = 500      # bodies to convert before workers pay


def _plain_chunk(numbers: list[int]) -> list[str]:
    portal, entries = _JOB["portal"], _JOB["entries"]
    return [plain_text(portal.body_text(entries[n])) for n in numbers]


_PLAIN_TEXT_CODE = Path(markdown_render.__file__).read_text(encoding="utf-8")   # plain_text's code and patterns


def cache_dir(portal) -> Path | None:
    """Segmentation cache and stored index: $GONGKAI_CACHE_DIR, else .cache/gongkai in the repository
    (git-ignored); None when GONGKAI_CACHE=0 turns every cache off."""
    if not cache_enabled():
        return None
    return Path(os.environ.get(CACHE_ENV) or Path(portal.config.root) / ".cache" / "gongkai")


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
    with phases.phase("  search: documents and fingerprint"):
        cache = cache_dir(portal)
        store = IndexStore(cache) if cache is not None else None
        documents = portal.extra.get(SEARCH_DOCUMENTS)
        if documents is None:
            documents = SearchDocuments()
            documents.docs = search_docs(portal, linker)
            if disk_cache.REMEMBER:
                portal.extra[SEARCH_DOCUMENTS] = documents
        key = fingerprint(documents.docs, DEFAULT_USER_DICT, documents.keys) if store else ""
    docs, doc_keys = documents.docs, documents.keys
    if store is None:
        files = index_files(docs)
        with phases.phase("  search: full index build"):
            first = next(files)   # the postings are built before the first file comes
        yield from _under_search_dir(chain([first], files))
        return
    files = store.files_for(key)
    if files is None:
        def write(out, previous):
            stats, state = index_with_state(docs, out, cache_dir=cache, previous=previous, doc_keys=doc_keys)
            phases.add("  search: " + ("update of %d documents" % stats["updated"] if "updated" in stats
                                       else "full index build"), 0.0, 0.0, count=stats["docs"])
            return state
        with phases.phase("  search: index build or update"):
            files = store.build(key, write)
    yield from _under_search_dir(_stored(files))


SEARCH_DOCUMENTS = "search documents"   # portal.extra, under serve: the SearchDocuments of its index


class SearchDocuments:
    """The public entries' documents, in order, and each one's doc_key by URL (filled in as the keys are made:
    an entry's document can be replaced when its body alone changed, with its key)."""

    def __init__(self):
        self.docs: list[SearchDoc] | None = None
        self.keys: dict[str, bytes] = {}

    def replace(self, portal, linker, numbers: list[int]) -> None:
        """Make the documents of the public entries numbered so again, with their keys."""
        entries = portal.public_entries
        for number, doc in zip(numbers, search_docs(portal, linker, [entries[n] for n in numbers])):
            self.docs[number] = doc
            self.keys[doc.url] = doc_key(doc)


def _stored(files: list[tuple[str, str]]) -> Iterator[tuple[str, Deferred]]:
    """The stored files, each named by its path and stat, so the output tree reads only those it does not
    hold already. An update rewrites only the files whose bytes change (and every write moves the stat), so
    after an edit most keys stay: naming them by the index's fingerprint too made every file be read again."""
    for name, path in files:
        st = os.stat(path)
        key = key_of(f"{path}\x00{st.st_size}\x00{st.st_mtime_ns}\x00{st.st_ino}\x00{st.st_dev}"
                     .encode("utf-8", "surrogatepass"))
        yield name, Deferred(key, partial(_read, path))


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _under_search_dir(files: Iterator[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
    for name, data in files:
        yield f"{SEARCH_DIR}/{name}", data
