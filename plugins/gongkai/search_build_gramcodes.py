"""The n-gram postings of one key group with numpy (optional: search_build_grams falls back to sets).

Characters are numbered densely (CharCodes: 1..n in code point order, a few thousand in practice), so a
window of up to three characters and a document number fit together in one 64-bit key. A worker writes
its group's keys into one buffer and sorts it in place: the postings of a group cost 8 bytes a
(window, document) pair, with no document array, argsort order or sorted copy beside it (those made a
worker's arrays five times as large). No key holds character 0, so a window's code also tells its length.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from gongkai.search_codes import encode_runs

CODE_POINTS = 0x110000
BLOCK = 1 << 23   # keys per buffer block (64 MB): freed blocks go back to the system at once
WINDOW = 1 << 20  # sorted keys turned into Python lists at a time
BATCH_CHARS = 1 << 20   # characters of documents whose windows are coded at once (~40 MB of arrays)
EMPTY = np.zeros(0, dtype=np.uint64)


class CharCodes:
    """Every character of the texts numbered 1..n in code point order, and the sizes that follow."""

    def __init__(self, texts, docs: int):
        seen = np.zeros(CODE_POINTS, dtype=bool)
        batch: list[str] = []
        size = 0
        for title, doc_no, body, _ in texts:
            batch += (title, doc_no, body)
            size += len(body)
            if size >= BATCH_CHARS:   # texts joined a batch at a time: per text, numpy's calls were most of it
                _mark_seen(seen, batch)
                batch, size = [], 0
        _mark_seen(seen, batch)
        chars = np.flatnonzero(seen)
        self.code = np.zeros(CODE_POINTS, dtype=np.uint64)
        self.code[chars] = np.arange(1, len(chars) + 1, dtype=np.uint64)
        # the same codes in the narrowest type that holds them: a quarter of the table's 9 MB or less
        self.small_code = self.code.astype(np.min_scalar_type(len(chars)))
        self.chars = [""] + [chr(c) for c in chars.tolist()]
        self.bits = max(1, len(chars).bit_length())
        self.low = (1 << self.bits) - 1
        self.doc_bits = max(1, (docs - 1).bit_length())
        self.alnum_at = np.zeros(CODE_POINTS, dtype=bool)   # str.isalnum by code point: single characters
        self.alnum_at[chars] = [ch.isalnum() for ch in self.chars[1:]]   # are keys only when alphanumeric

    @staticmethod
    def low_byte_weights(texts) -> np.ndarray:
        """How often each low byte of a code point starts a window, from every 16th UTF-16 unit of the
        bodies (PackedTexts): enough to balance the key groups (search_build_grams.group_table)."""
        return np.bincount(np.frombuffer(texts.buffer, dtype=np.uint8)[0::32], minlength=256)

    def fits(self) -> bool:
        """Whether three characters and a document number fit in 64 bits (else the caller uses sets)."""
        return 3 * self.bits + self.doc_bits <= 64

    def key(self, code: int) -> str:
        chars, bits, low = self.chars, self.bits, self.low
        if code <= low:
            return chars[code]
        if code >> bits <= low:
            return chars[code >> bits] + chars[code & low]
        return chars[code >> 2 * bits] + chars[code >> bits & low] + chars[code & low]


def _mark_seen(seen: np.ndarray, texts: list[str]) -> None:
    """seen[c] = True for every code point c of the texts (joined, a lone surrogate stays one code point)."""
    seen[np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)] = True


def window_codes(text: str, group: int, table: bytes, cc: CharCodes) -> np.ndarray:
    """Sorted distinct codes of search_index.grams(text) whose first character is in the group. Only the
    windows starting in the group are coded (about 1/groups of them)."""
    if not text:
        return EMPTY
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    at = np.flatnonzero(_in_group(cp, group, table))
    if not len(at):
        return EMPTY
    code, bits, n = cc.code, cc.bits, len(cp)
    firsts = cp[at]
    first = code[firsts]
    two, three = np.searchsorted(at, n - 1), np.searchsorted(at, n - 2)   # windows with room for 2, 3
    pairs = (first[:two] << bits) | code[cp[at[:two] + 1]]
    triples = (pairs[:three] << bits) | code[cp[at[:three] + 2]]
    return distinct(first[cc.alnum_at[firsts]], pairs, triples)


def distinct(*arrays: np.ndarray) -> np.ndarray:
    """Sorted distinct values of the arrays (np.unique hashes first, which is slower on these sizes)."""
    values = np.sort(np.concatenate(arrays))
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


class KeyBuffer:
    """(code << doc_bits | document) keys, appended in blocks, then sorted in one array: postings."""

    def __init__(self, doc_bits: int):
        self.doc_bits, self.blocks, self.fill, self.count = doc_bits, [], BLOCK, 0

    def add(self, codes: np.ndarray, num: int) -> None:
        self.add_keys((codes << self.doc_bits) | np.uint64(num))

    def add_keys(self, keys: np.ndarray) -> None:
        """Keys already made: (code << doc_bits | document)."""
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
        # In place; documents come out ascending within a code. The keys are sorted runs (each batch's
        # distinct keys), which timsort merges: 0.13 s against 0.3 s for the default sort at 10,000 entries.
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


def _in_group(cp: np.ndarray, group: int, table: bytes) -> np.ndarray:
    """Whether each code point's low byte is in the group (table: search_build_grams.group_table)."""
    return (np.frombuffer(table, dtype=np.uint8) == group)[cp & 0xFF]


