"""Update the previous build's search index after edits, re-doing only what the edited documents are in.

Documents are numbered oldest first (on one date, by URL descending), and every part of the index is by
number. An update works number by number: a number whose document differs from the one it held (edited, or
another one now: a document published among the others moves each later one up by one, one removed or
unpublished moves them down) is updated as an edit, new numbers at the end as new documents, and numbers past
the new count as holding nothing. It applies when at most UPDATED_AT_MOST numbers change (a document
re-dated to among the oldest would move nearly all of them: a full build is quicker), and the publisher and
column vocabularies are unchanged. Then:

- n-gram postings change only for the keys whose membership changed at a changed number (its old
  normalised text is kept in the state); each is patched in place, in its shard. When the document count
  passes a multiple of six, every bitmap posting takes one more character (six documents each), or one
  fewer: every shard is judged again and written (_rejudged_shards);
- word postings are re-scored only for the words of the changed numbers' documents, old and new. BM25's
  average lengths, its document count and each word's document frequency are on a ladder
  (search_build_words.quantised_average, quantised_count, idf), so the other words' weights cannot have
  moved, nor those of a word whose idf held; when the count or an average steps, every word is scored
  again; when a shard count changes (its ladder stepped: search_index._shard_count), the update declines;
- metadata chunks and texts are rewritten only for the changed numbers; every other file is linked from
  the previous index, and the manifest's digest is taken over all of them as a full build does.

The result is byte-identical to a full build (tests/test_search_update.py compares them after edits,
publications and removals); when the update declines (returns None), the caller builds in full.
"""
from __future__ import annotations

import json
import re
import zlib
from functools import partial
from pathlib import Path

from gongkai import search_build_words, search_terms
from gongkai.search_build_words import idf, quantised_count
from gongkai.search_index import (ALPHABET, BM25_B, BM25_K1, IN_PLACE, META_CHUNK, NGRAM_SHARD_BYTES, TITLE_BOOST,
                                  WORD_POSTING_CAP, WORD_SHARD_BYTES, IndexPlan, _meta_script, _script, _shard_count,
                                  _text_script, bitmap_chars, build_search_index, chunk_file, decode_postings, doc_key,
                                  encode_postings, encode_weighted, entry_size, fnv1a, grams, normalize, partition,
                                  text_file, update_state, write_files)
from gongkai.search_segment import DEFAULT_USER_DICT, CachedSegmenter, segmenter_for
from gongkai.search_texts import column_of
from gongkai.search_terms import HeldCounts, TermIndex

# The most numbers whose document changed that an update takes on: it re-does each as an edit. At 10,000
# entries, 190 took 4.3-4.7 s against 5.7 s for the index built afresh; both grow with the corpus (a number's
# postings are as long as the lists it is in), so past about this many a full build is quicker at any size.
UPDATED_AT_MOST = 200


_POPCOUNT = bytes(bin(ALPHABET.index(chr(c))).count("1") if chr(c) in ALPHABET else 0 for c in range(256))


def index_with_state(docs, out_dir: Path, *, cache_dir: Path | None, previous: tuple[dict, Path] | None = None,
                     user_dict: Path | None = None, doc_keys: dict[str, bytes] | None = None,
                     before_full_build=None) -> tuple[dict, dict]:
    """(stats, state): an update of `previous` (state, directory) when it applies, else a full build.
    doc_keys: each document's doc_key by URL, when already computed; before_full_build(): called before a
    full build (which reads every document's text: search_documents makes them all at once)."""
    if previous is not None:
        done = update_search_index(docs, previous[1], previous[0], out_dir, cache_dir=cache_dir, user_dict=user_dict,
                                   doc_keys=doc_keys)
        if done is not None:
            return done
    if before_full_build is not None:
        before_full_build()
    state: dict = {}
    stats = build_search_index(docs, out_dir, cache_dir=cache_dir, user_dict=user_dict, state=state,
                               doc_keys=doc_keys)
    return stats, state


