"""A content-addressed cache of rendered entry bodies, so a rebuild converts only the
markdown that changed.

A body's HTML depends on: its markdown text, its path (relative links resolve
against it), the file its entry page is written to, the markdown configuration,
the code that renders it, and — through link rewriting — on which body files are
public entry pages. The first five are hashed into the key. The last is recorded
while rendering: every lookup the link rewriter makes in the body→page map is
stored with the answer it got, and a cached body is used only when every recorded
lookup gives the same answer now. A stale hit is impossible by construction; when
the renderer reads the map in a way we cannot record, nothing is cached.

Layout: <repo>/.cache/gongkai/bodies-<namespace>-<d>.pickle (namespace: a hash of the
gongkai and markdown versions, this code, the renderer's (RENDERER_MODULES) and the
markdown configuration; d: the first hex digit of the records' keys). Sixteen files, each read
when a key of its own is looked up and written when its records changed: an edit reads and writes one.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import markdown

from . import __version__, markdown_fast, markdown_inline, markdown_render
from .disk_cache import HEX_SHARDS, HexShards, save_pickle

CACHE_ENV = "GONGKAI_CACHE"          # "0" turns the cache off
CACHE_DIR = ".cache/gongkai"
_MISSING = "\x00missing"
# Keys of bodies named by their file's digest start with a lone surrogate, which no decoded text holds,
# so they never meet the keys of bodies named by their text.
_FILE_KEY = "\ud800file"
SHARDS = HEX_SHARDS   # a record is kept in the shard of its key's first hex digit (keys are sha256 hex)


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


def _source_of(module) -> str:
    try:
        return Path(module.__file__).read_text(encoding="utf-8")
    except OSError:
        return ""


# The modules whose code shapes a body's HTML (a change to any makes every cached body stale).
RENDERER_MODULES = (markdown_render, markdown_fast, markdown_inline)


def namespace(directory_urls: bool, extensions, extension_configs) -> str:
    """Everything global a body's HTML depends on."""
    config = json.dumps([directory_urls, list(extensions or []), extension_configs or {}],
                        sort_keys=True, default=repr, ensure_ascii=False)
    renderers = [_source_of(module) for module in RENDERER_MODULES]
    return _digest(__version__, markdown.__version__, *renderers, _source_of(sys.modules[__name__]), config)[:16]


def enabled() -> bool:
    return os.environ.get(CACHE_ENV, "1") != "0"


class Untrackable(Exception):
    """The renderer read the body→page map in a way whose dependencies we cannot record."""


class RecordingMap:
    """A read-only view of the body→page map, remembering each key looked up and what the
    lookup saw. A view, not a copy: copying the whole map for every body made rendering
    quadratic in the number of entries."""

    def __init__(self, data: dict):
        self.data = data
        self.seen: dict[str, str] = {}
        self.untrackable = False

    def _note(self, key) -> None:
        self.seen[str(key)] = self.data.get(key, _MISSING)

    def __contains__(self, key) -> bool:
        self._note(key)
        return key in self.data

    def __getitem__(self, key):
        self._note(key)
        return self.data[key]

    def get(self, key, default=None):
        self._note(key)
        return self.data.get(key, default)

    def _whole(self):
        self.untrackable = True   # a read of the whole map: its dependencies cannot be recorded
        return self.data

    def __iter__(self):
        return iter(self._whole())

    def keys(self):
        return self._whole().keys()

    def items(self):
        return self._whole().items()

    def values(self):
        return self._whole().values()

    def __len__(self):
        return len(self._whole())


def lookups_hold(lookups: dict[str, str], body_pages: dict) -> bool:
    """Whether every lookup a body's rendering made in the body→page map gives what it gave then."""
    return all(body_pages.get(target, _MISSING) == seen for target, seen in lookups.items())


