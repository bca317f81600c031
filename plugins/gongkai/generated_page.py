"""A page the core generates: what the theme adapter wraps in the site's frame."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from .disk_cache import key_of


@dataclass
class GeneratedPage:
    path: str          # directory-style site path, e.g. 'xxgk/<slug>/'
    title: str
    head: str          # page-specific <meta> tags
    content: str       # main content HTML

    @property
    def content_key(self) -> bytes:
        return key_of(self.content.encode("utf-8", "surrogatepass"))


class KeyedPage:
    """A generated page whose content is named before it is made: when the output tree holds the page
    built from the same key, the content is never made (deferred.py)."""

    def __init__(self, path: str, title: str, head: str, content_key: bytes, make_content: Callable[[], str]):
        self.path, self.title, self.head = path, title, head
        self.content_key = content_key    # equal keys, equal content: names everything the content is made from
        self._make_content = make_content

    @cached_property
    def content(self) -> str:
        return self._make_content()
