"""Word segmentation and BM25 word postings of the search index, spread over forked workers.

Results are those of Segmenter.tokens and the original serial loop, computed with less Python work per
token; the segmentation cache is merged in document order, so it too is what a serial build writes.
"""
from __future__ import annotations

import hashlib
import math
import sys
from collections import Counter
from itertools import chain
from operator import or_

from gongkai.search_segment import CachedSegmenter
from gongkai.workers import build_jobs, fork_imap, fork_map, optional_numpy_module

# numpy, when installed, scores and encodes every posting at once (several times faster)
search_build_wordcodes = optional_numpy_module("gongkai.search_build_wordcodes")

_JOB: dict = {}  # set before the workers fork; they inherit it
DOCS_PER_WORD_GROUP = 20_000  # more word groups for larger corpora, to bound a worker's scores in memory


def fast_counts(segmenter, text: str) -> dict[str, int]:
    """dict(Counter(segmenter.tokens(text))) without a Python step per token.

    Words are interned so that a worker's results pickle each word once: at 100,000 entries the counts
    are most of the build's memory.
    """
    # Counted first, filtered and interned after: a document has a few hundred distinct words among a
    # thousand tokens. The dict keeps the order of first occurrence (Han words, then Latin), as before.
    han, latin = segmenter.han_and_latin(text)
    counted = Counter(han)
    words = [w for w in counted if len(w) > 1]
    # zipped maps over the words kept, not a dict comprehension: a tenth of the counting quicker
    counts = dict(zip(map(sys.intern, words), map(counted.__getitem__, words)))
    latin_counts = Counter(latin)
    counts.update(zip(map(sys.intern, latin_counts), latin_counts.values()))
    return counts


def _text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def segment_keys(title: str, doc_no: str, body: str) -> tuple[str, str]:
    """The segmentation cache keys of one normalised document: title+文号, and body."""
    return _text_key(title + " " + doc_no), _text_key(body)


def _segment_chunk(bounds: tuple[int, int]) -> list[tuple]:
    """Per document in bounds: its normalised title, 文号 and body, and (cache key, counts or None when the
    cache already has them) of title+文号 and of body."""
    cached, segmenter, normalize = _JOB["cached"], _JOB["cached"].segmenter, _JOB["normalize"]
    out = []
    for doc in _JOB["docs"][bounds[0]:bounds[1]]:
        title, doc_no, body = normalize(doc.title), normalize(doc.doc_no), normalize(doc.text)
        row = [title, doc_no, body]
        for text in (title + " " + doc_no, body):
            key = _text_key(text)
            row.append((key, None if key in cached.old else fast_counts(segmenter, text)))
        out.append(row)
    return out


