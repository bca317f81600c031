"""Word segmentation for search weights: jieba's dictionary and HMM, run by rjieba when available.

Only runs of Han characters go to the segmenter; Latin letters and digits are tokenised by one regex.
jieba and rjieba differ only in how they split non-Han text (e.g. 'www.suzhou.gov.cn', '7-8'), so on Han
runs they give the same tokens (tests/test_search_segment.py checks this on the seeds and a generated
corpus) and rjieba is about 20x faster.
"""
from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import logging
import os
import re
import threading
from collections import Counter
from pathlib import Path

from .disk_cache import HEX_SHARDS, HexShards, save_pickle

DEFAULT_USER_DICT = Path(__file__).parent / "data" / "userdict.txt"
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_SCRIPTS = re.compile(f"({HAN_RUN.pattern})")   # split: the text between Han runs, then the runs
RUN_SEPARATOR = "，"   # outside both engines' Han class, and not whitespace (jieba keeps whitespace runs)
CACHE_FORMAT = 1


def read_user_dict(path: Path | None) -> list[tuple[str, int, str | None]]:
    """Lines 'word freq [tag]' (jieba's format); a missing freq gets a high default so the word holds."""
    words = []
    if path is None or not Path(path).exists():
        return words
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 20000
        tag = parts[2] if len(parts) > 2 else None
        words.append((parts[0], freq, tag))
    return words


class Segmenter:
    """cut_for_search tokens of normalised text; `engine` is 'rjieba' or 'jieba'."""

    def __init__(self, user_dict: Path | None = DEFAULT_USER_DICT, engine: str | None = None):
        self.words = read_user_dict(user_dict)
        if engine is None:
            engine = "rjieba" if importlib.util.find_spec("rjieba") is not None else "jieba"
        self.engine = engine
        self._tok = None
        self._loading = threading.Lock()   # warm_up's thread and a caller never both load the dictionary
        # Both engines give the same tokens, so the cache key does not name the engine.
        self.fingerprint = hashlib.sha1(json.dumps([CACHE_FORMAT, self.words]).encode()).hexdigest()[:16]

    def _tokenizer(self):
        """The engine with its dictionary, loaded when first needed (a third of a second): a rebuild whose
        texts are all in the token cache never needs it."""
        if self._tok is not None:
            return self._tok
        with self._loading:
            if self._tok is None:
                self._tok = self._load()
        return self._tok

    def _load(self):
        if self.engine == "rjieba":
            tok = _rjieba_class()()
        else:
            import jieba
            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
        for word, freq, tag in self.words:
            tok.add_word(word, freq, tag)
        return tok

    def cut_han(self, run: str) -> list[str]:
        if self._tok is None and _REMOTE:   # a process that loaded the dictionary may cut it (dictionary_process)
            cut = _REMOTE[0](self, run)
            if cut is not None:
                return cut
        return list(self._tokenizer().cut_for_search(run))

    def han_words(self, text: str) -> list[str]:
        """The words of every Han run of text, as cut_han gives them run by run, and one-character separators.

        The runs go to the engine in one call, joined by a full-width comma: both engines cut at characters
        outside their Han class, so each run is cut as if alone, and the comma comes back as a one-character
        token, which callers drop with the one-character words. One call per text, not per run, halves the
        time of a full index build's segmentation (rjieba's per-call cost over 130 runs a document)."""
        return self.cut_han(RUN_SEPARATOR.join(HAN_RUN.findall(text)))

    def han_and_latin(self, text: str) -> tuple[list[str], list[str]]:
        """(han_words(text), LATIN_TOKEN.findall(text)) from one pass over the text. Searching all of a
        Chinese text for Latin tokens tries a match at every Han character (0.13 s of the 2.1 s that 10,000
        entries' segmentation takes); split at the Han runs, the Latin tokens are searched for in what lies
        between, joined by spaces, which no token spans, as none spans a Han character."""
        pieces = _SCRIPTS.split(text)
        return self.cut_han(RUN_SEPARATOR.join(pieces[1::2])), LATIN_TOKEN.findall(" ".join(pieces[0::2]))

    def tokens(self, text: str) -> list[str]:
        """Words of already normalised text: Han words of two or more characters and Latin/digit tokens."""
        han, latin = self.han_and_latin(text)
        out = [w for w in han if len(w) >= 2]
        out.extend(latin)
        return out


def _rjieba_class():
    """rjieba's Jieba, from its extension module alone: the package's __init__ also builds a default instance,
    never used here, and while it does (0.13 s, in warm_up's thread) the build's main thread barely runs.
    Where the package is laid out otherwise, it is imported as usual."""
    package = importlib.util.find_spec("rjieba")
    for folder in (package.submodule_search_locations or []) if package else []:
        for name in sorted(os.listdir(folder)):
            if name.startswith("rjieba.") and name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
                path = os.path.join(folder, name)
                loader = importlib.machinery.ExtensionFileLoader("rjieba.rjieba", path)
                spec = importlib.util.spec_from_file_location("rjieba.rjieba", path, loader=loader)
                module = importlib.util.module_from_spec(spec)
                loader.exec_module(module)
                return module.Jieba
    import rjieba
    return rjieba.Jieba


