"""Privacy and safety of what would be published: personal data, unsafe markup,
resources from other hosts, and body files that are not UTF-8."""

from __future__ import annotations

from pathlib import Path

from . import privacy
from .findings import Findings
from .portal import Portal
from .textfiles import NotUtf8, not_utf8_message, read_text

FIELDS = ("title", "summary", "doc_no", "publisher")


def _scan(text: str, source: str, line_offset: int, findings: Findings, allowed_hosts: frozenset[str],
          markup: bool) -> None:
    hits = privacy.scan_personal_data(text)
    if markup:
        hits += privacy.scan_unsafe_markup(text) + privacy.scan_external_resources(text, allowed_hosts)
    for hit in hits:
        findings.error(hit.code, source, hit.line + line_offset, hit.message)


def check_content(portal: Portal, findings: Findings) -> None:
    config = portal.config
    allowed = frozenset(filter(None, [config.identity.get("domain", "")]))
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
            source = f"{config.content_dir}/{entry.body}"
            path = config.content_path / entry.body
            if not path.is_file():
                continue  # reported by the loader
            try:
                read_text(path)
            except NotUtf8 as exc:
                findings.error("GK-FILE-ENCODING", source, exc.line, not_utf8_message(exc))
                continue
            _scan(portal.body_text(entry), source, 0, findings, allowed, markup=True)
    # Hand-written pages are published as they are.
    bodies = {e.body for e in portal.entries if e.body}
    for path in sorted(config.content_path.rglob("*.md")) if config.content_path.is_dir() else []:
        rel = path.relative_to(config.content_path).as_posix()
        if rel in bodies:
            continue
        source = path.relative_to(config.root).as_posix()
        try:
            text = read_text(path)
        except NotUtf8 as exc:
            findings.error("GK-FILE-ENCODING", source, exc.line, not_utf8_message(exc))
            continue
        _scan(text, source, 0, findings, allowed, markup=True)


