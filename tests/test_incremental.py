"""An incremental build (body cache on, after earlier builds) writes exactly the same site,
byte for byte, as a clean build with no cache — after each kind of change."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gongkai.build_cache import CACHE_DIR
from gongkai.file_records import SETTLE_NS
from gongkai.synthetic import CorpusSpec, default_theme_dir, generate

EPOCH = str(int(dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc).timestamp()))


def build(root: Path, out: Path, cache: bool, epoch: str = EPOCH) -> dict[str, int]:
    """Build; returns the phase counts of the build's profile (pages skipped as unchanged, for one)."""
    profile = out.with_name(out.name + "-profile.json")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=epoch, GONGKAI_CACHE="1" if cache else "0",
               GONGKAI_PROGRESS="0", GONGKAI_PROFILE=str(profile))
    if not cache:
        shutil.rmtree(out, ignore_errors=True)
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)], cwd=root, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return {p["name"].strip(): p["count"] for p in json.loads(profile.read_text(encoding="utf-8"))["phases"]}


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def assert_same_as_clean(root: Path, tmp: Path, epoch: str = EPOCH) -> dict[str, int]:
    counts = build(root, tmp / "incremental", cache=True, epoch=epoch)
    build(root, tmp / "clean", cache=False, epoch=epoch)
    incremental, clean = tree(tmp / "incremental"), tree(tmp / "clean")
    assert incremental.keys() == clean.keys()
    assert [k for k in clean if incremental[k] != clean[k]] == []
    return counts


@pytest.fixture()
def portal(tmp_path):
    root, theme = tmp_path / "portal", tmp_path / "theme"
    shutil.copytree(default_theme_dir(), theme)    # a snapshot: the repository's theme may change meanwhile
    generate(root, CorpusSpec(entries=70, seed=11, theme_dir=theme))
    build(root, tmp_path / "incremental", cache=True)     # warms the cache
    assert (root / CACHE_DIR).is_dir() and list((root / CACHE_DIR).glob("bodies-*.pickle"))
    build(root, tmp_path / "incremental", cache=True)     # the site and its spare both exist, with their memos
    counts = build(root, tmp_path / "incremental", cache=True)
    assert counts["unchanged, skipped"] == counts["entry pages (parallel, wall)"] > 50   # nothing rendered again
    return root


def entry_files(root: Path, kind: str) -> list[Path]:
    return sorted((root / "catalog" / kind).rglob("*.yml"))


def test_edit_a_body_and_a_title(portal, tmp_path):
    yml = entry_files(portal, "policy")[0]
    body = portal / "content" / re.search(r'^body: "(.*)"$', yml.read_text(encoding="utf-8"), re.M).group(1)
    body.write_text(body.read_text(encoding="utf-8") + "\n新增的一段正文。\n", encoding="utf-8")
    yml.write_text(re.sub(r'^title: "(.*)"$', r'title: "\1（修订）"', yml.read_text(encoding="utf-8"), flags=re.M),
                   encoding="utf-8")
    counts = assert_same_as_clean(portal, tmp_path)
    # the edited title and body were cut by the dictionary loaded meanwhile (dictionary_process.py)
    assert counts.get("beside the pages: search: texts cut in the dictionary process") == 2, counts


def test_add_and_delete_entries(portal, tmp_path):
    news = entry_files(portal, "news")
    news[0].unlink()
    copy = news[1].read_text(encoding="utf-8")
    copy = re.sub(r'^id: "(.*)-(\d+)"$', lambda m: f'id: "{m.group(1)}-{int(m.group(2)) + 900:05d}"', copy, flags=re.M)
    copy = re.sub(r'^body: "(.*)"$', 'body: "texts/added.md"', copy, flags=re.M)
    (portal / "content" / "texts" / "added.md").write_text("新增条目的正文。\n\n第二段。\n", encoding="utf-8")
    (news[1].parent / "added.yml").write_text(copy.replace("title: \"", "title: \"新增："), encoding="utf-8")
    assert_same_as_clean(portal, tmp_path)


