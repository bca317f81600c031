"""What an output tree holds, listed by a process forked as a rebuild starts, for the prune at its end.

A rebuild's prune (OutputTree.prune) walked the tree's 14,600 directories at 10,000 entries (0.11 s) at the
build's end, on its longest path. Every file the prune may remove is in the tree before the build starts: only
the build writes there while it runs, and it keeps what it writes. So a listing taken at the start names them
all; a file the build writes meanwhile is kept whether the listing saw it or not, and one the build replaced or
removed is passed over. The lister runs at a low priority, on the core the build's start leaves idle.

It sends how the tree differs from the records of the tree's memo (output_tree.TreeMemo), which the build loads
too: the names it holds that have no record (a stray file, say) and the records whose file it lacks; its
empty directories; and the recorded files whose stat is not the one recorded (touched). After an edit, all
are empty: the listing costs the build nothing to take.

Taken before the build writes (TreeListing.ready), the stats stand for the build's own look at each file it
may keep unchanged (an lstat of each of 14,500 pages and 12,000 search files), for the same reason: only the
build writes into the tree, and it looks at a file before it writes it.
"""
from __future__ import annotations

import atexit
import os
import pickle
from pathlib import Path
from typing import Iterable

from .pipe_messages import readable, receive, send, stop

NICENESS = 10   # below the build and the dictionary process (os.nice): it is wanted only at the build's end


class TreeListing:
    """A listing under way in a forked process (start). It sends two messages: first its looks at the
    recorded files (looks(), as soon as they are taken: the build wants them before it writes), then the
    listing (result(), at the prune)."""

    def __init__(self, pid: int, read: int):
        self.pid, self._read, self._owner = pid, read, os.getpid()
        self._touched: set[str] | None = None
        self._looked = False   # the first message read (or failed)
        atexit.register(self.discard)

    @classmethod
    def start(cls, root: Path, memo_path: Path) -> "TreeListing | None":
        """List root, against the records in the memo file at memo_path, in a forked process; None where
        there is no fork."""
        if not hasattr(os, "fork"):
            return None
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.close(read)
                os.nice(NICENESS)
                from .output_tree import file_records   # in the lister alone: the build has it loaded already
                records = file_records(memo_path)
                send(write, _touched(str(root), records))
                names, empty_dirs = list_tree(str(root))
                send(write, (names - records.keys(), records.keys() - names, empty_dirs))
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        return cls(pid, read)

    def ready(self) -> bool:
        """Whether the lister has sent its looks at the recorded files (or failed): looks() would not wait."""
        return self._looked or (self._read is not None and readable(self._read))

    def looks(self) -> set[str] | None:
        """The recorded files the lister found missing or not as recorded (None: it failed). Waits for it."""
        if not self._looked:
            self._looked = True
            if self._read is not None:
                try:
                    self._touched = receive(self._read)
                except (OSError, EOFError, pickle.UnpicklingError, ValueError):
                    self._touched = None
        return self._touched

    def result(self, recorded: Iterable[str], wait: bool = True) -> tuple[set[str], list[str]] | None:
        """(every name of a file, link or other non-directory in the tree, relative to it with '/'; every
        directory that held nothing), recorded being the names the memo's records hold; None when the listing
        failed, or is not there yet and not waited for (then the caller walks the tree and looks at each file
        itself, and the lister is stopped)."""
        touched = self.looks()
        if self._read is None:
            return None
        if not wait and touched is not None and not readable(self._read):
            self.discard()
            return None
        try:
            extra, missing, empty_dirs = receive(self._read) if touched is not None else (None, None, None)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError):
            touched = None
        finally:
            os.close(self._read)
            self._read = None
            atexit.unregister(self.discard)   # `mkdocs serve` lists the spare for each of its full rebuilds
            _, status = os.waitpid(self.pid, 0)
        if status != 0 or touched is None:
            return None
        names = set(recorded)
        names -= missing
        names |= extra
        return names, empty_dirs

    def discard(self) -> None:
        """A listing not to be taken (a failed build; at exit): the lister may wait to write to a pipe that
        nobody reads."""
        if self._read is None or os.getpid() != self._owner:
            return
        os.close(self._read)
        self._read = None
        stop(self.pid)


def _touched(root: str, records: dict[str, tuple]) -> set[str]:
    """The recorded files missing or not as recorded (the stat a tree memo records)."""
    from .output_tree import as_recorded

    under = os.path.join(root, "")
    return {rel for rel, record in records.items() if not as_recorded(under + rel, record)}


def list_tree(root: str) -> tuple[set[str], list[str]]:
    """(the names of everything in root that is not a directory, with '/'; the directories that hold
    nothing). A symlink to a directory is a name, as the prune takes it. A directory gone meanwhile (the build
    replaced it) is passed over."""
    names: set[str] = set()
    empty_dirs: list[str] = []
    pending = [(root, "")]
    while pending:
        path, prefix = pending.pop()
        try:
            with os.scandir(path) as listing:
                found = list(listing)
        except OSError:
            continue
        if not found and prefix:
            empty_dirs.append(prefix[:-1])
        for entry in found:
            if entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, prefix + entry.name + "/"))
            else:
                names.add(prefix + entry.name)
    return names, empty_dirs
