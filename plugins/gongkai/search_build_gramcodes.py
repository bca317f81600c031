"""The n-gram postings of one key group with numpy (optional: search_build_grams falls back to sets).

A window is coded as an integer, 21 bits per character (code points < 2**21), so a document's distinct
windows are one np.unique and the postings of the group one stable argsort; no Python work per window.
Normalised text never holds U+0000, so the code of a window also tells its length.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

BITS = 21
LOW = (1 << BITS) - 1
EMPTY = np.zeros(0, dtype=np.uint64)


def alnum_table() -> np.ndarray:
    """str.isalnum of every code point: single characters are keys only when alphanumeric."""
    return np.array([chr(c).isalnum() for c in range(0x110000)], dtype=bool)


def window_codes(text: str, group: int, groups: int, alnum: np.ndarray) -> np.ndarray:
    """Sorted distinct codes of search_index.grams(text) whose first character is in the group."""
    if not text:
        return EMPTY
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    keep = (cp & 0xFF) % groups == group
    pairs = (cp[:-1] << BITS) | cp[1:]
    triples = (pairs[:-1] << BITS) | cp[2:]
    return distinct(cp[keep & alnum[cp]], pairs[keep[:-1]], triples[keep[:-2]])


def distinct(*arrays: np.ndarray) -> np.ndarray:
    """Sorted distinct values of the arrays (np.unique hashes first, which is slower on these sizes)."""
    values = np.sort(np.concatenate(arrays))
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def code_key(code: int) -> str:
    if code <= LOW:
        return chr(code)
    if code >> BITS <= LOW:
        return chr(code >> BITS) + chr(code & LOW)
    return chr(code >> 2 * BITS) + chr(code >> BITS & LOW) + chr(code & LOW)


def _postings(parts: list[np.ndarray]):
    """(code, ascending document numbers) in code order, given each document's distinct codes in document
    order. A generator: one code's list at a time, not all of them (at 100,000 documents those lists held
    a gigabyte per worker). Empties `parts` as it takes them in."""
    if not parts:
        return
    counts = [len(p) for p in parts]
    codes = np.concatenate(parts)
    parts.clear()
    docs = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    order = np.argsort(codes, kind="stable")  # stable: documents stay ascending within a code
    codes, docs = codes[order], docs[order]
    del order
    starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    ends = np.append(starts[1:], len(codes))
    for code, start, end in zip(codes[starts].tolist(), starts.tolist(), ends.tolist()):
        yield code, docs[start:end].tolist()


def group_values(texts, group: int, groups: int, total: int, encode, alnum: np.ndarray) -> dict[str, str]:
    """Encoded 'all|title' postings of the keys (windows and filter keys) in one group."""
    heads, alls = [], []
    facet_post: defaultdict = defaultdict(list)
    for num, (title, doc_no, body, facets) in enumerate(texts):
        head = window_codes(title, group, groups, alnum)
        if doc_no:
            head = distinct(head, window_codes(doc_no, group, groups, alnum))
        heads.append(head)
        alls.append(distinct(head, window_codes(body, group, groups, alnum)))
        for key in facets:
            if (ord(key[0]) & 0xFF) % groups == group:
                facet_post[key].append(num)
    title_post = dict(_postings(heads))
    values = {}
    for code, ids in _postings(alls):
        titled = title_post.get(code)
        value = encode(ids, total)
        if titled:
            value += "|" + encode(titled, total)
        values[code_key(code)] = value
    values.update((key, encode(ids, total)) for key, ids in facet_post.items())
    return values
