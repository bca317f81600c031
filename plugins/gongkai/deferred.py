"""Generated file content named before it is made.

A generator yields Deferred(key, produce) where making the bytes costs more than naming what they are
made from (the open-data files, the stored search index). The output tree writes it by key: when the
file it would replace was built from the same key and is untouched (output_tree.TreeMemo), produce is
never called.
"""
from __future__ import annotations

from typing import Callable

from .disk_cache import key_of


class Deferred:
    """Bytes named by key (equal keys, equal bytes: it names everything the bytes are made from), made by
    produce() when wanted. A plain class: a frozen dataclass's __init__ was a tenth of the time a rebuild
    spent on each of the search index's 12,000 files."""

    __slots__ = ("key", "produce")

    def __init__(self, key: bytes, produce: Callable[[], bytes]):
        self.key, self.produce = key, produce


def materialize(data: "bytes | Deferred") -> bytes:
    return data.produce() if isinstance(data, Deferred) else data


def framed_key(frame_key: bytes, url: str, title: str, head: str, content_key: bytes) -> bytes:
    """The key of a page made by filling a theme frame (a shell, whose .key names it) with a page's parts."""
    return key_of(b"\x00".join((frame_key, url.encode("utf-8", "surrogatepass"), title.encode("utf-8", "surrogatepass"),
                                head.encode("utf-8", "surrogatepass"), content_key)))


def framed_page(shell, url: str, page) -> Deferred:
    """A generated page (generated_page.py) in its frame, named before the frame is filled and, for a
    KeyedPage, before its content is made."""
    key = framed_key(shell.key, url, page.title, page.head, page.content_key)
    return Deferred(key, lambda: shell.fill_bytes(url, page.title, page.head, page.content))
