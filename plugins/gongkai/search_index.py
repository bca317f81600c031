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

Documents are numbered oldest first (the reverse of newest first, same-day documents by URL), so reversed
document order is the date tie-break, and a newly published document takes the next number: the others
keep theirs, and with them their text and metadata files.

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
import os
import re
import time
import unicodedata
import zlib
from collections import deque
from dataclasses import dataclass, field, fields
from functools import cache, partial
from itertools import accumulate, chain, repeat
from operator import attrgetter, sub
from pathlib import Path
from typing import Iterator

from gongkai import phases, search_build_grams, search_build_words, search_terms
from gongkai.output_tree import write_if_changed
from gongkai.search_segment import DEFAULT_USER_DICT, CachedSegmenter, segmenter_for

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
META_CHUNK = 8
FILES_PER_DIR = 100          # index files per directory: creating a file costs more the fuller its directory (3x at 1,000)
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


_DOC_FIELDS = fields(SearchDoc)


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), lower case, control characters and whitespace runs to one space.

    search.js does the same, so query and text meet in one form.
    """
    return _SPACES.sub(" ", nfkc(text).lower())


# \s (str.isspace's characters) and the control characters, spelled out as ranges: the same runs as
# r"[\s\x00-\x1f\x7f-\x9f]+" (a test checks every code point), a quarter quicker on Chinese text
_SPACES = re.compile(r"[\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), three times faster on Chinese prose.

    Its full-width punctuation makes almost every text fail NFKC's quick check, and the full algorithm then
    runs over every character. Replacing each character that NFKC changes by its NFKC form keeps the text
    compatibility-equivalent, so its NFKC form is unchanged; usually the result is already normalised (a
    quick check), else the full algorithm finishes the job.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    for ch in set(_changed_by_nfkc().findall(text)):
        text = text.replace(ch, _nfkc_char(ch))
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


@cache
def _nfkc_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


@cache
def _changed_by_nfkc() -> re.Pattern:
    """A character class of the BMP characters NFKC changes, and all of the other planes."""
    ranges, start = [], None
    for cp in range(0x10001):
        changed = cp < 0x10000 and not 0xD800 <= cp < 0xE000 and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
        if changed and start is None:
            start = cp
        elif not changed and start is not None:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(cp - 1)) if cp - 1 > start else ""))
            start = None
    return re.compile("[" + "".join(ranges) + "\U00010000-\U0010ffff]")


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


class _Varints(dict):
    """Gap -> its varint, made when first asked for."""

    def __missing__(self, gap: int) -> str:
        made = self[gap] = _varint(gap)
        return made


class _Gaps(dict):
    """A gap's varint -> the gap plus one, made when first asked for."""

    def __missing__(self, digits: str) -> int:
        n = 0
        for ch in digits:
            n = (n << 5) | (ALPHABET.index(ch) & 31)
        self[digits] = n + 1
        return n + 1


_VARINTS = _Varints((gap, _varint(gap)) for gap in range(1024))
_GAPS = _Gaps((digits, gap + 1) for gap, digits in _VARINTS.items())
_VARINT = re.compile(f"[{re.escape(ALPHABET[32:])}]*[{re.escape(ALPHABET[:32])}]")


def bitmap_chars(total: int) -> int:
    """The characters of a bitmap posting of `total` documents: six documents a character."""
    return (total + 5) // 6


def encode_postings(ids: list[int], total: int) -> str:
    """Sorted document numbers as delta varints, or as a bitmap when that is shorter."""
    bitmap_len = 1 + bitmap_chars(total)
    if len(ids) < bitmap_len:
        # ids[k] - ids[k-1] - 1, with ids[-1] taken as -1, computed in C.
        deltas = list(map(sub, ids, chain((0,), map(_PLUS_ONE, ids))))
        if max(deltas) < 32:
            return "".join(map(_SMALL.__getitem__, deltas))
        listed = "".join(map(_VARINTS.__getitem__, deltas))
        if len(listed) <= bitmap_len:
            return listed
    return "!" + _bitmap(ids, bitmap_chars(total))