def update_search_index(docs, old_dir: Path, old: dict, out_dir: Path, *, cache_dir: Path | None,
                        user_dict: Path | None = None, doc_keys: dict[str, bytes] | None = None
                        ) -> tuple[dict, dict] | None:
    plan = IndexPlan.of(docs)
    urls, old_urls = [d.url for d in plan.docs], old.get("urls") or []
    if plan.publishers != old.get("publishers") or plan.columns != old.get("columns"):
        return None
    keys = [doc_keys[d.url] if doc_keys else doc_key(d) for d in plan.docs]
    # a number whose document changed (edited, or moved up by one published before it), and the new numbers
    changed = [n for n, (was, now) in enumerate(zip(old["doc_keys"], keys)) if was != now]
    changed += range(len(old_urls), plan.total)
    removed = list(range(plan.total, len(old_urls)))   # numbers past the new count: fewer documents now
    if len(changed) + len(removed) > UPDATED_AT_MOST:
        return None
    segmenter = CachedSegmenter(segmenter_for(user_dict if user_dict is not None else DEFAULT_USER_DICT), cache_dir)
    terms = TermIndex.of(cache_dir, old.get("terms"))
    try:
        return _update(plan, old, old_dir, out_dir, urls, keys, changed, removed, segmenter, doc_keys, terms,
                       cache_dir)
    except MissingCounts:   # an unchanged document's counts were needed and are not cached
        return None


