"""Entry files read on every core (a first build's hundreds of them) give the entries and findings, in
order, that reading them one by one gives."""

from __future__ import annotations

import datetime as dt

from gongkai import loader
from gongkai.config import load_config
from gongkai.findings import Findings
from portal_factory import POLICY, write_portal


def _portal(tmp_path):
    entries = {}
    for n in range(1, 321):
        name = f"e{n:03d}.yml"
        text = POLICY.replace("2024-00001", f"2024-{n:05d}").replace("示例事项", f"示例事项{n}")
        if n % 97 == 0:
            text = text.replace("title: ", "title: [未闭合\n")          # a YAML syntax error
        elif n % 89 == 0:
            text = text.replace("published: 2024-03-01", "published: 2024-13-01")   # a bad date
        elif n % 83 == 0:
            text = text.encode("gbk")                                  # not UTF-8
        elif n % 79 == 0:
            text = "- 一个列表\n- 不是条目\n"                             # not a mapping
        entries[name] = text
    return write_portal(tmp_path, entries)


def _load(root, monkeypatch, serial: bool):
    monkeypatch.setenv("GONGKAI_CACHE", "0")
    monkeypatch.setattr(loader, "PARSE_CACHE_FROM", 10**9 if serial else 200)
    findings = Findings()
    portal = loader.load_portal(load_config(root), dt.date(2024, 6, 1), findings)
    return repr(portal.entries), [(f.code, f.file, f.line, f.message) for f in findings]


def test_entries_read_on_every_core_are_those_read_one_by_one(tmp_path, monkeypatch):
    root = _portal(tmp_path)
    calls = []
    real = loader._read_on_every_core
    monkeypatch.setattr(loader, "_read_on_every_core", lambda *a: calls.append(len(a[0])) or real(*a))
    parallel = _load(root, monkeypatch, serial=False)
    assert calls == [320]
    serial = _load(root, monkeypatch, serial=True)
    assert calls == [320]
    assert parallel == serial
    assert {"GK-YAML-SYNTAX", "GK-FILE-ENCODING", "GK-YAML-NOT-MAPPING"} <= {code for code, *_ in parallel[1]}


def test_entries_come_from_the_workers_with_their_shown_key(tmp_path, monkeypatch):
    """Each entry's shown_key (the key of everything pages show of it) is made where the entry is read, on
    every core, and comes with it: the build and the search index's child beside it need not make it."""
    root = _portal(tmp_path)
    monkeypatch.setenv("GONGKAI_CACHE", "0")
    monkeypatch.setattr(loader, "PARSE_CACHE_FROM", 200)
    portal = loader.load_portal(load_config(root), dt.date(2024, 6, 1), Findings())
    assert len(portal.entries) > 300
    assert all("shown_key" in vars(entry) for entry in portal.entries)
    entry = portal.entries[0]
    assert entry.shown_key == type(entry).shown_key.func(entry)
