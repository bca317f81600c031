"""The search index's update state keeps every document's texts in a file of their own (search_texts.py): an
update reads the few it compares and appends the edited ones', and a state reads only its own file's texts."""
import dataclasses
import hashlib
import pickle
from pathlib import Path

from gongkai import search_texts
from gongkai.search_corpus import generate_docs
from gongkai.search_index import build_search_index
from gongkai.search_segment import DEFAULT_USER_DICT
from gongkai.search_store import IndexStore, fingerprint
from gongkai.search_texts import TextColumn

from seeds import SEEDS  # noqa: E402


def test_a_saved_column_reads_back_and_a_save_after_an_edit_appends_only_the_edited_texts(tmp_path):
    path = tmp_path / "texts.bin"
    first = TextColumn.of([b"a" * 10, b"b" * 20, b"c" * 5])
    saved = first.save(path)
    size = path.stat().st_size
    column = TextColumn.saved(path, saved)
    assert [column[n] for n in range(len(column))] == [b"a" * 10, b"b" * 20, b"c" * 5]

    edited = column.replaced({1: b"B" * 7, 3: b"d" * 4}, 4)   # one edited, one added
    again = edited.save(path)
    assert path.stat().st_size == size + 7 + 4 and again[0] == saved[0]
    column = TextColumn.saved(path, again)
    assert [column[n] for n in range(4)] == [b"a" * 10, b"B" * 7, b"c" * 5, b"d" * 4]
    before = TextColumn.saved(path, saved)   # a state saved before the append still reads its own texts
    assert [before[n] for n in range(3)] == [b"a" * 10, b"b" * 20, b"c" * 5]

    assert TextColumn.saved(path, (b"x" * 16, again[1])) is None        # another file's state
    assert TextColumn.saved(tmp_path / "missing.bin", again) is None
    path.write_bytes(path.read_bytes()[:size])                           # cut short
    assert TextColumn.saved(path, again) is None


def test_a_column_of_fewer_documents_keeps_and_saves_only_theirs(tmp_path):
    path = tmp_path / "texts.bin"
    saved = TextColumn.saved(path, TextColumn.of([b"a" * 10, b"b" * 20]).save(path))
    grown = saved.replaced({2: b"c" * 5}, 3)   # one added, not saved yet
    fewer = grown.replaced({1: b"B" * 3}, 2)   # the last one removed, another edited
    column = TextColumn.saved(path, fewer.save(path))
    assert len(column) == 2 and [column[n] for n in range(2)] == [b"a" * 10, b"B" * 3]


def test_a_file_grown_past_twice_its_texts_is_written_anew(tmp_path, monkeypatch):
    monkeypatch.setattr(search_texts, "REWRITE_FROM", 2)
    path = tmp_path / "texts.bin"
    column = TextColumn.saved(path, TextColumn.of([b"x" * 1000] * 4).save(path))
    token = column.token
    for n in range(2000):
        column = TextColumn.saved(path, column.replaced({n % 4: bytes([65 + n % 26]) * 1000}, 4).save(path))
        if column.token != token:
            break
    assert column.token != token, "the file was never written anew"
    assert path.stat().st_size == 16 + 4000
    last = [n - (n - k) % 4 for k in range(4)]   # the last edit of each text
    assert [column[k] for k in range(4)] == [bytes([65 + m % 26]) * 1000 for m in last]


def digest(files) -> str:
    h = hashlib.sha256()
    for name, path in files:
        h.update(name.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    return h.hexdigest()


def test_updates_through_the_store_read_and_write_only_the_edited_texts(tmp_path, monkeypatch):
    from gongkai import search_store
    from gongkai.search_update import index_with_state
    docs = generate_docs(60, SEEDS, seed=5)
    cache = tmp_path / "cache"
    store = IndexStore(cache)
    current = docs

    def write(out, previous):
        return index_with_state(current, out, cache_dir=cache, previous=previous)[1]

    store.build(fingerprint(current, DEFAULT_USER_DICT), write)
    state = pickle.loads(store.update_state.read_bytes())
    assert not isinstance(state["texts"], list) and store.update_state.stat().st_size < 60_000
    read = []
    getitem = TextColumn.__getitem__
    monkeypatch.setattr(TextColumn, "__getitem__", lambda self, n: read.append(n) or getitem(self, n))
    for n in (7, 7, 30):
        size = store.texts.stat().st_size
        current = [dataclasses.replace(d, text=d.text + f"补充第{k}句。") if k == n else d for k, d in enumerate(current)]
        read.clear()
        files = store.build(fingerprint(current, DEFAULT_USER_DICT), write)
        assert len(read) == 1, "texts other than the edited one's were read"
        assert size < store.texts.stat().st_size < size + 5_000
        build_search_index(current, tmp_path / f"clean-{n}", cache_dir=None)
        assert digest(files) == digest(search_store.list_files(tmp_path / f"clean-{n}"))


def test_publishing_then_withdrawing_through_the_store_updates_and_equals_a_full_build(tmp_path, monkeypatch):
    from gongkai import search_index, search_store, search_update
    from gongkai.search_update import index_with_state
    for module in (search_index, search_update):   # one n-gram shard: its count does not step (a small index's does)
        monkeypatch.setattr(module, "NGRAM_SHARD_BYTES", 10_000_000)
    docs = generate_docs(60, SEEDS, seed=5)
    cache = tmp_path / "cache"
    store = IndexStore(cache)
    stats = []

    def write(out, previous):
        done = index_with_state(current, out, cache_dir=cache, previous=previous)
        stats.append(done[0])
        return done[1]

    newest = dataclasses.replace(docs[0], url="xxgk/newest/", published="2099-01-01", title="新发布的一条")
    for step, current in enumerate([docs, docs + [newest], docs[:20] + docs[21:] + [newest], docs[:20] + docs[21:]]):
        files = store.build(fingerprint(current, DEFAULT_USER_DICT), write)
        build_search_index(current, tmp_path / f"clean-{step}", cache_dir=None)
        assert digest(files) == digest(search_store.list_files(tmp_path / f"clean-{step}"))
    assert ["updated" in s for s in stats] == [False, True, True, True]
