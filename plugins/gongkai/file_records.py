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

# cache file -> (its and its journal's stat, its records, records journaled), for long-lived processes
_IN_MEMORY: dict[Path, tuple[tuple, dict, int]] = {}


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
                with open(self.path, "rb") as fh:
                    self._raw = fh.read()
            except OSError:
                self._raw = None
        return self._raw

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
            self.old, self.journaled = _load(path)

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
        journal; rewriting every record for one edited file would cost more than checking it."""
        if self.path is None:
            return
        removed = self.old.keys() - self.used.keys()
        if not self.changes and not removed:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        journal = self.path.with_suffix(JOURNAL_SUFFIX)
        journaled = self.journaled + len(self.changes) + len(removed)
        if self.path.exists() and journaled <= max(JOURNAL_MIN, len(self.used) // JOURNAL_SHARE):
            with open(journal, "ab") as fh:   # one write: concurrent appends do not interleave
                fh.write(pickle.dumps((self.changes, removed), protocol=pickle.HIGHEST_PROTOCOL))
        else:
            self._write_snapshot()
            journal.unlink(missing_ok=True)
            journaled = 0
        _IN_MEMORY[self.path] = (_stats(self.path), self.used, journaled)
        self.old, self.used, self.changes, self.journaled = self.used, {}, {}, journaled

    def _write_snapshot(self) -> None:
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickler = pickle.Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL)
            try:
                pickler.fast = True   # no memo: records share no objects and hold no cycles (twice as quick)
            except AttributeError:
                pass
            pickler.dump(self.used)
        os.replace(tmp, self.path)
        prefix = self.path.name.rsplit("-", 1)[0]
        for other in self.path.parent.glob(f"{prefix}-*"):
            if other.suffix in (".pickle", JOURNAL_SUFFIX) and other.stem != self.path.stem:
                other.unlink(missing_ok=True)   # another namespace's (older code, other settings): one is kept


JOURNAL_SUFFIX = ".journal"
JOURNAL_MIN, JOURNAL_SHARE = 500, 10   # journal up to 500 records or a tenth of them, then a new snapshot


def _stats(path: Path) -> tuple:
    """The stat of the records file and of its journal (None where missing)."""
    found = []
    for each in (path, path.with_suffix(JOURNAL_SUFFIX)):
        try:
            found.append(stat_key(os.stat(each)))
        except OSError:
            found.append(None)
    return tuple(found)


def _load(path: Path) -> tuple[dict, int]:
    """The saved records and how many of them the journal changed: from memory when the files are the ones
    this process wrote or read last. Any records are safe to use (each is checked against its file), so
    reading another process's older or newer ones can only cost work, never a stale result."""
    stats = _stats(path)
    if stats[0] is None:
        return {}, 0
    remembered = _IN_MEMORY.get(path)
    if remembered is not None and remembered[0] == stats:
        return remembered[1], remembered[2]
    try:
        with open(path, "rb") as fh, _no_collection():
            records = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError,
            ValueError):
        return {}, 0   # a damaged cache is an empty one
    if not isinstance(records, dict):
        return {}, 0
    journaled = 0 if stats[1] is None else _apply_journal(path.with_suffix(JOURNAL_SUFFIX), records)
    _IN_MEMORY[path] = (stats, records, journaled)
    return records, journaled


def _apply_journal(journal: Path, records: dict) -> int:
    """Apply the journal's changes in order; returns how many records they touched (more than any limit when
    the journal is damaged, so the next save writes a snapshot and starts a new one)."""
    touched = 0
    try:
        with open(journal, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            while fh.tell() < size:
                changes, removed = pickle.load(fh)
                records.update(changes)
                for rel in removed:
                    records.pop(rel, None)
                touched += len(changes) + len(removed)
    except Exception:   # a damaged journal (a write cut short): the changes read before the damage are good
        return 1 << 62
    return touched


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
