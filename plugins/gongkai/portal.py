"""The loaded portal: entries, columns and the relations between them."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter

from .config import PortalConfig
from .disk_cache import key_of
from .model import Column, Entry
from .textfiles import NotUtf8, decode_text, read_bytes

CHECKED_BODIES = "checked_body_digests"   # portal.extra: body file -> key_of the bytes the checks passed


class BodyChanged(Exception):
    """A body file's bytes are not those the checks passed: it was saved during the build."""

    def __init__(self, body: str):
        super().__init__(body)
        self.body = body


@dataclass
class Portal:
    config: PortalConfig
    entries: list[Entry]
    columns: dict[str, Column]
    as_of: dt.date                      # the build date: decides embargoes and freshness
    extra: dict = field(default_factory=dict)
    content_files: set[str] | None = None   # every file under content/ as the loader found it (None: not walked)

    def is_public(self, entry: Entry) -> bool:
        """Only 主动公开 entries already published by the build date reach any output."""
        return entry.disclosure == "public" and entry.published <= self.as_of

    @cached_property
    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    @cached_property
    def public_entries(self) -> list[Entry]:
        """Public entries, newest first (ties by 索引号 so order is stable)."""
        as_of = self.as_of   # is_public, inlined: 10,000 calls on every rebuild
        public = sorted((e for e in self.entries if e.disclosure == "public" and e.published <= as_of),
                        key=attrgetter("id"))
        public.sort(key=attrgetter("published"), reverse=True)   # stable: ties stay in 索引号 order
        return public

    @cached_property
    def public_entries_key(self) -> bytes:
        """The public entries, every field of each (their shown_keys, in order): for keys of what is made
        from them."""
        return b"".join(entry.shown_key for entry in self.public_entries)

    @cached_property
    def public_ids(self) -> frozenset[str]:
        return frozenset(e.id for e in self.public_entries)

    @cached_property
    def interpretations_of(self) -> dict[str, list[Entry]]:
        """Policy id -> its public interpretations, oldest first."""
        result: dict[str, list[Entry]] = {}
        for entry in self.public_entries[::-1]:
            if entry.kind == "interpretation":
                for pid in entry.interprets:
                    result.setdefault(pid, []).append(entry)
        return result

    def public_policies_of(self, interpretation: Entry) -> list[Entry]:
        return [self.by_id[p] for p in interpretation.interprets if p in self.public_ids]

    def public_replacement(self, entry: Entry) -> Entry | None:
        target = self.by_id.get(entry.superseded_by or "")
        return target if target is not None and target.id in self.public_ids else None

    @cached_property
    def column_entries(self) -> dict[str, list[Entry]]:
        """Column id -> its public entries, newest first."""
        result: dict[str, list[Entry]] = {cid: [] for cid in self.columns}
        for entry in self.public_entries:
            for cid in entry.columns:
                if cid in result:
                    result[cid].append(entry)
        return result

    def read_body(self, entry: Entry) -> str:
        """The markdown of an entry's body, read once per body file; raises NotUtf8 or OSError, and
        BodyChanged when the checks passed other bytes: what is published is only ever what was checked."""
        cache = self.extra.setdefault("body_text", {})
        if entry.body not in cache:
            raw = read_bytes(os.path.join(self.config.content_path, entry.body))   # joined as text: no Path each
            checked = self.extra.get(CHECKED_BODIES, {}).get(entry.body)
            if checked is not None and key_of(raw) != checked:
                raise BodyChanged(entry.body)
            cache[entry.body] = decode_text(raw)
        return cache[entry.body]

    def checked_digest(self, entry: Entry) -> bytes | None:
        """key_of the bytes of the entry's body the checks passed (None: no body, or the checks did not read it)."""
        return self.extra.get(CHECKED_BODIES, {}).get(entry.body) if entry.body else None

    def body_text(self, entry: Entry) -> str:
        """The markdown of an entry's body ('' when it has none or it cannot be read)."""
        if not entry.body:
            return ""
        try:
            return self.read_body(entry)
        except (OSError, NotUtf8):
            return ""

    def child_columns(self, column_id: str | None) -> list[Column]:
        return [c for c in self.columns.values() if c.parent == column_id]
