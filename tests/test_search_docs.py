"""The search documents of a portal: bodies converted by forked workers equal a serial run, and a body saved
after the checks stops the build there too."""
from __future__ import annotations

import dataclasses

import pytest

from gongkai import search_documents, search_site
from gongkai.checks import run_checks
from gongkai.config import load_config
from gongkai.disk_cache import key_of
from gongkai.portal import CHECKED_BODIES, BodyChanged
from gongkai.synthetic import AS_OF, CorpusSpec, generate
from gongkai.urls import Linker


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    generate(root, CorpusSpec(entries=60, seed=4))
    portal, _findings = run_checks(load_config(root), AS_OF)
    assert len(portal.extra[CHECKED_BODIES]) > 20
    return portal


def edit(monkeypatch, portal, entry, **changes) -> None:
    """Change an entry's fields as a reload of its edited file would: entries are not changed after loading,
    so what is worked out from them once (shown_key, the portal's public_entries_key) is worked out again."""
    for name, value in changes.items():
        monkeypatch.setattr(entry, name, value)
    monkeypatch.delitem(entry.__dict__, "shown_key", raising=False)
    monkeypatch.delitem(portal.__dict__, "public_entries_key", raising=False)


def fields_of(doc) -> list:
    """Every field of a document (a lazily made one compares unequal to a SearchDoc as a dataclass)."""
    return [getattr(doc, f.name) for f in dataclasses.fields(doc)]


def docs_of(portal, monkeypatch, parallel_from: int):
    monkeypatch.setattr(search_documents, "PARALLEL_FROM", parallel_from)
    monkeypatch.setenv("GONGKAI_CACHE", "0")
    portal.extra.pop("body_text", None)   # read bodies afresh
    return search_documents.search_docs(portal, Linker(True))


def test_workers_convert_bodies_as_a_serial_run_does(portal, monkeypatch):
    monkeypatch.setenv("GONGKAI_JOBS", "2")
    serial = docs_of(portal, monkeypatch, 10**9)
    assert "body_text" in portal.extra   # the serial run read the bodies in this process
    forked = docs_of(portal, monkeypatch, 1)
    assert "body_text" not in portal.extra or not portal.extra["body_text"]   # the workers did
    assert forked == serial and any(d.text for d in serial)


def test_a_body_changed_after_the_checks_stops_a_worker(portal, monkeypatch):
    monkeypatch.setenv("GONGKAI_JOBS", "2")
    checked = portal.extra[CHECKED_BODIES]
    body = [e.body for e in portal.public_entries if e.body in checked][-1]
    monkeypatch.setitem(checked, body, key_of(b"other bytes"))
    with pytest.raises(BodyChanged) as raised:
        docs_of(portal, monkeypatch, 1)
    assert raised.value.body == body


