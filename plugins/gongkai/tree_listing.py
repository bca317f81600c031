"""What an output tree holds, listed by a process forked as a rebuild starts, for the prune at its end.

A rebuild's prune (OutputTree.prune) walked the tree's 14,600 directories at 10,000 entries (0.11 s) at the
build's end, on its longest path. Every file the prune may remove is in the tree before the build starts: only
the build writes there while it runs, and it keeps what it writes. So a listing taken at the start names them
all; a file the build writes meanwhile is kept whether the listing saw it or not, and one the build replaced or
removed is passed over. The lister runs at a low priority, on the core the build's start leaves idle.

It sends how the tree differs from the records of the tree's memo (output_tree.TreeMemo), which the build loads
too: the names it holds that have no record (a stray file, say) and the records whose file it lacks; and its
empty directories. After an edit, both lists are empty: the listing costs the build nothing to take.
"""
from __future__ import annotations

import atexit
import os
import pickle
import signal
from pathlib import Path
from typing import Iterable

NICENESS = 10   # below the build and the dictionary process (os.nice): it is wanted only at the build's end


class TreeListing:
    """A listing under way in a forked process (start), taken once by result()."""

    def __init__(self, pid: int, read: int):
        self.pid, self._read, self._owner = pid, read, os.getpid()
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
                data = pickle.dumps(_differences(str(root), memo_path), protocol=pickle.HIGHEST_PROTOCOL)
                view = memoryview(data)
                while view:
                    view = view[os.write(write, view):]
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        return cls(pid, read)

    def result(self, recorded: Iterable[str]) -> tuple[set[str], list[str]] | None:
        """(every name of a file, link or other non-directory in the tree, relative to it with '/'; every
        directory that held nothing), recorded being the names the memo's records hold; None when the
        listing failed (then the caller walks the tree itself). Waits for the lister."""
        if self._read is None:
            return None
        try:
            with os.fdopen(self._read, "rb") as pipe:
                data = pipe.read()
        finally:
            self._read = None
            atexit.unregister(self.discard)   # `mkdocs serve` lists the spare for each of its full rebuilds
            _, status = os.waitpid(self.pid, 0)
        if status != 0 or not data:
            return None
        try:
            extra, missing, empty_dirs = pickle.loads(data)
        except (pickle.UnpicklingError, EOFError, ValueError):
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
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def _differences(root: str, memo_path: Path) -> tuple[set[str], set[str], list[str]]:
    """(names the tree holds and the records lack, recorded names the tree lacks, empty directories)."""
    from .output_tree import recorded_files   # in the lister alone: the build has it loaded already

    names, empty_dirs = list_tree(root)
    recorded = set(recorded_files(memo_path))
    return names - recorded, recorded - names, empty_dirs


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