def group_values(texts, group: int, table: bytes, total: int, encode, cc: CharCodes) -> dict[str, str]:
    """Encoded 'all|title' postings of the keys (windows and filter keys) in one group."""
    heads, alls = KeyBuffer(cc.doc_bits), KeyBuffer(cc.doc_bits)
    facet_post: defaultdict = defaultdict(list)
    batch: list[str] = []   # title, 文号 and body of each document in the batch, in order
    first = chars = 0
    for num, (title, doc_no, body, facets) in enumerate(texts):
        batch += (title, doc_no, body)
        chars += len(title) + len(doc_no) + len(body)
        if chars >= BATCH_CHARS:
            _add_batch(batch, first, group, table, cc, heads, alls)
            batch, first, chars = [], num + 1, 0
        for key in facets:
            if table[ord(key[0]) & 0xFF] == group:
                facet_post[key].append(num)
    _add_batch(batch, first, group, table, cc, heads, alls)
    return encoded_values(heads, alls, facet_post, total, encode, cc)


def encoded_values(heads: KeyBuffer, alls: KeyBuffer, facet_post: dict, total: int, encode, cc: CharCodes
                   ) -> dict[str, str]:
    """'all|title' postings by key from the keys of titles and 文号 (heads) and of all texts (alls), and the
    filter keys' documents. Each buffer's keys are freed as it is encoded (KeyBuffer._windows)."""
    title_post = dict(heads.encoded(total))
    values = {}
    for code, value in alls.encoded(total):
        titled = title_post.get(code)
        values[cc.key(code)] = value + "|" + titled if titled else value
    values.update((key, encode(ids, total)) for key, ids in facet_post.items())
    return values


def _add_batch(batch: list[str], first: int, group: int, table: bytes, cc: CharCodes, heads: KeyBuffer,
               alls: KeyBuffer) -> None:
    """The distinct (window code, document) keys of a batch of documents (numbered from `first`), their
    titles and 文号 into heads, all three texts into alls: window_codes of each text, per document, as one
    set of array operations over all the batch's texts (text by text, numpy's per-call cost was a third).

    The texts are joined with NUL between them and after the last, twice: normalised text holds no NUL, and
    a character no text holds codes to 0, so a window with a 0 in it is one that would cross a text's end."""
    if not batch:
        return
    if cc.code[0]:   # some text holds NUL (not normalised): text by text
        for n in range(0, len(batch), 3):
            title, doc_no, body = batch[n:n + 3]
            head = window_codes(title, group, table, cc)
            if doc_no:
                head = distinct(head, window_codes(doc_no, group, table, cc))
            heads.add(head, first + n // 3)
            alls.add(distinct(head, window_codes(body, group, table, cc)), first + n // 3)
        return
    raw = ("\0".join(batch) + "\0\0").encode("utf-32-le", "surrogatepass")
    cp = np.frombuffer(raw, dtype=np.uint32)
    # Only the group's windows are looked at past this line: with a group a quarter or an eighth of the
    # text, passes over the whole batch were most of a group's time.
    member = np.frombuffer(table, dtype=np.uint8) == group
    wanted = member[np.frombuffer(raw, dtype=np.uint8)[0::4]]   # by each code point's low byte
    if member[0]:
        wanted &= cp != 0
    at = np.flatnonzero(wanted)
    if not len(at):
        return
    small, firsts = cc.small_code, cp[at]
    c0 = small[firsts].astype(np.uint64)
    c1 = small[cp[at + 1]].astype(np.uint64)
    c2 = small[cp[at + 2]].astype(np.uint64)
    # which text each window starts in: each text starts after the NUL that ends the one before
    starts = np.cumsum([0] + [len(text) + 1 for text in batch[:-1]])
    text_of = np.searchsorted(starts, at, side="right") - 1
    docs = (text_of // 3 + first).astype(np.uint64)
    uni, pair = cc.alnum_at[firsts], c1 != 0
    triple = pair & (c2 != 0)
    bits, doc_bits = np.uint64(cc.bits), np.uint64(cc.doc_bits)
    pairs = (c0 << bits) | c1
    keys = np.concatenate((((c0 << doc_bits) | docs)[uni], ((pairs << doc_bits) | docs)[pair],
                           ((((pairs << bits) | c2) << doc_bits) | docs)[triple]))
    in_head = text_of % 3 != 2
    heads.add_keys(distinct(keys[np.concatenate((in_head[uni], in_head[pair], in_head[triple]))]))
    alls.add_keys(distinct(keys))
