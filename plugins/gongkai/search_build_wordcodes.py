"""The BM25 word postings of a full index build with numpy (optional: search_build_words falls back to Python).

Every (word, document) score is computed with the floating-point operations of search_build_words.score, in
the same order, so the weights and the best `cap` documents of each word are the same to the bit; then all
postings are encoded at once (search_codes). A Python step per posting was most of the words' build time.
"""
from __future__ import annotations

from itertools import chain

import numpy as np

from gongkai.search_codes import encode_weighted_runs
from gongkai.search_terms import TF_LIMIT, TITLE_SHIFT
from gongkai.workers import release_free_memory


CHUNK_DOCS = 4096   # documents scored at a time: their temporaries stay small beside the postings


def word_values(job: dict, next_out: dict | None = None, terms_out=None) -> dict[str, str]:
    """Encoded (document, weight) postings of every word in job["df"] (see search_build_words.scoring_job);
    next_out, when given, receives (negated score, document) of the best document left out of each word cut
    at the cap (search_update keeps it to tell, after an edit, that the list's members did not change).
    terms_out, when given, is called with the counts of every (word, document) in word order (search_terms'
    words, docs, ptr and tf), as soon as they are made: it saves them, and they are freed before the rest.

    Empties job's title_counts and body_counts (the caller's lists) once every posting is in two arrays:
    at 100,000 entries those dicts are gigabytes, better freed before the postings are sorted."""
    total = job["total"]
    words = sorted(job["df"])
    keys, scores, codes = _posting_scores(job, {w: n for n, w in enumerate(words)},
                                          np.array([job["idf"][w] for w in words], dtype=np.float64),
                                          terms_out is not None)
    job["title_counts"].clear()
    job["body_counts"].clear()
    release_free_memory()
    # One score per (word, document): title + body where the word is in both (addition commutes exactly).
    order = _sorting_order(keys)
    keys = keys[order]
    scores = scores[order]
    if codes is not None:
        codes = codes[order]
    del order
    firsts = _starts(keys)
    scores = np.add.reduceat(scores, firsts) if len(firsts) else scores
    keys = keys[firsts]
    word, doc = np.divmod(keys, total) if total else (keys, keys)
    del keys
    word, doc = word.astype(np.int32), doc.astype(np.int32)   # half the memory: numbers below 2**31
    if codes is not None:
        codes = np.add.reduceat(codes, firsts, dtype=np.uint32) if len(firsts) else codes
        terms_out(words, doc, np.searchsorted(word, np.arange(len(words) + 1)), codes)
        del codes
    keep, first_out = _best(word, doc, scores, job["cap"])
    if keep is not None:
        if next_out is not None:
            next_out.update(zip(map(words.__getitem__, word[first_out].tolist()),
                                zip((-scores[first_out]).tolist(), doc[first_out].tolist())))
        word, doc, scores = word[keep], doc[keep], scores[keep]
    # search_build_words.weight: round() and np.rint both round half to even.
    weights = np.clip(np.rint(scores * 3), 1, 63).astype(np.int64)
    del scores
    firsts = _starts(word)
    lasts = np.append(firsts[1:], len(word))
    return dict(zip(map(words.__getitem__, word[firsts].tolist()),
                    encode_weighted_runs(doc, weights, firsts, lasts)))


