"""`mkdocs serve` is told about changes by inotify, and never about files the build only reads."""
from __future__ import annotations

import sys
import time

import pytest
from mkdocs.livereload import LiveReloadServer

from gongkai.serve_watcher import use_inotify

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")


def wait_for(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_reads_do_not_rebuild_and_changes_do(tmp_path):
    content, catalog = tmp_path / "content", tmp_path / "catalog"
    (content / "texts").mkdir(parents=True)
    catalog.mkdir()
    (content / "texts" / "a.md").write_text("正文", encoding="utf-8")
    (catalog / "a.yml").write_text("id: a\n", encoding="utf-8")
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path / "site"))
    server.watch(str(content))
    use_inotify(server, [str(catalog)])
    assert type(server.observer).__name__ == "ChangesOnlyObserver"
    assert set(server._watched_paths) == {str(content), str(catalog)}
    server.observer.start()
    try:
        time.sleep(0.3)
        for _ in range(3):   # what a build does to every body and entry
            (content / "texts" / "a.md").read_bytes()
            (catalog / "a.yml").read_bytes()
        assert not wait_for(lambda: server._want_rebuild, 1.0)
        (catalog / "a.yml").write_text("id: a\ntitle: 改\n", encoding="utf-8")
        assert wait_for(lambda: server._want_rebuild, 5.0)
        server._want_rebuild = False
        (content / "texts" / "b.md").write_text("新正文", encoding="utf-8")   # a new file in a watched tree
        assert wait_for(lambda: server._want_rebuild, 5.0)
    finally:
        server.observer.stop()
        server.observer.join(timeout=5)


def test_the_changed_paths_are_reported_to_the_next_rebuild(tmp_path):
    from gongkai.serve_watcher import CHANGED
    content = tmp_path / "content"
    (content / "texts").mkdir(parents=True)
    body = content / "texts" / "a.md"
    body.write_text("正文", encoding="utf-8")
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path / "site"))
    server.watch(str(content))
    use_inotify(server, [])
    server.observer.start()
    try:
        time.sleep(0.3)
        body.read_bytes()
        assert CHANGED.take() == set()          # a read is no change
        body.write_text("改过的正文", encoding="utf-8")
        assert wait_for(lambda: server._want_rebuild, 5.0)
        time.sleep(0.2)
        assert CHANGED.take() == {str(body)}
        (content / "new").mkdir()               # a directory: what changed is not known
        assert wait_for(lambda: CHANGED.take() is None, 5.0)
    finally:
        server.observer.stop()
        server.observer.join(timeout=5)
        CHANGED.watching = False
