"""Entry pages rendered by several worker processes are byte-identical to a serial run."""

from __future__ import annotations

import hashlib
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


def write_all(root: Path, out: Path, jobs: int, cache: BodyCache) -> parallel.ChunkResult:
    portal = load_portal(load_config(root), AS_OF)
    linker = Linker(True)
    pages = site_build.body_pages(portal)
    job = parallel.EntryPageJob(portal=portal, linker=linker, site_dir=out, cache=cache,
                                make_renderer=lambda: BodyRenderer(True, pages), shell_for=lambda _: FakeShell(),
                                source_of=site_build.entry_page_source)
    return parallel.write_entry_pages(job, jobs=jobs, progress=Progress(enabled=False))


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
