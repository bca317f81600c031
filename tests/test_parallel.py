"""Entry pages rendered by several worker processes are byte-identical to a serial run."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from gongkai import parallel, site_build
from gongkai.build_cache import BodyCache
from gongkai.config import load_config
from gongkai.loader import load_portal
from gongkai.markdown_render import BodyRenderer
from gongkai.progress import Progress
from gongkai.synthetic import AS_OF, CorpusSpec, generate
from gongkai.urls import Linker


class FakeShell:
    key = b"fake"

    def fill(self, url, title, head, content):
        return f"<title>{title}</title>{head}<main data-url='{url}'>{content}</main>"

    def fill_bytes(self, url, title, head, content):
        return self.fill(url, title, head, content).encode("utf-8")


def write_all(root: Path, out: Path, jobs: int | None, cache: BodyCache, meanwhile=None) -> parallel.ChunkResult:
    portal = load_portal(load_config(root), AS_OF)
    linker = Linker(True)
    pages = site_build.body_pages(portal)
    job = parallel.EntryPageJob(portal=portal, linker=linker, site_dir=out, cache=cache,
                                make_renderer=lambda: BodyRenderer(True, pages), shell_for=lambda _: FakeShell(),
                                source_of=site_build.entry_page_source)
    return parallel.write_entry_pages(job, jobs=jobs, progress=Progress(enabled=False), meanwhile=meanwhile)


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_parallel_pages_equal_serial_pages(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "CHUNK", 9)
    generate(tmp_path / "portal", CorpusSpec(entries=90, seed=4))
    serial = write_all(tmp_path / "portal", tmp_path / "serial", 1, BodyCache(None))
    forked = write_all(tmp_path / "portal", tmp_path / "forked", 2, BodyCache(None))
    assert serial.pages == forked.pages > 50
    assert tree(tmp_path / "serial") == tree(tmp_path / "forked")


def test_the_parents_own_work_runs_while_the_workers_render(tmp_path, monkeypatch):
    """meanwhile() (the listing pages) runs after the workers started and before their first result is
    taken; without workers, after the pages. Either way once, and the pages are the same."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "CHUNK", 9)
    generate(tmp_path / "portal", CorpusSpec(entries=40, seed=4))
    started = parallel.fork_pool
    events = []

    add = parallel._add

    def pool(processes):
        real = started(processes)
        imap = real.imap_unordered

        def recorded(func, chunks):
            results = imap(func, chunks)   # the workers start on these now
            events.append("workers started")
            return results
        real.imap_unordered = recorded
        return real

    def meanwhile(tick):
        events.append("meanwhile")
        end = time.monotonic() + 30
        while "result" not in events and time.monotonic() < end:
            time.sleep(0.05)
            tick()                        # takes what the workers finished meanwhile
        events.append("meanwhile done")

    monkeypatch.setattr(parallel, "fork_pool", pool)
    monkeypatch.setattr(parallel, "_add", lambda total, result, job, progress: (events.append("result"),
                                                                         add(total, result, job, progress)))
    forked = write_all(tmp_path / "portal", tmp_path / "forked", 2, BodyCache(None), meanwhile)
    assert events[:2] == ["workers started", "meanwhile"] and events.count("meanwhile") == 1
    assert events.index("result") < events.index("meanwhile done")   # results taken during it
    events.clear()
    serial = write_all(tmp_path / "portal", tmp_path / "serial", 1, BodyCache(None), meanwhile)
    assert events[-2:] == ["meanwhile", "meanwhile done"] and "result" in events[:-2]
    assert serial.pages == forked.pages > 20
    assert tree(tmp_path / "serial") == tree(tmp_path / "forked")


