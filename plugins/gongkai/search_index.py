"""Build the static full-text search index (no mkdocs import).

Layout under out_dir (the site's `search/` directory); every file is a script that calls
`gkSearchLoad(kind, number, data)`, so the same index works over HTTP and from file:// (no fetch):

    manifest.js        counts, shard numbers, filter vocabularies (columns, publishers, years, ...)
    g/<n>.js           n-gram postings: every 1-, 2- and 3-character window of title, 文号 and body, plus
                       filter keys; hash-partitioned so a query loads only the shards of its own grams.
                       Value per key: 'all|title' postings (title = in title or 文号).
    w/<n>.js           word postings (rjieba/jieba cut_for_search words) with a quantised BM25 weight,
                       the best WORD_POSTING_CAP documents per word: ranking only, never recall.
    m/<n>.js           metadata rows of META_CHUNK documents (url, title, 文号, publisher, date, ...)
    t/<k>/<n>.js       the plain text of one document, loaded only for the results shown (snippets).

Documents are numbered newest first, so document order is the date tie-break.

Of lunr we keep the scoring: BM25 with lunr's idf, k1 and b, a boost for title and 文号. lunr's index format
(one JSON file with every term and a vector per document; 27 MB at 2,000 entries, see scripts/bench_search.py
--lunr) cannot stay within a per-query budget and, being word-based, misses substrings that jieba cut
differently, so the postings above replace it.
Postings are strings: varints of 5 bits per character over ALPHABET (delta-coded document numbers),
or '!' followed by a bitmap of 6 bits per character when that is shorter.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from gongkai.search_segment import DEFAULT_USER_DICT, CachedSegmenter, Segmenter

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
META_CHUNK = 8
TEXT_DIR_SIZE = 1000
NGRAM_SHARD_BYTES = 16_000
WORD_SHARD_BYTES = 16_000
WORD_POSTING_CAP = 1000
TEXT_LIMIT = 20_000          # characters of body kept for snippets
BM25_K1, BM25_B = 1.2, 0.75  # lunr's defaults
TITLE_BOOST = 3.0
FACET = "\x01"               # prefix of filter keys; normalised text never holds control characters

SEARCH_ASSETS = ["assets/gongkai/search.js", "assets/gongkai/search.css"]


@dataclass
class SearchDoc:
    url: str
    title: str
    doc_no: str
    publisher: str
    published: str
    kind: str
    validity: str
    columns: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), lower case, control characters and whitespace runs to one space.

    search.js does the same, so query and text meet in one form.
    """
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).lower())


_SPACES = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def fnv1a(key: str) -> int:
    """32-bit FNV-1a over code points; search.js computes the same to find a key's shard."""
    h = 2166136261
    for ch in key:
        h = ((h ^ ord(ch)) * 16777619) & 0xFFFFFFFF
    return h


def grams(text: str) -> set[str]:
    """Every 2- and 3-character window, and every single character that is not a space or punctuation.

    Bigrams alone find every substring but, on government prose, let through about 5% of documents that
    hold the bigrams of a longer query apart; trigrams bring that under 1% (see the benchmark note).
    """
    out = {text[i:i + 2] for i in range(len(text) - 1)}
    out.update(text[i:i + 3] for i in range(len(text) - 2))
    out.update(ch for ch in text if ch.isalnum())
    return out


def _varint(n: int) -> str:
    digits = [ALPHABET[n & 31]]
    n >>= 5
    while n:
        digits.append(ALPHABET[32 + (n & 31)])
        n >>= 5
    return "".join(reversed(digits))


_SMALL = [_varint(i) for i in range(32)]


