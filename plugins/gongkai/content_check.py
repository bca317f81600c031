"""Privacy and safety of what would be published: personal data, unsafe markup,
resources from other hosts, and body files that are not UTF-8.

Scans of whole texts (bodies, hand-written pages) are cached by the text and the
allowed hosts, so a rebuild scans only what changed."""

from __future__ import annotations

import os
from pathlib import Path

from . import privacy
from .disk_cache import DiskCache, key_of
from .findings import Findings
from .loader import content_index
from .portal import Portal
from .textfiles import NotUtf8, not_utf8_message, read_text

FIELDS = ("title", "summary", "doc_no", "publisher")
SCAN_CODE = Path(privacy.__file__).read_text(encoding="utf-8")   # results depend on the scanners


def _scan(text: str, source: str, findings: Findings, allowed_hosts: frozenset[str], cache: DiskCache) -> None:
    key = key_of("\x00".join([text, *sorted(allowed_hosts)]).encode("utf-8", "surrogatepass"))
    hits = cache.get(key)
    if hits is None:
        found = (privacy.scan_personal_data(text) + privacy.scan_unsafe_markup(text)
                 + privacy.scan_external_resources(text, allowed_hosts))
        hits = [(hit.code, hit.line, hit.message) for hit in found]
    cache.put(key, hits)
    for code, line, message in hits:
        findings.error(code, source, line, message)


def _read(read, source: str, findings: Findings) -> str | None:
    try:
        return read()
    except NotUtf8 as exc:
        findings.error("GK-FILE-ENCODING", source, exc.line, not_utf8_message(exc))
        return None


def check_content(portal: Portal, findings: Findings) -> None:
    config = portal.config
    allowed = frozenset(filter(None, [config.identity.get("domain", "")]))
    cache = DiskCache.for_root(config.root, "scans", SCAN_CODE)
    scanned_bodies: set[str] = set()
    for entry in portal.entries:
        if entry.disclosure != "public":
            continue  # never published, so never scanned as published text
        for key in FIELDS:
            value = getattr(entry, key)
            if value:
                for hit in privacy.scan_personal_data(value):
                    findings.error(hit.code, entry.source, entry.line(key), hit.message)
        for word in entry.keywords:
            for hit in privacy.scan_personal_data(word):
                findings.error(hit.code, entry.source, entry.line("keywords"), hit.message)
        if entry.body and entry.body not in scanned_bodies:
            scanned_bodies.add(entry.body)
            path = config.content_path / entry.body
            if not path.is_file():
                continue  # reported by the loader
            source = f"{config.content_dir}/{entry.body}"
            text = _read(lambda: portal.read_body(entry), source, findings)
            if text is not None:
                _scan(text, source, findings, allowed, cache)
    # Hand-written pages are published as they are.
    bodies = {e.body for e in portal.entries if e.body}
    under_root = os.path.relpath(config.content_path, config.root).replace(os.sep, "/")
    hand_written = [f for f in content_index(config) if f.endswith(".md")] if config.content_path.is_dir() else []
    for rel in sorted(hand_written, key=lambda rel: rel.split("/")):   # in path order
        if rel in bodies:
            continue
        path = config.content_path / rel
        source = f"{under_root}/{rel}"
        text = _read(lambda: read_text(path), source, findings)
        if text is not None:
            _scan(text, source, findings, allowed, cache)
    cache.save()
