"""`mkdocs build` runs the checks; a failing build prints findings, no traceback, and
leaves the previous site untouched. Pages do not grow with the number of entries."""

from __future__ import annotations

import pytest
from portal_factory import INTERPRETATION, POLICY, write_portal
from site_build_helpers import build_in_process, clean_build_digest, mkdocs_build, tree_digest


def test_failed_build_keeps_previous_site(tmp_path):
    root = write_portal(tmp_path / "portal", {"p.yml": POLICY, "i.yml": INTERPRETATION})
    site = tmp_path / "site"
    first = mkdocs_build(root, site)
    assert first.returncode == 0, first.stderr
    before = tree_digest(site)
    assert "xxgk/113799000000000011-2024-00001/index.html" in before
    (root / "catalog" / "i.yml").unlink()            # the policy loses its interpretation
    (root / "content" / "p1.md").write_text("改过的正文。\n", encoding="utf-8")
    second = mkdocs_build(root, site)
    assert second.returncode != 0
    assert "GK-INTERP-MISSING" in second.stderr and "Traceback" not in second.stderr
    assert tree_digest(site) == before
    assert not (tmp_path / "site.gongkai-staging").exists()


@pytest.mark.parametrize("cache", ["0", "1"])
def test_a_site_directory_whose_parents_do_not_exist_yet_is_made(tmp_path, cache):
    root = write_portal(tmp_path / "portal", {"p.yml": POLICY, "i.yml": INTERPRETATION})
    site = tmp_path / "build" / "out" / "site"           # `mkdocs build -d build/out/site` on a fresh checkout
    run = mkdocs_build(root, site, env={"GONGKAI_CACHE": cache})
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert (site / "xxgk" / "113799000000000011-2024-00001" / "index.html").is_file()


def test_broken_link_fails_build_and_keeps_site(tmp_path):
    root = write_portal(tmp_path / "portal", {"p.yml": POLICY, "i.yml": INTERPRETATION})
    site = tmp_path / "site"
    assert mkdocs_build(root, site).returncode == 0
    before = tree_digest(site)
    (root / "content" / "p1.md").write_text("见[不存在的文件](nowhere/missing.md)。\n", encoding="utf-8")
    run = mkdocs_build(root, site)
    assert run.returncode != 0 and "GK-LINK-BROKEN" in run.stderr and "Traceback" not in run.stderr
    assert tree_digest(site) == before


def test_bad_yaml_fails_without_traceback(tmp_path):
    root = write_portal(tmp_path / "portal", {"p.yml": POLICY + "title: [\n", "i.yml": INTERPRETATION})
    run = mkdocs_build(root, tmp_path / "site")
    assert run.returncode != 0
    assert "GK-YAML-SYNTAX" in run.stderr and "catalog/p.yml" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "site").exists()


def _many_entries(count: int) -> dict[str, str]:
    entries = {"p.yml": POLICY, "i.yml": INTERPRETATION}
    for n in range(count):
        entries[f"news/{n:05d}.yml"] = (
            f"id: 113799000000000011/2024-{10000 + n}\ntitle: 工作动态第{n}号\nkind: news\n"
            f"publisher: 测试市人民政府办公室\npublished: 2024-05-{1 + n % 28:02d}\nbody: p1.md\n")
    return entries


def test_page_size_does_not_grow_with_entries(tmp_path):
    sizes = {}
    for count in (50, 2000):
        root = write_portal(tmp_path / f"p{count}", _many_entries(count))
        site = tmp_path / f"s{count}"
        run = mkdocs_build(root, site)
        assert run.returncode == 0, run.stderr[-2000:]
        assert len(list((site / "xxgk").iterdir())) == count + 2
        sizes[count] = {
            "home": (site / "index.html").stat().st_size,
            "entry": (site / "xxgk/113799000000000011-2024-00001/index.html").stat().st_size,
        }
    # Identical pages except for what names the entry count (none of these do).
    assert sizes[50]["entry"] == sizes[2000]["entry"]


