"""What loading one catalogue entry file gave (its Entry and findings), kept across builds.

An entry depends on its file's bytes (file_records.py checks those), on the code that
reads it and the configuration it is checked against (both in the namespace), and on
content/: whether the body and attachment files it names exist, and the attachments'
sizes. Those are checked on every use (lookups_unchanged), so adding, deleting or
replacing a content file reloads exactly the entries that name it.
"""

from __future__ import annotations

import os
import posixpath
import sys
from pathlib import Path
from dataclasses import fields
from operator import attrgetter
from typing import NamedTuple

import yaml

from .config import PortalConfig
from .file_records import FileRecords
from .findings import Finding
from .model import Attachment, Entry

# The entry's reading depends on these modules' code.
_CODE = "".join((Path(__file__).parent / name).read_text(encoding="utf-8") for name in (
    "entry_records.py", "loader.py", "yamlfile.py", "model.py", "dates.py", "textfiles.py", "findings.py",
    "file_records.py"))
_LIBRARIES = f"{sys.version_info[:2]}|{yaml.__version__}|{getattr(yaml, '__with_libyaml__', False)}"


class EntryRecord(NamedTuple):
    entry: Entry | None          # shared between rebuilds of one process: entries are not changed after loading
    findings: list               # Finding objects, file and line included
    looked_up: tuple             # (content path, existed) for each body and attachment named

    def __reduce__(self):
        # Saved as plain tuples: a third quicker to load than 10,000 pickled dataclasses.
        entry, state, shown_key, slug = self.entry, None, None, None
        if entry is not None:
            shown_key = entry.shown_key   # worked out once per parse: the repr of 10,000 entries took 0.1 s
            slug = entry.slug             # and the slug: a regular expression over each id, 17 ms a rebuild
            state = _entry_state(entry)
            if entry.attachments:
                state = (*state[:_ATTACHMENTS], [(a.title, a.path, a.size) for a in entry.attachments],
                         *state[_ATTACHMENTS + 1:])
        findings = [(f.file, f.line, f.code, f.severity, f.message) for f in self.findings]
        return _record_from_state, (state, findings, self.looked_up, shown_key, slug)


_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))
_ATTACHMENTS = _ENTRY_FIELDS.index("attachments")
_entry_state = attrgetter(*_ENTRY_FIELDS)


def _record_from_state(state, findings, looked_up, shown_key, slug=None) -> EntryRecord:
    entry = None
    if state is not None:
        entry = Entry.__new__(Entry)
        entry.__dict__.update(zip(_ENTRY_FIELDS, state))
        if entry.attachments:
            entry.attachments = [Attachment(*a) for a in entry.attachments]
        entry.__dict__["shown_key"] = shown_key   # Entry.shown_key, as the parse worked it out
        if slug is not None:
            entry.__dict__["slug"] = slug         # Entry.slug, likewise
    return EntryRecord(entry, [Finding(*f) for f in findings], looked_up)


def namespace(config: PortalConfig) -> str:
    """Everything global an entry and its findings depend on."""
    settings = repr((config.catalog_dir, config.content_dir, tuple(config.topics)))
    return "\x00".join((_CODE, _LIBRARIES, settings))


def for_config(config: PortalConfig) -> FileRecords:
    return FileRecords.for_root(config.root, "entry-records", namespace(config))


def source_prefix(config: PortalConfig) -> str:
    """What goes before a catalogue-relative name to make the repository-relative source of findings."""
    rel = config.catalog_path.relative_to(config.root).as_posix()
    return "" if rel == "." else rel + "/"


def lookups_unchanged(record: EntryRecord, content: set[str], content_root: str) -> bool:
    """Whether the content files the entry names exist as they did, and its attachments kept their sizes."""
    for rel, existed in record.looked_up:
        if (rel in content) != existed:
            return False
    if record.entry is None:
        return True      # only its findings were kept, and they say nothing of sizes
    for attachment in record.entry.attachments:
        if attachment.size is not None:
            try:
                if os.stat(f"{content_root}/{posixpath.normpath(attachment.path)}").st_size != attachment.size:
                    return False
            except OSError:
                return False
    return True