class BodyCache:
    """Rendered bodies by key, with the link lookups each one depends on."""

    def __init__(self, path: Path | None):
        self.path = path                          # bodies-<namespace>.pickle, whose shards hold the records
        # key -> [html, {looked-up body path: page path or _MISSING}], a shard read at its first look (a
        # rebuild whose pages are all unchanged reads none)
        self.records = HexShards(self._shard_path if path is not None else None)
        self.used: set[str] = set()
        self.new: dict[str, list] = {}
        self.hits = self.misses = 0

    def _shard_path(self, digit: str) -> Path:
        return self.path.with_name(f"{self.path.stem}-{digit}.pickle")

    def load_all(self) -> None:
        self.records.load_all()

    def view(self) -> "BodyCache":
        """The same stored records, with this chunk's own new records and counts."""
        other = BodyCache(None)
        other.path, other.records = self.path, self.records
        return other

    @classmethod
    def for_root(cls, root: Path, ns: str) -> "BodyCache":
        if not enabled():
            return cls(None)
        return cls(Path(root) / CACHE_DIR / f"bodies-{ns}.pickle")

    @staticmethod
    def key(text: str, source: str, page_file: str) -> str:
        return _digest(text, source, page_file)

    @staticmethod
    def file_key(digest: bytes, source: str, page_file: str) -> str:
        """The key of a body named by the digest of its file's bytes."""
        return _digest(_FILE_KEY + digest.hex(), source, page_file)

    def keep(self, key: str) -> None:
        """A body this build shows without looking it up (its page was unchanged): saved with the rest."""
        self.used.add(key)

    def lookup(self, key: str, body_pages: dict) -> list | None:
        """The record [html, lookups] of key, when its lookups hold in body_pages."""
        record = self.records.get(key) or self.new.get(key)
        if record is None or not lookups_hold(record[1], body_pages):
            return None
        self.used.add(key)
        return record

    def store(self, key: str, html: str, deps: dict[str, str]) -> None:
        self.new[key] = [html, deps]
        self.used.add(key)

    def save(self) -> None:
        """Keep what this build used (so deleted bodies do not pile up), atomically, shard by shard. A shard
        never read and given nothing new keeps what it holds (bodies no longer used go at its next save)."""
        if self.path is None:
            return
        written = False
        for digit in SHARDS:
            new = {k: v for k, v in self.new.items() if k[0] == digit}
            if digit not in self.records.loaded and not new:
                continue
            records, path = self.records.shard(digit), self._shard_path(digit)
            used = {k for k in self.used if k[0] == digit}
            if not new and path.is_file() and used == records.keys():
                continue   # nothing rendered, nothing dropped: the file holds exactly what it would be rewritten with
            kept = {k: (new.get(k) or records[k]) for k in sorted(used) if k in new or k in records}
            save_pickle(path, kept)
            written = True
        if written:
            shards = {self._shard_path(digit) for digit in SHARDS}
            for stale in self.path.parent.glob("bodies-*"):
                if stale not in shards and stale.suffix in (".pickle", ".json"):   # other namespaces, older layouts
                    stale.unlink(missing_ok=True)


    def release(self) -> None:
        """Drop the records read and the bodies rendered, once saved: the rest of the build does not need
        them, and after a cold build at 100,000 entries they are a gigabyte held through the search index."""
        self.records = HexShards(self._shard_path if self.path is not None else None)
        self.new, self.used = {}, set()


class NotCached(Exception):
    """A cached-only renderer was asked for a body the cache does not hold."""


class CachingRenderer:
    """A BodyRenderer with the same render() call, answering from the cache when it can. Without a
    renderer it answers only from the cache, and raises NotCached for the rest."""

    def __init__(self, renderer, cache: BodyCache, body_pages: dict | None = None):
        self.renderer, self.cache = renderer, cache
        self.body_pages = dict(renderer.body_pages) if body_pages is None else body_pages
        # the body→page lookups of the body rendered last, {} for none; None when they are not known
        # (nothing recorded them): a page's inputs (parallel.py)
        self.lookups: dict[str, str] | None = None

    def render(self, text: str, source: str, page_file: str) -> str:
        if self.cache.path is None:
            return self._convert(text, source, page_file)
        return self._cached(self.cache.key(text, source, page_file), lambda: text, source, page_file)

    def render_file(self, digest: bytes, read_text, source: str, page_file: str) -> str:
        """A body named by the digest of its file's bytes: read_text() is called only on a miss."""
        if self.cache.path is None:
            return self._convert(read_text(), source, page_file)
        return self._cached(self.cache.file_key(digest, source, page_file), read_text, source, page_file)

    def _cached(self, key: str, read_text, source: str, page_file: str) -> str:
        self.lookups = None
        record = self.cache.lookup(key, self.body_pages)
        if record is not None:
            self.cache.hits += 1
            self.lookups = record[1]
            return record[0]
        if self.renderer is None:
            raise NotCached(source)
        self.cache.misses += 1
        recording = RecordingMap(self.body_pages)
        self.renderer.body_pages = recording
        try:
            html = self.renderer.render(read_text(), source, page_file)
        finally:
            self.renderer.body_pages = self.body_pages
        if not recording.untrackable:
            self.cache.store(key, html, recording.seen)
            self.lookups = recording.seen
        return html

    def _convert(self, text: str, source: str, page_file: str) -> str:
        self.lookups = None
        if self.renderer is None:
            raise NotCached(source)
        return self.renderer.render(text, source, page_file)
