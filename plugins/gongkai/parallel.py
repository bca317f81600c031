"""Entry pages on every core: markdown, the entry template and the page write, per entry.

Each entry page depends only on the loaded portal, so entries are split into chunks
and rendered by forked worker processes that inherit the portal, the theme shells
and the renderer settings (nothing is pickled but chunk numbers and results). Every
page is written by exactly one process from the same inputs as a serial build, so
the site is byte-identical whatever the number of workers.

A page is named before its template runs (its template inputs, its frame and the code:
site_build.EntryPageSource.key); when the output tree's memo says its file was built from
that very key and is untouched, the page is not rendered, filled, encoded or read. The parent
names every page whose body the cache holds first, and forks workers only for the pages left:
a rebuild after a small edit forks nothing.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .build_cache import BodyCache, CachingRenderer, NotCached, lookups_hold
from .deferred import framed_key
from .disk_cache import key_of
from .entry_page import shown_entries_key
from .output_tree import TreeMemo, keeps_page_keys, write_under
from .portal import Portal
from .urls import Linker, entry_path
from .workers import all_cores, default_jobs, done_while_shared, fork_pool

MIN_PARALLEL = 400        # below this many pages forking costs more than it saves
CHUNK = 250


@dataclass
class EntryPageJob:
    portal: Portal
    linker: Linker
    site_dir: Path
    make_renderer: Callable[[], object]           # -> a BodyRenderer
    shell_for: Callable[[str], object]            # output file -> a shell with .fill_bytes(url, title, head, content)
                                                  # and .key (bytes naming what fill adds)
    cache: BodyCache
    source_of: Callable                           # (portal, linker, renderer, entry) -> site_build.EntryPageSource
    memo: TreeMemo | None = None                  # what site_dir's files were built from: unchanged pages are skipped
    inputs_key: bytes | None = None               # names every input of every page but its body's bytes and its
                                                  # frame (site_build.entry_pages_key); None: not known
    fresh_tree: bool = False                      # site_dir was made empty for this build (OutputTree's fresh)


@dataclass
class ChunkResult:
    pages: int = 0
    markdown: float = 0.0      # seconds converting bodies (or reading them from the cache)
    templates: float = 0.0     # seconds in the entry template and the shell
    output: float = 0.0        # seconds writing files
    # the same in CPU seconds: with the search index's child and the parent's pages beside the workers,
    # a worker waits for a core much of the time (templates 4.2 s wall, 1.7 s CPU at 10,000), which the
    # seconds above count
    markdown_cpu: float = 0.0
    templates_cpu: float = 0.0
    output_cpu: float = 0.0
    hits: int = 0
    misses: int = 0
    skipped: int = 0           # pages whose inputs and file were unchanged: not rendered, not read
    checking: float = 0.0      # seconds the parent spent finding those pages
    new: dict = field(default_factory=dict)
    used: list = field(default_factory=list)
    page_keys: dict = field(default_factory=dict)   # output file -> key_of its bytes
    inputs: dict = field(default_factory=dict)      # output file -> _page_inputs, of pages skipped by them
    memo: dict = field(default_factory=dict)        # output file -> its TreeMemo record


class _TimedRenderer:
    def __init__(self, inner, result: ChunkResult):
        self.inner, self.result = inner, result

    @property
    def lookups(self):
        return self.inner.lookups

    def render(self, text, source, page_file):
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return self.inner.render(text, source, page_file)
        finally:
            self.result.markdown += time.perf_counter() - start
            self.result.markdown_cpu += time.process_time() - cpu

    def render_file(self, digest, read_text, source, page_file):
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return self.inner.render_file(digest, read_text, source, page_file)
        finally:
            self.result.markdown += time.perf_counter() - start
            self.result.markdown_cpu += time.process_time() - cpu


_JOB: EntryPageJob | None = None   # set before forking; workers inherit it


def _page_key(job: EntryPageJob, renderer, entry) -> tuple:
    """(output file, url, shell, source, the key of everything the page is made from: None when the tree's
    memo is not kept for the next build, which is all the key is for; 0.2 s of repr and hashing at 10,000)."""
    source = job.source_of(job.portal, job.linker, renderer, entry)
    out, url = job.linker.file(source.path), job.linker.url(source.path)
    shell = job.shell_for(out)
    if job.memo is None or not job.memo.persistent:
        return out, url, shell, source, None
    return out, url, shell, source, framed_key(shell.key, url, source.title, source.head, source.key())


def _render_chunk(indexes: list[int]) -> ChunkResult:
    job = _JOB
    result = ChunkResult()
    cache = job.cache.view()
    renderer = _TimedRenderer(CachingRenderer(job.make_renderer(), cache), result)
    made = set()
    site_dir = str(job.site_dir)
    memo = (job.memo or TreeMemo(job.site_dir, None)).view()
    entries = job.portal.public_entries
    keyed = keeps_page_keys(job.memo)   # hashing every page was a tenth of the entry pages' time at 10,000
    noting = _noting(job)
    for index in indexes:
        start, start_cpu = time.perf_counter(), time.process_time()
        out, url, shell, source, input_key = _page_key(job, renderer, entries[index])
        result.pages += 1
        if noting:
            _note_page(job, result, entries[index], out, renderer)
        known = memo.fresh(out, input_key) if input_key is not None else None
        if known is not None:
            result.page_keys[out] = known
            result.skipped += 1
            result.templates += time.perf_counter() - start
            result.templates_cpu += time.process_time() - start_cpu
            continue
        page = source.page()
        data = shell.fill_bytes(url, page.title, page.head, page.content)
        written, written_cpu = time.perf_counter(), time.process_time()
        if keyed:
            result.page_keys[out] = key_of(data)
        _written, now = write_under(site_dir, out, data, made, job.fresh_tree)
        if input_key is not None:
            memo.record(out, input_key, result.page_keys[out], now)
        result.output += time.perf_counter() - written
        result.output_cpu += time.process_time() - written_cpu
        result.templates += written - start
        result.templates_cpu += written_cpu - start_cpu
    result.templates -= result.markdown
    result.templates_cpu -= result.markdown_cpu
    result.hits, result.misses, result.new, result.used = cache.hits, cache.misses, cache.new, sorted(cache.used)
    result.memo = memo.new
    return result


def entry_page_files(job: EntryPageJob) -> list[str]:
    """The output file of every public entry's page (what write_entry_pages writes)."""
    return [job.linker.file(entry_path(e)) for e in job.portal.public_entries]


