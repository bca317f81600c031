"""Updating the previous index after edits writes exactly the bytes of a full build of the edited documents,
and declines (so the caller builds in full) when document numbers or vocabularies would change."""
import dataclasses
import hashlib
import random
from pathlib import Path

import pytest

from gongkai.search_corpus import generate_docs
from gongkai.search_index import NGRAM_SHARD_BYTES, IndexPlan, build_search_index
from gongkai.search_update import update_search_index

from seeds import SEEDS  # noqa: E402


def digest(out: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        h.update(path.relative_to(out).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@pytest.fixture(scope="module")
def corpus():
    docs = generate_docs(160, SEEDS, seed=21)
    # a few documents that pin the edge cases: empty body, empty title, no 文号
    docs[3] = dataclasses.replace(docs[3], text="")
    docs[4] = dataclasses.replace(docs[4], doc_no="")
    return docs


def full(docs, out: Path, cache: Path | None = None) -> dict:
    state: dict = {}
    build_search_index(docs, out, cache_dir=cache, state=state)
    return state


def edit(docs, n, **changes):
    docs = list(docs)
    docs[n] = dataclasses.replace(docs[n], **changes)
    return docs


def check_update(tmp_path, before, after, jobs="2", monkeypatch=None) -> dict:
    cache = tmp_path / "cache"
    state = full(before, tmp_path / "old", cache)
    done = update_search_index(after, tmp_path / "old", state, tmp_path / "new", cache_dir=cache)
    assert done is not None, "the update declined"
    clean = full(after, tmp_path / "clean")
    assert digest(tmp_path / "new") == digest(tmp_path / "clean")
    # what the update knows of who ranks next after each capped list is what a full build knows
    assert done[1]["next_in_line"].items() <= clean["next_in_line"].items()
    return done[1]


EDITS = {
    "append a sentence": lambda d: edit(d, 7, text=d[7].text + "本条为新增的一句话，涉及营商环境。"),
    "rewrite a body": lambda d: edit(d, 8, text=d[20].text),
    "empty a body": lambda d: edit(d, 9, text=""),
    "fill an empty body": lambda d: edit(d, 3, text="全新的正文，政务公开。"),
    "retitle": lambda d: edit(d, 10, title=d[10].title + "（修订稿）"),
    "new 文号": lambda d: edit(d, 4, doc_no="示府发〔2026〕77号"),
    "validity": lambda d: edit(d, 11, validity="abolished" if d[11].validity != "abolished" else "expired"),
    "kind": lambda d: edit(d, 12, kind="report" if d[12].kind != "report" else "notice"),
    "publisher (existing)": lambda d: edit(d, 13, publisher=next(x.publisher for x in d if x.publisher != d[13].publisher)),
    "two documents": lambda d: edit(edit(d, 1, text=d[1].text + "甲乙丙丁。"), 150, title="关于开展新一轮调查的通知"),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_update_equals_full_build(tmp_path, corpus, name, monkeypatch):
    monkeypatch.setenv("GONGKAI_JOBS", "2")
    check_update(tmp_path, corpus, EDITS[name](corpus))


def successive_updates(tmp_path, docs, edits: list[str]) -> dict:
    """Update after each edit in turn: each update equals a full build, and knows who ranks next after each
    capped list as a full build does. Returns the first full build's state."""
    cache = tmp_path / "cache"
    state = first = full(docs, tmp_path / "v0", cache)
    for step, name in enumerate(edits, start=1):
        docs = EDITS[name](docs)
        done = update_search_index(docs, tmp_path / f"v{step - 1}", state, tmp_path / f"v{step}", cache_dir=cache)
        assert done is not None, name
        state = done[1]
        clean = full(docs, tmp_path / f"clean{step}")
        assert digest(tmp_path / f"v{step}") == digest(tmp_path / f"clean{step}"), name
        assert state["next_in_line"].items() <= clean["next_in_line"].items(), name
    return first


def test_successive_updates_stay_exact(tmp_path, corpus):
    successive_updates(tmp_path, corpus, ["append a sentence", "retitle", "rewrite a body", "validity"])


def test_unchanged_documents_update_nothing(tmp_path, corpus):
    cache = tmp_path / "cache"
    state = full(corpus, tmp_path / "old", cache)
    stats, _ = update_search_index(corpus, tmp_path / "old", state, tmp_path / "new", cache_dir=cache)
    assert stats["updated"] == 0
    assert digest(tmp_path / "new") == digest(tmp_path / "old")


@pytest.mark.parametrize("change", ["new publisher", "new column"])
def test_update_declines_when_vocabularies_change(tmp_path, corpus, change):
    cache = tmp_path / "cache"
    state = full(corpus, tmp_path / "old", cache)
    if change == "new publisher":
        after = edit(corpus, 30, publisher="新设立的示例市数据局")
    else:
        after = edit(corpus, 30, columns=[("brand-new", "全新专栏")])
    assert update_search_index(after, tmp_path / "old", state, tmp_path / "new", cache_dir=cache) is None


MOVES = {
    # numbered oldest first: a document published on a day among the others' moves every later one up by one
    "published among the others": lambda d: d + [dataclasses.replace(IndexPlan.of(d).docs[-20], url="xxgk/added/",
                                                                     title="补发的公告", text="补发的公告正文，政务公开。")],
    "new date moves it": lambda d: edit(d, d.index(IndexPlan.of(d).docs[-30]), published="2099-01-01"),
    # on one date, by URL: a second document of the newest day may come before the first
    "second of the newest day": lambda d: d + [newest(d, 0, "当日第一条", "第一条的正文。"),
                                               newest(d, 1, "当日第二条", "第二条的正文，一网通办。")],
}


@pytest.mark.parametrize("name", list(MOVES))
def test_documents_that_move_update_as_edits_of_their_numbers(tmp_path, corpus, name):
    """A number whose document changed is updated as an edit, whatever moved another document there."""
    before = corpus if name != "second of the newest day" else MOVES[name](corpus)[:-1]
    after = MOVES[name](corpus)
    moved = sum(a.url != b.url for a, b in zip(IndexPlan.of(before).docs, IndexPlan.of(after).docs))
    assert moved > 0
    state = check_update(tmp_path, before, after)
    assert state["urls"] == [d.url for d in IndexPlan.of(after).docs]


def without(docs, *numbers):
    """docs without the documents the index numbers so (oldest first)."""
    gone = {IndexPlan.of(docs).docs[n].url for n in numbers}
    return [d for d in docs if d.url not in gone]


REMOVALS = {
    "the newest": lambda d: without(d, -1),
    "one among the others": lambda d: without(d, -12),
    "two": lambda d: without(d, -3, -20),
    "the newest, bitmaps shrink": lambda d: without(d[:157], -1),   # 157 -> 156: a bitmap character fewer
    "one, another published": lambda d: without(d, -7) + [newest(d, 2, "新发布的一条", "新内容，政务公开。")],
}


@pytest.mark.parametrize("name", list(REMOVALS))
def test_removed_documents_update_as_edits_of_the_numbers_after_them(tmp_path, corpus, name, monkeypatch):
    """A document removed (or unpublished) moves each later one down by one: those numbers are updated as
    edits, and the numbers past the new count hold nothing; the result is a full build's."""
    monkeypatch.setenv("GONGKAI_JOBS", "2")
    before = corpus[:157] if "shrink" in name else corpus
    after = REMOVALS[name](corpus)
    state = check_update(tmp_path, before, after)
    assert state["urls"] == [d.url for d in IndexPlan.of(after).docs]
    assert all(len(state[field]) == len(after) for field in ("doc_keys", "segment_keys", "facets", "texts"))
    assert all(len(column) == len(after) for column in state["lengths"])
    # and the updated state serves the next edit
    again = edit(after, 5, text=after[5].text + "再次修改。")
    done = update_search_index(again, tmp_path / "new", state, tmp_path / "newer", cache_dir=tmp_path / "cache")
    assert done is not None
    full(again, tmp_path / "clean-again")
    assert digest(tmp_path / "newer") == digest(tmp_path / "clean-again")


@pytest.mark.parametrize("name", ["published among the others", "second of the newest day", "one among the others",
                                  "one, another published"])
def test_moves_and_removals_equal_a_full_build_when_word_postings_are_capped(tmp_path, corpus, name, monkeypatch):
    """Capped at 12 documents a word, a moved or removed document changes common words' best lists and who
    ranks next after them (next_in_line): still a full build's, and so is the next edit's update."""
    from gongkai import search_index, search_update
    monkeypatch.setattr(search_index, "WORD_POSTING_CAP", 12)
    monkeypatch.setattr(search_update, "WORD_POSTING_CAP", 12)
    changes = {**MOVES, **REMOVALS}
    before = MOVES[name](corpus)[:-1] if name == "second of the newest day" else corpus
    after = changes[name](corpus)
    state = check_update(tmp_path, before, after)
    assert state["next_in_line"]
    again = EDITS["two documents"](after)
    done = update_search_index(again, tmp_path / "new", state, tmp_path / "newer", cache_dir=tmp_path / "cache")
    assert done is not None
    clean = full(again, tmp_path / "clean-again")
    assert digest(tmp_path / "newer") == digest(tmp_path / "clean-again")
    assert done[1]["next_in_line"].items() <= clean["next_in_line"].items()


@pytest.mark.parametrize("batch", [13, 40])
def test_a_batch_published_or_withdrawn_at_once_updates_as_a_full_build(tmp_path, corpus, batch, monkeypatch):
    """Publishing many documents in one push grows the bitmaps by several characters; withdrawing them all
    shrinks them again, and empties the postings only they were in (their date's)."""
    from gongkai import search_index, search_update
    for module in (search_index, search_update):   # one n-gram shard: its count does not step (a small index's does)
        monkeypatch.setattr(module, "NGRAM_SHARD_BYTES", 10_000_000)
    news = [newest(corpus, n, f"批量发布的第{n}条", corpus[n].text[:200], day="2099-02-01") for n in range(batch)]
    for name, before, after in (("published", corpus, corpus + news), ("withdrawn", corpus + news, corpus)):
        cache = tmp_path / name / "cache"
        state = full(before, tmp_path / name / "old", cache)
        done = update_search_index(after, tmp_path / name / "old", state, tmp_path / name / "new", cache_dir=cache)
        assert done is not None, name
        full(after, tmp_path / name / "clean")
        assert digest(tmp_path / name / "new") == digest(tmp_path / name / "clean"), name


def test_a_shrunk_part_patched_is_what_encoding_at_the_new_total_gives():
    from gongkai.search_index import encode_postings
    from gongkai.search_update import _patch_one, _shrunk
    rnd = random.Random(4)
    for total in (6, 12, 60, 600):
        for fewer in (1, 13):   # one document removed, or thirteen at once
            for _ in range(40):
                ids = sorted(rnd.sample(range(total + fewer), rnd.randint(1, total + fewer)))
                shrunk = _shrunk(encode_postings(ids, total + fewer), total)
                kept = [n for n in ids if n < total]
                gone = {n: False for n in range(total, total + fewer)}
                assert _patch_one(shrunk, gone, total) == (encode_postings(kept, total) if kept else "")
    assert _shrunk(encode_postings(list(range(60, 73)), 73), 60) == ""   # only documents past the count


def test_an_update_declines_when_too_many_numbers_change(tmp_path, corpus, monkeypatch):
    from gongkai import search_update
    monkeypatch.setattr(search_update, "UPDATED_AT_MOST", 20)
    cache = tmp_path / "cache"
    state = full(corpus, tmp_path / "old", cache)
    after = edit(corpus, 30, published="1999-01-01")   # moves every document older than it
    assert update_search_index(after, tmp_path / "old", state, tmp_path / "new", cache_dir=cache) is None
    assert update_search_index(EDITS["two documents"](corpus), tmp_path / "old", state, tmp_path / "new2",
                               cache_dir=cache) is not None


def test_update_declines_without_the_segmentation_cache(tmp_path, corpus):
    state = full(corpus, tmp_path / "old", tmp_path / "cache")
    after = EDITS["retitle"](corpus)
    assert update_search_index(after, tmp_path / "old", state, tmp_path / "new", cache_dir=tmp_path / "empty") is None


@pytest.mark.parametrize("name", ["rewrite a body", "empty a body", "two documents"])
def test_update_equals_full_build_when_word_postings_are_capped(tmp_path, corpus, name, monkeypatch):
    # With a cap of 12 documents per word, common words keep only their best 12: an edit can push a
    # document into or out of them, which the update must find by scanning every document.
    from gongkai import search_index, search_update
    monkeypatch.setattr(search_index, "WORD_POSTING_CAP", 12)
    monkeypatch.setattr(search_update, "WORD_POSTING_CAP", 12)
    check_update(tmp_path, corpus, EDITS[name](corpus))


def test_weighted_pairs_decode_what_encode_wrote():
    import random
    from gongkai.search_index import encode_weighted
    from gongkai.search_update import decode_weighted, decode_weighted_pairs
    rng = random.Random(7)
    for _ in range(500):
        docs = sorted(rng.sample(range(300_000), rng.randint(0, 40)))
        pairs = [(d, rng.randint(0, 63)) for d in docs]
        assert decode_weighted_pairs(encode_weighted(pairs)) == pairs
        assert decode_weighted(encode_weighted(pairs)) == docs


def test_capped_update_equals_ranking_every_listed_document():
    """_capped_update scores only the tail of a capped word's list; on random small corpora full of ties it
    answers what ranking every listed document again answers (the rule it replaced)."""
    import random
    from gongkai import search_build_words
    from gongkai.search_index import encode_weighted
    from gongkai.search_update import _capped_update
    rng = random.Random(5)
    answered = 0
    for _trial in range(3000):
        total, cap = rng.randint(3, 40), rng.randint(1, 12)
        tfs = [rng.choice([0, 1, 1, 1, 2, 3]) for _ in range(total)]
        lengths = [rng.choice([20, 20, 21, 40, 80]) for _ in range(total)]
        if sum(1 for t in tfs if t) <= cap:
            continue
        def job_of(tfs, lengths):
            bodies = [dict({"w": t} if t else {}, pad=n - t) for t, n in zip(tfs, lengths)]
            return search_build_words.scoring_job([{} for _ in tfs], bodies, total, k1=1.2, b=0.75, boost=3.0,
                                                  cap=cap, encode=encode_weighted)
        old = job_of(tfs, lengths)
        holders = [n for n, t in enumerate(tfs) if t]
        listed = sorted(search_build_words.score("w", n, old) for n in holders)[:cap]
        listed_pairs = sorted((n, search_build_words.weight(neg)) for neg, n in listed)
        edited = rng.sample(holders, rng.choice([1, 1, 2]))
        new_tfs, new_lengths = list(tfs), list(lengths)
        for n in edited:
            new_tfs[n] = rng.choice([1, 2, 3, 5])
            new_lengths[n] = lengths[n] + rng.choice([0, 1, 7])
        new = job_of(new_tfs, new_lengths)
        if new["averages"] != old["averages"]:
            continue
        unchanged_pairs = [p for p in listed_pairs if p[0] not in edited]
        unchanged = [search_build_words.score("w", n, new) for n, _ in unchanged_pairs]
        best = sorted(unchanged + [search_build_words.score("w", n, new) for n in edited])[:cap]
        expected = (sorted((n, search_build_words.weight(neg)) for neg, n in best)
                    if unchanged and len(best) == cap and best[-1] <= max(unchanged) else None)
        scored = [search_build_words.score("w", n, new) for n in edited]
        assert _capped_update("w", unchanged_pairs, scored, new) == expected
        answered += expected is not None
    assert answered > 300


def newest(docs, n, title, text, day="2099-01-01"):
    return dataclasses.replace(docs[n], url=f"xxgk/new-{n}/", title=title, text=text, published=day, doc_no="")


@pytest.mark.parametrize("added", [1, 2])
def test_publishing_new_documents_updates_and_equals_a_full_build(tmp_path, corpus, added, monkeypatch):
    """New documents are numbered after the others (oldest first): the update appends them, scores every
    word again (here the document count steps on its ladder, so every idf moved) and patches the n-grams, and
    writes what a full build writes."""
    monkeypatch.setenv("GONGKAI_JOBS", "2")
    base = corpus[:162 - 6 - added]   # so that adding stays within the bitmaps' character count
    assert (len(base) + added + 5) // 6 == (len(base) + 5) // 6
    after = base + [newest(corpus, 0, "关于新设立政务服务驿站的公告", "全新的驿站位于示例市中心，提供政务公开查阅服务。"),
                    newest(corpus, 1, "新发布的第二条", "第二条新内容，全面推行一网通办。", day="2099-01-02")][:added]
    state = check_update(tmp_path, base, after)
    assert len(state["urls"]) == len(base) + added and len(state["texts"]) == len(state["urls"])
    # and the updated state serves the next edit
    again = edit(after, len(after) - 1, text="改写后的新内容。")
    done = update_search_index(again, tmp_path / "new", state, tmp_path / "newer", cache_dir=tmp_path / "cache")
    assert done is not None
    full(again, tmp_path / "clean-again")
    assert digest(tmp_path / "newer") == digest(tmp_path / "clean-again")


@pytest.mark.parametrize("base_size", [156, 150])
def test_publishing_when_bitmaps_grow_rewrites_every_bitmap_as_a_full_build(tmp_path, corpus, base_size, monkeypatch):
    """156 -> 157 documents: a bitmap's character holds six documents, so every bitmap posting takes one more
    (and one that holds few documents may now be shorter listed): the update rewrites the n-gram shards."""
    from gongkai import search_update
    regrown = []
    real = search_update._rejudged_shards
    monkeypatch.setattr(search_update, "_rejudged_shards", lambda *a: regrown.append(1) or real(*a))
    base = corpus[:base_size]
    after = base + [newest(corpus, 0, "新公告", "新内容。")]
    check_update(tmp_path, base, after)
    assert regrown == ([1] if base_size % 6 == 0 else [])


def test_a_regrown_bitmap_is_what_encoding_at_the_new_total_gives():
    from gongkai.search_index import encode_postings
    from gongkai.search_update import _regrown
    for total in (6, 12, 60, 600):
        for ids in ([0], list(range(0, total, 2)), list(range(total // 2, total)), list(range(total)),
                    [1, 3, total - 1]):
            encoded = encode_postings(ids, total)
            for more in (1, 13):   # one document more, or a push of thirteen
                assert _regrown(encoded, total + more) == encode_postings(ids, total + more), (total, more, ids)


def test_the_document_next_in_line_settles_capped_words_over_successive_edits(tmp_path, corpus, monkeypatch):
    # An edit mostly leaves a common word's best documents as they were: when every edited holder ranks above
    # the best document left out (kept in the state), nothing else is scored. Each update must still equal a
    # full build, and keep next_in_line as a full build has it.
    from gongkai import search_index, search_update
    monkeypatch.setattr(search_index, "WORD_POSTING_CAP", 12)
    monkeypatch.setattr(search_update, "WORD_POSTING_CAP", 12)
    settled = []
    above_next = search_update._above_next
    monkeypatch.setattr(search_update, "_above_next", lambda *a: settled.append(above_next(*a)) or settled[-1])
    first = successive_updates(tmp_path, corpus, ["append a sentence", "retitle", "append a sentence", "two documents"])
    assert first["next_in_line"]
    assert sum(found is not None for found in settled) >= 10


def test_an_update_whose_texts_are_all_cached_loads_no_dictionary(tmp_path, corpus):
    from gongkai import search_segment
    cache = tmp_path / "cache"
    state = full(corpus, tmp_path / "old", cache)
    search_segment._SEGMENTERS.clear()              # as a new process: no engine loaded yet
    done = update_search_index(EDITS["validity"](corpus), tmp_path / "old", state, tmp_path / "new", cache_dir=cache)
    assert done is not None
    assert all(s._tok is None for s in search_segment._SEGMENTERS.values())
    done = update_search_index(EDITS["retitle"](corpus), tmp_path / "new", done[1], tmp_path / "newer", cache_dir=cache)
    assert done is not None and any(s._tok is not None for s in search_segment._SEGMENTERS.values())


def test_publishing_within_a_step_of_the_document_count_scores_only_the_new_words(tmp_path, corpus, monkeypatch):
    """Mostly the document count stays on its ladder step (search_build_words.quantised_count): then a new
    document moves only its own words' idf, and the update re-scores those alone, as for an edit."""
    from gongkai import search_build_words
    base = corpus[:152]
    assert search_build_words.quantised_count(152) == search_build_words.quantised_count(153)
    after = base + [newest(corpus, 0, "关于新设立政务服务驿站的公告", "全新的驿站位于示例市中心，提供政务公开查阅服务。")]
    cache = tmp_path / "cache"
    state = full(base, tmp_path / "old", cache)

    def every_word(*args, **kwargs):
        raise AssertionError("every word scored again")
    monkeypatch.setattr(search_build_words, "word_values", every_word)
    done = update_search_index(after, tmp_path / "old", state, tmp_path / "new", cache_dir=cache)
    assert done is not None and done[0]["appended"] == 1
    monkeypatch.undo()
    clean = full(after, tmp_path / "clean")
    assert digest(tmp_path / "new") == digest(tmp_path / "clean")
    assert done[1]["next_in_line"].items() <= clean["next_in_line"].items()


def test_publishing_rescores_only_the_words_whose_idf_stepped(tmp_path, corpus, monkeypatch):
    """A new document adds one to the document frequency of each of its words. On the frequency's ladder
    (search_build_words.idf) a common word's idf mostly stays, and its other holders keep their weights: only
    the words whose idf stepped are scored again over all their holders."""
    from gongkai import search_build_words
    base = corpus[:152]
    after = base + [newest(corpus, 5, "关于进一步做好政务公开工作的通知", corpus[5].text)]
    cache = tmp_path / "cache"
    state = full(base, tmp_path / "old", cache)
    rescored: list[str] = []
    real = search_build_words.score_postings
    monkeypatch.setattr(search_build_words, "score_postings",
                        lambda word_docs, *a, **k: rescored.extend(word_docs) or real(word_docs, *a, **k))
    done = update_search_index(after, tmp_path / "old", state, tmp_path / "new", cache_dir=cache)
    assert done is not None
    monkeypatch.undo()
    old_df, df = state["df"], done[1]["df"]
    grown = {w for w in df if df[w] != old_df.get(w, 0)}
    stepped = {w for w in grown if w not in old_df or
               search_build_words.idf(153, df[w]) != search_build_words.idf(153, old_df[w])}
    assert rescored and set(rescored) <= stepped
    assert len(grown - stepped) >= 10   # common words whose weights elsewhere were kept
    full(after, tmp_path / "clean")
    assert digest(tmp_path / "new") == digest(tmp_path / "clean")


def test_successive_publications_update_in_place(tmp_path, corpus):
    """Each publication adds a document's postings to the shards; their count is on a ladder, so a few more
    mostly keep it, and each update patches the shards in place (and equals a full build)."""
    cache = tmp_path / "cache"
    docs = corpus[:140]
    state = full(docs, tmp_path / "v0", cache)
    sizes = [state["gram_size"]]
    for step in range(1, 7):
        docs = docs + [newest(corpus, 140 + step, f"第{step}条新发布的文件", corpus[140 + step].text,
                              day=f"2099-01-0{step}")]
        done = update_search_index(docs, tmp_path / f"v{step - 1}", state, tmp_path / f"v{step}", cache_dir=cache)
        assert done is not None, step
        state = done[1]
        sizes.append(state["gram_size"])
        full(docs, tmp_path / f"clean{step}")
        assert digest(tmp_path / f"v{step}") == digest(tmp_path / f"clean{step}")
    # the postings grew past a multiple of the shards' target size: a count of size / target would have moved
    assert len({-(-size // NGRAM_SHARD_BYTES) for size in sizes}) > 1


def only_the_edited_documents_counts_cached(cache, edited, terms: bool):
    """Remove the segmentation cache's shards but those the edited document's texts are in (and the term
    index, unless terms): an update that needs another document's counts from the cache then declines."""
    from gongkai.search_build_words import segment_keys
    from gongkai.search_index import normalize
    needed = {k[0] for k in segment_keys(normalize(edited.title), normalize(edited.doc_no), normalize(edited.text))}
    for shard in next(cache.glob("search-tokens-*")).glob("*.pickle"):
        if shard.stem not in needed:
            shard.unlink()
    if not terms:
        assert list(cache.glob("search-terms-*"))
        for path in cache.glob("search-terms-*"):
            path.unlink()


def test_an_update_that_needs_uncached_counts_declines(tmp_path, corpus, monkeypatch):
    """Without a term index (its files gone, or a build without numpy), unchanged documents' counts are read
    from the segmentation cache when needed (a word scored over every document); one missing there makes
    the update decline, so the caller builds in full."""
    from gongkai import search_index, search_update
    monkeypatch.setattr(search_index, "WORD_POSTING_CAP", 12)
    monkeypatch.setattr(search_update, "WORD_POSTING_CAP", 12)
    cache = tmp_path / "cache"
    state = full(corpus, tmp_path / "old", cache)
    only_the_edited_documents_counts_cached(cache, corpus[8], terms=False)
    assert update_search_index(EDITS["rewrite a body"](corpus), tmp_path / "old", state, tmp_path / "new",
                               cache_dir=cache) is None


def test_a_document_that_falls_out_of_a_capped_list_lets_the_next_in_line_in(tmp_path, corpus, monkeypatch):
    """A longer body lowers the document's score for every word it holds: where it drops below the best
    document left out of a capped list, that one takes its place. next_in_line settles it alone, so no other
    document's counts are read (the segmentation cache holds the edited document's alone: an update that
    needed another's would decline), and the update still equals a full build."""
    from gongkai import search_index, search_update
    monkeypatch.setattr(search_index, "WORD_POSTING_CAP", 12)
    monkeypatch.setattr(search_update, "WORD_POSTING_CAP", 12)
    settled = []
    above_next = search_update._above_next
    monkeypatch.setattr(search_update, "_above_next", lambda *a: settled.append(above_next(*a)) or settled[-1])
    n = 8
    # longer, with a word no other document holds (a new word's postings are the edited document's alone)
    after = edit(corpus, n, text=corpus[n].text + " qqfiller" * 300)
    cache = tmp_path / "cache"
    state = full(corpus, tmp_path / "old", cache)
    only_the_edited_documents_counts_cached(cache, corpus[n], terms=False)
    done = update_search_index(after, tmp_path / "old", state, tmp_path / "new", cache_dir=cache)
    assert done is not None, "the update declined: it needed an unchanged document's counts"
    assert any(found is not None and found[1] is None for found in settled), "no document fell out of a list"
    clean = full(after, tmp_path / "clean")
    assert digest(tmp_path / "new") == digest(tmp_path / "clean")
    assert done[1]["next_in_line"].items() <= clean["next_in_line"].items()


@pytest.mark.parametrize("name", ["rewrite a body", "two documents"])
def test_the_term_index_gives_the_holders_of_a_word_whose_idf_moved(tmp_path, corpus, monkeypatch, name):
    """An edit that adds a word to a document, or takes one out, re-scores that word over every document that
    holds it: the full build's term index gives their counts (the segmentation cache holds the edited
    documents' alone here), over successive edits (the documents edited since are kept in the state)."""
    from gongkai import search_index, search_update
    monkeypatch.setattr(search_index, "WORD_POSTING_CAP", 12)
    monkeypatch.setattr(search_update, "WORD_POSTING_CAP", 12)
    cache = tmp_path / "cache"
    state = full(corpus, tmp_path / "v0", cache)
    assert state["terms"] and state["terms"]["overlay"] == {}
    docs = corpus
    for step, change in enumerate([EDITS[name], EDITS["append a sentence"]], start=1):
        after = change(docs)
        for n in (n for n, (a, b) in enumerate(zip(docs, after)) if a != b):
            only_the_edited_documents_counts_cached(cache, docs[n], terms=True)
        done = update_search_index(after, tmp_path / f"v{step - 1}", state, tmp_path / f"v{step}", cache_dir=cache)
        assert done is not None, "the update declined: it read an unchanged document's counts from the cache"
        state, docs = done[1], after
        assert state["terms"]["overlay"], "the edited documents' counts are not kept"
        clean = full(docs, tmp_path / f"clean{step}", tmp_path / f"clean-cache{step}")
        assert digest(tmp_path / f"v{step}") == digest(tmp_path / f"clean{step}")
        assert state["next_in_line"].items() <= clean["next_in_line"].items()


def test_the_term_index_holds_every_documents_counts(tmp_path, corpus):
    """What a full build writes: every document's title and body counts, by document and by word, as the
    segmentation gives them."""
    from gongkai.search_build_words import normalise_and_segment
    from gongkai.search_index import IndexPlan, normalize
    from gongkai.search_segment import DEFAULT_USER_DICT, CachedSegmenter, segmenter_for
    from gongkai.search_terms import TermIndex
    cache = tmp_path / "cache"
    state = full(corpus, tmp_path / "old", cache)
    numbered = IndexPlan.of(corpus).docs   # documents are numbered oldest first
    _normalised, titles, bodies = normalise_and_segment(
        CachedSegmenter(segmenter_for(DEFAULT_USER_DICT), None), numbered, normalize)
    terms = TermIndex(cache, state["terms"])
    assert terms.counts(range(len(corpus))) == {n: (titles[n], bodies[n]) for n in range(len(corpus))}
    word = next(iter(bodies[7]))
    assert terms.held(word) == {n: (titles[n].get(word, 0), bodies[n].get(word, 0))
                                for n in range(len(corpus)) if word in titles[n] or word in bodies[n]}


def test_the_term_index_of_a_few_documents_is_read_without_numpy(tmp_path, corpus, monkeypatch):
    """An update after an edit reads the term index's files as they are, without importing numpy (a tenth of
    a second of it); many documents at once take numpy's one pass. Both read the same counts."""
    import sys
    from gongkai.search_terms import FEW_DOCUMENTS, TermIndex
    cache = tmp_path / "cache"
    state = full(corpus, tmp_path / "old", cache)
    assert len(corpus) > FEW_DOCUMENTS
    every = TermIndex(cache, state["terms"]).counts(range(len(corpus)))
    assert sum(len(title) + len(body) for title, body in every.values()) > 1000
    monkeypatch.setitem(sys.modules, "numpy", None)   # importing numpy fails
    terms = TermIndex(cache, state["terms"])
    for numbers in ([0], [7, 3], [len(corpus) - 1], list(range(5, 5 + FEW_DOCUMENTS))):
        assert terms.counts(numbers) == {n: every[n] for n in numbers}
    word = next(iter(every[7][1]))
    assert terms.held(word) == {n: (title.get(word, 0), body.get(word, 0))
                                for n, (title, body) in every.items() if word in title or word in body}


def test_the_edited_documents_weights_are_read_as_decoding_gives_them():
    """An update checks the edited documents' weights in a common word's postings without decoding every
    pair (search_update._weights_of, which reads up to the last it is asked for): what it reads is what
    decode_weighted_pairs gives."""
    import random

    from gongkai.search_index import encode_weighted
    from gongkai.search_update import _weights_of, decode_weighted_pairs
    rng = random.Random(7)
    long_gaps = 0
    for _ in range(2000):
        docs, doc, widest = [], -1, rng.choice([2, 32, 33, 200])   # a gap of widest - 1 needs two digits from 33
        for _ in range(rng.randint(0, 120)):
            doc += rng.randint(1, widest)
            docs.append(doc)
        value = encode_weighted([(d, rng.randint(0, 63)) for d in docs])
        listed = dict(decode_weighted_pairs(value))
        asked = rng.sample(range(doc + 3), min(5, doc + 3))
        assert _weights_of(value, asked) == {n: listed.get(n) for n in asked}
        long_gaps += any(b - a > 32 for a, b in zip([-1] + docs, docs))
    assert long_gaps > 100   # gaps of two digits or more, read too
