"""The index finds every entry that holds a query as a substring, and little else; output is deterministic."""
import random
import unicodedata

import pytest

from gongkai.search_corpus import generate_docs, seed_sentences
from gongkai.search_index import (SearchDoc, build_search_index, decode_postings, encode_postings,
                                  nfkc, normalize, search_page_body, SEARCH_ASSETS)
from gongkai.search_query import IndexReader, parse_query

from seeds import SEEDS  # noqa: E402


def doc(url, title, text, **kw):
    base = dict(doc_no="", publisher="示例市人民政府办公室", published="2024-05-01", kind="notice", validity="",
                columns=[("tzgg", "通知公告")])
    base.update(kw)
    return SearchDoc(url=url, title=title, text=text, **base)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("idx")
    docs = generate_docs(400, SEEDS) + [
        doc("xxgk/a/", "关于做好政务公开工作的通知", "各单位要推进政务公开工作。", doc_no="示府办〔2024〕193号"),
        doc("xxgk/b/", "空气质量月报", "本月ＰＭ２.５平均浓度为35微克。", kind="data", published="2023-01-02"),
    ]
    stats = build_search_index(docs, out, cache_dir=out / "cache")
    return docs, out, stats


def truth(docs, query):
    terms = parse_query(query)
    fields = [(d.url, normalize(d.title), normalize(d.doc_no), normalize(d.text)) for d in docs]
    return {u for u, *hay in fields if all(any(t in h for h in hay) for t in terms)}


def found(out, query, **filters):
    reader = IndexReader(out)
    return {reader.meta(n)[0] for n in reader.search(query, filters)}


def test_postings_round_trip_as_list_and_bitmap():
    for ids in ([0, 1, 5, 40, 41, 1000, 40000], list(range(0, 3000, 2))):
        assert decode_postings(encode_postings(ids, 3001)) == ids
    assert encode_postings(list(range(0, 3000, 2)), 3001).startswith("!")


