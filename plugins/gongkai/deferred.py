"""Generated file content named before it is made.

A generator yields Deferred(key, produce) where making the bytes costs more than naming what they are
made from (the open-data files, the stored search index). The output tree writes it by key: when the
file it would replace was built from the same key and is untouched (output_tree.TreeMemo), produce is
never called.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Deferred:
    key: bytes                      # equal keys, equal bytes: names everything the bytes are made from
    produce: Callable[[], bytes]


def materialize(data: "bytes | Deferred") -> bytes:
    return data.produce() if isinstance(data, Deferred) else data