def _bitmap(ids: list[int], chars: int) -> str:
    """6 bits per character, bit i % 6 of character i // 6 set for every i in ids (all in C)."""
    flags = bytearray(chars * 6)
    deque(map(flags.__setitem__, ids, repeat(1)), 0)
    bits = 0
    for b in range(6):
        bits |= int.from_bytes(flags[b::6].translate(_SHIFTED[b]), "big")
    return bits.to_bytes(chars, "big").translate(_ALPHABET_BYTES).decode("ascii")


_PLUS_ONE = (1).__add__
_SHIFTED = [bytes((1 << b) if v == 1 else 0 for v in range(256)) for b in range(6)]
_ALPHABET_BYTES = ALPHABET.encode("ascii").ljust(256, b"?")


def decode_postings(value: str) -> list[int]:
    """The inverse of encode_postings."""
    if value.startswith("!"):
        return [k * 6 + b for k, ch in enumerate(value[1:]) for b in range(6) if ALPHABET.index(ch) >> b & 1]
    # Each document is the last plus its gap plus one: a running sum, in C. Most lists an update patches are a
    # common n-gram's thousand documents, every gap one digit; the others are split into varints first.
    if value.isascii():
        gaps = value.encode("ascii").translate(_GAP_OF_DIGIT)
        if _LONG_GAP not in gaps:
            return list(accumulate(gaps, initial=-1))[1:]
    varints = _VARINT.findall(value)
    if sum(map(len, varints)) == len(value):   # every character in a varint
        return list(accumulate(map(_GAPS.__getitem__, varints), initial=-1))[1:]
    ids, n, prev = [], 0, -1   # not a list encode_postings wrote: as a decoder would take it, or ValueError
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


# a one-digit gap's character -> the gap plus one; any other byte (a digit of a longer gap) -> _LONG_GAP
_LONG_GAP = b"\xff"
_GAP_OF_DIGIT = bytes(ALPHABET.index(chr(b)) + 1 if chr(b) in ALPHABET[:32] else _LONG_GAP[0] for b in range(256))


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
    """Shards of at most about `target` bytes, their count on a geometric ladder (SHARD_STEPS per doubling):
    publishing a few documents then mostly keeps the count, and an update patches the shards in place; a
    count moved by every `target` bytes of growth (one publication in three at 10,000 entries) sent every key
    to another shard, which only a full build does. Shards are up to 4.4% under the target."""
    if total_bytes <= target:
        return 1
    return math.ceil(2.0 ** (math.ceil(math.log2(total_bytes / target) * SHARD_STEPS) / SHARD_STEPS))


SHARD_STEPS = 16


def entry_size(key: str, value: str) -> int:
    """What one key adds to the size that decides the number of shards."""
    return len(key) * 3 + len(value) + 6


def partition(values: dict[str, str], target: int) -> tuple[int, int, list[dict[str, str]]]:
    """(shard count, the size it was chosen by, the shards): keys spread by fnv1a, which search.js repeats."""
    size = sum(entry_size(k, v) for k, v in values.items())
    count = _shard_count(size, target)
    shards: list[dict[str, str]] = [{} for _ in range(count)]
    for key, value in values.items():
        shards[fnv1a(key) % count][key] = value
    return count, size, shards


def facet_keys(doc: SearchDoc, publisher_index: int) -> list[str]:
    keys = [f"{FACET}k:{doc.kind}", f"{FACET}y:{doc.published[:4]}", f"{FACET}p:{publisher_index}"]
    if doc.validity:
        keys.append(f"{FACET}v:{doc.validity}")
    keys.extend(f"{FACET}c:{cid}" for cid, _ in doc.columns)
    return keys


def doc_key(doc: SearchDoc) -> bytes:
    """A hash of every field of one document (each length-prefixed, so no two documents share one)."""
    digest = hashlib.sha1()
    for f in _DOC_FIELDS:
        value = getattr(doc, f.name)
        data = (value if isinstance(value, str) else repr(value)).encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.digest()


