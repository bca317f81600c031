"""The search index build is byte-identical to the reference output, however it is computed (parallel, in shard
groups, with a warm segmentation cache): search.js reads these bytes, so a faster build must not change one."""
import hashlib
import time
from pathlib import Path

import pytest

from gongkai import search_build_grams, search_build_words, search_index
from gongkai.search_corpus import generate_docs
from gongkai.search_index import SearchDoc, build_search_index

from seeds import SEEDS  # noqa: E402

# sha256 over sorted (name, bytes) of every output file, recorded with the reference implementation
# (re-recorded deliberately when BM25's average lengths moved to a ladder for incremental updates, and when the
# manifest's build id became a digest of the files' digests, so an update need not read unchanged files: only
# manifest.js changed; and when documents came to be numbered oldest first, so a new document takes the next
# number: every posting, weight, text and metadata row was checked to be the same per URL before and after;
# and when idf came to take the document count on the same ladder, so a new document moves only its own words'
# weights: only w/ and manifest.js changed, and every path below gave the same new digests; and when every kind
# of index file went 100 to a directory (g/0/5.js, not g/5.js): every file's bytes the same under its new name,
# but manifest.js's dirSize and build id; and when idf came to take each word's document frequency on the
# ladder too, and the shard counts came to step on one, so that publishing patches the index in place: every
# n-gram key's postings the same (62 shards, now 64), every word listing the same documents (938 of 2,621 with
# other weights), m/ and t/ the same, and every path below gave the same new digests).
GOLDEN_FIRST = "c51beac463f4abd35c88ea69c2f78b89034b4d6c6bde85d2d814ece736c90b32"
GOLDEN_SECOND = "ba5dd24d4e802e6dabdb9dc47d922ff5e18c0c1b8508d1ac7f9047bc928ed6a4"


def hand_made_docs() -> list[SearchDoc]:
    base = dict(publisher="示例市人民政府办公室", published="2024-05-01", kind="notice", validity="",
                columns=[("tzgg", "通知公告")])
    return [
        SearchDoc(url="xxgk/h1/", title="空气质量月报", doc_no="", text="本月ＰＭ２.５平均浓度为３５微克，ＡＢＣ　ｄｅｆ。",
                  **{**base, "kind": "data", "published": "2023-01-02"}),
        SearchDoc(url="xxgk/h2/", title="空气质量月报", doc_no="示府办〔2024〕1号", text="", **base),
        SearchDoc(url="xxgk/h3/", title="", doc_no="", text="", **{**base, "publisher": "", "columns": []}),
        SearchDoc(url="xxgk/h4/", title="Version 2.0 release", doc_no="ABC-123",
                  text="www.example.gov.cn 7-8 月 2024年 iPhone15 \t\n x86_64 ３.１４",
                  **{**base, "validity": "valid", "kind": "policy"}),
        SearchDoc(url="xxgk/h5/", title="关于做好政务公开工作的通知", doc_no="示府办〔2024〕193号",
                  text="各单位要推进政务公开工作。" * 40, **{**base, "published": "2024-05-01"}),
    ]