def test_workers_fill_the_body_cache_and_a_second_run_hits_it(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "CHUNK", 9)
    generate(tmp_path / "portal", CorpusSpec(entries=60, seed=5))
    path = tmp_path / "cache.json"
    first = BodyCache(path)
    cold = write_all(tmp_path / "portal", tmp_path / "cold", 2, first)
    first.save()
    warm = write_all(tmp_path / "portal", tmp_path / "warm", 2, BodyCache(path))
    assert cold.misses > 0 and cold.hits == 0
    assert warm.misses == 0 and warm.hits == cold.misses
    assert tree(tmp_path / "cold") == tree(tmp_path / "warm")


def test_progress_is_quiet_unless_on_a_terminal(monkeypatch):
    import io
    from gongkai import progress
    monkeypatch.delenv("GONGKAI_PROGRESS", raising=False)
    monkeypatch.setenv("CI", "true")
    assert not progress.wanted(io.StringIO())
    monkeypatch.delenv("CI")
    for name in progress.CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert not progress.wanted(io.StringIO())          # not a terminal
    stream = io.StringIO()
    bar = progress.Progress(stream, enabled=True, interval=0)
    bar.start("条目页面", 10)
    bar.update(5)
    bar.finish()
    assert "条目页面" in stream.getvalue() and "5/10" in stream.getvalue()