@dataclass
class IndexPlan:
    """What every part of the index numbers by: documents oldest first, publishers and columns sorted."""
    docs: list[SearchDoc]
    publishers: list[str]
    columns: list[tuple[str, str]]

    @classmethod
    def of(cls, docs: list[SearchDoc]) -> "IndexPlan":
        if len({len(d.published) for d in docs}) <= 1:
            # ISO dates, all of one length: the same order as two stable sorts of plain keys (oldest first; on
            # one date, URLs descending; equal ones in reverse order), without a _neg_date string a document
            docs = sorted(sorted(docs[::-1], key=attrgetter("url"), reverse=True), key=attrgetter("published"))
        else:
            docs = sorted(docs, key=lambda d: (_neg_date(d.published), d.url))[::-1]
        column_titles: dict[str, str] = {}
        for d in docs:
            for cid, ctitle in d.columns:
                column_titles.setdefault(cid, ctitle)
        return cls(docs, sorted({d.publisher for d in docs if d.publisher}), sorted(column_titles.items()))

    @property
    def total(self) -> int:
        return len(self.docs)

    def publisher_number(self, doc: SearchDoc) -> int:
        return self._publisher_index().get(doc.publisher, -1)

    def _publisher_index(self) -> dict[str, int]:
        if not hasattr(self, "_pi"):
            self._pi = {p: i for i, p in enumerate(self.publishers)}
        return self._pi

    def facets(self, doc: SearchDoc) -> list[str]:
        return facet_keys(doc, self.publisher_number(doc))

    def meta_rows(self, chunk: int) -> list[list]:
        column_index = {cid: i for i, (cid, _) in enumerate(self.columns)}
        return [[d.url, d.title, d.doc_no, self.publisher_number(d), d.published, d.kind, d.validity,
                 [column_index[cid] for cid, _ in d.columns]]
                for d in self.docs[chunk * META_CHUNK:(chunk + 1) * META_CHUNK]]

    def manifest(self, build: str, gram_shards: int, word_shards: int) -> dict:
        docs = self.docs
        return {
            "version": 1, "build": build, "docs": self.total,
            "gramShards": gram_shards, "wordShards": word_shards, "metaChunk": META_CHUNK,
            "dirSize": FILES_PER_DIR, "columns": [list(c) for c in self.columns], "publishers": self.publishers,
            "kinds": sorted({d.kind for d in docs}), "years": sorted({d.published[:4] for d in docs}, reverse=True),
            "validities": sorted({d.validity for d in docs if d.validity}),
        }


def build_search_index(docs: list[SearchDoc], out_dir: Path, *, cache_dir: Path | None = None,
                       user_dict: Path | None = None, state: dict | None = None,
                       doc_keys: dict[str, bytes] | None = None) -> dict:
    """Write the index of `docs` (public entries only) under out_dir; return stats.

    The postings are built on every core (search_build_grams, search_build_words); files are written one
    at a time, so only the encoded postings, never the whole output, are held in memory. When `state` is
    a dict, it is filled with what search_update needs to update this index after an edit.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    made = _index_makers(docs, cache_dir=cache_dir, user_dict=user_dict, state=state, doc_keys=doc_keys)
    file_count, size, digests = write_files(out_dir, made.makers, made.plan, made.gram_shards, made.word_shards)
    if state is not None:
        state["files"] = digests
    return dict(made.stats, files=file_count, bytes=size, seconds=round(time.perf_counter() - started, 3))


def index_files(docs: list[SearchDoc], *, user_dict: Path | None = None) -> Iterator[tuple[str, bytes]]:
    """The files of the index of `docs` as (name, bytes), the manifest last, written nowhere: a build without
    a cache puts them straight into the site, not into a directory and back.

    The documents' texts and metadata (t/, m/: 10,000 of 12,000 files at 10,000 entries) need no postings, so
    they come first, written while the rest of the build runs beside them, not after the postings: by then
    the pages were done, and the writing was the build's last 0.85 s, on one core (now 0.15 s)."""
    plan = IndexPlan.of(docs)
    digests: dict[str, bytes] = {}

    def made(makers: dict) -> Iterator[tuple[str, bytes]]:
        for name in sorted(makers):
            data = makers.pop(name)().encode("utf-8")
            digests[name] = hashlib.sha1(data).digest()
            yield name, data

    yield from made(_document_makers(plan))
    with phases.phase("  search: full index build", workers=True):
        postings = _index_makers(plan, cache_dir=None, user_dict=user_dict, with_documents=False)
    yield from made(postings.makers)
    digest = hashlib.sha1()
    for name in sorted(digests):
        _add_to_build_digest(digest, name, digests[name])
    yield "manifest.js", _manifest_script(plan, digest, postings.gram_shards, postings.word_shards)


