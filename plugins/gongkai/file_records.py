"""Results worked out from one file, kept across builds so a rebuild redoes only the files that changed.

A record is found by the file's path and used only while the file is unchanged: its stat
(size, mtime, ctime, inode, device) is the one recorded and was seen settled (a file changed
within the filesystem's timestamp granularity of our look could change again and keep its
stat), else its bytes hash to the recorded digest. Nothing can set ctime back, so a copy
with an old mtime still looks changed.

What else a result depends on is the caller's to say: global inputs (code, configuration)
go into the namespace, which names the cache file; inputs of one record (other files it
looked at) are stored in the value and checked by the caller before use.

Records live in <root>/.cache/gongkai/<name>-<namespace>.pickle and, between rebuilds of one
process (`mkdocs serve`), in memory, so a no-change rebuild reads neither files nor pickle.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import time
from stat import S_ISREG
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .disk_cache import CACHE_DIR, cache_enabled, key_of

# A stat is trusted only for a file last changed this long before we looked: coarse timestamps
# (1-2 s on some filesystems, a clock tick on others) let a quick second edit keep the stat.
SETTLE_NS = 2_000_000_000

_IN_MEMORY: dict[Path, tuple[tuple, dict]] = {}   # cache file -> (its stat, its records), for long-lived processes


def stat_key(st: os.stat_result) -> tuple:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


class Probe:
    """One file as seen this run: its stat, and its bytes once asked for."""

    __slots__ = ("rel", "path", "stat", "is_file", "settled", "_raw", "_read")

    def __init__(self, rel: str, path: Path | str, seen_ns: int | None = None):
        """seen_ns: a time before the stat (now by default): a change after it gets a later ctime."""
        self.rel, self.path = rel, path
        seen_ns = time.time_ns() if seen_ns is None else seen_ns
        try:
            st = os.stat(path)
        except OSError:
            self.stat, self.settled, self.is_file = None, False, False
        else:
            self.stat = stat_key(st)
            self.is_file = S_ISREG(st.st_mode)
            changed = st.st_ctime_ns if st.st_ctime_ns > st.st_mtime_ns else st.st_mtime_ns
            self.settled = seen_ns - changed > SETTLE_NS
        self._raw: bytes | None = None
        self._read = False

    def bytes(self) -> bytes | None:
        """The file's bytes (read once), or None when it cannot be read."""
        if not self._read:
            self._read = True
            try:
                with open(self.path, "rb") as fh:
                    self._raw = fh.read()
            except OSError:
                self._raw = None
        return self._raw

    def digest(self) -> bytes | None:
        raw = self.bytes()
        return None if raw is None else key_of(raw)


class FileRecords:
    def __init__(self, path: Path | None):
        self.path = path
        self.old: dict = {}        # rel -> (stat, settled, digest, value), as saved by the last run (never mutated)
        self.used: dict = {}       # the records this run used or made: what the next run gets
        self.changed = False
        if path is not None:
            self.old = _load(path)

    @classmethod
    def for_root(cls, root: Path, name: str, namespace: str) -> "FileRecords":
        if not cache_enabled():
            return cls(None)
        tag = hashlib.blake2b(f"{__version__}|{namespace}".encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
        return cls(Path(root) / CACHE_DIR / f"{name}-{tag}.pickle")

    def get(self, probe: Probe):
        """The value recorded for the probed file if the file is unchanged since, else None."""
        record = self.old.get(probe.rel)
        if record is None or probe.stat is None:
            return None
        stat, settled, digest, value = record
        if not (stat == probe.stat and settled):
            if probe.digest() != digest:
                return None
            self.changed = True    # same bytes, new stat (touched, copied, or settled since): record it
            record = (probe.stat, probe.settled, digest, value)
        self.used[probe.rel] = record
        return value

    def put(self, probe: Probe, value) -> None:
        """Record a value worked out from the probed file's bytes (read through the probe)."""
        digest = probe.digest()
        if probe.stat is None or digest is None:
            return
        self.used[probe.rel] = (probe.stat, probe.settled, digest, value)
        self.changed = True

    def save(self) -> None:
        """Keep this run's records (only: the cache never outgrows the site)."""
        if self.path is None:
            return
        if not self.changed and self.used.keys() == self.old.keys():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(self.used, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)
        for other in self.path.parent.glob(f"{self.path.name.rsplit('-', 1)[0]}-*.pickle"):
            if other != self.path:     # another namespace's (older code, other settings): one is kept, not all
                other.unlink(missing_ok=True)
        try:
            _IN_MEMORY[self.path] = (stat_key(os.stat(self.path)), self.used)
        except OSError:
            _IN_MEMORY.pop(self.path, None)
        self.old, self.used, self.changed = self.used, {}, False


def _load(path: Path) -> dict:
    """The saved records: from memory when the file is the one this process wrote or read last."""
    try:
        stat = stat_key(os.stat(path))
    except OSError:
        return {}
    remembered = _IN_MEMORY.get(path)
    if remembered is not None and remembered[0] == stat:
        return remembered[1]
    try:
        with open(path, "rb") as fh, _no_collection():
            records = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError):
        return {}   # a damaged cache is an empty one
    if not isinstance(records, dict):
        return {}
    _IN_MEMORY[path] = (stat, records)
    return records


@contextmanager
def _no_collection():
    """Loading builds a great many objects and no cycles: the collector's passes over them (two thirds of the
    time) find nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