def _pages_to_make(job: EntryPageJob, total: ChunkResult, progress) -> list[int]:
    """Indexes of the entries whose pages must be made. The parent skips the pages it can name from the
    body cache alone (no markdown, no template) that are unchanged; once MIN_PARALLEL pages need making,
    it leaves the rest unchecked to the workers, which check each page again anyway."""
    entries = job.portal.public_entries
    if job.memo is None or not job.memo.old:
        return list(range(len(entries)))   # nothing built into this tree before: nothing is unchanged
    start = time.perf_counter()
    cache = job.cache.view()
    renderer = CachingRenderer(None, cache, job.make_renderer().body_pages)
    body_pages = renderer.body_pages
    same_inputs = _same_inputs(job)
    noting = _noting(job)
    to_make: list[int] = []
    for index, entry in enumerate(entries):
        if len(to_make) >= MIN_PARALLEL:
            to_make.extend(range(index, len(entries)))
            break
        if same_inputs is not None:
            out = job.linker.file(entry_path(entry))
            page = _page_inputs(job, entry, out)
            noted = same_inputs.get(out)
            known = job.memo.unchanged(out) if page is not None and noted is not None and noted[:3] == page \
                and noted[3] is not None and lookups_hold(noted[3], body_pages) else None
            if known is not None:      # the last build's inputs, its file untouched: not even named again
                if entry.body:
                    job.cache.keep(noted[4])
                total.page_keys[out] = known
                total.inputs[out] = noted
                total.pages += 1
                total.skipped += 1
                continue
        hits = cache.hits
        try:
            out, _url, _shell, _source, input_key = _page_key(job, renderer, entry)
            known = job.memo.fresh(out, input_key)
        except NotCached:
            known = None
        if known is None:
            cache.hits = hits          # counted by whoever makes the page
            to_make.append(index)
            continue
        if noting:
            _note_page(job, total, entry, out, renderer)
        total.page_keys[out] = known
        total.pages += 1
        total.skipped += 1
    total.hits += cache.hits
    job.cache.used.update(cache.used)
    total.checking = time.perf_counter() - start
    if progress is not None:
        progress.update(total.pages)
    return to_make


def _take_ready(results, total: ChunkResult, job: EntryPageJob, progress) -> None:
    """Take the workers' results that are in, without waiting (between the parent's own pages: the progress
    shown stays that of the entry pages, and results do not queue up)."""
    while True:
        try:
            result = results.next(timeout=0)
        except (multiprocessing.TimeoutError, StopIteration):
            return
        _add(total, result, job, progress)


def _add(total: ChunkResult, result: ChunkResult, job: EntryPageJob, progress) -> None:
    """A chunk's work, cache use and records into the total (and the pages done into the progress shown)."""
    total.pages += result.pages
    total.markdown += result.markdown
    total.templates += result.templates
    total.output += result.output
    total.markdown_cpu += result.markdown_cpu
    total.templates_cpu += result.templates_cpu
    total.output_cpu += result.output_cpu
    total.hits += result.hits
    total.misses += result.misses
    total.skipped += result.skipped
    total.memo.update(result.memo)
    job.cache.new.update(result.new)
    job.cache.used.update(result.used)
    total.page_keys.update(result.page_keys)
    total.inputs.update(result.inputs)
    if progress is not None:
        progress.update(total.pages)