def test_an_edit_keeps_the_keys_of_the_index_files_it_did_not_rewrite(portal, monkeypatch, tmp_path):
    """The stored index files reach the site by key: an edit rewrites a few of them in the store, and only
    those may get new keys (the output tree then reads and writes only those)."""
    monkeypatch.setenv("GONGKAI_CACHE", "1")
    monkeypatch.setenv(search_site.CACHE_ENV, str(tmp_path / "cache"))
    portal.extra.pop("body_text", None)

    def keys():
        return {name: data.key for name, data in search_site.search_files(portal, Linker(True))}

    first = keys()
    assert keys() == first
    entry = portal.public_entries[len(portal.public_entries) // 2]
    edit(monkeypatch, portal, entry, title=entry.title + "（修订）")
    edited = keys()
    assert edited.keys() == first.keys()
    moved = {name for name in first if edited[name] != first[name]}
    assert "search/manifest.js" in moved and len(moved) < len(first) / 2, (len(moved), len(first))


def test_keys_come_from_what_a_document_is_made_of_and_only_changed_texts_are_made(portal, monkeypatch, tmp_path):
    monkeypatch.setenv("GONGKAI_CACHE", "1")
    monkeypatch.setattr(portal.config, "root", tmp_path)   # the key cache goes under tmp_path/.cache
    linker = Linker(True)
    eager = search_documents.search_docs(portal, linker)
    first = search_documents.SearchDocuments.of(portal, linker)
    first.fill_keys()
    assert all(d.text_made for d in first.docs)           # nothing cached yet: every text made, to key it
    assert [fields_of(d) for d in first.docs] == [fields_of(d) for d in eager]
    assert first.keys == {d.url: search_documents.doc_key(d) for d in eager}
    again = search_documents.SearchDocuments.of(portal, linker)
    again.fill_keys()
    assert again.keys == first.keys and not any(d.text_made for d in again.docs)
    entry = portal.public_entries[3]
    edit(monkeypatch, portal, entry, summary=(entry.summary or "") + "（补充）")
    edited = search_documents.SearchDocuments.of(portal, linker)
    edited.fill_keys()
    assert [n for n, d in enumerate(edited.docs) if d.text_made] == [3]
    now = search_documents.search_docs(portal, linker)[3]
    assert edited.docs[3].text == now.text and edited.keys[now.url] == search_documents.doc_key(now)


def test_replacing_a_few_documents_keeps_the_plain_text_cache(portal, monkeypatch, tmp_path):
    monkeypatch.setenv("GONGKAI_CACHE", "1")
    monkeypatch.setattr(portal.config, "root", tmp_path)
    linker = Linker(True)
    documents = search_documents.SearchDocuments.of(portal, linker)
    documents.make_texts()                       # every text, through the plain-text cache
    cached = search_documents.DiskCache.for_root(tmp_path, "plain-text",
                                                  code_version=search_documents._PLAIN_TEXT_CODE).old
    assert len(cached) > 20
    documents.replace([2])
    after = search_documents.DiskCache.for_root(tmp_path, "plain-text",
                                                 code_version=search_documents._PLAIN_TEXT_CODE).old
    assert after.keys() == cached.keys()
    assert documents.docs[2].text == search_documents.search_docs(portal, linker)[2].text
    documents.fill_keys()                        # every document keyed: 10,000 inputs are not keyed again
    monkeypatch.setattr(search_documents.DiskCache, "for_root", lambda *a, **k: pytest.fail("looked again"))
    documents.replace([3])
    documents.fill_keys()
    assert documents.keys[documents.docs[3].url] == search_documents.doc_key(documents.docs[3])


def test_the_documents_fields_are_kept_by_what_they_are_made_from(portal, monkeypatch, tmp_path):
    """A rebuild whose entries and columns are unchanged (an edit of bodies) takes every document's fields
    from one file; an edited entry, a column's new title or the other URL style makes them again, right."""
    monkeypatch.setenv("GONGKAI_CACHE", "1")
    monkeypatch.setattr(portal.config, "root", tmp_path)
    linker = Linker(True)
    made = [fields_of(d) for d in search_documents.SearchDocuments.of(portal, linker).docs]
    assert made == [fields_of(d) for d in search_documents.search_docs(portal, linker)]
    real_fields = search_documents._fields
    monkeypatch.setattr(search_documents, "_fields", lambda *a: pytest.fail("fields made again"))
    assert [fields_of(d) for d in search_documents.SearchDocuments.of(portal, linker).docs] == made
    monkeypatch.setattr(search_documents, "_fields", real_fields)

    entry = portal.public_entries[5]
    edit(monkeypatch, portal, entry, title=entry.title + "（修订）")
    column = next(iter(portal.columns.values()))
    monkeypatch.setattr(column, "title", column.title + "（新）")
    for directory_urls in (True, False):
        linker = Linker(directory_urls)
        docs = search_documents.SearchDocuments.of(portal, linker).docs
        assert [fields_of(d) for d in docs] == [fields_of(d) for d in search_documents.search_docs(portal, linker)]
    assert docs[5].title.endswith("（修订）") and docs[5].url.endswith(".html")
    assert any(title.endswith("（新）") for d in docs for _cid, title in d.columns)


def test_a_document_made_from_its_stored_row_is_the_one_its_constructor_makes():
    from gongkai.search_documents import _FIELD_NAMES, LazyTextDoc
    row = ("xxgk/a/", "标题", "示政〔2024〕1号", "示例市人民政府", "2024-01-01", "notice", "", [("tzgg", "通知公告")])
    made = LazyTextDoc.of_row("portal", "entry", row)
    assert vars(made) == vars(LazyTextDoc("portal", "entry", **dict(zip(_FIELD_NAMES, row))))
    assert list(vars(made)) == list(vars(LazyTextDoc("portal", "entry", **dict(zip(_FIELD_NAMES, row)))))
    assert not made.text_made and made.columns == [("tzgg", "通知公告")]