def test_shard_counts_step_on_a_ladder():
    """A shard count keeps each shard near its target, and stays put while the index grows by a few percent."""
    from gongkai.search_index import _shard_count
    target = 16_000
    assert _shard_count(0, target) == _shard_count(target, target) == 1
    for size in range(target + 1, 20_000_000, 99_991):
        count = _shard_count(size, target)
        assert size / target <= count <= size / target * 1.05 + 1
        assert len({_shard_count(size + grown, target) for grown in range(0, size // 50, 1000)}) <= 2


def test_lists_of_one_digit_gaps_decode_as_digit_by_digit():
    """A list whose gaps all fit one digit is decoded as a running sum; any longer gap, by digits."""
    rnd = random.Random(3)
    for _ in range(200):
        total = rnd.choice([40, 400, 4000])
        ids = sorted(rnd.sample(range(total), rnd.randint(1, total // 8)))
        encoded = encode_postings(ids, total)
        assert decode_postings(encoded) == ids
    dense = list(range(3, 3000, 3))   # every gap 2: one digit each
    assert decode_postings(encode_postings(dense, 3001)) == dense
    assert decode_postings("0") == [0] and decode_postings("") == []
    with pytest.raises(ValueError):
        decode_postings("0é")


def test_every_substring_is_found_with_high_precision(corpus):
    docs, out, _ = corpus
    rnd = random.Random(5)
    sentences = seed_sentences(SEEDS)
    queries = ["政务公开", "一网通办", "193号", "pm2.5", "ＰＭ２．５", "政务 公开", '"公开工作"', "府办〔2024〕"]
    for _ in range(60):
        s = rnd.choice(sentences)
        length = rnd.randint(2, 6)
        start = rnd.randrange(max(1, len(s) - length))
        queries.append(s[start:start + length])
    hits = extra = 0
    for q in queries:
        expected, got = truth(docs, q), found(out, q)
        assert expected <= got, q  # recall is exact, whatever jieba did with the text
        hits += len(got & expected)
        extra += len(got - expected)
    assert hits / (hits + extra) >= 0.95


def test_query_split_differently_by_jieba_is_found(corpus):
    # jieba cuts 政务公开工作 as 政务公开/工作; "开工" crosses the cut and is still a substring.
    docs, out, _ = corpus
    assert "xxgk/a/" in found(out, "开工")
    assert "xxgk/a/" in found(out, "务公")


def test_doc_no_and_title_matches_rank_first(corpus):
    _, out, _ = corpus
    reader = IndexReader(out)
    ranked = reader.search("193号")
    assert reader.meta(ranked[0])[2].endswith("193号")


def test_filters_narrow_results(corpus):
    docs, out, _ = corpus
    data_docs = {d.url for d in docs if d.kind == "data"}
    assert "xxgk/b/" in found(out, "浓度", kind="data") == truth(docs, "浓度") & data_docs
    assert found(out, "浓度", kind="data", publisher="示例市人民政府办公室") == {"xxgk/b/"}
    assert found(out, "政务公开", year="2023") == {d.url for d in docs if d.published.startswith("2023")} & truth(docs, "政务公开")


def test_output_is_deterministic_and_cached(corpus, tmp_path):
    docs, out, stats = corpus
    again = build_search_index(list(reversed(docs)), tmp_path / "again", cache_dir=out / "cache")
    assert again["segment_cache_misses"] == 0 and again["segment_cache_hits"] > 0
    files = sorted(p.relative_to(out) for p in out.rglob("*.js"))
    assert files == sorted(p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*.js"))
    assert all((out / f).read_bytes() == (tmp_path / "again" / f).read_bytes() for f in files)
    assert stats["bytes"] == sum((out / f).stat().st_size for f in files)


def test_only_given_entries_reach_the_index(tmp_path):
    public = [doc("xxgk/p/", "公开的通知", "这是公开的正文。")]
    build_search_index(public, tmp_path)
    blob = "".join(p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.js"))
    assert "公开的正文" in blob and "绝密" not in blob


def test_search_page_contract():
    body = search_page_body()
    assert 'name="q"' in body and "data-gk-count" in body and 'aria-live="polite"' in body
    assert SEARCH_ASSETS == ["assets/gongkai/search.js", "assets/gongkai/search.css"]


def test_nfkc_equals_unicodedata():
    """The fast NFKC gives what unicodedata gives: on the seeds, on full-width and compatibility characters,
    on combining sequences it must compose, and on every BMP character beside Chinese text."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    assert texts
    texts += ["ｶﾞｷﾞ（半角）", "e\u0301 é Å ﬁ ①② ㈱ \u2126", "ＰＭ２.５，ｈｔｔｐ：／／ｗｗｗ", "\U0001d400丽\U0002f800",
              "가\u11a8 \u1100\u1161", "x\u0327\u0301", "a\u0301\u0327", "第3条\u3000（一）"]
    texts += ["政务公开" + chr(cp) + "\u0301，" for cp in range(0x10000) if not 0xD800 <= cp < 0xE000]
    assert [nfkc(t) for t in texts] == [unicodedata.normalize("NFKC", t) for t in texts]


def test_ties_go_to_the_newest_and_numbers_run_oldest_first(corpus):
    """Documents are numbered oldest first (so a new document takes the next number); among equally ranked
    results the newest comes first."""
    docs, out, _ = corpus
    reader = IndexReader(out)
    numbered = [reader.meta(n) for n in range(len(docs))]
    assert [row[4] for row in numbered] == sorted(row[4] for row in numbered)
    ranked = [reader.meta(n) for n in reader.search("政府")]
    untitled = [row[4] for row in ranked if "政府" not in normalize(row[1]) + normalize(row[2])]
    assert len(untitled) > 5 and untitled == sorted(untitled, reverse=True)


def test_normalize_turns_the_same_runs_into_a_space_as_whitespace_and_control_characters():
    """normalize's run of spaces is spelled out as ranges; it matches what r"[\\s\\x00-\\x1f\\x7f-\\x9f]"
    matches, at every code point, and replaces the same runs in mixed text."""
    import random
    import re
    from gongkai import search_index
    old = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
    for cp in range(0x110000):
        ch = chr(cp)
        assert bool(search_index._SPACES.fullmatch(ch)) == bool(old.fullmatch(ch)), hex(cp)
    rng = random.Random(5)
    alphabet = [" ", "\t", "\n", "\x00", "\x85", "\xa0", "\u3000", "\u2028", "a", "一", "，", "\ufeff"]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert search_index._SPACES.sub(" ", text) == old.sub(" ", text), repr(text)