# the tree memo's note: (inputs_key, {output file: (*_page_inputs, its body's lookups, its body's key in the body
# cache)}) of the build that made it
NOTE = "entry pages"


def _page_inputs(job: EntryPageJob, entry, out: str) -> tuple | None:
    """What one page is made from besides job.inputs_key and its body's lookups in the body→page map: its
    body's bytes as the checks passed them, its frame and the entries it shows (None when its body was not
    checked: then only the page's full key says)."""
    digest = job.portal.checked_digest(entry)
    if entry.body and digest is None:
        return None
    return digest, job.shell_for(out).key, shown_entries_key(entry, job.portal)


def _noting(job: EntryPageJob) -> bool:
    """Whether pages' inputs are noted: for a memo kept for the next build, with a key of the inputs they share."""
    return job.memo is not None and job.memo.persistent and job.inputs_key is not None


def _note_page(job: EntryPageJob, result: ChunkResult, entry, out: str, renderer) -> None:
    """Note the inputs of a page just named through its body (renderer): _page_inputs and the lookups the
    body's rendering made (None when not known: the next build then names the page through its body)."""
    page = _page_inputs(job, entry, out)
    if page is not None:
        # and its body's key in the body cache, kept by the next build that skips the page (a hash a page)
        body_key = job.cache.file_key(page[0], entry.body, out) if entry.body else None
        result.inputs[out] = (*page, renderer.lookups if entry.body else {}, body_key)


def _same_inputs(job: EntryPageJob) -> dict | None:
    """The pages' inputs as the memo's build noted them, when its inputs_key was this build's; else None."""
    noted = job.memo.noted(NOTE) if job.inputs_key is not None else None
    if not noted or noted[0] != job.inputs_key:
        return None
    return noted[1]


def _note_inputs(job: EntryPageJob, total: ChunkResult) -> None:
    """Note each page's inputs with its record in the tree memo (read back by the next build of this tree)."""
    if job.memo is None or job.inputs_key is None:
        return
    job.memo.merge(total.memo)
    pages = total.inputs
    if len(pages) < len(job.portal.public_entries):
        for entry in job.portal.public_entries:
            out = job.linker.file(entry_path(entry))
            if out not in pages:
                page = _page_inputs(job, entry, out)
                if page is not None and out in job.memo.new:
                    pages[out] = (*page, None, None)   # its body's lookups (and key) unknown
    job.memo.note(NOTE, (job.inputs_key, pages))


def write_entry_pages(job: EntryPageJob, jobs: int | None = None, progress=None, meanwhile=None) -> ChunkResult:
    """Render every public entry's page and write it where its bytes changed; returns the summed work and
    cache use. meanwhile(tick), when given, runs in this process while the workers render (the listing pages,
    on the core the workers' writes leave idle) and calls tick() now and then to take the results that are in;
    it must not fork. Without workers it runs after the pages."""
    global _JOB
    entries = job.portal.public_entries
    shared = jobs is None and default_jobs() == 1 < all_cores()   # a process beside has the other cores
    jobs = default_jobs() if jobs is None else max(1, jobs)
    if entries:
        job.shell_for(job.linker.file(entry_path(entries[0])))   # render the shell before forking
    total = ChunkResult()
    if progress is not None:
        progress.start("条目页面", len(entries))
    _JOB = job
    try:
        to_make = _pages_to_make(job, total, progress)
        chunks = [to_make[i:i + CHUNK] for i in range(0, len(to_make), CHUNK)]
        if shared and len(to_make) >= MIN_PARALLEL:
            # Chunks here while the search index's child runs beside (workers.share_cores), the rest on every
            # core once it is done: a rebuild whose index was stored has its child done within a second,
            # and rendered all its pages on one core.
            for result in done_while_shared(_render_chunk, chunks):
                _add(total, result, job, progress)
            jobs = default_jobs()
        if jobs == 1 or sum(map(len, chunks)) < MIN_PARALLEL:
            results = map(_render_chunk, chunks)   # a few pages read only their bodies' cache shards
            pool = None
        else:
            job.cache.load_all()   # read once here, not by each worker
            pool = fork_pool(min(jobs, len(chunks)))
            results = pool.imap_unordered(_render_chunk, chunks)
        try:
            if pool is not None and meanwhile is not None:
                meanwhile(lambda: _take_ready(results, total, job, progress))
                meanwhile = None
            for result in results:
                _add(total, result, job, progress)
        except BaseException:
            if pool is not None:
                pool.terminate()
            raise
        if pool is not None:
            pool.close()
            pool.join()
    finally:
        _JOB = None
    if meanwhile is not None:
        meanwhile(lambda: None)
    job.cache.hits, job.cache.misses = total.hits, total.misses
    _note_inputs(job, total)
    return total
