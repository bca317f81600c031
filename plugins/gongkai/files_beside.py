"""Data files made and written by a child process beside the pages (no mkdocs import).

The search index is most of a build's work after the entry pages, and much of it runs on one core
(postings merged, 12,000 files written). Forked as soon as the checks pass, a child makes those files
and writes them into the build's output tree while the parent and its workers make the pages; the
parent then only takes the child's list of what it wrote. When the child fails, the parent makes the
files itself, so a child can cost time but never change the site.
"""
from __future__ import annotations

import atexit
import os
import pickle
from typing import Callable, Iterable

from . import disk_cache, phases, workers
from .output_tree import OutputTree
from .pipe_messages import readable

_CHILD = "files-beside-child"   # portal.extra: (pid, read end of the pipe, write end of the parent's signal)
CHILD_PHASE_PREFIX = "  beside the pages: "


def start(portal, tree: OutputTree, make_files: Callable[[], Iterable[tuple[str, bytes]]]) -> bool:
    """Fork a child that writes make_files()'s files into tree; True when forked. Not under `mkdocs serve`
    (its process keeps the search documents for quick rebuilds), nor where there is no fork."""
    if disk_cache.REMEMBER or not hasattr(os, "fork") or _CHILD in portal.extra:
        return False
    read, write = os.pipe()
    # The parent's signal that it is done with its own work: from then on the child has every core.
    signal_read, signal_write = os.pipe()
    pid = os.fork()
    if pid == 0:   # the child: the files, then what it wrote down the pipe; never returns
        code = 1
        try:
            os.close(signal_write)
            workers.share_cores(child=True, done=lambda: readable(signal_read))
            os.close(read)
            _write_in_child(tree, make_files, write)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    os.close(signal_read)
    workers.share_cores(child=False, done=lambda: readable(read))
    portal.extra[_CHILD] = (pid, read, signal_write)
    # A build that stops before it takes the child's files (a failed check of a page, an interrupt) still
    # waits for it at exit, so the next build never finds a store or a tree that the child is still writing.
    atexit.register(_reap, pid)
    return True


def _write_in_child(tree: OutputTree, make_files, pipe: int) -> None:
    phases.RECORDER.reset()
    before = set(tree.kept)
    writing = phases.Stopwatch("output: files written")
    for rel, data in make_files():
        writing.start()
        tree.write(rel, data)
        writing.stop()
    writing.done()
    wrote = sorted(tree.kept - before)
    old, new = tree.memo.old, tree.memo.new
    # A file untouched since the tree's last build keeps the record the build's process holds too: not sent
    # (after an edit, all but a few of the index's 12,000 files; their records were most of the bytes)
    result = {"kept": wrote, "page_keys": {rel: tree.page_keys[rel] for rel in wrote if rel in tree.page_keys},
              "memo": {rel: new[rel] for rel in wrote if rel in new and new[rel] is not old.get(rel)},
              "unrecorded": [rel for rel in wrote if rel not in new],
              "written": tree.written, "phases": phases.RECORDER.as_dict()["phases"]}
    with os.fdopen(pipe, "wb") as out:
        pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)


def pending(portal) -> bool:
    return _CHILD in portal.extra


def take(portal, tree: OutputTree) -> bool:
    """Wait for the child start() forked and take its files into tree (and its phases into the build's
    profile); False when there was no child or it failed, and the caller must make the files itself."""
    child = portal.extra.pop(_CHILD, None)
    if child is None:
        return False
    pid, read, signal = child
    _signal_done(signal)
    with phases.phase("waiting for the files made beside the pages"):
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
    workers.cores_back()
    if status != 0 or not data:
        return False
    result = pickle.loads(data)
    tree.keep(result["kept"], result["page_keys"], result["memo"], unrecorded=result["unrecorded"])
    tree.written += result["written"]
    for row in result["phases"]:   # named as the child's: its time ran beside the build's, not in it
        phases.add(f"{CHILD_PHASE_PREFIX}{row['name'].strip()}", row["wall"], row["cpu"], row["count"])
    return True


def discard(portal) -> None:
    """A failed build: wait for the child, if any, and leave what it wrote to be removed with the tree."""
    child = portal.extra.pop(_CHILD, None)
    if child is not None:
        _signal_done(child[2])
        os.close(child[1])   # the child's write to the pipe then fails, and it exits
        _reap(child[0])
        workers.cores_back()


def _signal_done(fd: int) -> None:
    """Tell the child this process has nothing left to do but wait for it. A byte, not only the end of the
    pipe: a worker forked meanwhile may still hold the pipe's write end open."""
    try:
        os.write(fd, b"1")
    except OSError:   # the child has exited already
        pass
    os.close(fd)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:   # waited for already
        pass
