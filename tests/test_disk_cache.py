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