def test_a_linked_entry_moving_reroutes_links_in_unchanged_bodies(portal, tmp_path):
    """An interpretation's body links to its policy's body; when the policy's 索引号 (so its
    page) changes, the interpretation's unchanged body must not come from the cache as it was."""
    interpretation = next(p for p in entry_files(portal, "interpretation")
                          if re.search(r'^interprets: "(.*)"$', p.read_text(encoding="utf-8"), re.M))
    policy_id = re.search(r'^interprets: "(.*)"$', interpretation.read_text(encoding="utf-8"), re.M).group(1)
    new_id = policy_id[:-5] + "99999"
    for path in sorted((portal / "catalog").rglob("*.yml")):
        text = path.read_text(encoding="utf-8")
        if policy_id in text:
            path.write_text(text.replace(f'"{policy_id}"', f'"{new_id}"'), encoding="utf-8")
    assert_same_as_clean(portal, tmp_path)


def added_copy(portal: Path, path: Path, name: str) -> Path:
    """A copy of an entry file under a new 索引号 (and a body of its own), as an editor adds an entry."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'^id: "(.*)-(\d+)"$', lambda m: f'id: "{m.group(1)}-{int(m.group(2)) + 950:05d}"', text, flags=re.M)
    text = re.sub(r'^body: "(.*)"$', f'body: "texts/{name}.md"', text, flags=re.M)
    (portal / "content" / "texts" / f"{name}.md").write_text("新增条目的正文。\n", encoding="utf-8")
    added = path.parent / f"{name}.yml"
    added.write_text(text.replace('title: "', 'title: "新增：', 1), encoding="utf-8")
    return added


def test_an_added_entry_makes_its_own_page_and_those_that_show_it(portal, tmp_path):
    """Each entry page is named by the entries it shows (entry_page.shown_entries_key), not by all of them:
    an added news item makes its own page alone; an added interpretation makes its own and its policy's."""
    added_copy(portal, entry_files(portal, "news")[1], "added-news")
    counts = assert_same_as_clean(portal, tmp_path)
    assert counts["unchanged, skipped"] == counts["entry pages (parallel, wall)"] - 1
    build(portal, tmp_path / "incremental", cache=True)   # into the spare too: the trees take turns
    interpretation = next(p for p in entry_files(portal, "interpretation")
                          if re.search(r'^interprets: "(.*)"$', p.read_text(encoding="utf-8"), re.M))
    added_copy(portal, interpretation, "added-interpretation")
    counts = assert_same_as_clean(portal, tmp_path)
    assert counts["unchanged, skipped"] == counts["entry pages (parallel, wall)"] - 2


def test_a_page_whose_body_links_to_a_moved_entry_is_made_again(portal, tmp_path):
    """A body's links to other bodies become links to their pages: a page shows no other entry but is still
    made again when a body it links to moves to another page (its body's lookups are part of its inputs)."""
    news = entry_files(portal, "news")[2]
    body = portal / "content" / re.search(r'^body: "(.*)"$', news.read_text(encoding="utf-8"), re.M).group(1)
    policy = entry_files(portal, "policy")[0]
    policy_text = policy.read_text(encoding="utf-8")
    target = portal / "content" / re.search(r'^body: "(.*)"$', policy_text, re.M).group(1)
    link = os.path.relpath(target, body.parent).replace(os.sep, "/")
    body.write_text(body.read_text(encoding="utf-8") + f"\n详见[相关政策]({link})。\n", encoding="utf-8")
    for _tree in ("site", "spare"):
        build(portal, tmp_path / "incremental", cache=True)
    policy_id = re.search(r'^id: "(.*)"$', policy_text, re.M).group(1)
    for path in sorted((portal / "catalog").rglob("*.yml")):
        text = path.read_text(encoding="utf-8")
        if policy_id in text:
            path.write_text(text.replace(f'"{policy_id}"', f'"{policy_id[:-5]}98765"'), encoding="utf-8")
    assert_same_as_clean(portal, tmp_path)