def encode_postings(ids: list[int], total: int) -> str:
    """Sorted document numbers as delta varints, or as a bitmap when that is shorter."""
    bitmap_len = 1 + (total + 5) // 6
    if len(ids) < bitmap_len:
        deltas = [b - a - 1 for a, b in zip([-1] + ids, ids)]
        if max(deltas) < 32:
            return "".join(map(_SMALL.__getitem__, deltas))
        listed = "".join(_SMALL[d] if d < 32 else _varint(d) for d in deltas)
        if len(listed) <= bitmap_len:
            return listed
    bits = bytearray((total + 5) // 6)
    for i in ids:
        bits[i // 6] |= 1 << (i % 6)
    return "!" + "".join(map(ALPHABET.__getitem__, bits))


def decode_postings(value: str) -> list[int]:
    """The inverse of encode_postings (used by tests and the benchmark's reference engine)."""
    if value.startswith("!"):
        return [k * 6 + b for k, ch in enumerate(value[1:]) for b in range(6) if ALPHABET.index(ch) >> b & 1]
    ids, n, prev = [], 0, -1
    for ch in value:
        v = ALPHABET.index(ch)
        if v >= 32:
            n = (n << 5) | (v - 32)
        else:
            n = (n << 5) | v
            prev = prev + n + 1
            ids.append(prev)
            n = 0
    return ids


def encode_weighted(pairs: list[tuple[int, int]]) -> str:
    """(document, weight 0..63) pairs sorted by document: delta varint then one weight character."""
    out, prev = [], -1
    for doc, weight in pairs:
        d = doc - prev - 1
        out.append(_SMALL[d] if d < 32 else _varint(d))
        out.append(ALPHABET[weight])
        prev = doc
    return "".join(out)


def _script(kind: str, number: int, data) -> str:
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f'gkSearchLoad("{kind}",{number},{payload});\n'


def _shard_count(total_bytes: int, target: int) -> int:
    return max(1, math.ceil(total_bytes / target))


def _partition(values: dict[str, str], target: int) -> tuple[int, list[dict[str, str]]]:
    size = sum(len(k) * 3 + len(v) + 6 for k, v in values.items())
    count = _shard_count(size, target)
    shards: list[dict[str, str]] = [{} for _ in range(count)]
    for key, value in values.items():
        shards[fnv1a(key) % count][key] = value
    return count, shards


def facet_keys(doc: SearchDoc, publisher_index: int) -> list[str]:
    keys = [f"{FACET}k:{doc.kind}", f"{FACET}y:{doc.published[:4]}", f"{FACET}p:{publisher_index}"]
    if doc.validity:
        keys.append(f"{FACET}v:{doc.validity}")
    keys.extend(f"{FACET}c:{cid}" for cid, _ in doc.columns)
    return keys


def _bm25(tf: int, length: int, avg: float, idf: float) -> float:
    norm = 1 - BM25_B + BM25_B * (length / avg if avg else 1)
    return idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * norm)


def build_search_index(docs: list[SearchDoc], out_dir: Path, *, cache_dir: Path | None = None,
                       user_dict: Path | None = None) -> dict:
    """Write the index of `docs` (public entries only) under out_dir; return stats."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    docs = sorted(docs, key=lambda d: (_neg_date(d.published), d.url))
    total = len(docs)

    publishers = sorted({d.publisher for d in docs if d.publisher})
    publisher_index = {p: i for i, p in enumerate(publishers)}
    column_titles: dict[str, str] = {}
    for d in docs:
        for cid, ctitle in d.columns:
            column_titles.setdefault(cid, ctitle)
    columns = sorted(column_titles.items())
    column_index = {cid: i for i, (cid, _) in enumerate(columns)}

    # N-gram postings (recall) and filter postings.
    all_post: dict[str, list[int]] = defaultdict(list)
    title_post: dict[str, list[int]] = defaultdict(list)
    segmenter = CachedSegmenter(Segmenter(user_dict if user_dict is not None else DEFAULT_USER_DICT), cache_dir)
    title_counts, body_counts = [], []
    for num, d in enumerate(docs):
        head = normalize(d.title), normalize(d.doc_no)
        body = normalize(d.text)
        head_grams = grams(head[0]) | grams(head[1])
        for g in head_grams:
            title_post[g].append(num)
        for g in head_grams | grams(body):
            all_post[g].append(num)
        for key in facet_keys(d, publisher_index.get(d.publisher, -1)):
            all_post[key].append(num)
        title_counts.append(segmenter.counts(head[0] + " " + head[1]))
        body_counts.append(segmenter.counts(body))
    segmenter.save()

    ngram_values = {}
    for g, ids in all_post.items():
        titled = title_post.get(g)
        value = encode_postings(ids, total)
        if titled:
            value += "|" + encode_postings(titled, total)
        ngram_values[g] = value

    word_values = _word_postings(title_counts, body_counts, total)

    for sub in ("g", "w", "m", "t"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    files: dict[str, str] = {}
    gram_shards, gram_parts = _partition(ngram_values, NGRAM_SHARD_BYTES)
    for n, part in enumerate(gram_parts):
        files[f"g/{n}.js"] = _script("g", n, part)
    word_shards, word_parts = _partition(word_values, WORD_SHARD_BYTES)
    for n, part in enumerate(word_parts):
        files[f"w/{n}.js"] = _script("w", n, part)
    for start in range(0, total, META_CHUNK):
        rows = [[d.url, d.title, d.doc_no, publisher_index.get(d.publisher, -1), d.published, d.kind,
                 d.validity, [column_index[cid] for cid, _ in d.columns]]
                for d in docs[start:start + META_CHUNK]]
        files[f"m/{start // META_CHUNK}.js"] = _script("m", start // META_CHUNK, rows)
    for num, d in enumerate(docs):
        files[f"t/{num // TEXT_DIR_SIZE}/{num}.js"] = _script("t", num, d.text[:TEXT_LIMIT])

    digest = hashlib.sha1()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode("utf-8"))
    manifest = {
        "version": 1, "build": digest.hexdigest()[:12], "docs": total,
        "gramShards": gram_shards, "wordShards": word_shards, "metaChunk": META_CHUNK,
        "textDirSize": TEXT_DIR_SIZE, "columns": [list(c) for c in columns], "publishers": publishers,
        "kinds": sorted({d.kind for d in docs}), "years": sorted({d.published[:4] for d in docs}, reverse=True),
        "validities": sorted({d.validity for d in docs if d.validity}),
    }
    files["manifest.js"] = _script("manifest", 0, manifest)

    size = 0
    for name, content in files.items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8")
        path.write_bytes(data)
        size += len(data)
    return {"docs": total, "files": len(files), "bytes": size, "seconds": round(time.perf_counter() - started, 3),
            "gram_shards": gram_shards, "word_shards": word_shards,
            "segmenter": segmenter.segmenter.engine, "segment_cache_hits": segmenter.hits,
            "segment_cache_misses": segmenter.misses}


def _neg_date(published: str) -> str:
    """A sort key that puts later ISO dates first."""
    return "".join(chr(0x10FFFF - ord(c)) for c in published)


def _word_postings(title_counts, body_counts, total: int) -> dict[str, str]:
    """BM25 (lunr's formula and defaults) per word over title+文号 and body, quantised to 0..63."""
    df: dict[str, int] = defaultdict(int)
    for tc, bc in zip(title_counts, body_counts):
        for w in set(tc) | set(bc):
            df[w] += 1
    t_len = [sum(c.values()) for c in title_counts]
    b_len = [sum(c.values()) for c in body_counts]
    t_avg = sum(t_len) / total if total else 0
    b_avg = sum(b_len) / total if total else 0
    scored: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for num, (tc, bc) in enumerate(zip(title_counts, body_counts)):
        for w in set(tc) | set(bc):
            idf = math.log(1 + abs((total - df[w] + 0.5) / (df[w] + 0.5)))
            score = 0.0
            if w in tc:
                score += TITLE_BOOST * _bm25(tc[w], t_len[num], t_avg, idf)
            if w in bc:
                score += _bm25(bc[w], b_len[num], b_avg, idf)
            scored[w].append((score, num))
    values = {}
    for w, entries in scored.items():
        if len(entries) > WORD_POSTING_CAP:
            entries = sorted(entries, key=lambda e: (-e[0], e[1]))[:WORD_POSTING_CAP]
        pairs = sorted((num, min(63, max(1, round(score * 3)))) for score, num in entries)
        values[w] = encode_weighted(pairs)
    return values


def search_page_body() -> str:
    """The search page's main content; search.js fills it and reads ?q= and the filters from the URL."""
    return SEARCH_PAGE_BODY


SEARCH_PAGE_BODY = """<div class="gk-search" data-gk-search>
<h1>站内搜索</h1>
<form class="gk-search__form" role="search" action="" method="get" data-gk-search-form>
  <label for="gk-q" class="gk-search__label">搜索关键词</label>
  <div class="gk-search__row">
    <input id="gk-q" name="q" type="search" autocomplete="off" spellcheck="false"
      placeholder="输入关键词，多个词用空格分隔，加引号按短语搜索" aria-describedby="gk-search-help">
    <button type="submit">搜索</button>
  </div>
  <p id="gk-search-help" class="gk-search__help">标题、文号和正文中包含关键词的信息都会被找到；多个词之间用空格分隔表示同时包含。</p>
  <fieldset class="gk-search__filters" data-gk-filters>
    <legend>筛选</legend>
    <label>所属专栏 <select name="column" data-gk-filter="column"><option value="">全部</option></select></label>
    <label>信息类别 <select name="kind" data-gk-filter="kind"><option value="">全部</option></select></label>
    <label>发布机构 <select name="publisher" data-gk-filter="publisher"><option value="">全部</option></select></label>
    <label>年份 <select name="year" data-gk-filter="year"><option value="">全部</option></select></label>
    <label>有效性 <select name="validity" data-gk-filter="validity"><option value="">全部</option></select></label>
    <label>排序 <select name="sort" data-gk-filter="sort"><option value="">相关度优先</option><option value="date">最新发布优先</option></select></label>
  </fieldset>
</form>
<p class="gk-search__status" role="status" aria-live="polite" aria-atomic="true" data-gk-status>
  <span data-gk-count></span><span data-gk-message></span>
</p>
<ol class="gk-search__results" data-gk-results aria-label="搜索结果"></ol>
<button type="button" class="gk-search__more" data-gk-more hidden>显示更多结果</button>
<noscript><p>站内搜索需要启用 JavaScript，也可以通过信息公开目录浏览全部信息。</p></noscript>
</div>
"""
