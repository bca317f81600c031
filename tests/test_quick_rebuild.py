"""Under `mkdocs serve`, saved bodies alone are applied in place (quick_rebuild.py): the site is then the one
a clean build writes; anything it cannot apply is left to the full build, with the site untouched."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gongkai.synthetic import CorpusSpec, default_theme_dir, generate
from test_incremental import EPOCH, build, tree
from test_privacy import id_number

DRIVER = Path(__file__).with_name("serve_driver.py")


@pytest.fixture()
def portal(tmp_path):
    root, theme = tmp_path / "portal", tmp_path / "theme"
    shutil.copytree(default_theme_dir(), theme)
    generate(root, CorpusSpec(entries=60, seed=5, theme_dir=theme))
    return root


def serve(root: Path, site: Path, steps: list[dict]) -> list[bool]:
    """Build as serve does, then apply each step; quick_rebuild's answer per step."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=EPOCH, GONGKAI_CACHE="1", GONGKAI_PROGRESS="0",
               PYTHONPATH=os.pathsep.join(filter(None, [str(DRIVER.parent), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, str(DRIVER), str(site), json.dumps(steps)], cwd=root, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def policy_bodies(root: Path, count: int) -> list[str]:
    """Content paths (relative to the portal) of the first public policies' bodies."""
    found = []
    for yml in sorted((root / "catalog" / "policy").rglob("*.yml")):
        text = yml.read_text(encoding="utf-8")
        body = re.search(r'^body: "(.*)"$', text, re.M)
        if body and not re.search(r"^disclosure:", text, re.M):   # public (the default)
            found.append(f"content/{body.group(1)}")
    assert len(found) >= count
    return found[:count]


def edited(root: Path, rel: str, addition: str) -> str:
    return (root / rel).read_text(encoding="utf-8") + addition


def assert_clean_build_writes(root: Path, site: Path, tmp: Path) -> None:
    build(root, tmp / "clean", cache=False)
    quick, clean = tree(site), tree(tmp / "clean")
    assert quick.keys() == clean.keys()
    assert [k for k in clean if quick[k] != clean[k]] == []


def test_edited_bodies_are_applied_and_the_site_is_a_clean_builds(portal, tmp_path):
    first, second = policy_bodies(portal, 2)
    site = tmp_path / "site"
    steps = [{"write": {first: edited(portal, first, "\n新增一段关于政务公开工作的说明。\n")}, "changed": [first]},
             {"write": {first: edited(portal, first, "\n再改一次。\n"),
                        second: edited(portal, second, "\n第二个正文也改了。\n")}, "changed": [first, second]},
             {"changed": [second]},   # saved again unchanged: nothing to do
             # an editor's backup and swap files, gone by the rebuild, beside a third save
             {"write": {second: edited(portal, second, "\n第二个正文也改了。\n第三次。\n")},
              "changed": [second, second + "~", second.replace("/policy", "/.policy") + ".swp"]}]
    assert serve(portal, site, steps) == [True, True, True, True]
    assert_clean_build_writes(portal, site, tmp_path)
    assert "第二个正文也改了" in "".join(p.read_text(encoding="utf-8") for p in (site / "search" / "t").rglob("*.js"))


@pytest.mark.parametrize("change", ["unmasked ID number", "broken link"])
def test_a_body_with_a_finding_is_left_to_the_full_build_and_the_site_kept(portal, tmp_path, change):
    body = policy_bodies(portal, 1)[0]
    addition = ("\n联系人身份证号：" + id_number("35010219800101123") + "\n" if change == "unmasked ID number"
                else "\n详见[不存在的文件](no-such-file.md)。\n")
    site = tmp_path / "site"
    before = tmp_path / "before"
    shutil.copytree(portal, before)
    assert serve(portal, site, [{"write": {body: edited(portal, body, addition)}, "changed": [body]}]) == [False]
    (portal / body).write_text(edited(before, body, ""), encoding="utf-8")   # as it was
    assert_clean_build_writes(portal, site, tmp_path)


def test_a_catalogue_change_or_another_file_is_left_to_the_full_build(portal, tmp_path):
    yml = sorted((portal / "catalog" / "policy").rglob("*.yml"))[0].relative_to(portal).as_posix()
    body = policy_bodies(portal, 1)[0]
    attachment = next(p for p in (portal / "content").rglob("*") if p.is_file() and p.suffix != ".md")
    attachment = attachment.relative_to(portal).as_posix()   # a file the last build published, then deleted
    steps = [{"changed": [yml]}, {"changed": [body, yml]}, {"write": {"content/texts/new.md": "新文件"},
                                                            "changed": ["content/texts/new.md"]},
             {"delete": [attachment], "changed": [attachment]}]
    # a catalogue entry the last build had, deleted (the first path a rebuild finds gone), then put back
    kept = (portal / yml).read_bytes()
    assert serve(portal, tmp_path / "site2", [{"delete": [yml], "changed": [yml]}]) == [False]
    (portal / yml).write_bytes(kept)
    assert serve(portal, tmp_path / "site", steps) == [False, False, False, False]


def test_serve_takes_the_quick_rebuild_and_falls_back_to_the_full_build(monkeypatch):
    from types import SimpleNamespace

    from gongkai import mkdocs_plugin, quick_rebuild
    builds = []
    server = SimpleNamespace(builder=lambda: builds.append("full"))
    monkeypatch.setattr(mkdocs_plugin, "use_inotify", lambda server, paths: server)
    plugin = mkdocs_plugin.GongkaiPlugin()
    plugin.portal_config = SimpleNamespace(catalog_path="catalog")
    plugin.on_serve(server, None, server.builder)
    monkeypatch.setattr(quick_rebuild, "rebuild", lambda changed, log: True)
    server.builder()
    assert builds == []                              # applied quickly: no full build

    def broken(changed, log):
        raise RuntimeError("a bug in the quick path")
    monkeypatch.setattr(quick_rebuild, "rebuild", broken)
    server.builder()
    monkeypatch.setattr(quick_rebuild, "rebuild", lambda changed, log: False)
    server.builder()
    assert builds == ["full", "full"]                # a failure, or a change it cannot apply: in full
