"""Work spread over every core with forked workers (they inherit module state, so
only work items and results are pickled)."""

from __future__ import annotations

import ctypes
import gc
import importlib.util
import multiprocessing
import os
import sys
from contextlib import contextmanager
from typing import Callable, Iterator

JOBS_ENV = "GONGKAI_JOBS"


def all_cores() -> int:
    """The cores a build may use: $GONGKAI_JOBS, else those this process may run on."""
    value = os.environ.get(JOBS_ENV, "")
    if value.strip().isdigit() and int(value) > 0:
        return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


_ENDS_WITH_ITS_JOB = False   # a process forked for one job, which it ends with (see keep_freed_memory)
_SHARE: list = []   # [cores this process takes, whether the other is done] while another of the build runs beside


def default_jobs() -> int:
    """Workers for a step: all cores, or this process's share of them while another runs beside it."""
    if _SHARE:
        jobs, done = _SHARE
        if done is None or not done():
            return jobs
        _SHARE.clear()
    return all_cores()


def sharing_cores() -> bool:
    """Whether another process of the build runs beside this one now (this one then has its share only)."""
    return default_jobs() < all_cores()


def share_cores(child: bool, done: Callable[[], bool] | None = None) -> None:
    """Split the cores with a process forked beside this one (files_beside.py): each side takes half (the
    parent the odd one), so that together they fork no more workers than there are cores. Each side then
    works in one process on two cores: forking two workers on each side put four or five processes on two
    cores, and with the pickling, the copied memory and the waits for a core a build at 10,000 entries took
    39.4 s of CPU and 20.9 s, against 35.9 s and 19.7 s with the cores shared (means of three alternating
    builds). done(), when given, tells when the other process is done: from then on this one has them all."""
    global _ENDS_WITH_ITS_JOB
    _ENDS_WITH_ITS_JOB = child   # the child makes its files and exits, as a pool's worker does its job
    cores = all_cores()
    _SHARE[:] = [max(1, cores // 2) if child else max(1, cores - cores // 2), done]


def cores_back() -> None:
    """The process beside this one is done: all cores are this one's again."""
    _SHARE.clear()


def build_jobs() -> int:
    """Workers for a build step: every core, but none inside a pool worker (daemons may not fork)."""
    return 1 if multiprocessing.current_process().daemon else default_jobs()


def release_free_memory() -> None:
    """Give the heap pages the parent has freed back to the system (glibc's malloc_trim; a no-op elsewhere).
    Else they stay resident in the parent, and a forked worker that allocates in them copies each page."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):   # not glibc
        pass


# glibc's mallopt parameters
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3


def keep_freed_memory() -> None:
    """In a worker that makes and frees the same large arrays batch after batch: glibc keeps what is freed
    for the next batch (blocks up to 32 MB from the heap, not mapped and unmapped each time; up to 128 MB
    kept at the heap's top), instead of giving it back and faulting zeroed pages in again. In the n-gram
    workers that was 0.6 s of kernel time at 10,000 entries, for 30 MB more at their peak. Only in a process
    that ends with its job, a pool's worker or the child beside the pages (a long-lived process, `mkdocs
    serve`, would hold the memory for good), and only on glibc."""
    if not (multiprocessing.current_process().daemon or _ENDS_WITH_ITS_JOB):
        return
    try:
        libc = ctypes.CDLL(None)
        for param, value in ((_M_MMAP_THRESHOLD, 32 << 20), (_M_TRIM_THRESHOLD, 128 << 20), (_M_TOP_PAD, 32 << 20)):
            libc.mallopt(param, value)
    except (OSError, AttributeError):   # not glibc
        pass


@contextmanager
def frozen_for_fork():
    """Freeze the parent's objects out of the garbage collector while workers are forked: a worker's
    collections then do not touch (and so copy) the pages of the large structures it inherits. Objects
    frozen before (a build keeps its portal frozen: mkdocs_plugin.py) stay frozen, and those frozen here
    with them: the collector cannot thaw a part, and thawing the portal cost a 0.2 s full pass at 10,000
    entries. The build thaws everything at its end."""
    frozen_before = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not frozen_before:
            gc.unfreeze()


def fork_pool(processes: int):
    """A pool of forked workers, started with the parent's objects frozen (frozen_for_fork)."""
    release_free_memory()
    with frozen_for_fork():
        return multiprocessing.get_context("fork").Pool(processes)


def fork_map(func: Callable, items: list, jobs: int | None = None, min_items: int = 2) -> list:
    """func over items on every core, results in order. Serial with one core or little to do."""
    return list(fork_imap(func, items, jobs, min_items))


def fork_imap(func: Callable, items: list, jobs: int | None = None, min_items: int = 2) -> Iterator:
    """fork_map yielding each result in order as soon as it is there, so the caller can merge and drop
    results one by one instead of holding all of them at once."""
    jobs = default_jobs() if jobs is None else max(1, jobs)
    if jobs == 1 or len(items) < min_items or "fork" not in multiprocessing.get_all_start_methods():
        for item in items:
            yield func(item)
        return
    with fork_pool(min(jobs, len(items))) as pool:
        yield from pool.imap(func, items, chunksize=1)


def done_while_shared(func: Callable, items: list) -> Iterator:
    """func of the first items, in order, in this process while it has one core (another process of the build
    runs beside it); each item is taken off the list as it is done, so the list is left with the rest."""
    while items and default_jobs() == 1:
        yield func(items.pop(0))


def fork_imap_as_cores_free(func: Callable, items: list) -> Iterator:
    """fork_imap's results, in order: the items done in this process while it has one core, the rest on every
    core from when it has more (the other one is done). The link check's scans start before the search
    index's child ends, and used to run on one core to their end."""
    rest = list(items)
    yield from done_while_shared(func, rest)
    yield from fork_imap(func, rest)


def fork_as_cores_free(func: Callable, items: list, poll: float = 0.02) -> Iterator:
    """func(item) for every item, as each is done (in no set order), in forked workers: one at a time while
    this process has one core (another process of the build runs beside it), then one a core. Where
    fork_imap_as_cores_free does the items of that first stretch here, an item under way when the other
    process is done would run to its end on one core (half a second of an idle core, for an n-gram group at
    10,000 entries): here the other worker takes the next item at once."""
    cores = all_cores()
    if cores == 1 or len(items) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(func, items)
        return
    waiting, running = list(reversed(items)), {}
    with fork_pool(min(cores, len(items))) as pool:
        while waiting or running:
            while waiting and len(running) < default_jobs():
                item = waiting.pop()
                running[item] = pool.apply_async(func, (item,))
            finished = [item for item, result in running.items() if result.ready()]
            for item in finished:
                yield running.pop(item).get()
            if not finished:
                next(iter(running.values())).wait(poll)


def optional_numpy_module(name: str):
    """The module `name` (one that needs numpy), loaded when first used; None without numpy. Importing numpy
    is a tenth of a second of every build's start, and a rebuild after an edit mostly never needs it."""
    if importlib.util.find_spec("numpy") is None:
        return None
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
