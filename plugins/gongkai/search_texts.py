"""Every document's normalised texts, compressed, as the search index's update state keeps them, in a file of
their own beside the state.

An update compares an edited document's old texts with its new ones (search_update._gram_changes), so the state
keeps every document's. They were 14 of its 17 MB at 10,000 entries, and the state was read and written whole
after every edit (0.07 s of the rebuild's search child). Kept in their own file, an update reads the few texts it
compares and appends the edited ones' new texts; the state holds where each text is (TextColumn.saved).

The file starts with a token of its own, which the state names: a state never reads another file's texts. A
full build writes the file anew (a new token); appending leaves the texts before where they are, so a state
saved before an append still reads its own. A file grown to more than twice its live texts is written anew.
"""
from __future__ import annotations

import os
from array import array
from pathlib import Path

TOKEN_BYTES = 16
REWRITE_FROM = 2   # file size over live bytes from which a save writes the file anew


class TextColumn:
    """The texts of documents 0..len-1: those in the file at their spans, or added since (not yet saved)."""

    def __init__(self, path: Path | None, token: bytes | None, spans: array, added: dict[int, bytes], total: int):
        self.path, self.token, self.spans, self.added, self.total = path, token, spans, added, total

    @classmethod
    def of(cls, texts: list[bytes]) -> "TextColumn":
        """The texts of a full build, all added."""
        return cls(None, None, array("Q"), dict(enumerate(texts)), len(texts))

    @classmethod
    def saved(cls, path: Path, descriptor) -> "TextColumn | None":
        """The column a state saved (its descriptor from save()), reading from the file at path; None when
        the file is not the one it was saved in (or not all there)."""
        try:
            token, spans = descriptor
            with open(path, "rb") as fh:
                if fh.read(TOKEN_BYTES) != token:
                    return None
                size = os.fstat(fh.fileno()).st_size
        except (OSError, TypeError, ValueError):
            return None
        if not isinstance(spans, array) or len(spans) % 2 or \
                max((spans[n] + spans[n + 1] for n in range(0, len(spans), 2)), default=0) > size:
            return None
        return cls(Path(path), token, spans, {}, len(spans) // 2)

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, n: int) -> bytes:
        if not 0 <= n < self.total:
            raise IndexError(n)
        found = self.added.get(n)
        if found is not None:
            return found
        start, length = self.spans[2 * n], self.spans[2 * n + 1]
        with open(self.path, "rb") as fh:
            fh.seek(start)
            data = fh.read(length)
        if len(data) != length:
            raise OSError(f"{self.path}: the texts file ends before text {n}")
        return data

    def replaced(self, changes: dict[int, bytes], total: int) -> "TextColumn":
        """This column with the texts of `changes` (by document number) put in, numbered up to total (fewer
        documents: those past it gone)."""
        added = {n: text for n, text in {**self.added, **changes}.items() if n < total}
        return TextColumn(self.path, self.token, self.spans, added, total)

    def save(self, path: Path) -> tuple[bytes, array]:
        """Write the texts not in the file at path yet (appended, or the whole file anew) and return the
        descriptor a state keeps to read them again (saved())."""
        spans = array("Q", self.spans[:2 * self.total])
        spans.extend([0, 0] * (self.total - len(spans) // 2))
        appending = self.token is not None and Path(path) == self.path and _token_of(path) == self.token
        if appending:
            live = sum(spans[n + 1] for n in range(0, len(spans), 2) if n // 2 not in self.added)
            live += sum(len(text) for text in self.added.values())
            if os.path.getsize(path) > REWRITE_FROM * live + (1 << 20):
                appending = False
        if appending:
            with open(path, "ab") as fh:
                at = fh.tell()
                for n, text in sorted(self.added.items()):
                    fh.write(text)
                    spans[2 * n], spans[2 * n + 1] = at, len(text)
                    at += len(text)
            return self.token, spans
        token = os.urandom(TOKEN_BYTES)
        whole = b""   # the file, read once (not opened for each text), when texts are to be taken from it
        if len(self.added) < self.total:
            if self.token is None or _token_of(self.path) != self.token:
                raise OSError(f"{self.path}: not the texts file this column was read from")
            whole = self.path.read_bytes()
        spans_read = self.spans
        texts = [self.added[n] if n in self.added else whole[spans_read[2 * n]:spans_read[2 * n] + spans_read[2 * n + 1]]
                 for n in range(self.total)]
        tmp = Path(str(path) + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(token)
            at = TOKEN_BYTES
            for n, text in enumerate(texts):
                fh.write(text)
                spans[2 * n], spans[2 * n + 1] = at, len(text)
                at += len(text)
        os.replace(tmp, path)
        return token, spans


def _token_of(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(TOKEN_BYTES)
    except OSError:
        return None


def column_of(texts) -> TextColumn:
    """A TextColumn of a state's texts (a full build's list, or a column already)."""
    return texts if isinstance(texts, TextColumn) else TextColumn.of(list(texts))