@dataclass
class _Made:
    makers: dict   # file name -> a function that makes its text
    plan: "IndexPlan"
    gram_shards: int
    word_shards: int
    stats: dict


def _index_makers(docs: list[SearchDoc] | IndexPlan, *, cache_dir: Path | None, user_dict: Path | None,
                  state: dict | None = None, doc_keys: dict[str, bytes] | None = None,
                  with_documents: bool = True) -> _Made:
    """Build the postings of `docs` (or of a plan's); every file as (name, a function that makes its text), so
    the build digest can run over them in name order while each text lives only until it is written.
    with_documents=False: the postings' files only, not those of _document_makers."""
    plan = docs if isinstance(docs, IndexPlan) else IndexPlan.of(docs)
    docs, total = plan.docs, plan.total

    segmenter = CachedSegmenter(segmenter_for(user_dict if user_dict is not None else DEFAULT_USER_DICT), cache_dir)
    with phases.phase("  search: segmentation", workers=True):
        normalised, title_counts, body_counts = search_build_words.normalise_and_segment(segmenter, docs, normalize)
    segmenter.save()
    segmenter.old = segmenter.new = {}   # saved: the counts are needed only in title_counts, body_counts
    if state is not None:
        state.update(update_state(plan, normalised, doc_keys),
                     lengths=search_build_words.field_lengths(title_counts, body_counts))
    # Words first: their token counts (most of the parent's memory at 100,000 entries) are freed before the
    # n-gram workers fork and build their postings.
    next_in_line: dict = {}
    terms = search_terms.Saver(cache_dir) if state is not None and cache_dir is not None else None
    with phases.phase("  search: word postings (BM25)", workers=True):
        word_values, averages, df = search_build_words.word_values(
            title_counts, body_counts, total, k1=BM25_K1, b=BM25_B, boost=TITLE_BOOST, cap=WORD_POSTING_CAP,
            encode=encode_weighted, next_out=next_in_line, terms_out=terms)
    del title_counts, body_counts
    if state is not None:
        state["terms"] = terms.entry() if terms is not None else None
    # The gram workers inherit these texts (forked), so they are never pickled.
    texts = [(*norm, plan.facets(d)) for norm, d in zip(normalised, docs)]
    del normalised

    with phases.phase("  search: n-gram postings", workers=True):
        ngram_values = search_build_grams.ngram_values(texts, total, encode_postings)
    del texts

    makers: dict[str, object] = {}
    gram_shards, gram_size, gram_parts = partition(ngram_values, NGRAM_SHARD_BYTES)
    del ngram_values
    for n, part in enumerate(gram_parts):
        makers[chunk_file("g", n)] = partial(_script, "g", n, part)
    word_shards, word_size, word_parts = partition(word_values, WORD_SHARD_BYTES)
    del word_values
    for n, part in enumerate(word_parts):
        makers[chunk_file("w", n)] = partial(_script, "w", n, part)
    if with_documents:
        makers.update(_document_makers(plan))
    if state is not None:
        state.update(gram_shards=gram_shards, gram_size=gram_size, word_shards=word_shards, word_size=word_size,
                     averages=averages, df=df, next_in_line=next_in_line)
    stats = {"docs": total, "gram_shards": gram_shards, "word_shards": word_shards,
             "segmenter": segmenter.segmenter.engine, "segment_cache_hits": segmenter.hits,
             "segment_cache_misses": segmenter.misses}
    return _Made(makers, plan, gram_shards, word_shards, stats)


