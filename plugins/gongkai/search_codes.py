"""Postings of the search index encoded in bulk with numpy (optional: callers fall back to search_index's
per-posting encoders, whose output this module reproduces byte for byte).

Both encodings write document numbers as delta varints: 5 bits per character over ALPHABET, most significant
digit first, every digit but the last from the upper half (32..63) of the alphabet.
"""
from __future__ import annotations

import numpy as np

ALPHABET = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_", dtype=np.uint8)
_SIX_BITS = np.array([1, 2, 4, 8, 16, 32], dtype=np.uint8)


def run_deltas(docs: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """docs[k] - docs[k-1] - 1 within each run (runs start at `firsts`; a run's first document counts from -1)."""
    prev = np.empty_like(docs)
    prev[1:] = docs[:-1]
    prev[firsts] = -1
    return docs - prev - 1


def digit_counts(deltas: np.ndarray) -> np.ndarray:
    """How many 5-bit digits each delta takes (at least one)."""
    digits = np.ones(len(deltas), dtype=np.int64)
    bound = 32
    while len(deltas) and bound <= int(deltas.max()):
        digits += deltas >= bound
        bound <<= 5
    return digits


def write_varints(deltas: np.ndarray, digits: np.ndarray, suffix: np.ndarray | None = None) -> str:
    """Every delta as a varint, each followed by its character of `suffix` (alphabet codes) when given."""
    width = digits + (suffix is not None)
    at = np.cumsum(width) - width
    out = np.empty(int(width.sum()), dtype=np.uint8)
    for j in range(int(digits.max()) if len(digits) else 0):
        has = digits > j
        rest = digits[has] - 1 - j
        out[at[has] + j] = ALPHABET[((deltas[has] >> (5 * rest)) & 31) + 32 * (rest > 0)]
    if suffix is not None:
        out[at + digits] = ALPHABET[suffix]
    return out.tobytes().decode("ascii")


def encode_runs(docs: np.ndarray, firsts: np.ndarray, lasts: np.ndarray, total: int) -> list[str]:
    """search_index.encode_postings of each run docs[first:last] (ascending document numbers): delta varints,
    or '!' and a bitmap of 6 bits per character when that is shorter."""
    counts = lasts - firsts
    deltas = run_deltas(docs, firsts)
    digits = digit_counts(deltas)
    chars = (total + 5) // 6
    listed_len = np.add.reduceat(digits, firsts) if len(firsts) else digits[:0]
    as_bitmap = (counts >= 1 + chars) | (listed_len > 1 + chars)
    listed = np.repeat(~as_bitmap, counts)
    text = write_varints(deltas[listed], digits[listed])
    values, pos = [], 0
    for first, last, length, bitmap in zip(firsts.tolist(), lasts.tolist(), listed_len.tolist(),
                                           as_bitmap.tolist()):
        if bitmap:
            flags = np.zeros(chars * 6, dtype=np.uint8)
            flags[docs[first:last]] = 1
            values.append("!" + ALPHABET[flags.reshape(chars, 6) @ _SIX_BITS].tobytes().decode("ascii"))
        else:
            values.append(text[pos:pos + length])
            pos += length
    return values


def encode_weighted_runs(docs: np.ndarray, weights: np.ndarray, firsts: np.ndarray, lasts: np.ndarray) -> list[str]:
    """search_index.encode_weighted of each run of (document, weight 0..63) pairs, documents ascending."""
    deltas = run_deltas(docs, firsts)
    digits = digit_counts(deltas)
    text = write_varints(deltas, digits, weights)
    ends = np.cumsum(digits + 1)
    starts = np.concatenate(([0], ends[lasts[:-1] - 1])) if len(lasts) else ends
    return [text[a:b] for a, b in zip(starts.tolist(), ends[lasts - 1].tolist())]
