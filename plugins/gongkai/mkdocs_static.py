"""MkDocs' static files (attachments, theme assets) reach the site through the output tree, by stat.

MkDocs copies every static file into its output on every build; the output tree then read each back to
compare it with the site's (700 files, half a second at 10,000 entries, on every rebuild). Here MkDocs only
notes them, and the output tree takes each from its source under a key of its path and stat, reading
none that the site holds already from the same file.
"""
from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import Files, InclusionLevel

from .deferred import Deferred
from .disk_cache import key_of
from .file_records import Probe


class StaticFilesByStat(Files):
    """MkDocs' files; copy_static_files copies only generated ones and notes the others' (site path, source)."""

    def __init__(self, files):
        super().__init__(list(files))
        self.from_sources: list[tuple[str, str]] = []

    def copy_static_files(self, dirty: bool = False, *, inclusion=InclusionLevel.is_included) -> None:
        for file in self:
            if file.is_documentation_page() or not inclusion(file.inclusion):
                continue
            if file.abs_src_path is not None and getattr(file, "_content", None) is None:
                self.from_sources.append((file.dest_uri, file.abs_src_path))
            else:   # content a plugin set: MkDocs writes it
                file.copy_file(dirty)


def source_file(path: str, reads: list | None = None) -> Deferred:
    """A source file's bytes under a key of its path and stat; of its bytes when it changed too recently for
    its stat to be trusted (file_records.Probe). Each read for the site is appended to `reads`."""
    probe = Probe(path, path)
    if probe.settled:
        key = key_of(f"static\0{path}\0{probe.stat}".encode("utf-8", "surrogatepass"))
    else:
        key = key_of(b"static bytes\0" + (probe.digest() or b""))
    def read() -> bytes:
        if reads is not None:
            reads.append(path)
        return Path(path).read_bytes()
    return Deferred(key, read)
