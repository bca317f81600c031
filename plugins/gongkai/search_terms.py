"""Who holds a word, and how often, for a search index update: the full build's token counts in word order.

An update re-scores a word over the documents that hold it when the word's idf moves (an edit added it to
a document or took it out of one). Those documents' counts were read from the segmentation cache, which is
kept by text: a word's holders are spread over all of its shards, so such an update read the whole cache
(0.3 s at 10,000 entries), as most edits do. The full build (numpy) writes every (word, document) count
sorted by word, here, beside the index's state; an update looks up a word's holders in a slice of it,
memory-mapped, and the documents edited since that build are kept in the state with their counts (the
overlay), ahead of what the arrays say of them.

Files: <cache>/search-terms-<token>-{docs,ptr,tf}.bin (the arrays' bytes, little-endian, typed as ARRAYS says)
and -words.pickle, <token> named in the state (state["terms"]): a full build writes a new set and removes the
others. They are read without numpy: an update after an edit needs a few slices and one document's places,
and importing numpy was a tenth of a second of it.
"""
from __future__ import annotations

import mmap
import os
import pickle
import secrets
import sys
from bisect import bisect_left, bisect_right
from itertools import chain
from pathlib import Path

# name: (numpy dtype written, array typecode read, bytes an item)
ARRAYS = {"docs": ("<i4", "i", 4), "ptr": ("<i8", "q", 8), "tf": ("<u4", "I", 4)}
FEW_DOCUMENTS = 16   # counts() of more documents than this takes one numpy pass over the arrays

PREFIX = "search-terms-"
TITLE_SHIFT = 16   # a count is body + title << 16; a build whose counts do not fit keeps no term index
TF_LIMIT = (1 << TITLE_SHIFT) - 1   # counts are clipped to this: a build with one that reaches it keeps no term index
OVERLAY_LIMIT = 2000   # documents edited since the full build, beyond which updates read the cache again


def save(cache_dir: Path, words: list[str], docs, ptr, tf) -> dict:
    """Write a full build's term index (documents in word order, each word's first position in ptr, codes
    in tf); the state entry that names it. Other term indexes in cache_dir go."""
    import numpy as np
    token = secrets.token_hex(6)
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name, array in (("docs", docs), ("ptr", ptr), ("tf", tf)):
        with open(cache_dir / f"{PREFIX}{token}-{name}.bin", "wb") as fh:
            fh.write(np.ascontiguousarray(array, dtype=ARRAYS[name][0]).tobytes())
    with open(cache_dir / f"{PREFIX}{token}-words.pickle", "wb") as fh:
        pickle.dump(words, fh, protocol=pickle.HIGHEST_PROTOCOL)
    remove_all(cache_dir, but=token)
    return {"token": token, "overlay": {}}


class Saver:
    """terms_out for a full build's word scoring (search_build_wordcodes.word_values): saves the term index
    it is called with, at once; entry() is the state's entry naming it, or None when there is none (no
    numpy, a count too large), and then the other term indexes in cache_dir go, since no state names them."""

    def __init__(self, cache_dir: Path):
        self.cache_dir, self.saved = cache_dir, None

    def __call__(self, words: list[str], docs, ptr, tf) -> None:
        if fits(tf):
            self.saved = save(Path(self.cache_dir), words, docs, ptr, tf)

    def entry(self) -> dict | None:
        if self.saved is None:
            remove_all(self.cache_dir)
        return self.saved


def fits(tf) -> bool:
    """Whether no count was clipped (see TF_LIMIT)."""
    return not len(tf) or not (((tf & TF_LIMIT) == TF_LIMIT) | ((tf >> TITLE_SHIFT) == TF_LIMIT)).any()


