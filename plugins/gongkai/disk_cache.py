"""A content-addressed cache on disk for work that depends on one file's bytes only
(parsing a YAML entry, scanning a built page's links).

Keys are hashes of the bytes plus a namespace (the gongkai version and the code that
produced the value), so a stale hit is impossible: a changed file is a new key. Each
save keeps only what this run used, so the cache never outgrows the site.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from . import __version__

CACHE_ENV = "GONGKAI_CACHE"   # "0" turns every cache off
CACHE_DIR = ".cache/gongkai"


def cache_enabled() -> bool:
    return os.environ.get(CACHE_ENV, "1") != "0"


def key_of(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=20).digest()


class DiskCache:
    def __init__(self, path: Path | None):
        self.path = path
        self.old: dict = {}
        self.used: dict = {}
        if path is not None:
            self.old = load_pickle(path)

    @classmethod
    def for_root(cls, root: Path, name: str, code_version: str = "") -> "DiskCache":
        if not cache_enabled():
            return cls(None)
        tag = hashlib.blake2b(f"{__version__}|{code_version}".encode(), digest_size=6).hexdigest()
        return cls(Path(root) / CACHE_DIR / f"{name}-{tag}.pickle")

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

    def save(self) -> None:
        if self.path is None or self.used.keys() == self.old.keys():
            return
        save_pickle(self.path, self.used)


def load_pickle(path: Path) -> dict:
    """A pickled dict, or {} when the file is missing or damaged (a damaged cache is an empty one)."""
    try:
        with open(path, "rb") as fh:
            value = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def save_pickle(path: Path, value: dict) -> None:
    """Write atomically: a build cut short leaves the previous file or none, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
