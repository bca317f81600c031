"""Results worked out from one file, kept across builds so a rebuild redoes only the files that changed.

A record is found by the file's path and used only while the file is unchanged: its stat
(size, mtime, ctime, inode, device) is the one recorded and was seen settled (a file changed
within the filesystem's timestamp granularity of our look could change again and keep its
stat), else its bytes hash to the recorded digest. Nothing can set ctime back, so a copy
with an old mtime still looks changed.

What else a result depends on is the caller's to say: global inputs (code, configuration)
go into the namespace, which names the cache file; inputs of one record (other files it
looked at) are stored in the value and checked by the caller before use.

Records live in <root>/.cache/gongkai/<name>-<namespace>.pickle, with the changes of the
runs since in <name>-<namespace>.journal, and, between rebuilds of one process (`mkdocs
serve`), in memory, so a no-change rebuild reads neither files nor pickle.
"""

from __future__ import annotations

import hashlib
import os
import time
from stat import S_ISREG
from pathlib import Path

from . import __version__, pickle_journal
from .disk_cache import CACHE_DIR, cache_enabled, key_of
from .textfiles import read_bytes

# A stat is trusted only for a file last changed this long before we looked: coarse timestamps
# (1-2 s on some filesystems, a clock tick on others) let a quick second edit keep the stat.
SETTLE_NS = 2_000_000_000


def stat_key(st: os.stat_result) -> tuple:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


class Probe:
    """One file as seen this run: its stat, and its bytes once asked for."""

    __slots__ = ("rel", "path", "stat", "is_file", "settled", "_raw", "_read", "_digest")

    def __init__(self, rel: str, path: Path | str):
        self.rel, self.path = rel, path
        seen_ns = time.time_ns()     # before the stat: a change after it gets a later ctime
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
        self._digest: bytes | None = None

    def bytes(self) -> bytes | None:
        """The file's bytes (read once), or None when it cannot be read."""
        if not self._read:
            self._read = True
            try:
                self._raw = read_bytes(self.path)
            except OSError:
                self._raw = None
        return self._raw

    def know_digest(self, digest: bytes) -> None:
        """The digest of the file's bytes as another process read them (they are not read here again)."""
        self._digest, self._read = digest, True

    def digest(self) -> bytes | None:
        """key_of the file's bytes, hashed once (get, put and digest_of each ask for it)."""
        if self._digest is None:
            raw = self.bytes()
            self._digest = None if raw is None else key_of(raw)
        return self._digest


class FileRecords:
    def __init__(self, path: Path | None):
        self.path = path
        self.old: dict = {}        # rel -> (stat, settled, digest, value), as saved by the last run (never mutated)
        self.used: dict = {}       # the records this run used or made: what the next run gets
        self.changes: dict = {}    # the records of `used` that are not in `old` as they are
        self.journaled = 0         # records in the journal after the last snapshot
        if path is not None:
            self.old, self.journaled = pickle_journal.load(path)

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
            if (probe.stat, probe.settled) != (stat, settled):   # same bytes, new stat (touched, or settled since)
                record = self.changes[probe.rel] = (probe.stat, probe.settled, digest, value)
        self.used[probe.rel] = record
        return value

    def digest_of(self, probe: Probe) -> bytes | None:
        """key_of the bytes behind the probed file's record of this run (None when it has none)."""
        record = self.used.get(probe.rel)
        return record[2] if record is not None else probe.digest()

    def put(self, probe: Probe, value) -> None:
        """Record a value worked out from the probed file's bytes (read through the probe)."""
        digest = probe.digest()
        if probe.stat is None or digest is None:
            return
        self.used[probe.rel] = self.changes[probe.rel] = (probe.stat, probe.settled, digest, value)

    def save(self) -> None:
        """Keep this run's records (only: the cache never outgrows the site). A few changes are appended to a
        journal (pickle_journal.py); rewriting every record for one edited file would cost more than checking it."""
        if self.path is None:
            return
        removed = self.old.keys() - self.used.keys()
        if not self.changes and not removed:
            return
        # records share no objects and hold no cycles: pickled without a memo, twice as quick
        self.journaled = pickle_journal.save(self.path, self.used, self.changes, removed, self.journaled, fast=True)
        if not self.journaled:
            self._remove_other_namespaces()
        self.old, self.used, self.changes = self.used, {}, {}

    def _remove_other_namespaces(self) -> None:
        prefix = self.path.name.rsplit("-", 1)[0]
        for other in self.path.parent.glob(f"{prefix}-*"):
            if other.suffix in (".pickle", pickle_journal.JOURNAL_SUFFIX) and other.stem != self.path.stem:
                other.unlink(missing_ok=True)   # another namespace's (older code, other settings): one is kept
