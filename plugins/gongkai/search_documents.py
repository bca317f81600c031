"""The search index's documents: one per public entry, its text the body's plain text, then summary,
keywords and attachment titles.

A rebuild mostly needs the documents' keys (the stored index's fingerprint, the update's comparison) and the
texts of the few that changed. So a document's key is kept by what the document is made from (the entry's
fields and the digest of the body bytes the checks passed), and its text is made when first read: a rebuild
after an edit reads one body and loads no cache of ten thousand plain texts. A full index build has every
text made first, on every core, through the plain-text cache.
"""
from __future__ import annotations

from dataclasses import fields
from itertools import chain
from pathlib import Path

from . import markdown_render, search_index
from .disk_cache import DiskCache, key_of, load_pickle, save_pickle
from .markdown_render import plain_text
from .portal import CHECKED_BODIES
from .search_index import SearchDoc, doc_key
from .urls import entry_path, page_url
from .workers import build_jobs, fork_map

SEARCH_DOCUMENTS = "search documents"   # portal.extra, under serve: the SearchDocuments of its index
_PLAIN_TEXT_CODE = Path(markdown_render.__file__).read_text(encoding="utf-8")   # plain_text's code and patterns
_DOC_KEY_CODE = _PLAIN_TEXT_CODE + Path(search_index.__file__).read_text(encoding="utf-8") + \
    Path(__file__).read_text(encoding="utf-8")   # what a document and its key are made by


def search_docs(portal, linker, entries=None) -> list[SearchDoc]:
    """One SearchDoc per public entry (or per one of `entries`), texts made now."""
    plain = DiskCache.for_root(portal.config.root, "plain-text", code_version=_PLAIN_TEXT_CODE)
    entries = portal.public_entries if entries is None else entries
    docs = [search_doc(portal, linker, entry, body)
            for entry, body in zip(entries, _body_plain_texts(plain, portal, entries))]
    plain.save()
    return docs


def _fields(portal, linker, entry) -> dict:
    """A document's fields but its text."""
    return dict(url=page_url(entry_path(entry), linker.directory_urls), title=entry.title, doc_no=entry.doc_no or "",
                publisher=entry.publisher, published=entry.published.isoformat(), kind=entry.kind,
                validity=entry.validity or "",
                columns=[(cid, portal.columns[cid].title) for cid in entry.columns if cid in portal.columns])


def _text(entry, body: str) -> str:
    parts = [body] if entry.body else []
    parts += [entry.summary or "", " ".join(entry.keywords), " ".join(a.title for a in entry.attachments)]
    return "\n".join(p for p in parts if p)


def search_doc(portal, linker, entry, body: str) -> SearchDoc:
    """One entry's SearchDoc, given its body's plain text."""
    return SearchDoc(**_fields(portal, linker, entry), text=_text(entry, body))


class LazyTextDoc(SearchDoc):
    """A SearchDoc whose text is made when first read, from its entry's body."""

    def __init__(self, portal, entry, **fields):
        self._source = (portal, entry)
        self._made = None
        super().__init__(**fields)

    @classmethod
    def of_row(cls, portal, entry, row: tuple) -> "LazyTextDoc":
        """LazyTextDoc(portal, entry, **fields) from the fields' values in _FIELD_NAMES order, its attributes
        set at once (a rebuild makes all 10,000 of a site's: the dataclass's __init__ was half of that)."""
        doc = cls.__new__(cls)
        doc.__dict__ = dict(zip(_ROW_NAMES, ((portal, entry), None, *row)))
        return doc

    @property
    def text(self) -> str:
        if self._made is None:
            portal, entry = self._source
            self._made = _text(entry, plain_text(portal.body_text(entry)) if entry.body else "")
        return self._made

    @text.setter
    def text(self, value: str) -> None:   # SearchDoc's __init__ sets "": not made yet
        self._made = value or None

    @property
    def text_made(self) -> bool:
        return self._made is not None