def _update(plan, old, old_dir, out_dir, urls, keys, changed, removed, segmenter, doc_keys, terms, cache_dir
            ) -> tuple[dict, dict] | None:
    old_urls = old["urls"]
    appended = len(urls) - len(old_urls)
    counts = _all_counts(plan, old, changed, removed, segmenter, terms)
    if counts is None:
        return None
    title_counts, body_counts, old_counts, normalised = counts
    lengths = _lengths(old, changed, title_counts, body_counts, plan.total)
    touched = changed + removed   # the numbers whose postings change: a removed one's document holds nothing now

    next_in_line = dict(old.get("next_in_line") or {})
    job = None
    if quantised_count(plan.total) == quantised_count(len(old_urls)):
        job = search_build_words.scoring_job(title_counts, body_counts, plan.total, k1=BM25_K1, b=BM25_B,
                                             boost=TITLE_BOOST, cap=WORD_POSTING_CAP, encode=encode_weighted,
                                             words=set(), lengths=lengths)
        if list(job["averages"]) != list(old["averages"]):
            job = None
    if job is None:
        # The document count or an average length stepped on its ladder, which moves every word's weights:
        # score all words again (in bulk), as a full build does.
        next_in_line = {}
        made_terms = search_terms.Saver(cache_dir) if cache_dir is not None else None
        word_values, averages, df = search_build_words.word_values(
            list(title_counts), list(body_counts), plan.total, k1=BM25_K1, b=BM25_B, boost=TITLE_BOOST,
            cap=WORD_POSTING_CAP, encode=encode_weighted, next_out=next_in_line, terms_out=made_terms)
        terms_entry = made_terms.entry() if made_terms is not None else None
        word_count, word_size, word_parts = partition(word_values, WORD_SHARD_BYTES)
        w_shards = (dict(enumerate(word_parts)), word_size)
    else:
        # Only the words of the edited and new documents can have moved.
        averages, word_count = old["averages"], old["word_shards"]
        word_shards = Shards(old_dir, "w", old["word_shards"])
        df = _updated_df(old["df"], touched, old_counts, title_counts, body_counts)
        word_changes = _word_changes(touched, old_counts, old["df"], df, job, word_shards, next_in_line, terms)
        terms_entry = terms.entry() if terms is not None else None
        w_shards = _patched_shards(word_shards, old["word_size"], word_changes, WORD_SHARD_BYTES,
                                   lambda value, change: change)

    gram_changes = _gram_changes(plan, old, touched, normalised)

    old_grams = Shards(old_dir, "g", old["gram_shards"])
    # a bitmap's characters hold six documents each: when their number changes, every shard is judged again
    rejudged = _rejudged_shards(old_grams, old["gram_size"], len(old_urls), plan.total) \
        if bitmap_chars(plan.total) != bitmap_chars(len(old_urls)) else None
    g_shards = _patched_shards(old_grams, old["gram_size"], gram_changes, NGRAM_SHARD_BYTES,
                               partial(_patch_postings, total=plan.total), start=rejudged)
    if g_shards is None or w_shards is None:
        return None
    segmenter.save()

    in_place = out_dir == old_dir
    # an unchanged file: IN_PLACE when updating in place (no Path made for each of 12,000), else the old one

    def unchanged(name: str):
        return IN_PLACE if in_place else old_dir / name

    makers: dict[str, object] = {}
    for kind, count, (patched, _size) in (("g", old["gram_shards"], g_shards), ("w", word_count, w_shards)):
        for n in range(count):
            makers[chunk_file(kind, n)] = (partial(_script, kind, n, patched[n]) if n in patched
                                           else unchanged(chunk_file(kind, n)))
    changed_chunks = {n // META_CHUNK for n in touched}
    for chunk in range(-(-plan.total // META_CHUNK)):
        makers[chunk_file("m", chunk)] = partial(_meta_script, plan, chunk) if chunk in changed_chunks \
            else unchanged(chunk_file("m", chunk))
    changed_set = set(changed)
    for num, d in enumerate(plan.docs):
        makers[text_file(num)] = partial(_text_script, d, num) if num in changed_set else unchanged(text_file(num))
    file_count, size, digests = write_files(out_dir, makers, plan, old["gram_shards"], word_count,
                                            known=old.get("files") if in_place else None)

    state = dict(old, urls=urls, doc_keys=keys, gram_size=g_shards[1], word_shards=word_count, word_size=w_shards[1],
                 averages=averages, df=df, files=digests, next_in_line=next_in_line, lengths=lengths,
                 terms=terms_entry)
    fresh = update_state(IndexPlan([plan.docs[n] for n in changed], plan.publishers, plan.columns),
                         [normalised[n] for n in changed], doc_keys)
    # the texts in their own column (search_texts.py): the edited documents' put in, the others not read
    state["texts"] = column_of(old["texts"]).replaced(dict(zip(changed, fresh["texts"])), plan.total)
    for field in ("segment_keys", "facets"):
        column = list(old[field][:plan.total]) + [None] * appended
        for n, value in zip(changed, fresh[field]):
            column[n] = value
        state[field] = column
    stats = {"docs": plan.total, "files": file_count, "bytes": size, "updated": len(changed), "removed": len(removed),
             "gram_shards": old["gram_shards"], "word_shards": word_count, "appended": appended,
             "segmenter": segmenter.segmenter.engine, "segment_cache_hits": segmenter.hits,
             "segment_cache_misses": segmenter.misses}
    return stats, state


def _all_counts(plan, old, changed, removed, segmenter, terms: TermIndex | None):
    """Token counts of every document (the edited and new ones' counted, the others' read when asked for,
    from the term index when there is one, else from the segmentation cache; none at a removed number), the
    old counts of the changed and removed numbers and the normalised texts of the changed ones; None when the
    segmentation cache lacks an old text."""
    changed_set = set(changed).union(removed)
    normalised = {n: (normalize(plan.docs[n].title), normalize(plan.docs[n].doc_no), normalize(plan.docs[n].text))
                  for n in changed}
    old_counts = {}
    known = len(old["segment_keys"])
    held = terms.counts([n for n in changed + removed if n < known]) if terms is not None else {}
    for n in changed + removed:
        if n >= known:
            was = [{}, {}]
        elif terms is not None:
            was = list(held[n])
        else:
            was = [segmenter.old.get(k) for k in old["segment_keys"][n]]
        if None in was:
            return None
        old_counts[n] = was
    fresh = {n: ({}, {}) for n in removed}
    for n in changed:
        title, doc_no, body = normalised[n]
        fresh[n] = (segmenter.counts(title + " " + doc_no), segmenter.counts(body))
    for n, keys in enumerate(old["segment_keys"]):
        if n not in changed_set:
            for key in keys:
                segmenter.keep(key)
    if terms is not None:
        terms.edited(fresh)
    counts = [_StoredCounts(old["segment_keys"], fresh, field, segmenter, plan.total, terms) for field in (0, 1)]
    return counts[0], counts[1], old_counts, normalised


class MissingCounts(Exception):
    """A document's counts are not in the segmentation cache: the update declines."""


class _StoredCounts:
    """One field's token counts by document number: the edited and new documents' as just counted, the
    others' when first asked for: what score() asks of them from the term index when there is one, else
    from the segmentation cache. Iterated, every document's counts as dicts (from the cache)."""

    def __init__(self, keys: list, fresh: dict, field: int, segmenter, total: int, terms: TermIndex | None = None):
        self.keys, self.fresh, self.field, self.segmenter, self.total = keys, fresh, field, segmenter, total
        self.terms = terms

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, n: int):
        found = self.fresh.get(n)
        if found is not None:
            return found[self.field]
        if self.terms is not None:
            return HeldCounts(self.terms, n, self.field)
        return self._cached(n)

    def _cached(self, n: int) -> dict:
        found = self.segmenter.old.get(self.keys[n][self.field])
        if found is None:
            raise MissingCounts(n)
        return found

    def __iter__(self):
        return (self.fresh[n][self.field] if n in self.fresh else self._cached(n) for n in range(self.total))


def _lengths(old, changed, title_counts, body_counts, total: int) -> tuple[list[int], list[int]]:
    """Every document's field lengths: the old ones, the changed documents' counted again."""
    t_len, b_len = (list(column[:total]) + [0] * (total - len(column)) for column in old["lengths"])
    for n in changed:
        t_len[n], b_len[n] = sum(title_counts[n].values()), sum(body_counts[n].values())
    return t_len, b_len


def _gram_changes(plan, old, changed, normalised) -> dict[str, list[tuple[int, bool, bool]]]:
    """Key -> [(document, in its postings now, in its title postings now)] for every key whose membership
    changed at a changed number (one past the documents' count now holds none)."""
    changes: dict[str, list] = {}
    for n in changed:
        if n < len(old["texts"]):
            title, doc_no, body = zlib.decompress(old["texts"][n]).decode("utf-8", "surrogatepass").split("\0")
            old_head = grams(title) | grams(doc_no)
            old_all = old_head | grams(body) | set(old["facets"][n])
        else:   # a new document
            old_head, old_all = set(), set()
        if n < plan.total:
            title, doc_no, body = normalised[n]
            new_head = grams(title) | grams(doc_no)
            new_all = new_head | grams(body) | set(plan.facets(plan.docs[n]))
        else:   # removed
            new_head, new_all = set(), set()
        for key in old_all | new_all:
            now_all, now_head = key in new_all, key in new_head
            if now_all != (key in old_all) or now_head != (key in old_head):
                changes.setdefault(key, []).append((n, now_all, now_head))
    return changes


def _words_of(changed, old_counts, title_counts, body_counts) -> set[str]:
    words: set[str] = set()
    for n in changed:
        for counts in (*old_counts[n], title_counts[n], body_counts[n]):
            words.update(counts)
    return words


def _updated_df(df: dict, changed, old_counts, title_counts, body_counts) -> dict[str, int]:
    df = dict(df)
    for n in changed:
        was = old_counts[n][0].keys() | old_counts[n][1].keys()
        now = title_counts[n].keys() | body_counts[n].keys()
        for w in now - was:
            df[w] = df.get(w, 0) + 1
        for w in was - now:
            df[w] -= 1
            if not df[w]:
                del df[w]
    return df


def _word_changes(changed, old_counts, old_df, df, job, shards: "Shards", next_in_line: dict,
                  terms: TermIndex | None = None) -> dict[str, str | None]:
    """The new postings of every word of an edited document (None: no document holds it any more).

    Unchanged documents score as before unless the word's idf moved (its document frequency stepped on its
    ladder: search_build_words.idf): then the word is scored afresh over every document that holds it. When
    it did not move and every holder is listed, before and now (the postings were not cut at the cap), the
    unchanged holders keep their listed weights. Otherwise, when its postings were cut at the cap, every
    document outside them scored below all of the unchanged ones inside, so the best of those and the edited
    documents are the answer whenever they fill the cap without reaching below the worst unchanged one; if
    not, the word is scored afresh too. Before that, and mostly instead, the best document left out of the
    list (next_in_line, kept from the last build and updated here) settles it when the unchanged holders and
    the edited ones that rank above it fill the cap, or all but one place (_above_next).
    """
    title_counts, body_counts, cap, total = job["title_counts"], job["body_counts"], job["cap"], job["total"]
    changed_set = set(changed)
    words = _words_of(changed, old_counts, title_counts, body_counts)
    holders_now = {n: title_counts[n].keys() | body_counts[n].keys() for n in changed}
    values: dict[str, str | None] = {}
    rescan: dict[str, set[int]] = {}
    for w in words:
        if w not in df:
            values[w] = None
            next_in_line.pop(w, None)
            continue
        job["idf"][w] = idf(total, df[w])
        idf_held = w in old_df and idf(total, old_df[w]) == job["idf"][w]
        was = shards.get(w)
        edited_now = [n for n in changed if w in holders_now[n]]
        # (negated score, document) of each edited document that holds the word: the lower ranks higher
        scored = [search_build_words.score(w, n, job) for n in edited_now]
        now = _weighed(scored)
        # An edit mostly leaves a word's list as it was: that is seen from the edited documents' listed weights
        # alone, without decoding every pair (below, the same decisions, taken from the decoded list).
        listed = _weights_of(was, changed) if was and idf_held else None
        if listed is not None:
            listed_edited = {n: weight for n, weight in listed.items() if weight is not None}
            if old_df[w] <= cap:
                if listed_edited == dict(now):
                    continue   # the edited documents' weights are as listed: nothing to write
            else:   # listed at the cap: the cap's number of documents, those not edited and the edited listed
                settled = _next_settles(scored, next_in_line.get(w), changed_set, cap - len(listed_edited), cap)
                if settled is not None and dict(_weighed(settled[0])) == listed_edited:
                    next_in_line[w] = settled[2]   # the list as it was (_above_next's pairs), and who is next
                    continue
        listed_pairs = decode_weighted_pairs(was) if was else []
        unchanged = [p for p in listed_pairs if p[0] not in changed_set]
        if old_df.get(w, 0) <= cap and df[w] <= cap and idf_held and was:
            # Every holder is listed, before and now, and the idf did not move: the unchanged holders keep
            # their weights, only the edited ones are scored again.
            pairs = unchanged + now
            pairs.sort()
            if pairs != listed_pairs:   # an edit mostly leaves a word's weights as they were: nothing to write
                values[w] = job["encode"](pairs)
            continue
        if old_df.get(w, 0) <= cap:
            # Every holder was listed; now they are those and the edited ones: score them all.
            rescan[w] = {doc for doc, _weight in listed_pairs}.union(edited_now)
            continue
        if not idf_held:
            rescan[w] = None
            continue
        settled = _above_next(unchanged, scored, next_in_line.get(w), changed_set, cap)
        if settled is not None:
            kept, after = settled
        else:
            kept, after = _capped_update(w, unchanged, scored, job), None
        if after is None:
            next_in_line.pop(w, None)   # who ranks next after the list is not known after these
        else:
            next_in_line[w] = after
        if kept is None:
            rescan[w] = None
        elif kept != listed_pairs:
            values[w] = job["encode"](kept)
    full_scan = {w for w, docs in rescan.items() if docs is None}
    if full_scan and terms is not None:
        rescan.update((w, set(terms.held(w))) for w in full_scan)
    elif full_scan:
        wanted = sorted(full_scan)
        holders = {w: set() for w in wanted}
        for num, (tc, bc) in enumerate(zip(title_counts, body_counts)):
            for w in wanted:   # few words: look each up rather than build every document's word set
                if w in tc or w in bc:
                    holders[w].add(num)
        rescan.update(holders)
    for w in rescan:
        next_in_line.pop(w, None)
    values.update(search_build_words.score_postings({w: sorted(d or ()) for w, d in rescan.items()}, job,
                                                    next_in_line))
    for w in rescan:
        values.setdefault(w, None)
    return values


def _above_next(unchanged: list[tuple[int, int]], scored: list[tuple], next_in_line, changed_set, cap: int
                ) -> tuple[list[tuple[int, int]], tuple | None] | None:
    """(pairs, who ranks next after them) of a word listed at the cap whose idf did not move, when the best
    document left out (next_in_line, not edited) settles them; None when it does not. scored: the edited
    documents' (negated score, document).

    The unchanged listed documents rank above it, and every other document left out ranks below it, so
    the list is the unchanged ones and the edited ones that rank above it, when they fill the cap (then the
    best left out is it or an edited one below it), or the cap but one: then it joins the list, and who
    ranks next is not known (None)."""
    settled = _next_settles(scored, next_in_line, changed_set, len(unchanged), cap)
    if settled is None:
        return None
    above, room, after = settled
    pairs = unchanged + _weighed(above)
    if room == 1:
        best_out = tuple(next_in_line)
        return sorted(pairs + [(best_out[1], search_build_words.weight(best_out[0]))]), None
    return sorted(pairs), after


def _next_settles(scored: list[tuple], next_in_line, changed_set, unchanged: int, cap: int) -> tuple | None:
    """_above_next's decision, from the number of unchanged listed documents alone: (the edited ones that rank
    above the best one left out, the places left beside those and the unchanged ones (0 or 1), who ranks
    next after the list when none is left); None when the best one left out does not settle the list."""
    if next_in_line is None or next_in_line[1] in changed_set:
        return None
    best_out = tuple(next_in_line)
    above = [s for s in scored if s < best_out]
    room = cap - unchanged - len(above)
    if room not in (0, 1):
        return None
    return above, room, min([s for s in scored if not s < best_out] + [best_out]) if room == 0 else None


def _weighed(scored: list[tuple]) -> list[tuple[int, int]]:
    """(document, weight) of (negated score, document) pairs."""
    return [(n, search_build_words.weight(negated)) for negated, n in scored]


def _capped_update(w: str, unchanged: list[tuple[int, int]], scored: list[tuple], job: dict
                   ) -> list[tuple[int, int]] | None:
    """The (document, weight) pairs of a word listed at the cap whose idf did not move, after the edited
    documents that hold it were scored again (scored: their (negated score, document)); None when documents
    outside the old list may now belong in it.

    That is sorted(scores of unchanged + edited)[:cap] (best first, ties by document), kept only when its
    worst entry is no worse than the worst unchanged one. The unchanged documents' scores did not move, and
    a weight is round(score * 3), monotonic in the score, so a higher weight means a strictly higher score:
    only the tail needs exact scores. Every document weighted above the (d+1)-th lowest weight outranks the
    d+1 lowest, so it is neither among the d dropped nor the new worst."""
    drop = len(unchanged) + len(scored) - job["cap"]
    if not unchanged or drop < 0:
        return None
    weights = sorted(weight for _doc, weight in unchanged)
    edited_pairs = _weighed(scored)
    lowest = weights[0]
    below = [p for p in edited_pairs if p[1] < lowest]
    above = [p for p in edited_pairs if p[1] > lowest]
    if len(below) == drop and len(below) + len(above) == len(edited_pairs):
        # The usual edit, decided by weights alone: the edited documents weighted below every unchanged one
        # are exactly those to drop, and the others outrank the worst unchanged one, which stays the worst.
        return sorted(unchanged + above)
    ceiling = weights[min(drop, len(unchanged) - 1)]
    tail = search_build_words.scores(w, [n for n, weight in unchanged if weight <= ceiling], job)
    ranked = sorted(tail + scored)
    if ranked[-1 - drop] > max(tail):   # the new worst is below every unchanged document: look further
        return None
    dropped = {n for _negated, n in ranked[len(ranked) - drop:]}
    pairs = [p for p in unchanged if p[0] not in dropped]
    pairs += [p for p in edited_pairs if p[0] not in dropped]
    return sorted(pairs)


def decode_weighted(value: str) -> list[int]:
    """The documents of encode_weighted's (document, weight) pairs."""
    return [doc for doc, _weight in decode_weighted_pairs(value)]


def _weights_of(value: str, docs) -> dict[int, int | None]:
    """The weight encode_weighted's value lists for each of docs (None: not listed), read from the value's
    start up to the last of them only, without making a pair of each listed document (decode_weighted_pairs
    of the common words' lists of 1,000 documents was most of an update's time)."""
    found = dict.fromkeys(docs)
    last = max(found, default=-1)
    codes = value.encode("ascii", "replace").translate(_CODE_OF)
    at, doc, size = 0, -1, len(codes)
    while at < size and doc < last:
        n = 0
        digit = codes[at]
        while digit >= 32:   # a gap's leading digits
            n = (n << 5) | (digit - 32)
            at += 1
            digit = codes[at]
        doc += ((n << 5) | digit) + 1
        if doc in found:
            found[doc] = codes[at + 1]
        at += 2
    return found


def decode_weighted_pairs(value: str) -> list[tuple[int, int]]:
    """encode_weighted's (document, weight) pairs: the regular expression splits the pairs in C."""
    pairs, prev = [], -1
    index = _INDEX
    for high, low, weight in _WEIGHTED_PAIR.findall(value):
        n = 0
        for ch in high:
            n = (n << 5) | (index[ch] - 32)
        prev += ((n << 5) | index[low]) + 1
        pairs.append((prev, index[weight]))
    return pairs


_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
# an alphabet character's byte -> its value (other bytes -> 64, more than any value)
_CODE_OF = bytes(_INDEX.get(chr(byte), 64) for byte in range(256))
# A pair: continuation digits (alphabet 32..63), the last digit (0..31), the weight character.
_WEIGHTED_PAIR = re.compile(f"([{re.escape(ALPHABET[32:])}]*)([{re.escape(ALPHABET[:32])}])(.)", re.S)


class Shards:
    """The shards of one kind in the previous index, read (JSON) when first needed."""

    def __init__(self, old_dir: Path, kind: str, count: int):
        self.old_dir, self.kind, self.count = old_dir, kind, count
        self.read: dict[int, dict] = {}

    def shard(self, n: int) -> dict:
        found = self.read.get(n)
        if found is None:
            found = self.read[n] = _read_shard(self.old_dir / chunk_file(self.kind, n), self.kind, n)
        return found

    def number(self, key: str) -> int:
        return fnv1a(key) % self.count

    def get(self, key: str) -> str | None:
        return self.shard(self.number(key)).get(key)


def _patched_shards(shards: Shards, size: int, changes: dict, target: int, patch,
                    start: tuple[dict[int, dict], int] | None = None):
    """({shard number: its patched key -> value}, new size), or None when the shard count would change.
    start: shards already patched, and the size with them (_rejudged_shards)."""
    patched: dict[int, dict] = {}
    if start is not None:
        patched, size = start
    for key, change in changes.items():
        n = shards.number(key)
        shard = patched.get(n)
        if shard is None:
            shard = patched[n] = dict(shards.shard(n))
        was = shard.get(key)
        now = patch(was, change)
        size += (entry_size(key, now) if now is not None else 0) - (entry_size(key, was) if was is not None else 0)
        if now is None:
            shard.pop(key, None)
        else:
            shard[key] = now
    if _shard_count(size, target) != shards.count:
        return None
    return patched, size


def _rejudged_shards(shards: Shards, size: int, old_total: int, total: int) -> tuple[dict[int, dict], int]:
    """(every n-gram shard, its postings encoded for `total` documents where that changes them, the new size):
    the documents passed a multiple of six, and their bitmaps' characters (six documents each) grew or shrank.
    The postings still hold the documents past the new count (the patches after take them out)."""
    patched: dict[int, dict] = {}
    shrinking = total < old_total
    rejudge = partial(_shrunk if shrinking else _regrown, total=total)
    bitmap_len = 1 + bitmap_chars(total)
    for n in range(shards.count):
        shard = patched[n] = dict(shards.shard(n))
        for key, value in shard.items():
            # only a bitmap, or a list as long as the shorter bitmap, can change
            if "!" in value or (shrinking and len(value) >= bitmap_len):
                now = "|".join(map(rejudge, value.split("|")))   # of all documents, and of titles ('all|title')
                size += len(now) - len(value)
                shard[key] = now
    return patched, size


def _regrown(encoded: str, total: int) -> str:
    """encode_postings of an encoded part's documents, for a total whose bitmaps are longer (by a character for
    each six documents more): a bitmap with as many documents as the longer bitmap has characters stays one
    (with characters of none added); one with fewer may now be shorter listed."""
    if not encoded.startswith("!"):
        return encoded   # a list: the longer bitmap would be longer still
    chars = bitmap_chars(total)
    if sum(encoded[1:].encode("ascii").translate(_POPCOUNT)) >= 1 + chars:
        return encoded + ALPHABET[0] * (chars - (len(encoded) - 1))
    return encode_postings(decode_postings(encoded), total)


def _shrunk(encoded: str, total: int) -> str:
    """encode_postings of an encoded part's documents below `total` ("" for none), for a total whose bitmaps are
    shorter, where that differs: a bitmap loses its last characters (documents past the count) and may now be
    shorter listed; a list as long as the shorter bitmap may now be longer than it. The documents past the
    count in the other parts are left for the patches."""
    bitmap_len = 1 + bitmap_chars(total)
    if encoded.startswith("!"):
        chars = encoded[1:bitmap_len]
        if sum(chars.encode("ascii").translate(_POPCOUNT)) >= bitmap_len:
            return "!" + chars
    elif len(encoded) < bitmap_len:
        return encoded
    kept = [n for n in decode_postings(encoded) if n < total]
    return encode_postings(kept, total) if kept else ""


def _read_shard(path: Path, kind: str, n: int) -> dict:
    text = path.read_text(encoding="utf-8")
    prefix = f'gkSearchLoad("{kind}",{n},'
    if not (text.startswith(prefix) and text.endswith(");\n")):
        raise ValueError(f"not a search index shard: {path}")
    return json.loads(text[len(prefix):-3])


def _patch_postings(value: str | None, change: list[tuple[int, bool, bool]], *, total: int) -> str | None:
    """Apply (document, in all, in title) memberships to an 'all|title' value."""
    all_part, _, title_part = (value or "").partition("|")
    all_part = _patch_one(all_part, {n: now for n, now, _ in change}, total)
    title_part = _patch_one(title_part, {n: now for n, _, now in change}, total)
    if not all_part:
        return None
    return all_part + ("|" + title_part if title_part else "")


def _patch_one(encoded: str, membership: dict[int, bool], total: int) -> str:
    bitmap_len = 1 + bitmap_chars(total)
    if encoded.startswith("!"):
        chars = list(encoded[1:])
        count = sum(encoded[1:].encode("ascii").translate(_POPCOUNT))
        for n, member in membership.items():
            if n // 6 >= len(chars) and not member:
                continue   # past the count, its character gone (_shrunk): not a member, as asked
            value = ALPHABET.index(chars[n // 6])
            present = bool(value >> (n % 6) & 1)
            if present != member:
                chars[n // 6] = ALPHABET[value ^ (1 << (n % 6))]
                count += 1 if member else -1
        if count >= bitmap_len:   # encode_postings keeps a bitmap at this size: patch it in place
            return "!" + "".join(chars)
    ids = set(decode_postings(encoded)) if encoded else set()
    for n, member in membership.items():
        (ids.add if member else ids.discard)(n)
    return encode_postings(sorted(ids), total) if ids else ""
