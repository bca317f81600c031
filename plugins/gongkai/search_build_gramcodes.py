"""The n-gram postings of one key group with numpy (optional: search_build_grams falls back to sets).

Characters are numbered densely (CodedTexts: 1..n in code point order, a few thousand in practice), so a
window of up to three characters and a document number fit together in one 64-bit key. Every text is
coded once, in the process that forks the workers, into one array that they share: a worker only picks
the windows of its group out of it. A worker writes its group's keys into one buffer and sorts it in
place: the postings of a group cost 8 bytes a (window, document) pair, with no document array, argsort
order or sorted copy beside it (those made a worker's arrays five times as large). No key holds character
0, so a window's code also tells its length.
"""
from __future__ import annotations

import numpy as np

from gongkai.search_codes import encode_runs

CODE_POINTS = 0x110000
BLOCK = 1 << 23   # keys per buffer block (64 MB): freed blocks go back to the system at once
WINDOW = 1 << 20  # sorted keys turned into Python lists at a time
BATCH_CHARS = 1 << 20   # characters of documents whose windows are coded at once (~40 MB of arrays)
NO_GROUP = 255   # the group of code 0, which ends every text (search_build_grams.MAX_GROUPS: at most 255)


class CodedTexts:
    """Every text of the documents as dense character codes, in one array, and the sizes that follow.

    A document's title, 文号 and body follow each other, each followed by a 0; two more 0s end the array,
    so a window read past any text's end meets a 0. Coded once here, each group's worker (forked) reads
    the array as it is: before, each group decoded and coded every text again."""

    def __init__(self, texts: list[tuple[str, str, str, list[str]]], chars: np.ndarray, size: int):
        self.chars = [""] + [chr(c) for c in chars.tolist()]
        self.bits = _bits(chars)
        self.low = (1 << self.bits) - 1
        self.window_mask = np.uint64((1 << 3 * self.bits) - 1)   # a window's three characters in a key
        self.doc_bits = _doc_bits(texts)
        self.alnum = np.array([False] + [ch.isalnum() for ch in self.chars[1:]])   # single characters are
        self.facets = [facets for *_, facets in texts]                             # keys only when alphanumeric
        code = np.zeros(CODE_POINTS, dtype=np.min_scalar_type(len(chars)))
        code[chars] = np.arange(1, len(chars) + 1)
        self.codes = np.zeros(size + 2, dtype=code.dtype)
        self.starts = np.zeros(3 * len(texts) + 1, dtype=np.int64)   # where each text begins, and the end
        at = 0
        for batch, first in _batches(texts, numbered=True):
            lengths = np.fromiter(map(len, batch), dtype=np.int64, count=len(batch)) + 1
            begins = at + np.cumsum(lengths) - lengths
            self.starts[3 * first:3 * first + len(batch)] = begins
            raw = np.frombuffer("".join(batch).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            # each character's place: after those before it in the batch and one 0 per text before its own
            self.codes[np.arange(at, at + len(raw)) + np.repeat(np.arange(len(batch)), lengths - 1)] = code[raw]
            at += int(lengths.sum())
            for num in range(first, first + len(batch) // 3):
                texts[num] = None   # each text held once: as codes
        self.starts[-1] = at
        self.group_at = None   # the key group of each character of codes (split_in_groups)

    @classmethod
    def of(cls, texts: list[tuple[str, str, str, list[str]]]) -> "CodedTexts | None":
        """The texts coded, taken out of `texts` (the caller's list is left with None in their place); None,
        and `texts` as they were, when three characters and a document number do not fit in 64 bits (the
        caller then uses sets)."""
        seen = np.zeros(CODE_POINTS, dtype=bool)
        size = 0
        for batch in _batches(texts):
            joined = "".join(batch)
            size += len(joined) + len(batch)
            _mark_seen(seen, joined)
        chars = np.flatnonzero(seen)
        return cls(texts, chars, size) if 3 * _bits(chars) + _doc_bits(texts) <= 64 else None

    def __len__(self) -> int:
        return len(self.facets)

    def split_in_groups(self, groups: int, balanced) -> None:
        """Each character's key group: by how often it starts a window (every 16th one counted), with
        `balanced` (search_build_grams.balanced_groups), so the groups take about equal time."""
        weights = np.bincount(self.codes[0::16], minlength=len(self.chars))[1:].tolist()
        group_of = np.full(len(self.chars), NO_GROUP, dtype=np.uint8)
        group_of[1:] = balanced(weights, groups)
        # A byte a character, looked up once here: each group's worker compares, which is a twentieth of the
        # time of looking its characters' groups up
        self.group_at = group_of[self.codes]

    def key(self, code: int) -> str:
        chars, bits, low = self.chars, self.bits, self.low
        if code <= low:
            return chars[code]
        if code >> bits <= low:
            return chars[code >> bits] + chars[code & low]
        return chars[code >> 2 * bits] + chars[code >> bits & low] + chars[code & low]

    def documents_in_batches(self):
        """(first, end) documents of each batch of about BATCH_CHARS characters."""
        starts, docs, first = self.starts, len(self), 0
        while first < docs:
            end = int(np.searchsorted(starts[0::3], starts[3 * first] + BATCH_CHARS, side="left"))
            end = min(docs, max(end, first + 1))
            yield first, end
            first = end


def _bits(chars: np.ndarray) -> int:
    return max(1, len(chars).bit_length())


def _doc_bits(texts: list) -> int:
    return max(1, (len(texts) - 1).bit_length())


def _batches(texts, numbered: bool = False):
    """The title, 文号 and body of each document, a batch of about BATCH_CHARS characters at a time (with
    the number of its first document when numbered): joined per batch, numpy's calls per text are few."""
    batch: list[str] = []
    first = size = 0
    for num, (title, doc_no, body, _) in enumerate(texts):
        batch += (title, doc_no, body)
        size += len(title) + len(doc_no) + len(body)
        if size >= BATCH_CHARS:
            yield (batch, first) if numbered else batch
            batch, first, size = [], num + 1, 0
    if batch:
        yield (batch, first) if numbered else batch


def _mark_seen(seen: np.ndarray, text: str) -> None:
    """seen[c] = True for every code point c of text (a lone surrogate stays one code point)."""
    seen[np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)] = True


class KeyBuffer:
    """(code << doc_bits | document) keys, appended in blocks, then sorted in one array: postings."""

    def __init__(self, doc_bits: int):
        self.doc_bits, self.blocks, self.fill, self.count = doc_bits, [], BLOCK, 0

    def add_keys(self, keys: np.ndarray) -> None:
        """Keys made: (code << doc_bits | document)."""
        done = 0
        while done < len(keys):
            if self.fill == BLOCK:
                self.blocks.append(np.empty(BLOCK, dtype=np.uint64))  # untouched pages cost nothing
                self.fill = 0
            take = min(BLOCK - self.fill, len(keys) - done)
            self.blocks[-1][self.fill:self.fill + take] = keys[done:done + take]
            self.fill += take
            done += take
        self.count += len(keys)

    def encoded(self, total: int):
        """(code, encode_postings of its documents) in code order, encoded a window of keys at a time in
        numpy: the per-posting Python work of encode_postings was most of the n-gram build."""
        for codes, docs, firsts, lasts in self._windows():
            yield from zip(codes[firsts].tolist(), encode_runs(docs, firsts, lasts, total))

    def _windows(self):
        """(codes, documents, first and end index of each code's run) per window of sorted keys. Frees each
        block as soon as it is copied, so the keys are held once (a worker held a gigabyte per copy at
        100,000 entries)."""
        keys = np.empty(self.count, dtype=np.uint64)
        blocks, self.blocks = self.blocks[::-1], []
        pos = 0
        while blocks:
            block = blocks.pop()
            take = min(BLOCK, self.count - pos)
            keys[pos:pos + take] = block[:take]
            pos += take
            del block
        # In place; documents come out ascending within a code. The keys are sorted runs (each document's
        # distinct keys of each length, _keys_of), which timsort merges: 0.6 s against 1.1 s for the
        # default sort at 10,000 entries.
        keys.sort(kind="stable")
        doc_bits, start = self.doc_bits, 0
        while start < len(keys):
            end = _run_end(keys, min(start + WINDOW, len(keys)) - 1, doc_bits)
            part = keys[start:end]
            codes = part >> np.uint64(doc_bits)
            docs = (part & np.uint64((1 << doc_bits) - 1)).astype(np.int64)
            firsts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
            yield codes, docs, firsts, np.append(firsts[1:], len(part))
            start = end


def _run_end(keys: np.ndarray, at: int, doc_bits: int) -> int:
    """The index after the last key with the code of keys[at]: a window never splits a code's documents."""
    bound = ((int(keys[at]) >> doc_bits) + 1) << doc_bits
    return len(keys) if bound >> 64 else int(np.searchsorted(keys, np.uint64(bound)))


def group_values(coded: CodedTexts, group: int, total: int) -> dict[str, str]:
    """Encoded 'all|title' postings of the windows in one group (the filter keys are the caller's)."""
    heads, alls = KeyBuffer(coded.doc_bits), KeyBuffer(coded.doc_bits)
    for first, end in coded.documents_in_batches():
        _add_batch(coded, first, end, group, heads, alls)
    title_post = dict(heads.encoded(total))
    values = {}
    for code, value in alls.encoded(total):
        titled = title_post.get(code)
        values[coded.key(code)] = value + "|" + titled if titled else value
    return values


def _add_batch(coded: CodedTexts, first: int, end: int, group: int, heads: KeyBuffer,
               alls: KeyBuffer) -> None:
    """The distinct (window code, document) keys of documents first..end-1: of their titles and 文号 into
    heads, of all three texts into alls; as one set of array operations over all the batch's texts (text by
    text, numpy's per-call cost was a third). A window that would cross a text's end holds a 0."""
    lo, hi = int(coded.starts[3 * first]), int(coded.starts[3 * end])
    codes = coded.codes[lo:hi + 2]
    at = np.flatnonzero(coded.group_at[lo:hi] == group)
    if not len(at):
        return
    second = codes[at + 1]
    third = np.where(second != 0, codes[at + 2], 0)   # nothing of the next text after a text's end
    text_of = np.searchsorted(coded.starts[3 * first:3 * end] - lo, at, side="right") - 1
    bits = np.uint64(coded.bits)
    # Each window at its longest, (document, three characters, the last or both 0 at a text's end), the
    # document in the high bits: a document's distinct windows give its distinct pairs and characters in
    # order too, so the keys sorted are a third of them (see _distinct and _keys_of).
    windows = ((text_of // 3 + first).astype(np.uint64) << np.uint64(3 * coded.bits)) \
        | (codes[at].astype(np.uint64) << np.uint64(2 * coded.bits)) | (second.astype(np.uint64) << bits) \
        | third.astype(np.uint64)
    heads.add_keys(_by_code(_keys_of(_distinct(windows[text_of % 3 != 2]), coded), coded))
    alls.add_keys(_by_code(_keys_of(_distinct(windows), coded), coded))


def _distinct(keys: np.ndarray) -> np.ndarray:
    """The distinct (document, window code) keys, sorted. The keys come a document at a time, each
    document's windows in no order: timsort (numpy's stable sort) sorts each document's run and merges
    runs that do not overlap at almost no cost, twice as fast as sorting the whole batch as one."""
    keys.sort(kind="stable")
    return _adjacent_distinct(keys)


def _adjacent_distinct(keys: np.ndarray) -> np.ndarray:
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


def _keys_of(windows: np.ndarray, coded: CodedTexts) -> np.ndarray:
    """The (document, code) keys of the distinct windows of three characters, of two and of one (when it
    is alphanumeric) held in `windows`: distinct (document, longest window) keys, sorted. The shorter
    windows of each document come in order, the same one next to itself: no sort is needed to make them
    distinct. Each kind comes sorted (by document, then code), and KeyBuffer merges the runs."""
    bits, low = np.uint64(coded.bits), np.uint64(coded.low)
    doc, code = windows & ~coded.window_mask, windows & coded.window_mask
    pair = (code >> bits & low) != 0
    pairs = _adjacent_distinct((doc | code >> bits)[pair])
    firsts = code >> np.uint64(2 * coded.bits)
    singles = _adjacent_distinct((doc | firsts)[coded.alnum[firsts]])
    return np.concatenate((singles, pairs, windows[pair & ((code & low) != 0)]))


def _by_code(keys: np.ndarray, coded: CodedTexts) -> np.ndarray:
    """(document, window code) keys as KeyBuffer's (window code, document) keys."""
    return ((keys & coded.window_mask) << np.uint64(coded.doc_bits)) | (keys >> np.uint64(3 * coded.bits))
