"""A Python reading of a built search index that answers queries the way search.js does.

Used by the tests and the benchmark to check recall and precision over whole corpora without a browser,
and to count the bytes a query needs. search.js is the product; keep the two in step.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from gongkai.search_index import FACET, chunk_file, decode_postings, fnv1a, normalize

_CALL = re.compile(r'^gkSearchLoad\("(\w+)",(\d+),(.*)\);\n$', re.S)
_PHRASE = re.compile(r'"([^"]+)"|“([^”]+)”|(\S+)')


def parse_query(query: str) -> list[str]:
    """Terms of a query: quoted phrases stay whole, other words split on spaces; normalised, deduplicated."""
    terms = []
    for match in _PHRASE.finditer(query.replace("＂", '"')):
        term = normalize(next(g for g in match.groups() if g)).strip()
        if term and term not in terms:
            terms.append(term)
    return terms


def term_grams(term: str) -> list[str]:
    """The index keys whose postings intersect to the term's candidates: its trigrams (or the term itself)."""
    if len(term) <= 3:
        return [term]
    return sorted({term[i:i + 3] for i in range(len(term) - 2)})


class IndexReader:
    def __init__(self, search_dir: Path):
        self.dir = Path(search_dir)
        self.loaded: dict[str, object] = {}
        self.bytes_read = 0
        self.manifest = self._load("manifest.js")

    def _load(self, name: str):
        if name not in self.loaded:
            raw = (self.dir / name).read_bytes()
            self.bytes_read += len(raw)
            self.loaded[name] = json.loads(_CALL.match(raw.decode("utf-8")).group(3))
        return self.loaded[name]

    def gram(self, key: str) -> tuple[set[int], set[int]]:
        shard = self._load(chunk_file("g", fnv1a(key) % self.manifest["gramShards"]))
        value = shard.get(key)
        if value is None:
            return set(), set()
        every, _, titled = value.partition("|")
        return set(decode_postings(every)), set(decode_postings(titled)) if titled else set()

    def meta(self, num: int) -> list:
        chunk = self.manifest["metaChunk"]
        return self._load(chunk_file("m", num // chunk))[num % chunk]

    def search(self, query: str, filters: dict[str, str] | None = None) -> list[int]:
        """Matching document numbers, title/文号 matches first, then newest first (highest number first)."""
        terms = parse_query(query)
        if not terms:
            return []
        found: set[int] | None = None
        in_title: list[set[int]] = []
        for term in terms:
            every_sets, title_sets = zip(*(self.gram(g) for g in term_grams(term)))
            docs = set.intersection(*every_sets)
            found = docs if found is None else found & docs
            in_title.append(set.intersection(*title_sets))
        for name, value in (filters or {}).items():
            if value:
                if name == "publisher":
                    value = str(self.manifest["publishers"].index(value))
                found &= self.gram(f"{FACET}{name[0]}:{value}")[0]
        return sorted(found, key=lambda n: (-sum(n in t for t in in_title), -n))