def test_rebuild_rewrites_only_changed_files(tmp_path):
    # The site before last is the next build's output tree: unchanged pages are left as they are (their
    # mtime stays that of the build that wrote them), changed ones are rewritten, the result equals a clean build.
    root = write_portal(tmp_path / "portal", {"p.yml": POLICY, "i.yml": INTERPRETATION})
    site = tmp_path / "site"
    page = "xxgk/113799000000000011-2024-00001/index.html"
    assert mkdocs_build(root, site).returncode == 0
    first_mtime = (site / page).stat().st_mtime_ns
    first = {p.relative_to(site): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    assert mkdocs_build(root, site).returncode == 0
    assert (tmp_path / "site.gongkai-spare" / page).stat().st_mtime_ns == first_mtime
    (root / "content" / "p1.md").write_text("改过的正文。\n", encoding="utf-8")
    assert mkdocs_build(root, site).returncode == 0
    assert "改过的正文" in (site / page).read_text(encoding="utf-8")
    kept = [rel for rel, mtime in first.items() if (site / rel).stat().st_mtime_ns == mtime]
    assert len(kept) > len(first) * 0.9, "unchanged files were rewritten"
    assert (site / page).stat().st_mtime_ns != first_mtime
    assert tree_digest(site) == clean_build_digest(root, tmp_path / "clean")
    assert not (tmp_path / "clean.gongkai-spare").exists()


def test_a_body_saved_during_the_build_is_not_published_unchecked(tmp_path, monkeypatch, caplog):
    """The checks passed one text; if the file changes before its page is written (an editor saves during
    the build), the build stops instead of publishing text nobody checked. (A body whose checked bytes were
    built before is not read again: its cached page is what was checked.)"""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    from gongkai import mkdocs_plugin
    from gongkai.checks import run_checks

    root = write_portal(tmp_path / "portal", {"p.yml": POLICY, "i.yml": INTERPRETATION})
    site = tmp_path / "site"
    assert mkdocs_build(root, site).returncode == 0
    before = tree_digest(site)
    body = root / "content" / "p1.md"
    body.write_text(body.read_text(encoding="utf-8") + "\n本文件自发布之日起施行。\n", encoding="utf-8")

    def checks_then_an_editor_saves(config, as_of):
        result = run_checks(config, as_of)
        (root / "content" / "p1.md").write_text("身份证号 110101199003078515\n", encoding="utf-8")
        return result

    monkeypatch.setattr(mkdocs_plugin, "run_checks", checks_then_an_editor_saves)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(site))
    with pytest.raises(Abort):
        build(config)
    assert "content/p1.md 在构建过程中被修改" in caplog.text
    assert tree_digest(site) == before