def test_the_parent_skips_unchanged_pages_and_leaves_the_rest_to_workers(tmp_path, monkeypatch):
    """The parent names pages from the body cache and skips the unchanged ones; once MIN_PARALLEL pages need
    making it hands every entry after that to the workers unchecked. Either way the site equals a clean one."""
    from gongkai.output_tree import TreeMemo
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 2)
    monkeypatch.setattr(parallel, "CHUNK", 9)
    generate(tmp_path / "portal", CorpusSpec(entries=60, seed=6))
    root, out, memo_dir = tmp_path / "portal", tmp_path / "site", tmp_path / "memo"
    out.mkdir()

    def build(jobs: int) -> parallel.ChunkResult:
        portal = load_portal(load_config(root), AS_OF)
        linker, pages = Linker(True), site_build.body_pages(portal)
        cache, memo = BodyCache(tmp_path / "cache.json"), TreeMemo(out, memo_dir)
        job = parallel.EntryPageJob(portal=portal, linker=linker, site_dir=out, cache=cache,
                                    make_renderer=lambda: BodyRenderer(True, pages), shell_for=lambda _: FakeShell(),
                                    source_of=site_build.entry_page_source, memo=memo)
        done = parallel.write_entry_pages(job, jobs=jobs, progress=Progress(enabled=False))
        cache.save()
        memo.merge(done.memo)
        memo.save()
        return done

    build(2)
    portal = load_portal(load_config(root), AS_OF)
    with_body = [e for e in portal.public_entries if e.body]
    changed = [with_body[3], with_body[5], with_body[-1]]    # two before the hand-over, one after it
    for entry in changed:
        path = root / "content" / entry.body
        path.write_text(path.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    again = build(2)
    assert again.pages == len(portal.public_entries)
    assert again.skipped == again.pages - len(changed) and again.misses == len(changed)
    write_all(root, tmp_path / "clean", 1, BodyCache(None))
    assert tree(out) == tree(tmp_path / "clean")
    unchanged = build(2)      # the bodies of the pages the parent skipped stayed in the cache
    assert unchanged.skipped == unchanged.pages and unchanged.misses == 0


def test_body_cache_namespace_follows_every_renderer_module(monkeypatch):
    """A change to the code of any module that shapes a body's HTML names a new body cache."""
    from gongkai import build_cache, markdown_fast, markdown_inline, markdown_render
    before = build_cache.namespace(True, ["toc"], {})
    real = build_cache._source_of
    for module in (markdown_render, markdown_fast, markdown_inline):
        monkeypatch.setattr(build_cache, "_source_of", lambda m, changed=module: real(m) + ("#" if m is changed else ""))
        assert build_cache.namespace(True, ["toc"], {}) != before, module.__name__


def test_pages_are_keyed_only_for_a_memo_kept_for_the_next_build(tmp_path, monkeypatch):
    """A page's input key (a repr of its template's inputs, hashed) only serves the tree's memo: a build whose
    memo is not kept (caches off) does not make it, one whose memo is kept records it for every page."""
    from gongkai.output_tree import TreeMemo
    generate(tmp_path / "portal", CorpusSpec(entries=20, seed=4))
    keyed = []
    key = site_build.EntryPageSource.key
    monkeypatch.setattr(site_build.EntryPageSource, "key", lambda source: keyed.append(source.path) or key(source))
    root = tmp_path / "portal"

    def build(out: Path, memo: TreeMemo) -> parallel.ChunkResult:
        portal = load_portal(load_config(root), AS_OF)
        pages = site_build.body_pages(portal)
        job = parallel.EntryPageJob(portal=portal, linker=Linker(True), site_dir=out, cache=BodyCache(None),
                                    make_renderer=lambda: BodyRenderer(True, pages), shell_for=lambda _: FakeShell(),
                                    source_of=site_build.entry_page_source, memo=memo)
        return parallel.write_entry_pages(job, jobs=1, progress=Progress(enabled=False))

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    unkept = build(tmp_path / "a", TreeMemo(tmp_path / "a", None))
    assert unkept.pages > 10 and keyed == [] and unkept.memo == {}
    kept = build(tmp_path / "b", TreeMemo(tmp_path / "b", tmp_path / "memo"))
    assert len(keyed) == kept.pages and len(kept.memo) == kept.pages
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_forking_keeps_what_the_build_froze_frozen():
    """A build keeps its portal frozen out of the cycle collector; forking workers must not thaw it (the
    collector's next full pass over 10,000 entries' objects cost 0.2 s). Without a freeze before, forking
    leaves nothing frozen, as it found it."""
    import gc
    from gongkai.workers import frozen_for_fork
    gc.unfreeze()
    with frozen_for_fork():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    kept = [[] for _ in range(100)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with frozen_for_fork():
            pass
        assert gc.get_freeze_count() >= frozen > 0
    finally:
        gc.unfreeze()
    del kept


def _resident_after_freeing(keep: bool, in_a_worker: bool = True, beside: bool = False) -> int:
    """In a forked process (a pool worker's, or not): resident kB after making and freeing 20 MB, with
    keep_freed_memory or without."""
    import multiprocessing
    import os
    from gongkai.workers import keep_freed_memory
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            multiprocessing.current_process().daemon = in_a_worker   # as in a pool's worker
            if beside:   # as in the child forked beside the pages (files_beside.py)
                from gongkai.workers import share_cores
                share_cores(child=True)
            if keep:
                keep_freed_memory()
            page = os.sysconf("SC_PAGE_SIZE")
            before = int(open("/proc/self/statm").read().split()[1])
            block = bytearray(20 << 20)   # zeroed, so every page is touched
            del block
            after = int(open("/proc/self/statm").read().split()[1])
            os.write(write, str((after - before) * page // 1024).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        grown = int(pipe.read())
    os.waitpid(pid, 0)
    return grown


def test_workers_that_free_large_arrays_keep_the_memory_for_the_next_batch():
    """glibc gives a freed 20 MB block back to the system at once (the next batch faults it in again, zeroed);
    after keep_freed_memory it stays for reuse, in a pool worker or the child beside the pages only. The
    n-gram workers ask for that (in the child itself, when it has one core)."""
    import ctypes.util
    import pytest
    if not ctypes.util.find_library("c") or not hasattr(ctypes.CDLL(None), "mallopt"):
        pytest.skip("not glibc")
    assert _resident_after_freeing(keep=False) < 5 << 10
    assert _resident_after_freeing(keep=True) > 15 << 10
    assert _resident_after_freeing(keep=True, in_a_worker=False) < 5 << 10   # a long-lived process: as it was
    assert _resident_after_freeing(keep=True, in_a_worker=False, beside=True) > 15 << 10   # it ends with its job


def test_the_ngram_workers_keep_freed_memory(monkeypatch):
    from gongkai import search_build_grams
    called = []
    monkeypatch.setattr(search_build_grams, "keep_freed_memory", lambda: called.append(1))
    monkeypatch.setenv("GONGKAI_JOBS", "1")   # in this process, where the call can be seen
    texts = [("政务公开", "", "政务公开条例", []), ("", "", "信息公开", [])]
    values = search_build_grams.ngram_values(texts, 2, lambda ids, total: ",".join(map(str, ids)))
    assert values and called


def test_the_workers_time_is_counted_in_cpu_seconds_too(tmp_path, monkeypatch):
    """Beside the search index's child and the parent's pages, a worker waits for a core about half the
    time: each part of its work is counted in wall and in CPU seconds, and a wait is not CPU."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "CHUNK", 9)
    generate(tmp_path / "portal", CorpusSpec(entries=30, seed=4))
    render = BodyRenderer.render

    def waiting(self, *args, **kwargs):   # a renderer that waits, as one that waits for a core would
        time.sleep(0.02)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(BodyRenderer, "render", waiting)
    done = write_all(tmp_path / "portal", tmp_path / "out", 2, BodyCache(None))
    assert done.pages > 20
    assert done.markdown >= 0.2 and done.markdown_cpu < done.markdown / 2
    for wall, cpu in ((done.templates, done.templates_cpu), (done.output, done.output_cpu)):
        assert 0 < cpu <= wall * 1.5 + 0.01


def _pid_of(item: int) -> tuple[int, int]:
    import os
    return item, os.getpid()


def test_items_go_to_workers_once_the_process_beside_is_done(monkeypatch):
    """While another process of the build runs beside this one on two cores, items are done here, one at a
    time; once it is done, the rest go to workers on every core. The results come in order."""
    import os

    from gongkai import workers

    monkeypatch.setenv(workers.JOBS_ENV, "2")
    asked = []
    workers.share_cores(child=False, done=lambda: asked.append(1) or len(asked) > 3)
    try:
        results = list(workers.fork_imap_as_cores_free(_pid_of, list(range(8))))
    finally:
        workers.cores_back()
    assert [item for item, _ in results] == list(range(8))
    here = [item for item, pid in results if pid == os.getpid()]
    assert here == [0, 1, 2], "items were not done here while the cores were shared"
    assert all(pid != os.getpid() for item, pid in results if item >= 3)
    assert workers.default_jobs() == 2


def test_the_build_has_every_core_back_when_the_child_beside_has_written_its_files(tmp_path):
    """The build's share of the cores ends as soon as the child beside it sends what it wrote (its last
    step), before the build waits for it: the link check's last pages then go to workers on every core."""
    import os
    import types

    from gongkai import files_beside, workers
    from gongkai.output_tree import OutputTree

    read, write = os.pipe()

    def make_files():
        os.read(read, 1)   # the test says when the child may finish
        yield "x.txt", b"x"

    os.environ[workers.JOBS_ENV] = "2"
    try:
        portal, tree = types.SimpleNamespace(extra={}), OutputTree(tmp_path / "site")
        assert files_beside.start(portal, tree, make_files)
        assert workers.default_jobs() == 1
        os.write(write, b"!")
        for _ in range(200):
            if workers.default_jobs() == 2:
                break
            time.sleep(0.05)
        assert workers.default_jobs() == 2
        assert files_beside.take(portal, tree)
        assert (tmp_path / "site" / "x.txt").read_bytes() == b"x"
    finally:
        del os.environ[workers.JOBS_ENV]
        workers.cores_back()


def test_the_child_beside_has_every_core_once_the_build_waits_for_it(tmp_path):
    """The child beside the pages works on its share of the cores until the build has nothing left to do but
    take its files: then the child has every core (its last n-gram groups go to workers on both)."""
    import os
    import types

    from gongkai import files_beside, workers
    from gongkai.output_tree import OutputTree

    def make_files():
        shares = [workers.default_jobs()]
        for _ in range(200):
            if workers.default_jobs() == 2:
                break
            time.sleep(0.05)
        shares.append(workers.default_jobs())
        yield "shares.txt", repr(shares).encode()

    os.environ[workers.JOBS_ENV] = "2"
    try:
        portal, tree = types.SimpleNamespace(extra={}), OutputTree(tmp_path / "site")
        assert files_beside.start(portal, tree, make_files)
        time.sleep(0.3)
        assert files_beside.take(portal, tree)
    finally:
        del os.environ[workers.JOBS_ENV]
        workers.cores_back()
    assert (tmp_path / "site" / "shares.txt").read_text() == "[1, 2]"


def test_entry_pages_are_made_here_until_the_process_beside_is_done(tmp_path, monkeypatch):
    """With the cores shared with the search index's child, the entry pages are made in this process a chunk
    at a time; once the child is done (a rebuild whose index was stored: within a second), the rest go to
    workers on every core. The pages are a serial build's."""
    from gongkai import workers

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "CHUNK", 9)
    generate(tmp_path / "portal", CorpusSpec(entries=90, seed=4))
    events = []
    pool, add = parallel.fork_pool, parallel._add
    monkeypatch.setattr(parallel, "fork_pool", lambda processes: events.append("pool") or pool(processes))
    monkeypatch.setattr(parallel, "_add", lambda total, result, job, progress: (events.append("result"),
                                                                         add(total, result, job, progress)))
    monkeypatch.setenv(workers.JOBS_ENV, "2")
    asked = []
    workers.share_cores(child=False, done=lambda: asked.append(1) or len(asked) > 4)
    try:
        shared = write_all(tmp_path / "portal", tmp_path / "shared", None, BodyCache(None))
    finally:
        workers.cores_back()
    assert events[:2] == ["result", "result"] and events[2] == "pool", events
    assert events.count("result") == 10
    serial = write_all(tmp_path / "portal", tmp_path / "serial", 1, BodyCache(None))
    assert serial.pages == shared.pages > 50
    assert tree(tmp_path / "serial") == tree(tmp_path / "shared")


def test_the_child_beside_sends_the_records_of_untouched_files_by_name(tmp_path, monkeypatch):
    """A file the child beside the pages found untouched since the tree's last build keeps the record the
    build's process loaded too: the child sends its name alone, not the record (after an edit, all but a few of the
    search index's 12,000 files), and the build's memo ends as if it had written them itself."""
    import pickle
    import types

    from gongkai import files_beside
    from gongkai.deferred import Deferred
    from gongkai.output_tree import OutputTree

    root, memo_dir = tmp_path / "site", tmp_path / "memo"
    last = OutputTree(root, memo_dir)
    for name in ("a", "b", "c"):
        last.write(f"search/{name}.js", Deferred(name.encode(), lambda name=name: name.encode()))
    last.memo.save()

    def make_files():
        yield "search/a.js", Deferred(b"a", lambda: b"a")
        yield "search/b.js", Deferred(b"b, edited", lambda: b"b, edited")
        yield "search/c.js", Deferred(b"c", lambda: b"c")

    sent = []
    loads = pickle.loads
    monkeypatch.setattr(files_beside.pickle, "loads", lambda data: sent.append(loads(data)) or sent[-1])
    portal, tree = types.SimpleNamespace(extra={}), OutputTree(root, memo_dir)
    assert files_beside.start(portal, tree, make_files)
    assert files_beside.take(portal, tree)
    assert sorted(sent[0]["memo"]) == ["search/b.js"] and sent[0]["unrecorded"] == []
    assert tree.memo.new["search/a.js"] == last.memo.new["search/a.js"]
    assert tree.memo.new["search/c.js"] == last.memo.new["search/c.js"]
    assert tree.memo.new["search/b.js"][0] == b"b, edited"
    assert (root / "search" / "b.js").read_bytes() == b"b, edited"