def _document_makers(plan: IndexPlan) -> dict:
    """The files of the documents' metadata and texts, by name: they depend on the plan alone."""
    makers: dict[str, object] = {chunk_file("m", chunk): partial(_meta_script, plan, chunk)
                                 for chunk in range(-(-plan.total // META_CHUNK))}
    makers.update((text_file(num), partial(_text_script, d, num)) for num, d in enumerate(plan.docs))
    return makers


def update_state(plan: IndexPlan, normalised: list[tuple[str, str, str]], doc_keys: dict | None = None) -> dict:
    """Per document (by number): its key, its normalised texts (compressed) and segmentation cache keys."""
    return {
        "urls": [d.url for d in plan.docs],
        "doc_keys": [doc_keys[d.url] if doc_keys else doc_key(d) for d in plan.docs],
        "publishers": plan.publishers, "columns": plan.columns,
        "texts": [zlib.compress("\0".join(norm).encode("utf-8", "surrogatepass"), 1) for norm in normalised],
        "segment_keys": [search_build_words.segment_keys(*norm) for norm in normalised],
        "facets": [plan.facets(d) for d in plan.docs],
    }


def write_files(out_dir: Path, makers: dict, plan: IndexPlan, gram_shards: int, word_shards: int,
                known: dict[str, tuple[bytes, int]] | None = None) -> tuple[int, int, dict[str, tuple[bytes, int]]]:
    """Write every file in name order (from a function that returns its text, or from the Path of an unchanged
    file, which may be the target itself), then the manifest with the digest of them all; files under g/, w/,
    m/ and t/ that are not part of this index go. Only files whose bytes change are written, so an index can be
    updated in place. An unchanged file in place whose (sha1, size) is `known` is not even read.
    Returns (files, bytes, the (sha1, size) of every file but the manifest)."""
    file_count = len(makers) + 1  # and the manifest
    digest = hashlib.sha1()
    size = 0
    made_dirs: set[Path] = set()
    kept = set(makers)
    digests: dict[str, tuple[bytes, int]] = {}
    for name in sorted(makers):
        made = makers.pop(name)
        if made is IN_PLACE and known and name in known:
            file_digest = digests[name] = known[name]
        else:
            target = out_dir / name
            made = target if made is IN_PLACE else made
            made = made if isinstance(made, Path) else made()
            data = made.read_bytes() if isinstance(made, Path) else made.encode("utf-8")
            if made != target:
                write_if_changed(target, data, made_dirs)
            file_digest = digests[name] = (hashlib.sha1(data).digest(), len(data))
        _add_to_build_digest(digest, name, file_digest[0])
        size += file_digest[1]
    data = _manifest_script(plan, digest, gram_shards, word_shards)
    write_if_changed(out_dir / "manifest.js", data, made_dirs)
    size += len(data)
    if known is not None and kept == known.keys():
        return file_count, size, digests   # in place, the same files as the index it updates: none to remove
    root = str(out_dir)
    for sub_dir in ("g", "w", "m", "t"):
        for dirpath, dirs, files in os.walk(os.path.join(root, sub_dir), topdown=False):
            prefix = os.path.relpath(dirpath, root).replace(os.sep, "/") + "/"
            for name in files:
                if prefix + name not in kept:
                    os.unlink(os.path.join(dirpath, name))
            for name in dirs:
                try:
                    os.rmdir(os.path.join(dirpath, name))   # only when empty
                except OSError:
                    pass
    return file_count, size, digests


IN_PLACE = object()   # a maker: the file of that name already in out_dir, unchanged (an update in place)


def _add_to_build_digest(digest, name: str, file_sha1: bytes) -> None:
    """The build digest runs over each file's name and digest, so an update need not read unchanged files."""
    digest.update(name.encode() + b"\0" + file_sha1)


def _manifest_script(plan: IndexPlan, digest, gram_shards: int, word_shards: int) -> bytes:
    """manifest.js: its build id is the digest over every other file's name and digest, in name order."""
    return _script("manifest", 0, plan.manifest(digest.hexdigest()[:12], gram_shards, word_shards)).encode("utf-8")


def chunk_file(kind: str, n: int) -> str:
    """Index file n of a kind (g: n-gram shards, w: word shards, m: metadata rows, t: texts); search.js names
    them alike."""
    return f"{kind}/{n // FILES_PER_DIR}/{n}.js"


def text_file(num: int) -> str:
    return chunk_file("t", num)


def _meta_script(plan: IndexPlan, chunk: int) -> str:
    return _script("m", chunk, plan.meta_rows(chunk))


def _text_script(doc: SearchDoc, num: int) -> str:
    return _script("t", num, doc.text[:TEXT_LIMIT])


def _write(path: Path, data: bytes, made_dirs: set[Path]) -> int:
    if path.parent not in made_dirs:
        path.parent.mkdir(parents=True, exist_ok=True)
        made_dirs.add(path.parent)
    path.write_bytes(data)
    return len(data)


def _neg_date(published: str) -> str:
    """A sort key that puts later ISO dates first."""
    return "".join(chr(0x10FFFF - ord(c)) for c in published)


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