def normalise_and_segment(cached: CachedSegmenter, docs: list, normalize) -> tuple[list, list, list]:
    """Normalised (title, 文号, body) per document and the token counts of title+文号 and of body, as
    CachedSegmenter.counts would give them one by one (its hits, misses and saved cache too)."""
    jobs = build_jobs()
    step = max(1, -(-len(docs) // (jobs * 4)))
    cached.load_all()   # before the workers fork: they inherit it rather than each read it
    _JOB.update(cached=cached, docs=docs, normalize=normalize)
    try:
        parts = fork_map(_segment_chunk, [(i, i + step) for i in range(0, len(docs), step)], jobs)
    finally:
        _JOB.clear()
    texts, title_counts, body_counts = [], [], []
    for title, doc_no, body, head_found, body_found in chain.from_iterable(parts):
        texts.append((title, doc_no, body))
        title_counts.append(_merge(cached, *head_found))
        body_counts.append(_merge(cached, *body_found))
    return texts, title_counts, body_counts


def _merge(cached: CachedSegmenter, key: str, found: dict | None) -> dict[str, int]:
    """What CachedSegmenter.counts does for one text, given the worker's counts for a cache miss."""
    known = cached.new.get(key)
    if known is None:
        known = cached.old.get(key)
        if known is None:
            cached.misses += 1
            known = found
        else:
            cached.hits += 1
        cached.new[key] = known
    return known


AVERAGE_STEPS = 16  # quantised average lengths per doubling (steps of 4.4%)


def quantised_average(lengths: list[int]) -> float:
    """The mean length, rounded to a step of a geometric ladder.

    BM25 normalises by the average document length; with the exact mean, editing one document would move
    every weight in the index. On the ladder the mean stays put unless the corpus really changes, so a
    rebuild after an edit re-scores only the words of the edited document (search_update.py).
    """
    mean = sum(lengths) / len(lengths) if lengths else 0
    return 2.0 ** (round(math.log2(mean) * AVERAGE_STEPS) / AVERAGE_STEPS) if mean > 0 else 0.0


def _score_group(group: int) -> dict[str, str]:
    """Encoded (document, weight) postings of the words in one group."""
    job = _JOB
    return score_words(job["groups"][group], job)


def score_words(words: set, job: dict) -> dict[str, str]:
    """Encoded postings of `words`, scanning every document."""
    idf, k1, k1_plus, boost = job["idf"], job["k1"], job["k1_plus"], job["boost"]
    scored: dict[str, list] = {w: [] for w in words}
    for num, (tc, bc) in enumerate(zip(job["title_counts"], job["body_counts"])):
        t_norm, b_norm = job["t_norm"][num], job["b_norm"][num]
        for w in (tc.keys() | bc.keys()) & words:
            # Inlined score() (this loop runs once per word of every document in a full build).
            score = 0.0
            if w in tc:
                tf = tc[w]
                score += boost * (idf[w] * tf * k1_plus / (tf + k1 * t_norm))
            if w in bc:
                tf = bc[w]
                score += idf[w] * tf * k1_plus / (tf + k1 * b_norm)
            scored[w].append((-score, num))
    return {w: encode_best(entries, job) for w, entries in scored.items() if entries}


def score_postings(word_docs: dict[str, list[int]], job: dict, next_out: dict | None = None) -> dict[str, str]:
    """Encoded postings of each word over the given ascending documents, which must include every document
    that holds it; job["idf"] must hold the word's idf. next_out: as word_values'."""
    values = {}
    title_counts, body_counts = job["title_counts"], job["body_counts"]
    word_docs = {w: [n for n in docs if w in title_counts[n] or w in body_counts[n]] for w, docs in word_docs.items()}
    bulk = _bulk_pays(sum(map(len, word_docs.values())))
    for w, docs in word_docs.items():
        if docs:
            entries = scores(w, docs, job, bulk)
            if len(entries) > job["cap"]:
                entries.sort()
                if next_out is not None:
                    next_out[w] = entries[job["cap"]]
            values[w] = encode_best(entries, job)
    return values


def scores(w: str, docs: list[int], job: dict, bulk: bool | None = None) -> list[tuple[float, int]]:
    """[score(w, n, job) for n in docs], in bulk with numpy when there are many (the same floats). bulk: whether
    numpy may be used (None: when _bulk_pays for these documents)."""
    if bulk is None:
        bulk = _bulk_pays(len(docs))
    if not bulk or len(docs) < 32:
        return [score(w, num, job) for num in docs]
    return search_build_wordcodes.scores(w, docs, job)


# Scores to compute from which importing numpy (0.1 s, which an update after an edit mostly needs for nothing
# else) pays for itself: one in Python is about a microsecond.
NUMPY_IMPORT_PAYS_FROM = 100_000


def _bulk_pays(count: int) -> bool:
    """Whether `count` scores are computed with numpy: when it is there and loaded, or worth loading."""
    if search_build_wordcodes is None:
        return False
    return sys.modules.get("numpy") is not None or count >= NUMPY_IMPORT_PAYS_FROM


def score(w: str, num: int, job: dict) -> tuple[float, int]:
    # lunr's BM25 per field: idf * tf * (k1 + 1) / (tf + k1 * norm), the title boosted.
    tc, bc, idf_w = job["title_counts"][num], job["body_counts"][num], job["idf"][w]
    k1, k1_plus = job["k1"], job["k1_plus"]
    score = 0.0
    if w in tc:
        tf = tc[w]
        score += job["boost"] * (idf_w * tf * k1_plus / (tf + k1 * job["t_norm"][num]))
    if w in bc:
        tf = bc[w]
        score += idf_w * tf * k1_plus / (tf + k1 * job["b_norm"][num])
    # Negated, so a plain tuple sort (no key function) ranks best first, then by document.
    return -score, num


def encode_best(entries: list[tuple[float, int]], job: dict) -> str:
    """The best `cap` (score, document) entries as (document, weight 1..63) pairs, by document."""
    if len(entries) > job["cap"]:
        entries = sorted(entries)[:job["cap"]]
    return job["encode"](sorted((num, weight(negated)) for negated, num in entries))


def weight(negated_score: float) -> int:
    """A posting's weight, 1..63, from score()'s negated score."""
    return min(63, max(1, round(-negated_score * 3)))


def idf(total: int, df: int) -> float:
    """lunr's idf, with the document count and the word's document frequency on the ladder (quantised_count):
    with the exact count, publishing one document would move every word's weights, and with the exact
    frequency, every weight of each of its words (a common word's thousand listed documents, for each of the
    hundreds of words of a new document: seconds). On the ladder, a word's idf moves once in every 4.4% that
    its frequency grows (at least once a document below 23), and the update re-scores only the words whose idf
    moved (search_update.py). The idf is then off by at most 2.2% of the frequency."""
    n, d = quantised_count(total), quantised_count(df)
    return math.log(1 + abs((n - d + 0.5) / (d + 0.5)))


def quantised_count(total: int) -> float:
    """The number of documents, rounded to a step of the averages' geometric ladder (4.4%)."""
    return 2.0 ** (round(math.log2(total) * AVERAGE_STEPS) / AVERAGE_STEPS) if total > 0 else 0.0


def field_lengths(title_counts, body_counts) -> tuple[list[int], list[int]]:
    """Each document's number of title+文号 tokens and of body tokens."""
    return [sum(c.values()) for c in title_counts], [sum(c.values()) for c in body_counts]


def scoring_job(title_counts, body_counts, total: int, *, k1: float, b: float, boost: float, cap: int, encode,
                words=None, lengths: tuple[list[int], list[int]] | None = None) -> dict:
    """Everything score_words needs; idf only for `words` when given (all words otherwise). lengths: the
    documents' field_lengths, when known (an update reads no unchanged document's counts for them)."""
    if words is None:
        df = Counter(chain.from_iterable(map(or_, map(dict.keys, title_counts), map(dict.keys, body_counts))))
    else:   # only these words; score_postings fills in the idf of others as it needs them
        df = Counter(w for tc, bc in zip(title_counts, body_counts) for w in (tc.keys() | bc.keys()) & words) \
            if words else Counter()
    t_len, b_len = lengths if lengths is not None else field_lengths(title_counts, body_counts)
    t_avg, b_avg = quantised_average(t_len), quantised_average(b_len)
    return dict(
        df=df, title_counts=title_counts, body_counts=body_counts, k1=k1, k1_plus=k1 + 1, boost=boost,
        cap=cap, encode=encode, averages=(t_avg, b_avg), total=total,
        idf={w: idf(total, n) for w, n in df.items()},
        t_norm=[1 - b + b * (n / t_avg if t_avg else 1) for n in t_len],
        b_norm=[1 - b + b * (n / b_avg if b_avg else 1) for n in b_len])


def word_values(title_counts, body_counts, total: int, *, k1: float, b: float, boost: float, cap: int,
                encode, next_out: dict | None = None, terms_out=None
                ) -> tuple[dict[str, str], tuple[float, float], dict[str, int]]:
    """BM25 (lunr's formula) per word over title+文号 and body, quantised to 0..63; the best `cap` per word.
    Also returns the (quantised) average lengths it normalised by, and each word's document frequency.
    terms_out: see search_build_wordcodes.word_values (filled only with numpy)."""
    job = scoring_job(title_counts, body_counts, total, k1=k1, b=b, boost=boost, cap=cap, encode=encode)
    if search_build_wordcodes is not None:
        return search_build_wordcodes.word_values(job, next_out, terms_out), job["averages"], dict(job["df"])
    jobs = build_jobs()
    groups = [set() for _ in range(jobs * max(1, -(-total // (DOCS_PER_WORD_GROUP * jobs))))]
    for n, w in enumerate(sorted(job["df"])):
        groups[n % len(groups)].add(w)
    _JOB.update(job, groups=groups)
    try:
        values: dict[str, str] = {}
        for part in fork_imap(_score_group, list(range(len(groups))), jobs):
            values.update(part)
        return values, job["averages"], dict(job["df"])
    finally:
        _JOB.clear()
