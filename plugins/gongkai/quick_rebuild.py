"""`mkdocs serve` after an editor saved entry bodies and nothing else: only those bodies' work, in place.

A body's bytes reach two things in the site: its entry's page and the search index (no listing, feed,
sitemap or data file shows a body). When every path changed since the last build is the body of a public
entry of that build, the rebuild checks each body as the full build's checks would, renders its pages with
the last build's frames, updates the search index (search_update.py, as a full build would), writes what
changed into the published site and checks its links. Anything else (a catalogue entry, a new or deleted
file, mkdocs.yml, the theme, a finding of any kind) leaves the rebuild to the full build, which is also
what follows a failed quick one: a quick rebuild whose link check fails puts every file back as it was.

The site it writes is the site a full build writes (tests/test_quick_rebuild.py compares them). About a
second at 10,000 entries where a full rebuild under serve took three to four.
"""
from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .content_check import allowed_hosts, file_hits
from .disk_cache import key_of
from .linkcheck import check_site
from .loader import portal_content_files
from .output_tree import OutputTree, write_if_changed
from .portal import CHECKED_BODIES, BodyChanged, Portal
from .search_documents import SEARCH_DOCUMENTS
from .search_site import search_files
from .site_build import entry_page_source
from .textfiles import NotUtf8
from .urls import SEARCH_DIR, Linker

SEARCH_FILES = SEARCH_DIR + "/"


@dataclass
class LastBuild:
    """What a successful full build under serve leaves for the quick rebuilds after it."""
    portal: Portal
    linker: Linker
    site: Path                                  # the published site, rewritten in place
    memo_dir: Path
    make_renderer: Callable[[], object]         # -> a BodyRenderer with the build's settings
    shell_for: Callable[[str], object]          # output file -> the frame its page was filled into
    files: set[str]                             # every file of the site
    page_keys: dict[str, bytes]                 # key_of each page's bytes (for the link check)
    link_check: bool = True
    bodies: dict[str, list] = field(default_factory=dict)   # absolute body path -> the public entries showing it
    known: set[str] = field(default_factory=set)            # absolute path of every content and catalogue file

    def __post_init__(self):
        config = self.portal.config
        content = str(config.content_path)
        for entry in self.portal.public_entries:
            if entry.body:
                self.bodies.setdefault(os.path.normpath(os.path.join(content, entry.body)), []).append(entry)
        self.known = {os.path.normpath(os.path.join(content, rel)) for rel in portal_content_files(self.portal)}
        for base, _dirs, names in os.walk(config.catalog_path):
            self.known.update(os.path.normpath(os.path.join(base, name)) for name in names)

    def came_and_went(self, path: str) -> bool:
        """A file that is not there and was not there at the last build: an editor's backup or temporary
        file (saved beside the body, then renamed or deleted), which no build reads."""
        return path not in self.known and not os.path.lexists(path)


LAST: LastBuild | None = None   # set by a full build that succeeded under serve; None while one runs


def forget() -> None:
    global LAST
    LAST = None


def remember(last: LastBuild) -> None:
    global LAST
    LAST = last


def rebuild(changed: set[str] | None, log=None) -> bool:
    """Apply the saved bodies among `changed` (absolute paths) to the published site; True when done, False
    when the full build must run (then nothing of the site was changed)."""
    collecting = gc.isenabled()
    gc.disable()   # the last build's portal is millions of objects: a full collection would cost more than this
    try:
        return _rebuild(changed, log)
    finally:
        if collecting:
            gc.enable()