def output_digest(out: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        digest.update(path.relative_to(out).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def first_corpus() -> list[SearchDoc]:
    return generate_docs(300, SEEDS, seed=11) + hand_made_docs()


@pytest.mark.parametrize("jobs, numpy", [("1", True), ("2", True), ("2", False)])
def test_output_matches_reference(tmp_path, monkeypatch, jobs, numpy):
    monkeypatch.setenv("GONGKAI_JOBS", jobs)
    if not numpy:  # the pure-Python n-gram and word paths, used when numpy is not installed
        monkeypatch.setattr(search_build_grams, "search_build_gramcodes", None)
        monkeypatch.setattr(search_build_words, "search_build_wordcodes", None)
    elif search_build_grams.search_build_gramcodes is None:
        pytest.skip("numpy is not installed")
    stats = build_search_index(first_corpus(), tmp_path / "out", cache_dir=tmp_path / "cache")
    assert stats["segment_cache_hits"] == 0
    assert output_digest(tmp_path / "out") == GOLDEN_FIRST


def test_output_matches_reference_with_warm_cache(tmp_path):
    # Half the texts are those of the first corpus (cache hits), half are new; a stale file must go.
    build_search_index(first_corpus(), tmp_path / "first", cache_dir=tmp_path / "cache")
    docs = generate_docs(300, SEEDS, seed=11)[:150] + generate_docs(150, SEEDS, seed=12, url_suffix=".html")
    (tmp_path / "out" / "g").mkdir(parents=True)
    (tmp_path / "out" / "g" / "999.js").write_text("stale")
    stats = build_search_index(docs, tmp_path / "out", cache_dir=tmp_path / "cache")
    assert stats["segment_cache_hits"] > 0
    assert output_digest(tmp_path / "out") == GOLDEN_SECOND
    build_search_index(docs, tmp_path / "cold", cache_dir=tmp_path / "cold-cache")
    assert output_digest(tmp_path / "cold") == GOLDEN_SECOND


def test_output_matches_reference_across_key_blocks(tmp_path, monkeypatch):
    # Tiny key blocks and windows: a group's keys span many blocks, and most windows would end inside a code.
    gramcodes = pytest.importorskip("gongkai.search_build_gramcodes")
    monkeypatch.setattr(gramcodes, "BLOCK", 1000)
    monkeypatch.setattr(gramcodes, "WINDOW", 7)
    monkeypatch.setattr(gramcodes, "BATCH_CHARS", 500)   # and documents' windows coded a few at a time
    # and words scored seven documents at a time
    monkeypatch.setattr(pytest.importorskip("gongkai.search_build_wordcodes"), "CHUNK_DOCS", 7)
    monkeypatch.setenv("GONGKAI_JOBS", "1")
    build_search_index(first_corpus(), tmp_path / "out", cache_dir=tmp_path / "cache")
    assert output_digest(tmp_path / "out") == GOLDEN_FIRST


@pytest.mark.parametrize("batch_chars", [1, 2000, 1 << 20])
@pytest.mark.parametrize("chars_per_group", [1 << 30, 3000, 1])
def test_windows_coded_in_batches_equal_those_of_the_sets_path(batch_chars, chars_per_group, monkeypatch):
    """The numpy path codes every text once and the windows of many documents at once, with a 0 after each
    text, in groups by character: the same postings as the sets path (search_index.grams of each text),
    whether a batch holds one document or all and with one group, a few or 255, with empty titles, 文号 and
    bodies, texts of one or two characters, characters beyond the BMP, and texts that hold NUL."""
    gramcodes = pytest.importorskip("gongkai.search_build_gramcodes")
    from gongkai.search_index import encode_postings
    import random
    rng = random.Random(3)
    alphabet = "政务公开条例aZ09 .，𠀀𠀁x\0"
    def text(longest):
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, longest)))
    texts = [(text(6), text(3), text(60), ["p:x"] if n % 3 else []) for n in range(300)]
    texts += [("", "", "", []), ("a", "", "b", []), ("", "9", "", []), ("甲\0乙", "", "丙\0丁", ["\0"])]
    monkeypatch.setenv("GONGKAI_JOBS", "1")
    monkeypatch.setattr(gramcodes, "BATCH_CHARS", batch_chars)
    monkeypatch.setattr(search_build_grams, "CHARS_PER_GROUP", chars_per_group)
    coded = search_build_grams.ngram_values(list(texts), len(texts), encode_postings)
    monkeypatch.setattr(search_build_grams, "search_build_gramcodes", None)
    assert coded == search_build_grams.ngram_values(list(texts), len(texts), encode_postings)
    assert "甲\0乙" in coded and "\0" in coded and "乙丙" not in coded   # NUL is a character; texts stay apart


