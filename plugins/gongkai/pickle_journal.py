"""A dict kept in a pickle file, with the changes of the runs since in a journal beside it.

A build that changes a few records of a large cache appends them to the journal instead of rewriting
every record (a 40 MB rewrite for one edited page); once the journal holds more than a tenth of the
records, or 500, the next save writes a new snapshot. Between the rebuilds of one long-lived process
(`mkdocs serve`) the dict stays in memory while its files are the ones that process read or wrote.
"""

from __future__ import annotations

import gc
import os
import pickle
from contextlib import contextmanager
from pathlib import Path

JOURNAL_SUFFIX = ".journal"
JOURNAL_MIN, JOURNAL_SHARE = 500, 10   # journal up to 500 records or a tenth of them, then a new snapshot

# cache file -> (its and its journal's stat, its records, records journaled)
_IN_MEMORY: dict[Path, tuple[tuple, dict, int]] = {}


def _stat_key(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


def _stats(path: Path) -> tuple:
    """The stat of the records file and of its journal (None where missing)."""
    return _stat_key(path), _stat_key(path.with_suffix(JOURNAL_SUFFIX))


def load(path: Path, remember: bool = True) -> tuple[dict, int]:
    """The saved records and how many of them the journal changed; from memory when the files are the ones
    this process wrote or read last. A damaged snapshot is an empty cache. Callers must not change the dict."""
    stats = _stats(path)
    if stats[0] is None:
        return {}, 0
    remembered = _IN_MEMORY.get(path)
    if remembered is not None and remembered[0] == stats:
        return remembered[1], remembered[2]
    try:
        with open(path, "rb") as fh, no_collection():
            records = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError,
            ValueError):
        return {}, 0
    if not isinstance(records, dict):
        return {}, 0
    journaled = 0 if stats[1] is None else _apply_journal(path.with_suffix(JOURNAL_SUFFIX), records)
    if remember:
        _IN_MEMORY[path] = (stats, records, journaled)
    return records, journaled


def save(path: Path, records: dict, changes: dict, removed, journaled: int, *, remember: bool = True,
         fast: bool = False) -> int:
    """Make the saved dict `records`, which is the saved one with `changes` set and `removed` keys gone:
    appended to the journal while it is short, else a new snapshot. Returns the records now journaled.
    fast: pickle without a memo (twice as quick; only for records that share no objects and hold no cycles)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    journal = path.with_suffix(JOURNAL_SUFFIX)
    journaled += len(changes) + len(removed)
    if path.exists() and journaled <= max(JOURNAL_MIN, len(records) // JOURNAL_SHARE):
        with open(journal, "ab") as fh:   # one write: concurrent appends do not interleave
            fh.write(pickle.dumps((changes, set(removed)), protocol=pickle.HIGHEST_PROTOCOL))
    else:
        tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")   # per process: two builds never share a half file
        with open(tmp, "wb") as fh:
            dump(records, fh, fast)
        os.replace(tmp, path)
        journal.unlink(missing_ok=True)
        journaled = 0
    if remember:
        _IN_MEMORY[path] = (_stats(path), records, journaled)
    else:
        _IN_MEMORY.pop(path, None)
    return journaled


def dump(value, fh, fast: bool = False) -> None:
    """pickle.dump at the highest protocol. fast: without pickle's memo of the objects already written, for a
    value of many small objects and no cycles: several times quicker (a tree memo's 27,000 records: 10 ms
    against 61 ms), as quick to load, a little larger (an object held twice is written twice)."""
    pickler = pickle.Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = fast
    pickler.dump(value)


def _apply_journal(journal: Path, records: dict) -> int:
    """Apply the journal's changes in order; returns how many records they touched (more than any limit when
    the journal is damaged, so the next save writes a snapshot and starts a new one)."""
    touched = 0
    try:
        with open(journal, "rb") as fh, no_collection():
            size = os.fstat(fh.fileno()).st_size
            while fh.tell() < size:
                changes, removed = pickle.load(fh)
                records.update(changes)
                for key in removed:
                    records.pop(key, None)
                touched += len(changes) + len(removed)
    except Exception:   # a damaged journal (a write cut short): the changes read before the damage are good
        return 1 << 62
    return touched


@contextmanager
def no_collection():
    """Loading builds a great many objects and no cycles: the collector's passes over them (half the time or
    more) find nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
