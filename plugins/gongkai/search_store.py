"""The built search index, kept in the cache between builds and reused while its input is unchanged.

The index is a function of its documents (every field of every public entry's SearchDoc), the user
dictionary and the code that builds it. All of that is hashed into one fingerprint; a build whose
fingerprint matches the stored one copies the stored files instead of segmenting and indexing again
(a change to a column description, the home page or mkdocs.yml leaves the documents as they were).
A changed fingerprint rebuilds the whole index, so a stale hit is impossible by construction.

Layout: <cache>/search-index/ (the files, as under the site's search/, updated in place) and
<cache>/search-index-record.pickle ({"fingerprint", "files": {name: (size, sha1 digest)}}), removed before the
files change and written after, so a build cut short leaves no record that names files which are not as it
says; <cache>/search-index-state.pickle, what search_update needs to update that index after an edit instead of
building it again. (The record was JSON, with hexadecimal digests: made, written and read again after every
edit, its 12,000 files' entries were a tenth of the search child's rebuild.)
"""
from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path
from typing import Callable

from . import __version__
from .disk_cache import dumps_fast, load_pickle, remember_saved
from .search_index import doc_key
from .search_texts import TextColumn, column_of

STORE_DIR = "search-index"
STATE_FILE = "search-index-record.pickle"
UPDATE_STATE_FILE = "search-index-state.pickle"
TEXTS_FILE = "search-index-texts.bin"   # the update state's texts (search_texts.py)
_CODE_MODULES = ("search_index", "search_build_grams", "search_build_gramcodes", "search_build_words",
                 "search_build_wordcodes", "search_codes", "search_segment", "search_store", "search_terms",
                 "search_texts", "search_update")


@cache
def _code_fingerprint() -> bytes:
    """The code that builds the index and its update state, read from the package's files (not through the
    modules: the numpy ones load lazily, and asking one for its file would load numpy on every build), once
    per process (a build asked three times)."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for name in _CODE_MODULES:
        path = package / f"{name}.py"
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.digest()


def fingerprint(docs: list, user_dict: Path | None, keys: dict[str, bytes] | None = None) -> str:
    """A hash of everything the index is built from: the code, the user dictionary and every document.
    `keys`, when given, holds documents' doc_keys by URL (search_documents keeps them by what each document is
    made from): those are used, and the others' filled in."""
    digest = hashlib.sha256(_code_fingerprint())
    if user_dict is not None and Path(user_dict).is_file():
        digest.update(Path(user_dict).read_bytes())
    for doc in docs:
        key = keys.get(doc.url) if keys is not None else None
        if key is None:
            key = doc_key(doc)
            if keys is not None:
                keys[doc.url] = key
        digest.update(key)
    return digest.hexdigest()


class IndexStore:
    def __init__(self, cache_dir: Path):
        self.dir = Path(cache_dir) / STORE_DIR
        self.state = Path(cache_dir) / STATE_FILE
        self.update_state = Path(cache_dir) / UPDATE_STATE_FILE
        self.texts = Path(cache_dir) / TEXTS_FILE
        self._record: tuple | None = None

    def _recorded(self) -> tuple[dict, list[tuple[str, Path]]] | None:
        """The record of the stored index and its files, when they are all there (a look stats every file:
        files_for's serves the previous() of the build that follows it)."""
        if self._record is None:
            self._record = (self._read_record(),)
        return self._record[0]

    def _read_record(self) -> tuple[dict, list[tuple[str, Path]]] | None:
        state = load_pickle(self.state)   # {} when missing or damaged
        files = []
        base = os.path.join(str(self.dir), "")   # names joined as text: os.path.join was a third of this look
        try:
            for name, (size, _sha1) in sorted(state.get("files", {}).items()):
                path = base + name
                if os.stat(path).st_size != size:
                    return None
                files.append((name, path))
        except (OSError, TypeError, ValueError):   # a file gone, or a record of another format
            return None
        return state, files

    def files_for(self, key: str) -> list[tuple[str, Path]] | None:
        """The stored files, as (name, path), when they were built from `key` and are all there. Looks afresh;
        a build's previous() that follows uses that look."""
        self._record = None
        recorded = self._recorded()
        if recorded is None or recorded[0].get("fingerprint") != key:
            return None
        return recorded[1]

    def previous(self) -> tuple[dict, Path] | None:
        """What search_update needs to update the stored index: its state and directory."""
        recorded = self._recorded()
        if recorded is None:
            return None
        state = load_pickle(self.update_state)   # {} when missing or damaged
        if (state.get("fingerprint") != recorded[0].get("fingerprint")
                or state.get("code") != _code_fingerprint()):
            return None   # another build's state, or one written by other code: build in full
        texts = TextColumn.saved(self.texts, state.get("texts"))
        if texts is None:
            return None   # its texts' file is another's (a build cut short wrote it anew): build in full
        return dict(state, texts=texts), self.dir

    def build(self, key: str, write_index: Callable[[Path, tuple | None], dict | None]) -> list[tuple[str, Path]]:
        """Build or update the index in the store's directory, in place: write_index(out, previous) may
        update the previous index there and returns the state for the next update, or None. The record
        goes first, so a build cut short leaves no record and the next one starts afresh."""
        self.dir.mkdir(parents=True, exist_ok=True)
        previous = self.previous()
        self.state.unlink(missing_ok=True)
        self.update_state.unlink(missing_ok=True)
        self._record = None
        update_state = write_index(self.dir, previous)
        if update_state is not None and "files" in update_state:
            # the index's files, as written (a walk of its directory was a tenth of an update): a file here that is
            # not one of them (search_index.write_files removes those of its kinds) is not the index's
            base = os.path.join(str(self.dir), "")
            files = [(name, base + name) for name in sorted(update_state["files"].keys() | {"manifest.js"})]
        else:
            files = list_files(self.dir)
        if update_state is not None:
            update_state = dict(update_state, fingerprint=key, code=_code_fingerprint(),
                                texts=column_of(update_state["texts"]).save(self.texts))
            _atomic_write(self.update_state, dumps_fast(update_state))
            remember_saved(self.update_state, update_state)
        # sizes and digests as written (the update state holds each file's but the manifest's)
        written = update_state.get("files", {}) if update_state is not None else {}
        record = {"fingerprint": key,
                  "files": {n: (written[n][1], written[n][0]) if n in written else _size_and_sha1(p)
                            for n, p in files}}
        _atomic_write(self.state, dumps_fast(record))
        self._record = ((record, files),)
        return files

    def digests(self) -> dict[str, bytes]:
        """The sha1 digest of each stored file, by name, as the last look or build recorded them."""
        recorded = self._recorded()
        return {name: entry[1] for name, entry in recorded[0]["files"].items()} if recorded else {}


def _size_and_sha1(path: str) -> tuple[int, bytes]:
    data = Path(path).read_bytes()
    return len(data), hashlib.sha1(data).digest()


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def list_files(root: Path) -> list[tuple[str, str]]:
    """(name relative to root, path) of every file under root, sorted by name."""
    root = str(root)
    found = []
    for dirpath, _dirs, files in os.walk(root):
        prefix = "" if dirpath == root else os.path.relpath(dirpath, root).replace(os.sep, "/") + "/"
        base = os.path.join(dirpath, "")
        found.extend((prefix + name, base + name) for name in files)
    return sorted(found)
