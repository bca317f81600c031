"""Privacy and safety of what would be published: personal data, unsafe markup,
resources from other hosts, and body files that are not UTF-8.

A file's findings are kept per file (file_records.py) with the scanners' code and the
allowed hosts in the namespace, so a rebuild reads and scans only the files that changed."""

from __future__ import annotations

import os
from itertools import chain
from pathlib import Path

from . import privacy, textfiles
from .disk_cache import key_of
from .file_records import FileRecords, Probe
from .findings import Findings
from .loader import portal_content_files
from .portal import CHECKED_BODIES, Portal
from .textfiles import NotUtf8, decode_text, not_utf8_message
from .workers import fork_map

FIELDS = ("title", "summary", "doc_no", "publisher")
# A file's findings depend on the scanners and on how a file becomes text.
SCAN_CODE = "".join(Path(module.__file__).read_text(encoding="utf-8") for module in (privacy, textfiles)) + \
    Path(__file__).read_text(encoding="utf-8")


def allowed_hosts(config) -> frozenset[str]:
    """Hosts a published text may load resources from: the portal's own domain."""
    return frozenset(filter(None, [config.identity.get("domain", "")]))


def file_hits(raw: bytes, allowed_hosts: frozenset[str]) -> list[tuple[str, int | None, str]]:
    """(code, line, message) of every finding in one published text file."""
    try:
        text = decode_text(raw)
    except NotUtf8 as exc:
        return [("GK-FILE-ENCODING", exc.line, not_utf8_message(exc))]
    found = (privacy.scan_personal_data(text) + privacy.scan_unsafe_markup(text)
             + privacy.scan_external_resources(text, allowed_hosts))
    return [(hit.code, hit.line, hit.message) for hit in found]


SCAN_IN_WORKERS_FROM = 200   # files to scan from which forked workers pay off
SCAN_CHUNK = 250
_JOB: dict = {}   # the allowed hosts, set before the workers fork


def _scan_chunk(paths: list[str]) -> list[tuple[bytes, list] | None]:
    """(key_of the bytes, file_hits) of each file (in a worker); None for a file that cannot be read."""
    out = []
    for path in paths:
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError:
            out.append(None)
            continue
        out.append((key_of(raw), file_hits(raw, _JOB["allowed"])))
    return out


def _scan_ahead(probes: list[Probe], allowed_hosts: frozenset[str], records: FileRecords
                ) -> tuple[dict[str, list], dict[str, list]]:
    """(the recorded findings of the probed files unchanged since, rel -> hits; the findings of the others,
    scanned on every core when there are many (a cold build: 10,000 bodies), each probe given the digest of
    the bytes scanned). The first are not looked up again: a rebuild looked up 10,000 records twice."""
    known, todo = {}, []
    for probe in probes:
        hits = records.get(probe)
        if hits is None:
            todo.append(probe)
        else:
            known[probe.rel] = hits
    if len(todo) < SCAN_IN_WORKERS_FROM:
        return known, {}
    _JOB["allowed"] = allowed_hosts
    try:
        parts = fork_map(_scan_chunk, [[str(p.path) for p in todo[i:i + SCAN_CHUNK]]
                                       for i in range(0, len(todo), SCAN_CHUNK)])
    finally:
        _JOB.clear()
    scanned = {}
    for probe, found in zip(todo, chain.from_iterable(parts)):
        if found is not None:
            probe.know_digest(found[0])
            scanned[probe.rel] = found[1]
    return known, scanned


def _check_file(probe: Probe, source: str, findings: Findings, allowed_hosts: frozenset[str],
                records: FileRecords, scanned: dict[str, list] | None = None,
                known: dict[str, list] | None = None) -> bytes | None:
    """Report the file's findings (looked up already: known, given every probe _scan_ahead looked up; else
    looked up now; or scanned ahead, or scanned now); returns key_of the bytes they are about (None: not
    checked)."""
    hits = known.get(probe.rel) if known is not None else records.get(probe)
    if hits is None:
        hits = scanned.get(probe.rel) if scanned else None
        if hits is None:
            raw = probe.bytes()
            if raw is None:
                return None   # gone since the directory walk: the next build sees what is there
            hits = file_hits(raw, allowed_hosts)
        records.put(probe, hits)
    for code, line, message in hits:
        findings.error(code, source, line, message)
    return records.digest_of(probe)


def _field_hits(entry) -> list[tuple[str, str, str]]:
    """(field, code, message) of personal data in an entry's published catalogue fields."""
    if not privacy.may_hold_personal_data("".join(filter(None, [getattr(entry, key) for key in FIELDS] + entry.keywords))):
        return []    # most entries: too few digits in all their fields together for any personal number
    values = [(key, getattr(entry, key)) for key in FIELDS] + [("keywords", word) for word in entry.keywords]
    values = [(key, value) for key, value in values if value]
    return [(key, hit.code, hit.message) for key, value in values for hit in privacy.scan_personal_data(value)]


def check_content(portal: Portal, findings: Findings) -> None:
    config = portal.config
    allowed = allowed_hosts(config)
    records = FileRecords.for_root(config.root, "content-findings", "\x00".join([SCAN_CODE, *sorted(allowed)]))
    content_root = str(config.content_path)
    probes: dict[str, Probe] = {}   # each public entry's body, once
    for entry in portal.entries:
        if entry.disclosure == "public" and entry.body and entry.body not in probes:
            probes[entry.body] = Probe(entry.body, f"{content_root}/{entry.body}")
    known, scanned = _scan_ahead([probe for probe in probes.values() if probe.is_file], allowed, records)
    for entry in portal.entries:
        if entry.disclosure != "public":
            continue  # never published, so never scanned as published text
        for key, code, message in _field_hits(entry):
            findings.error(code, entry.source, entry.line(key), message)
        probe = probes.pop(entry.body, None) if entry.body else None
        if probe is None or not probe.is_file:
            continue  # no body, one checked already (shared by entries), or one the loader reported missing
        checked = _check_file(probe, f"{config.content_dir}/{entry.body}", findings, allowed, records, scanned, known)
        if checked is not None:   # pages and search publish these bytes or none (portal.read_body)
            portal.extra.setdefault(CHECKED_BODIES, {})[entry.body] = checked
    # Hand-written pages are published as they are.
    bodies = {e.body for e in portal.entries if e.body}
    under_root = os.path.relpath(config.content_path, config.root).replace(os.sep, "/")
    if not config.content_path.is_dir():
        hand_written = []
    else:
        index = portal_content_files(portal)
        hand_written = [f for f in index if f.endswith(".md") and f not in bodies]
    for rel in sorted(hand_written, key=lambda rel: rel.split("/")):   # in path order
        _check_file(Probe(rel, f"{content_root}/{rel}"), f"{under_root}/{rel}", findings, allowed, records)
    records.save()
