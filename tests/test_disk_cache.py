"""The pickled caches: damaged files read as empty, and a long-lived process (mkdocs serve) keeps what it
read or saved only while the file on disk is that same file."""
import pickle

import pytest

from gongkai import disk_cache
from gongkai.disk_cache import DiskCache, load_pickle, remember_between_builds, save_pickle


@pytest.fixture()
def remembering():
    remember_between_builds(True)
    yield
    remember_between_builds(False)


def test_a_damaged_cache_is_an_empty_one(tmp_path):
    path = tmp_path / "c.pickle"
    path.write_bytes(b"not a pickle")
    assert load_pickle(path) == {}
    assert DiskCache(path).get(b"k") is None


def test_serve_keeps_a_cache_between_builds_while_the_file_is_unchanged(tmp_path, remembering):
    path = tmp_path / "c.pickle"
    save_pickle(path, {b"k": "v1"})
    first = load_pickle(path)
    assert first == {b"k": "v1"} and load_pickle(path) is first      # not read again

    # Another process replaces the file: the new content is read.
    other = tmp_path / "other.pickle"
    other.write_bytes(pickle.dumps({b"k": "v2"}))
    other.replace(path)
    assert load_pickle(path) == {b"k": "v2"}

    # Rewritten in place (same inode) with other content: the size differs, so it is read again.
    path.write_bytes(pickle.dumps({b"k": "v3, longer"}))
    assert load_pickle(path) == {b"k": "v3, longer"}

    path.unlink()
    assert load_pickle(path) == {}


def test_single_builds_do_not_hold_caches(tmp_path):
    path = tmp_path / "c.pickle"
    save_pickle(path, {b"k": "v"})
    assert load_pickle(path) is not load_pickle(path)
    assert str(path) not in disk_cache._REMEMBERED


def test_a_few_changes_go_to_the_journal_not_a_new_snapshot(tmp_path):
    path = tmp_path / "c.pickle"
    cache = DiskCache(path)
    for n in range(20):
        cache.put(b"k%d" % n, f"v{n}")
    cache.save()
    snapshot = path.read_bytes()
    cache = DiskCache(path)
    for n in range(19):                                  # k19 unused this run: dropped
        assert cache.get(b"k%d" % n) == f"v{n}"
    cache.put(b"new", "fresh")
    cache.save()
    assert path.read_bytes() == snapshot and path.with_suffix(".journal").is_file()
    reread = DiskCache(path)
    assert reread.get(b"new") == "fresh" and reread.get(b"k3") == "v3" and reread.get(b"k19") is None
    assert reread.old.keys() == {b"k%d" % n for n in range(19)} | {b"new"}


def test_many_changes_write_a_new_snapshot_and_drop_the_journal(tmp_path, monkeypatch):
    from gongkai import pickle_journal
    monkeypatch.setattr(pickle_journal, "JOURNAL_MIN", 3)
    path = tmp_path / "c.pickle"
    cache = DiskCache(path)
    cache.put(b"a", "1")
    cache.save()
    cache = DiskCache(path)
    cache.get(b"a")
    cache.put(b"b", "2")
    cache.save()                                         # one change: journaled
    assert path.with_suffix(".journal").is_file()
    cache = DiskCache(path)
    for key in (b"a", b"b"):
        cache.get(key)
    for n in range(5):
        cache.put(b"n%d" % n, "x")
    cache.save()                                         # past the limit: a snapshot, no journal
    assert not path.with_suffix(".journal").exists()
    assert pickle.loads(path.read_bytes()) == {b"a": "1", b"b": "2", **{b"n%d" % n: "x" for n in range(5)}}


def test_a_view_reads_the_saved_records_and_keeps_its_own_use_apart(tmp_path):
    saved = DiskCache(tmp_path / "c.pickle")
    saved.put(b"k", "saved value")
    saved.save()
    cache = DiskCache(tmp_path / "c.pickle")
    view = cache.view()
    assert view.get(b"k") == "saved value"
    view.put(b"n", "new value")
    assert cache.used == {} and view.used == {b"k": "saved value", b"n": "new value"}
    cache.merge(view.used)
    assert cache.get(b"n") == "new value"
