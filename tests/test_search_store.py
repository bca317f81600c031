"""The stored search index is reused only while its documents are unchanged, and never when damaged."""
import dataclasses
import hashlib
from pathlib import Path

import pytest

from gongkai import search_store
from gongkai.search_corpus import generate_docs
from gongkai.search_index import build_search_index
from gongkai.search_segment import DEFAULT_USER_DICT
from gongkai.search_store import IndexStore, fingerprint

from seeds import SEEDS  # noqa: E402


def digest(files) -> str:
    h = hashlib.sha256()
    for name, path in files:
        h.update(name.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    return h.hexdigest()


@pytest.fixture
def docs():
    return generate_docs(40, SEEDS, seed=3)


class CountingBuilder:
    def __init__(self, docs, cache):
        self.docs, self.cache, self.calls = docs, cache, 0

    def __call__(self, out: Path, previous):
        self.calls += 1
        state: dict = {}
        build_search_index(self.docs, out, cache_dir=self.cache, state=state)
        return state


def build(store: IndexStore, docs, cache) -> tuple[list, int]:
    key = fingerprint(docs, DEFAULT_USER_DICT)
    files = store.files_for(key)
    builder = CountingBuilder(docs, cache)
    if files is None:
        files = store.build(key, builder)
    return files, builder.calls


def test_unchanged_documents_reuse_the_stored_index(tmp_path, docs):
    store = IndexStore(tmp_path / "cache")
    first, calls = build(store, docs, tmp_path / "cache")
    assert calls == 1
    again, calls = build(store, [dataclasses.replace(d) for d in docs], tmp_path / "cache")
    assert calls == 0
    assert digest(again) == digest(first)
    build_search_index(docs, tmp_path / "clean", cache_dir=None)
    assert digest(again) == digest(search_store.list_files(tmp_path / "clean"))


@pytest.mark.parametrize("change", ["text", "title", "columns", "validity", "removed", "added"])
def test_any_change_to_the_documents_rebuilds(tmp_path, docs, change):
    store = IndexStore(tmp_path / "cache")
    build(store, docs, tmp_path / "cache")
    edited = list(docs)
    if change == "removed":
        edited.pop(5)
    elif change == "added":
        edited.append(dataclasses.replace(docs[0], url="xxgk/new/"))
    else:
        value = {"text": docs[5].text + "补充一句。", "title": docs[5].title + "（修订）",
                 "columns": [("new", "新专栏")],
                 "validity": "expired" if docs[5].validity == "abolished" else "abolished"}[change]
        edited[5] = dataclasses.replace(docs[5], **{change: value})
    files, calls = build(store, edited, tmp_path / "cache")
    assert calls == 1
    build_search_index(edited, tmp_path / "clean", cache_dir=None)
    assert digest(files) == digest(search_store.list_files(tmp_path / "clean"))


def test_a_damaged_store_is_rebuilt(tmp_path, docs):
    store = IndexStore(tmp_path / "cache")
    files, _ = build(store, docs, tmp_path / "cache")
    Path(files[0][1]).write_bytes(b"x")
    assert build(store, docs, tmp_path / "cache")[1] == 1
    files, _ = build(store, docs, tmp_path / "cache")
    Path(files[-1][1]).unlink()
    assert build(store, docs, tmp_path / "cache")[1] == 1


def test_a_build_cut_short_leaves_no_record(tmp_path, docs):
    store = IndexStore(tmp_path / "cache")
    build(store, docs, tmp_path / "cache")

    def fails(out, previous):
        (out / "g" / "0.js").write_text("half written")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.build("other", fails)
    assert store.files_for(fingerprint(docs, DEFAULT_USER_DICT)) is None and store.previous() is None
    files, calls = build(store, docs, tmp_path / "cache")
    assert calls == 1
    build_search_index(docs, tmp_path / "clean", cache_dir=None)
    assert digest(files) == digest(search_store.list_files(tmp_path / "clean"))


def test_an_update_state_from_other_code_is_not_used(tmp_path, docs, monkeypatch):
    store = IndexStore(tmp_path / "cache")
    build(store, docs, tmp_path / "cache")
    assert store.previous() is not None
    monkeypatch.setattr(search_store, "_code_fingerprint", lambda: b"other code")
    assert store.previous() is None


def test_an_update_in_place_publishes_only_the_index_files(tmp_path, docs, monkeypatch):
    # An update that keeps every file name does not walk the index for files to remove (search_index.write_files),
    # nor does the store list its directory: a file that is not the index's still never reaches the site.
    from gongkai.search_update import index_with_state
    cache = tmp_path / "cache"
    store = IndexStore(cache)

    def write(out, previous):
        return index_with_state(edited, out, cache_dir=cache, previous=previous)[1]

    edited = docs
    store.build(fingerprint(docs, DEFAULT_USER_DICT), write)
    (store.dir / "t" / "0" / "stray.js").write_text("not the index's", encoding="utf-8")
    edited = [dataclasses.replace(d, text=d.text + "补充一句。") if n == 5 else d for n, d in enumerate(docs)]
    monkeypatch.setattr(search_store, "list_files", lambda root: pytest.fail("the store's directory was listed"))
    files = store.build(fingerprint(edited, DEFAULT_USER_DICT), write)
    monkeypatch.undo()
    assert not any(name.endswith("stray.js") for name, _ in files)
    assert store.files_for(fingerprint(edited, DEFAULT_USER_DICT)) == files   # and the record names it not
    build_search_index(edited, tmp_path / "clean", cache_dir=None)
    assert digest(files) == digest(search_store.list_files(tmp_path / "clean"))


def test_known_document_keys_are_used_and_only_the_others_hashed(docs, monkeypatch):
    """A build passes the keys it kept by what each document is made from (search_documents.py): the edited
    document, whose key it dropped, is the only one hashed, and the fingerprint is a fresh one's."""
    plain = fingerprint(docs, DEFAULT_USER_DICT)
    calls = []
    real = search_store.doc_key
    monkeypatch.setattr(search_store, "doc_key", lambda d: calls.append(d.url) or real(d))
    keys: dict = {}
    assert fingerprint(docs, DEFAULT_USER_DICT, keys) == plain and len(calls) == len(docs)
    calls.clear()
    edited = [dataclasses.replace(d, text=d.text + "改") if n == 4 else dataclasses.replace(d)
              for n, d in enumerate(docs)]
    del keys[docs[4].url]
    assert fingerprint(edited, DEFAULT_USER_DICT, keys) != plain
    assert calls == [docs[4].url]                        # only the edited document is hashed again
    fresh: dict = {}
    assert fingerprint(edited, DEFAULT_USER_DICT, fresh) == fingerprint(edited, DEFAULT_USER_DICT, keys)
    assert keys == fresh


def test_the_code_fingerprint_reads_every_index_module_and_loads_no_numpy():
    """Every module that shapes the index or its update state is in the fingerprint, read from its file:
    asking the lazily loaded numpy modules for theirs would load numpy on every build."""
    import subprocess
    import sys
    package = Path(search_store.__file__).parent
    assert all((package / f"{name}.py").is_file() for name in search_store._CODE_MODULES)
    probe = "import sys; from gongkai import search_store; search_store._code_fingerprint(); print('numpy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True).stdout.split() == ["False"]