def test_change_columns(portal, tmp_path):
    columns = portal / "catalog" / "columns.yml"
    text = columns.read_text(encoding="utf-8").replace('title: "政策解读"', 'title: "政策解读与回应关切"')
    columns.write_text(text, encoding="utf-8")
    assert_same_as_clean(portal, tmp_path)


def test_change_mkdocs_yml(portal, tmp_path):
    config = portal / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("site_name: 示例市人民政府信息公开网", "site_name: 示例市政府信息公开平台")
                      .replace("use_directory_urls: true", "use_directory_urls: false"), encoding="utf-8")
    assert_same_as_clean(portal, tmp_path)
    config.write_text(text.replace("permalink: false", "permalink: true"), encoding="utf-8")
    assert_same_as_clean(portal, tmp_path)


def test_a_page_changed_behind_the_builds_back_is_written_again(portal, tmp_path):
    """The spare holds the site before last; a page there edited by someone else (same size, even) is not
    trusted because its inputs are unchanged: the memo checks the file's stat too."""
    spare = tmp_path / "incremental.gongkai-spare"
    page = next(p for p in sorted((spare / "xxgk").rglob("index.html")))
    data = page.read_bytes()
    page.write_bytes(data.replace("<title>".encode(), "<titlE>".encode(), 1))
    counts = assert_same_as_clean(portal, tmp_path)
    assert counts["unchanged, skipped"] == counts["entry pages (parallel, wall)"] - 1


def test_a_theme_change_renders_every_page_again(portal, tmp_path):
    theme = tmp_path / "theme"
    main = next(theme.rglob("main.html"))
    text = main.read_text(encoding="utf-8")
    main.write_text(text.replace("{% block footer %}", "{% block footer %}\n  <p>改版后的页脚</p>", 1), encoding="utf-8")
    counts = assert_same_as_clean(portal, tmp_path)
    assert counts.get("unchanged, skipped", 0) == 0
    assert "改版后的页脚" in next((tmp_path / "incremental" / "xxgk").rglob("index.html")).read_text(encoding="utf-8")


def test_skipped_pages_keep_their_bodies_in_the_cache(portal, tmp_path):
    """Pages skipped as unchanged without looking their bodies up keep those bodies cached (a build saves only
    the bodies it used): after a body edit, a title edit renders every page again converting no markdown."""
    policies = entry_files(portal, "policy")
    body = portal / "content" / re.search(r'^body: "(.*)"$', policies[1].read_text(encoding="utf-8"), re.M).group(1)
    body.write_text(body.read_text(encoding="utf-8") + "\n新增的一段正文。\n", encoding="utf-8")
    counts = build(portal, tmp_path / "incremental", cache=True)
    assert counts["markdown (summed over workers)"] == 1
    yml = policies[0]
    yml.write_text(re.sub(r'^title: "(.*)"$', r'title: "\1（修订）"', yml.read_text(encoding="utf-8"), flags=re.M),
                   encoding="utf-8")
    counts = assert_same_as_clean(portal, tmp_path)
    assert counts["markdown (summed over workers)"] == 0


def test_a_body_edited_back_and_forth_is_shown_each_time(portal, tmp_path):
    """A page is skipped by its inputs as the tree's last build noted them: an edit and its undoing, built
    into the site and its spare in turn, each show in the page."""
    yml = entry_files(portal, "policy")[0]
    body = portal / "content" / re.search(r'^body: "(.*)"$', yml.read_text(encoding="utf-8"), re.M).group(1)
    original = body.read_text(encoding="utf-8")
    for text in (original + "\n第一次修改。\n", original, original + "\n第二次修改。\n", original):
        body.write_text(text, encoding="utf-8")
        assert_same_as_clean(portal, tmp_path)


def test_a_build_on_a_later_day(portal, tmp_path):
    """The build date is shown (the policy library's 截至) and decides what is published: a build on a later
    day, with nothing edited, equals a clean one of that day."""
    next_day = str(int(EPOCH) + 86400)
    assert_same_as_clean(portal, tmp_path, epoch=next_day)
    assert_same_as_clean(portal, tmp_path, epoch=next_day)