def test_coded_texts_keep_each_text_once(monkeypatch):
    """The texts are taken out of the caller's list as they are coded (at 100,000 entries they are a
    gigabyte); the 0 after each text and the two at the end are there."""
    gramcodes = pytest.importorskip("gongkai.search_build_gramcodes")
    monkeypatch.setattr(gramcodes, "BATCH_CHARS", 4)
    texts = [("政务", "", "公开", ["p:x"]), ("a", "1", "", [])]
    coded = gramcodes.CodedTexts.of(texts)
    assert texts == [None, None] and coded.facets == [["p:x"], []]
    assert "".join(coded.chars[c] if c else "|" for c in coded.codes.tolist()) == "政务||公开|a|1||" + "||"
    assert coded.starts.tolist() == [0, 3, 4, 7, 9, 11, 12]


def test_bulk_postings_encoding_equals_encode_postings():
    """encode_runs (numpy, a window of runs at once) gives encode_postings of each run: lists and bitmaps, either
    side of the bitmap threshold, deltas of one to four digits, single documents, the first and last document."""
    np = pytest.importorskip("numpy")
    from gongkai.search_codes import encode_runs
    from gongkai.search_index import encode_postings
    import random
    rng = random.Random(7)
    for total in (1, 5, 6, 7, 64, 1000, 40_000, 2_000_000):
        runs = [[0], [total - 1], list(range(total))[:200], sorted({0, total - 1})]
        for size in (1, 2, 3, 30, 166, 167, 168, 500):
            runs += [sorted(rng.sample(range(total), min(size, total))) for _ in range(3)]
        bitmap_len = 1 + (total + 5) // 6
        runs += [list(range(0, total, max(1, total // (bitmap_len - 1))))[:bitmap_len - 1]]
        if total == 1000:   # fewer documents than the bitmap's length, but listed as long as it, and one more
            runs += [list(range(130)) + [129 + 33 * k for k in range(1, 20)],
                     list(range(131)) + [130 + 33 * k for k in range(1, 20)]]
            assert [len(encode_postings(run, total)) for run in runs[-2:]] == [bitmap_len, bitmap_len]
            assert [encode_postings(run, total)[0] == "!" for run in runs[-2:]] == [False, True]
        docs = np.array([d for run in runs for d in run], dtype=np.int64)
        lasts = np.cumsum([len(run) for run in runs])
        firsts = lasts - [len(run) for run in runs]
        assert encode_runs(docs, firsts, lasts, total) == [encode_postings(run, total) for run in runs], total


@pytest.mark.parametrize("chunk", [None, 1, 7])
def test_numpy_word_postings_keep_the_best_like_python(tmp_path, monkeypatch, chunk):
    """With a tiny cap most words hold more documents than they may list: the numpy path must pick the same
    best ones as the Python path, ties (identical documents score alike) broken by document number; also
    when it ranks the crowded words a few postings at a time (chunk)."""
    pytest.importorskip("numpy")
    from gongkai import search_build_wordcodes
    monkeypatch.setattr(search_index, "WORD_POSTING_CAP", 3)
    if chunk is not None:
        monkeypatch.setattr(search_build_wordcodes, "BEST_CHUNK_POSTINGS", chunk)
    docs = first_corpus()
    docs += [SearchDoc(**{**vars(d), "url": d.url + "copy/"}) for d in docs[:40]]
    build_search_index(docs, tmp_path / "numpy")
    monkeypatch.setattr(search_build_words, "search_build_wordcodes", None)
    build_search_index(docs, tmp_path / "python")
    assert output_digest(tmp_path / "numpy") == output_digest(tmp_path / "python")


def test_best_postings_ranked_in_groups_of_words_equal_ranked_at_once():
    """_best over groups of whole words (bounded memory) keeps and leaves out the very postings that ranking
    every crowded word at once does, ties included."""
    np = pytest.importorskip("numpy")
    import random
    from gongkai import search_build_wordcodes
    rng = random.Random(5)
    pairs = sorted({(rng.randrange(40), rng.randrange(300)) for _ in range(3000)})
    word = np.array([w for w, _ in pairs], dtype=np.int32)
    doc = np.array([d for _, d in pairs], dtype=np.int32)
    scores = np.array([rng.choice([0.5, 1.0, 1.5, rng.random()]) for _ in pairs])
    whole = search_build_wordcodes._best(word, doc, scores, 10)
    largest_word = int(np.bincount(word).max())
    real_lexsort = np.lexsort
    for size in (1, 13, 100, 1000):
        ranked_at_once = []
        search_build_wordcodes.BEST_CHUNK_POSTINGS, saved = size, search_build_wordcodes.BEST_CHUNK_POSTINGS
        np.lexsort = lambda keys: ranked_at_once.append(len(keys[0])) or real_lexsort(keys)
        try:
            grouped = search_build_wordcodes._best(word, doc, scores, 10)
        finally:
            search_build_wordcodes.BEST_CHUNK_POSTINGS, np.lexsort = saved, real_lexsort
        assert (grouped[0] == whole[0]).all() and grouped[1].tolist() == whole[1].tolist()
        assert max(ranked_at_once) < size + largest_word   # memory: a group's postings at a time
    # and as sorted((-score, doc)) ranks each word's postings
    for w in range(40):
        at = [i for i in range(len(pairs)) if word[i] == w]
        best = sorted(at, key=lambda i: (-scores[i], doc[i]))
        assert sorted(i for i in at if whole[0][i]) == sorted(best[:10])


def test_streamed_index_equals_the_written_one(tmp_path):
    """index_files (a build without a cache streams the index into the site) yields the files, bytes and
    manifest that build_search_index writes."""
    from gongkai.search_index import index_files
    streamed = dict(index_files(first_corpus()))
    assert list(streamed)[-1] == "manifest.js"
    build_search_index(first_corpus(), tmp_path / "out")
    written = {p.relative_to(tmp_path / "out").as_posix(): p.read_bytes() for p in (tmp_path / "out").rglob("*")
               if p.is_file()}
    assert streamed == written


def test_streamed_index_gives_the_documents_files_before_building_the_postings(monkeypatch):
    """index_files yields the texts and metadata first (they need no postings), each kind in name order."""
    from gongkai import search_index
    built = []
    real = search_index._index_makers
    monkeypatch.setattr(search_index, "_index_makers", lambda *a, **k: built.append(1) or real(*a, **k))
    docs = first_corpus()
    names = []
    for name, _data in search_index.index_files(docs):
        names.append(name)
        if name.startswith(("t/", "m/")):
            assert not built, name
    assert names[-1] == "manifest.js" and built
    documents = [n for n in names if n.startswith(("t/", "m/"))]
    assert names[:len(documents)] == sorted(documents) and len(documents) > len(docs)


def test_the_radix_order_sorts_as_argsort_does():
    wordcodes = pytest.importorskip("gongkai.search_build_wordcodes")
    import numpy as np
    rng = np.random.default_rng(5)
    for top in (1, 2, 1 << 16, 1 << 17, 1 << 33, 1 << 62):
        keys = rng.integers(0, top, size=rng.integers(0, 3000), dtype=np.int64)
        assert (keys[wordcodes._sorting_order(keys)] == np.sort(keys)).all(), top
    assert len(wordcodes._sorting_order(np.zeros(0, dtype=np.int64))) == 0


def test_bulk_scores_equal_score():
    """search_build_wordcodes.scores gives search_build_words.score's floats to the bit, for words in the
    title, the body, both or neither."""
    pytest.importorskip("numpy")
    import random
    from gongkai import search_build_wordcodes
    from gongkai.search_index import encode_weighted
    rng = random.Random(3)
    titles = [{w: rng.randint(1, 3) for w in rng.sample("abcdef", rng.randint(0, 3))} for _ in range(300)]
    bodies = [{w: rng.randint(1, 9) for w in rng.sample("abcdefgh", rng.randint(0, 6))} for _ in range(300)]
    job = search_build_words.scoring_job(titles, bodies, 300, k1=1.2, b=0.75, boost=3.0, cap=10,
                                         encode=encode_weighted)
    for w in "abcdefgh":
        docs = [n for n in range(300) if w in titles[n] or w in bodies[n]] + [n for n in range(0, 300, 7)]
        assert search_build_wordcodes.scores(w, docs, job) == [search_build_words.score(w, n, job) for n in docs]


def test_numpy_is_loaded_only_when_an_index_is_built():
    """A rebuild after an edit mostly never needs numpy: the plugin starts without importing it (a tenth of a
    second), and the numpy paths load when first used."""
    import subprocess
    import sys
    pytest.importorskip("numpy")
    probe = ("import sys, gongkai.mkdocs_plugin; from gongkai import search_build_grams as g; "
             "print('numpy' in sys.modules); g.search_build_gramcodes.BLOCK; print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]


def test_an_update_that_scores_a_few_documents_does_not_load_numpy(monkeypatch):
    """Re-scoring the words of an edit in Python takes less than importing numpy would (0.1 s): bulk scores
    only when numpy is loaded already or the scores are many; the postings are the same either way."""
    pytest.importorskip("numpy")
    import random
    import sys
    from gongkai.search_index import encode_weighted
    rng = random.Random(4)
    bodies = [{w: rng.randint(1, 9) for w in rng.sample("abcdefgh", rng.randint(1, 6))} for _ in range(300)]
    job = search_build_words.scoring_job([{} for _ in bodies], bodies, 300, k1=1.2, b=0.75, boost=3.0, cap=10,
                                         encode=encode_weighted)
    word_docs = {w: list(range(300)) for w in "abc"}
    bulk = search_build_words.score_postings(word_docs, job)   # numpy is loaded here
    monkeypatch.setitem(sys.modules, "numpy", None)   # as in a rebuild's process, which has not loaded it

    class NotLoaded:
        def __getattr__(self, name):
            raise AssertionError("numpy's bulk scores were used")
    monkeypatch.setattr(search_build_words, "search_build_wordcodes", NotLoaded())
    assert search_build_words.score_postings(word_docs, job) == bulk
    monkeypatch.setattr(search_build_words, "NUMPY_IMPORT_PAYS_FROM", 100)   # hundreds of scores: numpy pays
    with pytest.raises(AssertionError, match="bulk scores"):
        search_build_words.score_postings(word_docs, job)


def test_the_profile_times_segmentation_and_each_kind_of_postings_with_their_workers(monkeypatch):
    """The harness's profile breaks the index build down (the issue's phases: segmentation, index writing):
    each part's CPU time counts the workers it forked, which do most of it."""
    from gongkai import phases
    from gongkai.search_index import index_files
    monkeypatch.setenv("GONGKAI_JOBS", "2")
    phases.RECORDER.reset()
    list(index_files(first_corpus()))
    recorded = phases.RECORDER.as_dict()["phases"]
    names = [p["name"].strip() for p in recorded]
    for part in ("search: segmentation", "search: word postings (BM25)", "search: n-gram postings",
                 "search: full index build"):
        assert part in names, names
    phases.RECORDER.reset()


def test_a_phase_can_count_the_cpu_of_the_workers_it_waited_for():
    import os
    import time
    from gongkai.phases import PhaseRecorder

    def burn_in_a_child():
        pid = os.fork()
        if pid == 0:
            end = time.process_time() + 0.3
            while time.process_time() < end:
                pass
            os._exit(0)
        os.waitpid(pid, 0)

    recorder = PhaseRecorder()
    with recorder.phase("alone"):
        burn_in_a_child()
    with recorder.phase("with workers", workers=True):
        burn_in_a_child()
    assert recorder.cpu["alone"] < 0.1 <= 0.25 <= recorder.cpu["with workers"]


def test_documents_are_numbered_as_the_negated_date_key_orders_them():
    """IndexPlan's two plain sorts give the order of sorting by (_neg_date, url) and reversing it, ties and
    all; a published value of another length keeps that key."""
    import random
    from gongkai.search_index import IndexPlan, SearchDoc, _neg_date
    rng = random.Random(1)
    for trial in range(100):
        dates = ["2024-01-10", "2024-02-11", "2024-02-12"] + (["2024-02", ""] if trial % 2 else [])
        docs = [SearchDoc(url=rng.choice("abc") + str(rng.randint(0, 3)), title=str(n), doc_no="", publisher="p",
                          published=rng.choice(dates), kind="k", validity="") for n in range(rng.randint(0, 40))]
        want = sorted(docs, key=lambda d: (_neg_date(d.published), d.url))[::-1]
        assert [id(d) for d in IndexPlan.of(docs).docs] == [id(d) for d in want]


def test_key_groups_are_balanced_by_how_often_each_character_starts_a_window():
    """Heaviest character first to the lightest group: no group exceeds the mean by more than one character's
    weight, where code modulo the group count puts the comma's and the full stop's weight in one group."""
    weights = [10] * 256
    weights[0x0C], weights[0x04], weights[0x02] = 3000, 2500, 2000   # ， and others, as in Chinese text
    for groups in (2, 3, 8):
        table = search_build_grams.balanced_groups(weights, groups)
        loads = [sum(w for b, w in enumerate(weights) if table[b] == g) for g in range(groups)]
        assert sorted(set(table)) == list(range(groups))
        assert max(loads) <= sum(weights) / groups + max(weights)
        modulo = [sum(w for b, w in enumerate(weights) if b % groups == g) for g in range(groups)]
        assert max(loads) < max(modulo)
    assert search_build_grams.group_table(4) == bytes(b % 4 for b in range(256))


def _recording_group_values(group):
    """search_build_grams._group_values, noting in a file when each group began and ended (workers' memory is
    their own); when the second group ends, the process beside is "done" (a file says so)."""
    log = _GROUPS_LOG[0]
    with open(log / "events", "a") as events:
        events.write(f"start {group} {(log / 'done').exists()}\n")
    time.sleep(0.2)   # long enough for the next group to start beside it once there are two cores
    values = _REAL_GROUP_VALUES(group)
    with open(log / "events", "a") as events:
        events.write(f"end {group}\n")
    if sum(line.startswith("end") for line in (log / "events").read_text().splitlines()) == 2:
        (log / "done").touch()
    return values


_REAL_GROUP_VALUES = search_build_grams._group_values
_GROUPS_LOG: list = []


def test_ngram_groups_beside_the_pages_go_to_workers_once_the_build_is_done(tmp_path, monkeypatch):
    """In the child beside the pages the n-gram groups are finer; they go to a worker one at a time while the
    build runs beside, and two at a time from when it is done. The index is the same."""
    from gongkai import workers
    if search_build_grams.search_build_gramcodes is None:
        pytest.skip("numpy is not installed")
    monkeypatch.setenv(workers.JOBS_ENV, "2")
    monkeypatch.setattr(search_build_grams, "SHARED_CHARS_PER_GROUP", 20_000)
    monkeypatch.setattr(search_build_grams, "_group_values", _recording_group_values)
    _GROUPS_LOG[:] = [tmp_path]
    workers.share_cores(child=True, done=(tmp_path / "done").exists)
    try:
        build_search_index(first_corpus(), tmp_path / "out", cache_dir=tmp_path / "cache")
    finally:
        workers.cores_back()
        workers._ENDS_WITH_ITS_JOB = False
    assert output_digest(tmp_path / "out") == GOLDEN_FIRST
    events = [line.split() for line in (tmp_path / "events").read_text().splitlines()]
    assert sorted(int(e[1]) for e in events if e[0] == "start") == list(range(8)), "the groups are not finer"
    assert [e[:2] for e in events[:4]] == [["start", "0"], ["end", "0"], ["start", "1"], ["end", "1"]], \
        "more than one group at a time while the build ran beside"
    assert [e[2] for e in events[:4:2]] == ["False", "False"]
    in_flight = peak = 0
    for event in events[4:]:
        in_flight += 1 if event[0] == "start" else -1
        peak = max(peak, in_flight)
    assert peak == 2, "one group at a time after the build was done"