_SEGMENTERS: dict[tuple, Segmenter] = {}
_REMOTE: list = []   # dictionary_process.cut_for_search, set in the process it may serve (take_over)


def segmenter_for(user_dict: Path | None) -> Segmenter:
    """A Segmenter with user_dict, made once per process and dictionary file: loading the engine's own
    dictionary takes half a second, which every search update after an edit in `mkdocs serve` paid."""
    try:
        st = Path(user_dict).stat() if user_dict is not None else None
    except OSError:
        st = None
    key = (str(user_dict), st and (st.st_ino, st.st_size, st.st_mtime_ns))
    if key not in _SEGMENTERS:
        _SEGMENTERS.clear()   # one dictionary at a time
        _SEGMENTERS[key] = Segmenter(user_dict)
    return _SEGMENTERS[key]


_WARMING: list[threading.Thread] = []


def warm_up(user_dict: Path | None = DEFAULT_USER_DICT) -> None:
    """Load rjieba's dictionary in a thread, for a build that may segment: rjieba leaves the interpreter to
    the build meanwhile, so its quarter second overlaps other work, and workers forked after inherit it
    rather than each load it. (jieba's Python loader would only compete for the interpreter: not warmed.)"""
    if _REMOTE:   # texts go to the process that loaded it (dictionary_process): a few, after an edit
        return
    segmenter = segmenter_for(user_dict)
    if segmenter._tok is None and segmenter.engine == "rjieba" and not _WARMING:
        thread = threading.Thread(target=segmenter._tokenizer, daemon=True)
        _WARMING.append(thread)
        thread.start()


def _warmed_before_fork() -> None:
    """A fork while the thread holds the segmenter's lock would leave the child a lock nobody releases."""
    while _WARMING:
        _WARMING.pop().join()


os.register_at_fork(before=_warmed_before_fork)


class CachedSegmenter:
    """Token counts by content hash, kept in cache_dir between builds so unchanged text is not segmented.

    The cache is split in SHARDS files by the first character of the (hex) key, so a build that changed a
    few texts rewrites a few sixteenths of it, not the whole (20,000 texts at 10,000 entries: 0.3 s); and a
    shard is read only when a key in it is asked for, so an update after an edit reads a few of them."""

    SHARDS = HEX_SHARDS

    def __init__(self, segmenter: Segmenter, cache_dir: Path | None):
        self.segmenter = segmenter
        self.path = Path(cache_dir) / f"search-tokens-{segmenter.fingerprint}" if cache_dir else None
        self.old = HexShards(self._shard_path if self.path else None)
        self.new: dict[str, dict[str, int]] = {}
        self.kept: set[str] = set()   # keys of this build whose counts it did not need (see keep)
        self.hits = self.misses = 0

    def _shard_path(self, shard: str) -> Path:
        return self.path / f"{shard}.pickle"

    def load_all(self) -> None:
        self.old.load_all()

    def keep(self, key: str) -> None:
        """A text of this build, known to be cached, whose counts it did not need: saved as it is."""
        self.kept.add(key)
        self.hits += 1

    def counts(self, text: str) -> dict[str, int]:
        key = hashlib.sha1(text.encode("utf-8")).hexdigest()
        found = self.new.get(key)
        if found is None:
            found = self.old.get(key)
            if found is None:
                self.misses += 1
                found = dict(Counter(self.segmenter.tokens(text)))
            else:
                self.hits += 1
            self.new[key] = found
        return found

    def save(self) -> None:
        """Keep only the texts of this build, so the cache does not grow without bound; a shard whose texts
        are those it already holds is not written again, nor one not read whose texts were all kept."""
        if not self.path:
            return
        # the whole cache in one file, as builds before the shards kept it: dead weight in a kept .cache
        self.path.with_name(self.path.name + ".pickle").unlink(missing_ok=True)
        shards: dict[str, dict] = {shard: {} for shard in self.SHARDS}
        for key, found in self.new.items():
            shards[key[0]][key] = found
        kept: dict[str, list] = {shard: [] for shard in self.SHARDS}
        for key in self.kept:
            kept[key[0]].append(key)
        for shard, held in shards.items():
            if not held and shard not in self.old.loaded:
                continue   # only texts kept from before, in the file as it is (with maybe a few stale ones)
            before = self.old.shard(shard)
            held.update((key, before[key]) for key in kept[shard] if key in before and key not in held)
            if held.keys() != before.keys() or not self._shard_path(shard).exists():
                save_pickle(self._shard_path(shard), held)
                self.old.loaded[shard] = held