def _rebuild(changed: set[str] | None, log) -> bool:
    last = LAST
    if last is None or not changed:
        return False
    started = time.perf_counter()
    paths = {p for p in map(os.path.normpath, changed) if not last.came_and_went(p)}
    if not paths:
        return True   # nothing a build reads changed
    if any(p not in last.bodies for p in paths):
        return False
    portal = last.portal
    checked = portal.extra.setdefault(CHECKED_BODIES, {})
    allowed = allowed_hosts(portal.config)
    edited = {}
    for path in sorted(paths):
        body = last.bodies[path][0].body
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError:
            return False
        digest = key_of(raw)
        if digest == checked.get(body):
            continue   # saved unchanged
        if file_hits(raw, allowed):
            return False   # the full build reports it
        edited[body] = digest
    if not edited:
        return True
    texts = portal.extra.setdefault("body_text", {})
    checked.update(edited)   # what the pages and the index may publish (portal.read_body)
    for body in edited:
        texts.pop(body, None)
    try:
        written = _write(last, [e for path in sorted(paths) for e in last.bodies[path] if e.body in edited])
    except (BodyChanged, OSError, NotUtf8):   # saved again meanwhile, or unreadable: the site was put back
        written = False
    if not written:
        forget()   # this portal no longer describes the site: the full build that follows starts afresh
        return False
    if log is not None:
        log.info("gongkai: %d edited %s applied to the site in %.2f seconds (the rest unchanged)", len(edited),
                 "body" if len(edited) == 1 else "bodies", time.perf_counter() - started)
    return True


def _write(last: LastBuild, entries: list) -> bool:
    """Write the entries' pages and the search index into the site and link-check it; True when done. On a
    broken link (False) or an exception, every file is put back first."""
    writer = _UndoableWriter(last.site, last.memo_dir)
    try:
        done = _write_checked(last, entries, writer)
    except BaseException:
        writer.undo()
        raise
    if not done:
        writer.undo()
    return done


def _write_checked(last: LastBuild, entries: list, writer: "_UndoableWriter") -> bool:
    renderer = last.make_renderer()
    for entry in entries:
        source = entry_page_source(last.portal, last.linker, renderer, entry)
        page = source.page()
        out = last.linker.file(source.path)
        shell = last.shell_for(out)
        writer.write(out, shell.fill_bytes(last.linker.url(source.path), page.title, page.head, page.content))
    documents = last.portal.extra.get(SEARCH_DOCUMENTS)
    if documents is not None:
        numbers = {id(e): n for n, e in enumerate(last.portal.public_entries)}
        documents.replace(sorted(numbers[id(e)] for e in entries))
    search = set()
    for rel, data in search_files(last.portal, last.linker):
        writer.write(rel, data)
        search.add(rel)
    for rel in sorted(f for f in last.files if _index_file(f) and f not in search):
        writer.remove(rel)   # an index built afresh may be sharded otherwise
    files = {f for f in last.files if not _index_file(f)} | search
    page_keys = {**last.page_keys, **writer.page_keys}
    if last.link_check:
        findings = check_site(last.site, cache_root=last.portal.config.root, files=files, page_keys=page_keys)
        if findings.errors:
            return False   # the full build that follows reports them
    writer.save()
    last.files, last.page_keys = files, page_keys
    return True


def _index_file(rel: str) -> bool:
    """A file of the search index (search/ holds the index's scripts and the search page)."""
    return rel.startswith(SEARCH_FILES) and rel.endswith(".js")


class _UndoableWriter(OutputTree):
    """Writes into a published tree by its memo (an unchanged file is not rewritten), keeping what each file
    held before, so that all of it can be put back."""

    def __init__(self, root: Path, memo_dir: Path):
        super().__init__(root, memo_dir)
        self.before: list[tuple[Path, bytes | None]] = []

    def _put(self, rel: str, data: bytes) -> tuple[bool, tuple | None]:
        path = self.root / rel
        try:
            old = path.read_bytes()
        except OSError:
            old = None
        written, now = super()._put(rel, data)
        if written:
            self.before.append((path, old))
        return written, now

    def remove(self, rel: str) -> None:
        path = self.root / rel
        try:
            old = path.read_bytes()
        except OSError:
            return
        path.unlink()
        self.before.append((path, old))

    def undo(self) -> None:
        for path, old in reversed(self.before):
            if old is None:
                path.unlink(missing_ok=True)
            else:
                write_if_changed(path, old)
        self.before.clear()

    def save(self) -> None:
        """The tree's memo: its records from the full build, with those of the files written since."""
        self.memo.new = {**self.memo.old, **self.memo.new}
        self.memo.save()
