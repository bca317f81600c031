"""`gongkai linkcheck`: the built site's links as a report CI can read, external links on request."""

from __future__ import annotations

import json
import subprocess
import sys

from browser import serve


def _site(tmp_path, body: str):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text(f'<html><body><a href="a/">a</a>{body}</body></html>', encoding="utf-8")
    (site / "a" / "index.html").write_text('<p id="x">x</p>', encoding="utf-8")
    (site / "ok.html").write_text("ok", encoding="utf-8")
    return site


def _run(cwd, *args):
    return subprocess.run([sys.executable, "-m", "gongkai.cli", "linkcheck", *args], cwd=cwd,
                          capture_output=True, text=True)


def test_internal_links_report_as_json(tmp_path):
    _site(tmp_path, '<a href="a/#x">ok</a><a href="gone/">gone</a>')
    run = _run(tmp_path, "--json")
    assert run.returncode == 1
    assert [(f["code"], f["file"]) for f in json.loads(run.stdout)] == [("GK-LINK-BROKEN", "site/index.html")]


def test_clean_site_passes_and_missing_site_is_usage(tmp_path):
    _site(tmp_path, '<a href="a/#x">ok</a>')
    assert _run(tmp_path).returncode == 0
    assert _run(tmp_path, "--site", "nowhere").returncode == 2


def test_external_links_only_on_request(tmp_path):
    pages = tmp_path / "remote"
    pages.mkdir()
    (pages / "there.html").write_text("here", encoding="utf-8")
    with serve(pages) as base:   # a stand-in for another host, on loopback
        _site(tmp_path, f'<a href="{base}there.html">there</a><a href="{base}missing.html">missing</a>')
        assert _run(tmp_path).returncode == 0
        run = _run(tmp_path, "--external", "--json")
    found = json.loads(run.stdout)
    assert run.returncode == 1
    assert [f["code"] for f in found] == ["GK-LINK-EXTERNAL"] and "missing.html" in found[0]["message"]