def _posting_scores(job: dict, number: dict[str, int], idf: np.ndarray, with_codes: bool
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(word * total + document, score) of every word of every document's body, then of its title (boosted),
    filled a chunk of documents at a time into two arrays; with_codes: and each count (search_terms: a
    title's shifted), as a third."""
    fields = [(job["body_counts"], np.array(job["b_norm"], dtype=np.float64), 1.0),
              (job["title_counts"], np.array(job["t_norm"], dtype=np.float64), job["boost"])]
    size = sum(sum(map(len, counts)) for counts, _norms, _boost in fields)
    keys, scores = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.float64)
    codes = np.empty(size, dtype=np.uint32) if with_codes else None
    at = 0
    for counts, norms, boost in fields:
        shift = 0 if counts is job["body_counts"] else TITLE_SHIFT
        for start in range(0, len(counts), CHUNK_DOCS):
            chunk_keys, chunk_scores, tf = _field_scores(counts[start:start + CHUNK_DOCS], start, number, idf,
                                                         norms, job)
            if boost != 1.0:
                chunk_scores = boost * chunk_scores
            keys[at:at + len(chunk_keys)] = chunk_keys
            scores[at:at + len(chunk_keys)] = chunk_scores
            if codes is not None:
                codes[at:at + len(chunk_keys)] = np.minimum(tf, TF_LIMIT).astype(np.uint32) << shift
            at += len(chunk_keys)
    return keys, scores, codes


def scores(w: str, docs: list[int], job: dict) -> list[tuple[float, int]]:
    """search_build_words.score(w, n, job) for each n in docs: (negated score, n)."""
    title_counts, body_counts = job["title_counts"], job["body_counts"]
    if "norm_arrays" not in job:   # once per job: an update scores a few hundred words with it
        job["norm_arrays"] = (np.array(job["t_norm"], dtype=np.float64), np.array(job["b_norm"], dtype=np.float64))
    t_norm, b_norm = job["norm_arrays"]
    at = np.array(docs, dtype=np.int64)
    idf = job["idf"][w]
    t_tf = np.array([title_counts[n].get(w, 0) for n in docs], dtype=np.float64)
    b_tf = np.array([body_counts[n].get(w, 0) for n in docs], dtype=np.float64)
    title = job["boost"] * _bm25(idf, t_tf, t_norm[at], job)
    body = _bm25(idf, b_tf, b_norm[at], job)
    # score() adds a field only when the word is in it; a field without it scores exactly 0.0 here, and
    # 0.0 + x == x, so the sums agree to the bit.
    total = title + body
    return list(zip((-total).tolist(), docs))


def _field_scores(counts: list[dict[str, int]], first: int, number: dict[str, int], idf: np.ndarray,
                  norms: np.ndarray, job: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(word * total + document, score, count) of every word of documents first, first + 1, ... in one field."""
    sizes = np.fromiter(map(len, counts), dtype=np.int64, count=len(counts))
    n = int(sizes.sum())
    word = np.fromiter(map(number.__getitem__, chain.from_iterable(counts)), dtype=np.int64, count=n)
    tf = np.fromiter(chain.from_iterable(map(dict.values, counts)), dtype=np.float64, count=n)
    doc = np.repeat(np.arange(first, first + len(counts), dtype=np.int64), sizes)
    norm = norms[doc]
    return word * job["total"] + doc, _bm25(idf[word], tf, norm, job), tf


def _bm25(idf, tf: np.ndarray, norm: np.ndarray, job: dict) -> np.ndarray:
    """search_build_words.score's field score, idf * tf * (k1 + 1) / (tf + k1 * norm), evaluated left to
    right as it does: the same operations in the same order give the same floats to the bit."""
    return idf * tf * job["k1_plus"] / (tf + job["k1"] * norm)


def _sorting_order(keys: np.ndarray) -> np.ndarray:
    """np.argsort(keys) for keys of 0 and up, as a radix sort: 16 bits at a time, lowest first, each pass a
    stable argsort of 16-bit digits (numpy's radix sort). Twice as fast as sorting the keys at 10,000 entries;
    equal keys (a word in a document's title and body) may come in either order."""
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    for shift in range(16, int(keys.max()).bit_length() if len(keys) else 0, 16):
        order = order[np.argsort((keys[order] >> shift).astype(np.uint16), kind="stable")]   # its low 16 bits
    return order


def _starts(sorted_values: np.ndarray) -> np.ndarray:
    """Index of the first of each run of equal values."""
    if not len(sorted_values):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], sorted_values[1:] != sorted_values[:-1])))


BEST_CHUNK_POSTINGS = 4_000_000   # postings of crowded words ranked at a time (whole words): bounds _best's temporaries


def _best(word: np.ndarray, doc: np.ndarray, scores: np.ndarray, cap: int
          ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """A mask of the best `cap` postings of each word (by score, then document, as sorted((-score, doc)) ranks
    them), and the index of the best posting left out of each word that has more; (None, None) when none has.
    The postings are sorted by word, then document. The crowded words are ranked a few million postings at a
    time, each word whole: ranking them all at once held five arrays of every posting beside the postings (the
    build's peak at 100,000 entries, +0.8 GB)."""
    counts = np.bincount(word) if len(word) else np.zeros(0, dtype=np.int64)
    crowded = counts > cap
    crowded_words = np.flatnonzero(crowded)
    if not len(crowded_words):
        return None, None
    keep = np.ones(len(word), dtype=bool)
    starts = np.concatenate(([0], np.cumsum(counts)))   # word w's postings: starts[w]:starts[w + 1]
    left_out = []
    for group in _groups(crowded_words, counts, BEST_CHUNK_POSTINGS):
        low, high = int(starts[group[0]]), int(starts[group[-1] + 1])
        part = low + np.flatnonzero(crowded[word[low:high]])
        # By word, then score, then document: part is in word order, and each word's documents ascend, so a
        # stable sort by (word, -score) leaves ties in document order (lexsort is stable; a third key was a
        # third of its time)
        ranked = part[np.lexsort((-scores[part], word[part]))]
        del part
        first = _starts(word[ranked])
        rank = np.arange(len(ranked)) - np.repeat(first, np.diff(np.append(first, len(ranked))))
        keep[ranked[rank >= cap]] = False
        left_out.append(ranked[rank == cap])
    return keep, np.concatenate(left_out)


def _groups(words: np.ndarray, counts: np.ndarray, size: int) -> list[np.ndarray]:
    """words (ascending) in consecutive groups of about `size` postings each (a larger word alone)."""
    ends = np.cumsum(counts[words])
    cuts = np.searchsorted(ends, np.arange(size, int(ends[-1]), size), side="left") + 1
    return [g for g in np.split(words, np.unique(cuts)) if len(g)]
