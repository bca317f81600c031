"""N-gram postings of the search index, built per key group in forked workers.

A key's group is that of its first character, so a worker finds the windows of its group with array or
C-level slicing (no Python work per window) and holds the postings of its group only. With numpy, groups
are by character (search_build_gramcodes); without, by the low byte of its code point. The groups say
nothing about the output: search_index puts each key in its shard by fnv1a, as before.
"""
from __future__ import annotations

import heapq
from array import array
from collections import defaultdict, deque
from itertools import compress, repeat
from operator import add

from gongkai.workers import (all_cores, build_jobs, fork_as_cores_free, fork_imap, keep_freed_memory,
                             optional_numpy_module, sharing_cores)

# numpy, when installed, does the per-window work in C (several times faster)
search_build_gramcodes = optional_numpy_module("gongkai.search_build_gramcodes")

# Set by ngram_values before the workers fork; they inherit it, so the texts are never pickled.
_JOB: dict = {}
CHARS_PER_GROUP = 20_000_000  # more groups for larger corpora, to bound a worker's postings in memory
# Beside the pages (files_beside.py) there are up to SHARED_GROUPS_PER_CORE groups a core, of at least
# SHARED_CHARS_PER_GROUP: those left when the parent is done then spread over every core. The parent used to
# wait 3 s for the child's n-grams on one core at 10,000 entries; in one process there, 8 groups took 3.9 s
# and 1 group 4.5 s (smaller arrays to sort).
SHARED_GROUPS_PER_CORE = 4
SHARED_CHARS_PER_GROUP = 2_000_000
MAX_GROUPS = 255   # a group is a byte (search_build_gramcodes), with one value left for no group


def group_table(groups: int) -> bytes:
    """The group of each low byte of a code point (the sets path): low byte modulo groups."""
    return bytes(b % groups for b in range(256))


def balanced_groups(weights, groups: int) -> list[int]:
    """The group of each item: heaviest first to the lightest group so far (the first of equals), so the
    groups take about equal time. By low byte modulo 8, the group holding the comma's had 1.6 times the
    mean, and the last worker ran alone for a second at 10,000 entries."""
    out = [0] * len(weights)
    lightest = [(0, group) for group in range(groups)]
    for item in sorted(range(len(weights)), key=lambda i: (-int(weights[i]), i)):
        load, group = lightest[0]
        out[item] = group
        heapq.heapreplace(lightest, (load + int(weights[item]), group))
    return out


def group_masks(table: bytes, groups: int) -> list[bytes]:
    """Per group, a bytes.translate table: low byte of a code point -> 1 if it is in the group."""
    return [bytes(1 if table[b] == g else 0 for b in range(256)) for g in range(groups)]


def grams_in_group(text: str, mask_table: bytes) -> set[str]:
    """search_index.grams(text), restricted to the windows whose first character is in the group."""
    if not text:
        return set()
    mask = text.encode("utf-32-le")[0::4].translate(mask_table)
    firsts, seconds = compress(text, mask), compress(text[1:], mask)
    pairs = list(map(add, firsts, seconds))
    out = set(pairs)
    out.update(map(add, pairs, compress(text[2:], mask)))
    out.update(filter(str.isalnum, compress(text, mask)))
    return out


def _append_all(post: defaultdict, keys, num: int) -> None:
    """post[key].append(num) for every key, in C (no Python bytecode per posting)."""
    deque(map(list.append, map(post.__getitem__, keys), repeat(num)), 0)


def _group_values(group: int) -> dict[str, str]:
    job = _JOB
    keep_freed_memory()   # each batch's arrays (search_build_gramcodes) are the last one's sizes again
    if job.get("coded") is not None:
        return search_build_gramcodes.group_values(job["coded"], group, job["total"])
    mask, total, encode, table = job["masks"][group], job["total"], job["encode"], job["table"]
    all_post: defaultdict = defaultdict(list)
    title_post: defaultdict = defaultdict(list)
    for num, (title, doc_no, body, facets) in enumerate(job["texts"]):
        head = grams_in_group(title, mask)
        head |= grams_in_group(doc_no, mask)
        _append_all(title_post, head, num)
        head |= grams_in_group(body, mask)
        _append_all(all_post, head, num)
        _append_all(all_post, (k for k in facets if table[ord(k[0]) & 0xFF] == group), num)
    values = {}
    for key, ids in all_post.items():
        titled = title_post.get(key)
        value = encode(ids, total)
        if titled:
            value += "|" + encode(titled, total)
        values[key] = value
    return values


class PackedTexts:
    """(title, 文号, body, facet keys) by number, with every body in one buffer.

    Forked workers read every text once per key group. Reading a Python string writes its reference
    count, which copies the memory page holding it into the worker: with one string per body that was a
    private copy of every body in every worker (about 1.6 GB each at 100,000 entries). One buffer is one
    object: workers decode each body from it and copy nothing they did not make."""

    def __init__(self, texts: list[tuple[str, str, str, list[str]]]):
        """Takes the bodies out of `texts` (the caller's list is left with None in their place)."""
        self.buffer = bytearray()
        self.bounds = array("Q", [0])
        self.heads = []
        for num, (title, doc_no, body, facets) in enumerate(texts):
            texts[num] = None   # drop the body string as soon as it is in the buffer
            self.buffer += body.encode("utf-16-le", "surrogatepass")
            self.bounds.append(len(self.buffer))
            self.heads.append((title, doc_no, facets))
        self.chars = len(self.buffer) // 2

    def __len__(self) -> int:
        return len(self.heads)

    def __iter__(self):
        buffer, bounds = self.buffer, self.bounds
        for num, (title, doc_no, facets) in enumerate(self.heads):
            body = buffer[bounds[num]:bounds[num + 1]].decode("utf-16-le", "surrogatepass")
            yield title, doc_no, body, facets


def ngram_values(texts: list[tuple[str, str, str, list[str]]], total: int, encode) -> dict[str, str]:
    """Encoded 'all|title' postings per key; texts are normalised (title, 文号, body, facet keys) by number.
    The texts are moved out of `texts` (CodedTexts, or PackedTexts without numpy)."""
    jobs = build_jobs()
    chars = sum(len(body) for _, _, body, _ in texts)
    groups = min(MAX_GROUPS, jobs * max(1, -(-chars // (CHARS_PER_GROUP * jobs))))
    shared = sharing_cores()
    if shared:
        groups = max(groups, min(SHARED_GROUPS_PER_CORE * all_cores(), -(-chars // SHARED_CHARS_PER_GROUP),
                                 MAX_GROUPS))
    coded = search_build_gramcodes.CodedTexts.of(texts) if search_build_gramcodes and total else None
    if coded is not None:
        coded.split_in_groups(groups, balanced_groups)
        _JOB.update(coded=coded, total=total)
    else:
        texts = PackedTexts(texts)
        table = group_table(groups)
        _JOB.update(table=table, masks=group_masks(table, groups), total=total, encode=encode, texts=texts)
    try:
        values: dict[str, str] = {}
        items = list(range(groups))
        # (the order of the groups' keys says nothing: each file of the index is written with its keys sorted)
        parts = fork_as_cores_free(_group_values, items) if shared else fork_imap(_group_values, items, jobs)
        for part in parts:
            values.update(part)
        if coded is not None:   # the filter keys, a few per document, are made here
            facet_post: defaultdict = defaultdict(list)
            for num, facets in enumerate(coded.facets):
                _append_all(facet_post, facets, num)
            values.update((key, encode(ids, total)) for key, ids in facet_post.items())
        return values
    finally:
        _JOB.clear()
