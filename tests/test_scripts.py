"""The helper scripts at least start: they compile on this Python and answer --help."""

import py_compile
import subprocess
import sys

import pytest

from portal_factory import REPO

SCRIPTS = sorted((REPO / "scripts").glob("*.py"))


@pytest.fixture
def bench_main():
    """scripts/bench_main.py as a module (scripts/ is not a package)."""
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import bench_main
    finally:
        sys.path.remove(str(REPO / "scripts"))
    return bench_main


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_compiles(script, tmp_path):
    py_compile.compile(str(script), cfile=str(tmp_path / "out.pyc"), doraise=True)


@pytest.mark.parametrize("name", ["generate_corpus.py", "bench_main.py", "bench_listings.py", "bench_search.py", "bench_serve.py"])
def test_script_help(name):
    run = subprocess.run([sys.executable, str(REPO / "scripts" / name), "--help"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "usage" in run.stdout.lower()


def test_bench_waits_until_the_file_system_has_settled_after_the_last_runs_deletion(bench_main, tmp_path, monkeypatch):
    """A run right after the last one deleted its outputs measured ext4's handling of freed inodes, not the
    tools: the harness waits out five minutes since that deletion, and not at all later or on a first run."""
    import time
    slept = []
    monkeypatch.setattr(bench_main.time, "sleep", slept.append)
    bench_main.wait_after_last_deletion(tmp_path)            # nothing deleted here yet
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old").write_text("x")
    bench_main.delete_set_aside([tmp_path / "out"], tmp_path)
    assert not (tmp_path / "out").exists()
    bench_main.wait_after_last_deletion(tmp_path)            # just deleted: waits almost all of it
    later = time.time() + bench_main.QUIET_AFTER_DELETING + 1
    monkeypatch.setattr(bench_main.time, "time", lambda: later)
    bench_main.wait_after_last_deletion(tmp_path)            # long ago: no wait
    assert len(slept) == 1 and bench_main.QUIET_AFTER_DELETING - 5 < slept[0] <= bench_main.QUIET_AFTER_DELETING


def test_bench_reads_each_tools_inputs_before_its_timed_run(bench_main, tmp_path, monkeypatch):
    """Every file of the source directory is read, untimed (its outputs and caches are not), so that no tool's
    timed run reads its inputs from the disk."""
    for rel in ("mkdocs.yml", "content/a.md", "content/texts/b.md", "out/x.html", ".cache/y", "public/z"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    read = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: read.append(str(path)) or real_open(path, *a, **k))
    bench_main.read_inputs(tmp_path)
    assert sorted(read) == sorted(str(tmp_path / rel) for rel in ("mkdocs.yml", "content/a.md", "content/texts/b.md"))


def test_bench_builds_hugos_site_and_then_pagefinds_index_of_it_in_one_timed_command(bench_main, tmp_path):
    """The Hugo + Pagefind column: Hugo writes the site, Pagefind indexes that very site (as Chinese)."""
    log = tmp_path / "log"
    hugo, pagefind = tmp_path / "hugo", tmp_path / "pagefind"
    hugo.write_text(f'#!/bin/sh\necho "hugo $*" >> {log}\nmkdir -p "$5" && echo page > "$5/index.html"\n')
    pagefind.write_text(f'#!/bin/sh\necho "pagefind $*" >> {log}\nls "$2" >> {log}\n')
    for tool in (hugo, pagefind):
        tool.chmod(0o755)
    base, out = tmp_path / "corpus", tmp_path / "out"
    tools = bench_main.commands(base, out, str(hugo), str(pagefind))
    argv, cwd = tools[bench_main.HUGO_PAGEFIND]
    assert cwd == base / "hugo" and "hugo" in tools
    subprocess.run(argv, check=True)
    site = out / bench_main.HUGO_PAGEFIND
    assert log.read_text().splitlines() == [f"hugo --quiet -s {base / 'hugo'} -d {site}",
                                            f"pagefind --site {site} --force-language zh --quiet", "index.html"]
    assert bench_main.HUGO_PAGEFIND not in bench_main.commands(base, out, str(hugo), None)


def test_bench_publishes_entries_of_the_build_date_that_the_loader_takes(bench_main, tmp_path):
    """The harness's publications are public news of the build date with the body given (the second of a
    higher number: on the same day, the search index numbers it before the first)."""
    from portal_factory import INTERPRETATION, POLICY, check, write_portal
    root = write_portal(tmp_path / "portal", {"p1.yml": POLICY, "i1.yml": INTERPRETATION})
    body = "# 关于做好政务公开工作的通知\n\n各单位要按照规定做好政务公开工作。\n".encode()
    written = bench_main.published_entry(root, 99998, body) + bench_main.published_entry(root, 99999, body)
    assert all(p.exists() for p in written) and written[1].read_bytes() == body
    portal, findings = check(root, bench_main.BUILD_DATE)
    assert not [f for f in findings if f.severity == "error"], findings.sorted()
    ours = sorted((e for e in portal.public_entries if e.id.endswith(("-99998", "-99999"))), key=lambda e: e.id)
    assert [e.id[-5:] for e in ours] == ["99998", "99999"]
    assert {e.published for e in ours} == {bench_main.BUILD_DATE}