class TermIndex:
    """Counts by word: held(w) is {document: (title count, body count)} of every document that holds w."""

    def __init__(self, cache_dir: Path, entry: dict):
        base = Path(cache_dir) / f"{PREFIX}{entry['token']}"
        self._raw = {name: _mapped(f"{base}-{name}.bin") for name in ARRAYS}
        self.docs, self.ptr, self.tf = (_typed(self._raw[name], name) for name in ARRAYS)
        if len(self.docs) != len(self.tf) or not len(self.ptr):
            raise ValueError("term index arrays of unequal lengths")
        with open(f"{base}-words.pickle", "rb") as fh:
            self.words: list[str] = pickle.load(fh)
        self.token = entry["token"]
        self.overlay: dict[int, tuple[dict, dict]] = dict(entry["overlay"])
        self._held: dict[str, dict[int, tuple[int, int]]] = {}

    @classmethod
    def of(cls, cache_dir: Path | None, entry: dict | None) -> "TermIndex | None":
        """The term index a state names, None when it names none or its files are gone or damaged."""
        if cache_dir is None or not entry:
            return None
        try:
            return cls(cache_dir, entry)
        except (OSError, ValueError, EOFError, pickle.UnpicklingError, KeyError):
            return None

    def counts(self, numbers) -> dict[int, tuple[dict, dict]]:
        """The title and body counts of these documents, as the segmentation cache holds them: a few documents
        found in the docs file's bytes, more in one numpy pass over the arrays (a push that edits many
        documents does not scan once for each)."""
        found = {n: self.overlay[n] for n in numbers if n in self.overlay}
        wanted = [n for n in numbers if n not in found]
        if not wanted:
            return found
        for n in wanted:
            found[n] = ({}, {})
        if len(wanted) <= FEW_DOCUMENTS:
            at = sorted(chain.from_iterable(self._places(n) for n in wanted))
            places = [(self.docs[i], bisect_right(self.ptr, i) - 1, self.tf[i]) for i in at]
        else:
            import numpy as np
            docs, ptr, tf = (np.frombuffer(self._raw[name], dtype=ARRAYS[name][0]) for name in ARRAYS)
            at = np.flatnonzero(np.isin(docs, np.array(wanted, dtype=docs.dtype)))
            word_numbers = np.searchsorted(ptr, at, side="right") - 1
            places = zip(docs[at].tolist(), word_numbers.tolist(), tf[at].tolist())
        for n, number, code in places:
            title, body = found[n]
            w = self.words[number]
            if code >> TITLE_SHIFT:
                title[w] = code >> TITLE_SHIFT
            if code & TF_LIMIT:
                body[w] = code & TF_LIMIT
        return found

    def _places(self, n: int) -> list[int]:
        """Where document n is in the docs array: its 4 bytes found in the file, where they are a whole item."""
        raw, pattern, places = self._raw["docs"], n.to_bytes(4, "little", signed=True), []
        at = raw.find(pattern)
        while at >= 0:
            if at % 4:
                at = raw.find(pattern, at + 1)
            else:
                places.append(at // 4)
                at = raw.find(pattern, at + 4)
        return places

    def held(self, w: str) -> dict[int, tuple[int, int]]:
        found = self._held.get(w)
        if found is None:
            found = {}
            i = bisect_left(self.words, w)
            if i < len(self.words) and self.words[i] == w:
                lo, hi = int(self.ptr[i]), int(self.ptr[i + 1])
                for n, code in zip(self.docs[lo:hi].tolist(), self.tf[lo:hi].tolist()):
                    if n not in self.overlay:
                        found[n] = (code >> TITLE_SHIFT, code & TF_LIMIT)
            for n, (title, body) in self.overlay.items():
                if w in title or w in body:
                    found[n] = (title.get(w, 0), body.get(w, 0))
            self._held[w] = found
        return found

    def edited(self, counts: dict[int, tuple[dict, dict]]) -> None:
        """These documents now hold these (title, body) counts."""
        self.overlay.update(counts)
        self._held.clear()

    def entry(self) -> dict | None:
        """The state's entry for the next update (None once too many documents were edited since)."""
        if len(self.overlay) > OVERLAY_LIMIT:
            return None
        return {"token": self.token, "overlay": self.overlay}


class HeldCounts:
    """One field's counts of one document, as score() asks for them (`w in`, [w], get), from a TermIndex."""

    __slots__ = ("terms", "n", "field")

    def __init__(self, terms: TermIndex, n: int, field: int):
        self.terms, self.n, self.field = terms, n, field

    def get(self, w: str, default=None):
        found = self.terms.held(w).get(self.n)
        if found is None or not found[self.field]:
            return default
        return found[self.field]

    def __contains__(self, w: str) -> bool:
        return bool(self.get(w, 0))

    def __getitem__(self, w: str) -> int:
        found = self.get(w, 0)
        if not found:
            raise KeyError(w)
        return found


def _mapped(path: str):
    """The file's bytes, mapped (bytes when it is empty, which mmap refuses)."""
    with open(path, "rb") as fh:
        if not os.fstat(fh.fileno()).st_size:
            return b""
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def _typed(raw, name: str) -> memoryview:
    """The array of one file, as ARRAYS types it, on a little-endian machine with those item sizes."""
    _dtype, code, size = ARRAYS[name]
    view = memoryview(raw).cast("B")
    if sys.byteorder != "little" or view.itemsize != 1 or len(view) % size or \
            memoryview(b"\0" * size).cast(code).itemsize != size:
        raise ValueError("term index arrays this machine does not read as written")
    return view.cast(code)


def remove_all(cache_dir: Path, but: str | None = None) -> None:
    """Remove the term indexes in cache_dir (but the one named `but`); one still open elsewhere (another
    build's, on a system that will not remove an open file) stays for the next build to remove."""
    for path in Path(cache_dir).glob(PREFIX + "*"):
        if but is None or not path.name.startswith(f"{PREFIX}{but}-"):
            try:
                os.unlink(path)
            except OSError:
                pass