@pytest.mark.parametrize("beside", [True, False], ids=["in-a-child", "in-process"])
def test_the_rendered_bodies_are_let_go_before_the_search_index_is_built(tmp_path, monkeypatch, beside):
    """After a cold build renders every body, the body cache holds them all (a gigabyte at 100,000 entries);
    the search index, the build's peak, is built without them: in a child forked before any body is
    rendered, or, for a portal too large to build the index beside the pages, in the build's process after
    the saved cache lets them go."""
    import json
    import os

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from gongkai import build_cache, search_site, site_build

    caches = []
    made = build_cache.BodyCache.for_root
    monkeypatch.setattr(build_cache.BodyCache, "for_root",
                        classmethod(lambda cls, root, ns: caches.append(made(root, ns)) or caches[-1]))
    noted = tmp_path / "held-during-search.json"
    search_files = search_site.search_files

    def noting_search_files(portal, linker):
        noted.write_text(json.dumps([os.getpid(), [len(cache.new) for cache in caches]]))
        yield from search_files(portal, linker)
    monkeypatch.setattr(site_build, "FILE_GENERATORS",
                        [noting_search_files if g is search_files else g for g in site_build.FILE_GENERATORS])
    monkeypatch.setattr(site_build, "FORKING_FILE_GENERATORS", (noting_search_files,))
    noting_search_files.may_run_beside = search_files.may_run_beside
    if not beside:   # as a portal too large for the index's memory to add to the pages'
        monkeypatch.setattr(search_site, "BESIDE_THE_PAGES_MAX", 0)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    root = write_portal(tmp_path / "portal", {"p.yml": POLICY, "i.yml": INTERPRETATION})
    build(load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
    pid, held = json.loads(noted.read_text())
    assert (pid != os.getpid()) == beside
    assert caches and held == ([] if beside else [0] * len(caches))
    assert list((root / ".cache" / "gongkai").glob("bodies-*")), "the rendered bodies were not saved"


def test_the_link_check_scans_the_pages_while_the_child_makes_the_search_index(tmp_path, monkeypatch):
    """The build takes the child's search files only once the link check has scanned the pages, so the
    check runs on the cores the pages left while the child finishes; the site is a clean build's."""
    from gongkai import linkcheck, site_build

    order = []
    scan, take = linkcheck._scan, site_build.take_files_made_beside
    monkeypatch.setattr(linkcheck, "_scan", lambda pages: order.append("scan") or scan(pages))
    monkeypatch.setattr(site_build, "take_files_made_beside",
                        lambda portal, tree: order.append("take") or take(portal, tree))
    root = write_portal(tmp_path / "portal", {"p.yml": POLICY, "i.yml": INTERPRETATION})
    build_in_process(root, tmp_path / "site", monkeypatch)
    assert order == ["scan", "take"]
    assert tree_digest(tmp_path / "site") == clean_build_digest(root, tmp_path / "clean")


def test_the_child_beside_the_pages_and_the_build_share_the_cores(tmp_path, monkeypatch):
    """While the search index's child runs beside the pages, it and the build split the cores (the build
    takes the odd one), so the two fork no more workers than there are cores; once the child is done, the
    build has all of them again. The site is a clean build's."""
    import json
    import os
    import time

    from gongkai import mkdocs_plugin, search_site, site_build, workers

    monkeypatch.setenv(workers.JOBS_ENV, "3")
    noted = tmp_path / "child-jobs.json"
    search_files = search_site.search_files

    go = tmp_path / "the-build-has-noted-its-share"

    def noting_search_files(portal, linker):
        noted.write_text(json.dumps([os.getpid(), workers.default_jobs()]))
        while not go.exists():   # still running when the build looks
            time.sleep(0.01)
        yield from search_files(portal, linker)
    noting_search_files.may_run_beside = search_files.may_run_beside
    monkeypatch.setattr(site_build, "FILE_GENERATORS",
                        [noting_search_files if g is search_files else g for g in site_build.FILE_GENERATORS])
    monkeypatch.setattr(site_build, "FORKING_FILE_GENERATORS", (noting_search_files,))
    in_link_check = []
    check_site = mkdocs_plugin.check_site

    def noting_check_site(*args, **kwargs):
        in_link_check.append(workers.default_jobs())
        go.write_text("")
        return check_site(*args, **kwargs)
    monkeypatch.setattr(mkdocs_plugin, "check_site", noting_check_site)
    root = write_portal(tmp_path / "portal", {"p.yml": POLICY, "i.yml": INTERPRETATION})
    build_in_process(root, tmp_path / "site", monkeypatch)
    child_pid, child_jobs = json.loads(noted.read_text())
    assert child_pid != os.getpid() and child_jobs == 1
    assert in_link_check == [2]
    assert workers.default_jobs() == 3
    assert tree_digest(tmp_path / "site") == clean_build_digest(root, tmp_path / "clean")


@pytest.mark.parametrize("caches", ["0", "1"], ids=["caches-off", "caches-on"])
def test_pages_are_hashed_only_for_a_cache_that_keeps_their_keys(tmp_path, monkeypatch, caches):
    """A page's bytes key names it in the tree memo and the link check's caches: with every cache off, no
    page is hashed (a tenth of the entry pages' time), with caches on every page is. Same site either way."""
    from gongkai import linkcheck, output_tree, parallel

    hashed = []
    for module in (linkcheck, output_tree, parallel):
        real = module.key_of
        monkeypatch.setattr(module, "key_of", lambda data, real=real: (
            hashed.append(1) if b"<!doctype html>" in data[:64].lower() else None) or real(data))
    monkeypatch.setenv("GONGKAI_CACHE", caches)
    root = write_portal(tmp_path / "portal", {"p.yml": POLICY, "i.yml": INTERPRETATION})
    build_in_process(root, tmp_path / "site", monkeypatch)
    assert (len(hashed) > 0) == (caches == "1")
    assert tree_digest(tmp_path / "site") == clean_build_digest(root, tmp_path / "clean")


def test_a_rebuilds_search_index_is_updated_in_a_child_beside_the_pages(tmp_path, monkeypatch):
    """With a stored index to update, a rebuild forks a child for it as soon as the checks pass: the parent
    makes no search document itself, and the site is the one a clean build makes."""
    from gongkai import search_documents

    root = write_portal(tmp_path / "portal", {"p.yml": POLICY, "i.yml": INTERPRETATION})
    site = tmp_path / "site"
    assert mkdocs_build(root, site).returncode == 0
    body = root / "content" / "p1.md"
    body.write_text(body.read_text(encoding="utf-8") + "\n新增一句：政务公开工作要点。\n", encoding="utf-8")
    made_here = []
    of = search_documents.SearchDocuments.of
    monkeypatch.setattr(search_documents.SearchDocuments, "of",
                        classmethod(lambda cls, portal, linker: made_here.append(1) or of(portal, linker)))
    build_in_process(root, site, monkeypatch)
    assert made_here == [], "the parent made the search documents itself"
    assert any("政务公开工作要点" in p.read_text(encoding="utf-8") for p in (site / "search").rglob("*.js"))
    assert tree_digest(site) == clean_build_digest(root, tmp_path / "clean")


NEWS = """\
id: 113799000000000011/2024-00003
title: 测试市召开政务公开工作会议
kind: news
publisher: 测试市人民政府办公室
published: 2024-03-05
body: n1.md
"""


def test_stale_files_are_removed_while_the_child_makes_the_search_index(tmp_path, monkeypatch):
    """A rebuild removes the files no longer made (a deleted entry's page) before it waits for the child's
    search files, all but under search/, which it prunes after; the site is a clean build's."""
    from gongkai import site_build

    root = write_portal(tmp_path / "portal", {"p.yml": POLICY, "i.yml": INTERPRETATION, "n.yml": NEWS},
                        files={"n1.md": "会议要求做好政务公开工作。\n"})
    site = tmp_path / "site"
    for _ in range(2):   # the second build makes the spare the third writes into
        assert mkdocs_build(root, site).returncode == 0
    stale = "xxgk/113799000000000011-2024-00003/index.html"
    assert (site / stale).is_file()
    (root / "catalog" / "n.yml").unlink()
    (site.parent / "site.gongkai-spare" / "search" / "stale.js").write_text("x", encoding="utf-8")
    seen = []
    take = site_build.take_files_made_beside
    monkeypatch.setattr(site_build, "take_files_made_beside", lambda portal, tree: seen.append(
        ((tree.root / stale).exists(), (tree.root / "search" / "stale.js").exists())) or take(portal, tree))
    build_in_process(root, site, monkeypatch)
    assert seen == [(False, True)]   # gone before the wait; search/ left to the child until it is done
    assert not (site / stale).exists() and not (site / "search" / "stale.js").exists()
    assert tree_digest(site) == clean_build_digest(root, tmp_path / "clean")


def test_the_entry_template_is_compiled_when_first_used_and_kept_compiled(tmp_path):
    """Not compiled on import (a rebuild forks the search index's child before it makes a page); with a
    bytecode cache set, a later process loads it compiled."""
    import subprocess
    import sys
    probe = """
import sys
from gongkai import entry_page
assert entry_page.entry_template.cache_info().currsize == 0, "compiled on import"
entry_page.use_bytecode_cache(sys.argv[1])
if sys.argv[2] == "later":
    entry_page._ENV.compile = lambda *args, **kwargs: (_ for _ in ()).throw(AssertionError("compiled again"))
entry_page.entry_template()
"""
    for run in ("first", "later"):
        done = subprocess.run([sys.executable, "-c", probe, str(tmp_path), run], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
    assert list(tmp_path.glob("__jinja2_*.cache"))