def settle(*roots: Path) -> None:
    """Wait until every file under roots last changed more than SETTLE_NS ago: only then is a file's stat
    trusted (file_records.Probe), and a fast machine builds the fixture's trees sooner than that."""
    newest = max(max(p.stat().st_ctime_ns, p.stat().st_mtime_ns) for root in roots for p in root.rglob("*")
                 if p.is_file())
    wait = (newest + SETTLE_NS - time.time_ns()) / 1e9
    if wait > 0:
        time.sleep(wait + 0.05)


def test_static_files_are_read_only_when_changed(portal, tmp_path):
    """MkDocs' static files reach the site by their stat (mkdocs_static.py): none is read when nothing changed,
    and a changed attachment or theme asset is in the site as a clean build has it."""
    settle(portal, tmp_path / "theme")
    for _tree in ("site", "spare"):   # each tree's memo then holds the files by their settled stat
        build(portal, tmp_path / "incremental", cache=True)
    counts = build(portal, tmp_path / "incremental", cache=True)
    assert counts["static files read (the others unchanged)"] == 0
    attachment = next(p for p in sorted((portal / "content").rglob("*")) if p.is_file() and p.suffix != ".md")
    attachment.write_bytes(bytes(reversed(attachment.read_bytes())) + b"\n")
    asset = next(p for p in sorted((tmp_path / "theme").rglob("*")) if p.is_file() and p.suffix in (".css", ".js"))
    asset.write_text(asset.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    counts = assert_same_as_clean(portal, tmp_path)
    assert 1 <= counts["static files read (the others unchanged)"] <= 2


def test_the_first_rebuild_after_a_clean_build_renders_nothing_again(portal, tmp_path):
    """Without a spare (a clean build's first rebuild, `mkdocs serve`'s first edit) the spare is made from the
    site by hard links (output_tree.ready_spare), so the rebuild renders only what changed; the site it was
    made from keeps its bytes while the rebuild writes, and the result is what a clean build makes."""
    site, spare = tmp_path / "incremental", tmp_path / "incremental.gongkai-spare"
    shutil.rmtree(spare)
    before = tree(site)
    yml = entry_files(portal, "news")[0]
    body = portal / "content" / re.search(r'^body: "(.*)"$', yml.read_text(encoding="utf-8"), re.M).group(1)
    body.write_text(body.read_text(encoding="utf-8") + "\n见[不存在的页面](nowhere/missing.md)。\n", encoding="utf-8")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=EPOCH, GONGKAI_CACHE="1", GONGKAI_PROGRESS="0")
    failed = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=portal, env=env,
                            capture_output=True, text=True)
    assert failed.returncode != 0 and "GK-LINK-BROKEN" in failed.stderr
    assert tree(site) == before                      # written into its hard-linked copy, never through it
    body.write_text(body.read_text(encoding="utf-8").replace("见[不存在的页面](nowhere/missing.md)。", "新增一句。"),
                    encoding="utf-8")
    shutil.rmtree(spare)
    counts = assert_same_as_clean(portal, tmp_path)
    assert counts["unchanged, skipped"] == counts["entry pages (parallel, wall)"] - 1


def test_files_put_in_the_spare_behind_the_builds_back_are_removed(portal, tmp_path):
    """The spare is listed as a rebuild starts (tree_listing.py) and its prune works from that listing: what
    another writer put there is gone, as a clean build never had it."""
    spare = tmp_path / "incremental.gongkai-spare"
    (spare / "stray" / "deeper").mkdir(parents=True)
    (spare / "stray" / "deeper" / "page.html").write_text("<p>stray</p>", encoding="utf-8")
    (spare / "empty" / "too").mkdir(parents=True)
    (spare / "search" / "stray.js").write_text("stray", encoding="utf-8")
    (spare / "zl" / "stray.css").write_text("stray", encoding="utf-8")
    counts = assert_same_as_clean(portal, tmp_path)
    assert counts["from the tree as listed when the build started"] == 1