class SearchDocuments:
    """The public entries' documents, in order, and each one's doc_key by URL."""

    def __init__(self, portal, linker, docs: list[SearchDoc]):
        self.portal, self.linker, self.docs = portal, linker, docs
        self.keys: dict[str, bytes] = {}

    @classmethod
    def of(cls, portal, linker) -> "SearchDocuments":
        """Every public entry's document, its text not made yet. The fields of all of them are kept in one
        file by what they are made from (every public entry, the columns, the URL style): a rebuild after
        an edit of bodies loads them at once (0.1 s of a 0.3 s phase made them entry by entry, at 10,000)."""
        entries = portal.public_entries
        path = _fields_file(portal)
        key = key_of(_context_key(portal, linker) + portal.public_entries_key)
        stored = load_pickle(path) if path is not None else {}
        rows = stored["rows"] if stored.get("key") == key and len(stored.get("rows", ())) == len(entries) else None
        if rows is None:
            rows = [_row(_fields(portal, linker, entry)) for entry in entries]
            if path is not None:
                save_pickle(path, {"key": key, "rows": rows})
        return cls(portal, linker, [LazyTextDoc.of_row(portal, entry, row) for entry, row in zip(entries, rows)])

    def fill_keys(self) -> None:
        """Every document's doc_key: from the key cache by what the document is made from, else from its text
        (made for all such documents at once). Nothing to do when every one is keyed already (a quick rebuild's
        documents: the last build's, and those it replaced, keyed by replace)."""
        if len(self.keys) == len(self.docs):
            return
        cache = DiskCache.for_root(self.portal.config.root, "search-doc-keys", code_version=_DOC_KEY_CODE)
        checked = self.portal.extra.get(CHECKED_BODIES, {})
        context = _context_key(self.portal, self.linker)
        inputs, missing = [], []
        for n, (entry, doc) in enumerate(zip(self.portal.public_entries, self.docs)):
            digest = checked.get(entry.body) if entry.body else b""
            # A document is made from its entry (every field: shown_key), the columns' titles and the URL
            # style (context), and the body's bytes (replace()'s documents are keyed already).
            made_from = None if digest is None else key_of(entry.shown_key + context + digest)
            inputs.append(made_from)
            key = cache.get(made_from) if made_from is not None else None
            if key is None:
                missing.append(n)
            else:
                self.keys[doc.url] = key
        self.make_texts(missing)
        for n in missing:
            doc = self.docs[n]
            self.keys[doc.url] = doc_key(doc)
            if inputs[n] is not None:
                cache.put(inputs[n], self.keys[doc.url])
        cache.save()

    def make_texts(self, numbers: list[int] | None = None) -> None:
        """Make the texts of the documents numbered so (None: all) that are not made yet. A few are made
        from their bodies; many, or all, are all made at once, on every core, through the plain-text cache
        (which keeps what a run used: given all, it keeps every text)."""
        todo = [n for n in (range(len(self.docs)) if numbers is None else numbers) if self._unmade(n)]
        if not todo:
            return
        plain = DiskCache(None)   # a few: cheaper made than the cache loaded
        if numbers is None or len(todo) >= PARALLEL_FROM:
            todo = [n for n in range(len(self.docs)) if self._unmade(n)]
            plain = DiskCache.for_root(self.portal.config.root, "plain-text", code_version=_PLAIN_TEXT_CODE)
        entries = self.portal.public_entries
        for n, body in zip(todo, _body_plain_texts(plain, self.portal, [entries[n] for n in todo])):
            self.docs[n].text = _text(entries[n], body)
        plain.save()

    def _unmade(self, n: int) -> bool:
        doc = self.docs[n]
        return isinstance(doc, LazyTextDoc) and not doc.text_made

    def replace(self, numbers: list[int]) -> None:
        """Make the documents of the public entries numbered so again (their bodies changed), with their keys;
        their texts made from the bodies, not through the plain-text cache (which keeps only what a run used:
        saved after a few, it would forget every other text)."""
        entries = [self.portal.public_entries[n] for n in numbers]
        for number, entry, body in zip(numbers, entries, _body_plain_texts(DiskCache(None), self.portal, entries)):
            doc = self.docs[number] = search_doc(self.portal, self.linker, entry, body)
            self.keys[doc.url] = doc_key(doc)


_FIELD_NAMES = [f.name for f in fields(SearchDoc) if f.name != "text"]
_ROW_NAMES = ("_source", "_made", *_FIELD_NAMES)   # a LazyTextDoc's attributes, as its __init__ sets them


def _row(fields: dict) -> tuple:
    return tuple(fields[name] for name in _FIELD_NAMES)


def _context_key(portal, linker) -> bytes:
    """What a document is made from besides its entry and its body: the columns (their titles) and the URL
    style."""
    return key_of(repr((portal.columns, linker.directory_urls)).encode("utf-8", "surrogatepass"))


def _fields_file(portal) -> Path | None:
    """Where of() keeps the documents' fields (None: caches off)."""
    return DiskCache.path_for(portal.config.root, "search-doc-fields", code_version=_DOC_KEY_CODE)


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
