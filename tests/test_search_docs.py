"""The search documents of a portal: bodies converted by forked workers equal a serial run, and a body saved
after the checks stops the build there too."""
from __future__ import annotations

import pytest

from gongkai import search_site
from gongkai.checks import run_checks
from gongkai.config import load_config
from gongkai.disk_cache import key_of
from gongkai.portal import CHECKED_BODIES, BodyChanged
from gongkai.synthetic import AS_OF, CorpusSpec, generate
from gongkai.urls import Linker


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    generate(root, CorpusSpec(entries=60, seed=4))
    portal, _findings = run_checks(load_config(root), AS_OF)
    assert len(portal.extra[CHECKED_BODIES]) > 20
    return portal


def docs_of(portal, monkeypatch, parallel_from: int):
    monkeypatch.setattr(search_site, "PARALLEL_FROM", parallel_from)
    monkeypatch.setenv("GONGKAI_CACHE", "0")
    portal.extra.pop("body_text", None)   # read bodies afresh
    return search_site.search_docs(portal, Linker(True))


def test_workers_convert_bodies_as_a_serial_run_does(portal, monkeypatch):
    monkeypatch.setenv("GONGKAI_JOBS", "2")
    serial = docs_of(portal, monkeypatch, 10**9)
    assert "body_text" in portal.extra   # the serial run read the bodies in this process
    forked = docs_of(portal, monkeypatch, 1)
    assert "body_text" not in portal.extra or not portal.extra["body_text"]   # the workers did
    assert forked == serial and any(d.text for d in serial)


def test_a_body_changed_after_the_checks_stops_a_worker(portal, monkeypatch):
    monkeypatch.setenv("GONGKAI_JOBS", "2")
    checked = portal.extra[CHECKED_BODIES]
    body = [e.body for e in portal.public_entries if e.body in checked][-1]
    monkeypatch.setitem(checked, body, key_of(b"other bytes"))
    with pytest.raises(BodyChanged) as raised:
        docs_of(portal, monkeypatch, 1)
    assert raised.value.body == body
