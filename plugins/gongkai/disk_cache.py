"""A content-addressed cache on disk for work that depends on one file's bytes only
(parsing a YAML entry, scanning a built page's links).

Keys are hashes of the bytes plus a namespace (the gongkai version and the code that
produced the value), so a stale hit is impossible: a changed file is a new key. Each
save keeps only what this run used, so the cache never outgrows the site.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from pathlib import Path
from typing import Any, Callable

from . import __version__, pickle_journal

CACHE_ENV = "GONGKAI_CACHE"   # "0" turns every cache off
CACHE_DIR = ".cache/gongkai"


def cache_enabled() -> bool:
    return os.environ.get(CACHE_ENV, "1") != "0"


def key_of(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=20).digest()


class DiskCache:
    def __init__(self, path: Path | None):
        self.path = path
        self.old: dict = {}        # as saved (never changed: a long-lived process may hold it for the next build)
        self.used: dict = {}
        self.journaled = 0
        if path is not None:
            self.old, self.journaled = pickle_journal.load(path, remember=REMEMBER)

    @classmethod
    def for_root(cls, root: Path, name: str, code_version: str = "") -> "DiskCache":
        return cls(cls.path_for(root, name, code_version))

    @staticmethod
    def path_for(root: Path, name: str, code_version: str = "") -> Path | None:
        """The file of the cache named so under root, for this gongkai and code_version (None: caches off)."""
        if not cache_enabled():
            return None
        tag = hashlib.blake2b(f"{__version__}|{code_version}".encode(), digest_size=6).hexdigest()
        return Path(root) / CACHE_DIR / f"{name}-{tag}.pickle"

    def get(self, key: bytes):
        value = self.used.get(key)
        if value is None:
            value = self.old.get(key)
            if value is not None:
                self.used[key] = value
        return value

    def put(self, key: bytes, value) -> None:
        self.used[key] = value

    def merge(self, items: dict) -> None:
        self.used.update(items)

    def view(self) -> "DiskCache":
        """The same saved records, with what one chunk of work uses kept apart (for merge), as a forked
        worker's copy or in this process alike."""
        other = DiskCache(None)
        other.old = self.old
        return other

    def save(self) -> None:
        """Keep what this run used: a few new or dropped values are appended to the cache's journal
        (pickle_journal.py), so one edit does not rewrite every value."""
        if self.path is None or self.used.keys() == self.old.keys():
            return
        changes = {k: v for k, v in self.used.items() if k not in self.old}   # a key names its value
        removed = self.old.keys() - self.used.keys()
        self.journaled = pickle_journal.save(self.path, self.used, changes, removed, self.journaled,
                                             remember=REMEMBER)
        self.old, self.used = self.used, dict(self.used)


# A long-lived process (`mkdocs serve`) rebuilds many times: it keeps what it last read from or wrote to
# each cache file, and uses it while the file is the same one (device, inode, size, mtime: every save
# replaces the file, so a new inode). Off for single builds, where it would only hold memory longer.
_REMEMBERED: dict[str, tuple[tuple, object]] = {}
REMEMBER = False


def remember_between_builds(on: bool = True) -> None:
    global REMEMBER
    REMEMBER = on
    if not on:
        _REMEMBERED.clear()


HEX_SHARDS = "0123456789abcdef"   # a cache kept in shards puts a record in that of its hex key's first digit


class HexShards:
    """Records kept in one pickled dict per first hex digit of their keys, each read when a key in it is first
    looked up: a rebuild that looks up a few keys reads a few sixteenths of the cache. path_of(digit) names a
    shard's file (None: nothing stored, every shard empty)."""

    def __init__(self, path_of: Callable[[str], Path] | None):
        self._path_of = path_of
        self.loaded: dict[str, dict] = {}

    def shard(self, digit: str) -> dict:
        found = self.loaded.get(digit)
        if found is None:
            found = self.loaded[digit] = load_pickle(self._path_of(digit)) if self._path_of else {}
        return found

    def get(self, key: str, default=None):
        return self.shard(key[0]).get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.shard(key[0])

    def load_all(self) -> None:
        """Read every shard now (before forking workers, which would each read them)."""
        for digit in HEX_SHARDS:
            self.shard(digit)


def _identity(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def load_remembered(path: Path, read: Callable[[Path], Any]) -> Any:
    """read(path), or, in a long-lived process, what it last read or saved there if the file is unchanged.
    Callers must not change what they get."""
    if not REMEMBER:
        return read(path)
    identity = _identity(path)
    known = _REMEMBERED.get(str(path))
    if identity is not None and known is not None and known[0] == identity:
        return known[1]
    value = read(path)
    if identity is not None:
        _REMEMBERED[str(path)] = (identity, value)
    return value


def remember_saved(path: Path, value: Any) -> None:
    """value was just written to path (the caller no longer changes it)."""
    identity = _identity(path) if REMEMBER else None
    if identity is not None:
        _REMEMBERED[str(path)] = (identity, value)


def _read_pickle(path: Path) -> dict:
    try:
        with open(path, "rb") as fh, pickle_journal.no_collection():
            value = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError,
            ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def load_pickle(path: Path) -> dict:
    """A pickled dict, or {} when the file is missing or damaged (a damaged cache is an empty one)."""
    return load_remembered(path, _read_pickle)


def save_pickle(path: Path, value: dict, fast: bool = False) -> None:
    """Write atomically: a build cut short leaves the previous file or none, never half of one. fast: see
    pickle_journal.dump (for a value without cycles)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")   # per process: two builds never share a half file
    with open(tmp, "wb") as fh:
        pickle_journal.dump(value, fh, fast)
    os.replace(tmp, path)
    remember_saved(path, value)


def dumps_fast(value) -> bytes:
    """pickle_journal.dump's fast pickle, as bytes."""
    out = io.BytesIO()
    pickle_journal.dump(value, out, fast=True)
    return out.getvalue()
