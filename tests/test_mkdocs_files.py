"""MkDocs' walk of content/ makes no File for the bodies the build hides, and gives the files MkDocs' own walk
gives once the plugin has dropped those (the README/index choice included)."""

from __future__ import annotations

import datetime as dt

import pytest
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config as load_mkdocs_config
from mkdocs.structure import files as mkdocs_files

from gongkai import mkdocs_files as ours
from gongkai import site_build
from gongkai.checks import run_checks
from gongkai.config import load_config
from portal_factory import REPO


@pytest.fixture(autouse=True)
def original_get_files(monkeypatch):
    """Each test starts from MkDocs' own get_files, and leaves it so."""
    monkeypatch.setattr(mkdocs_build, "get_files", ours._ORIGINAL)
    monkeypatch.setattr(ours, "_HIDDEN", [])
    monkeypatch.setattr(ours, "_THEME_MEMO", [])


def described(files) -> list[tuple]:
    return [(f.src_uri, f.dest_uri, f.url, f.inclusion) for f in files]


def test_the_demo_portals_files_are_mkdocs_own_but_the_hidden_bodies(monkeypatch):
    portal, _ = run_checks(load_config(REPO), dt.date(2026, 11, 26))
    hidden = site_build.unpublished_content_files(portal)
    config = load_mkdocs_config(str(REPO / "mkdocs.yml"))
    before = ours._ORIGINAL(config)
    assert ours.install(config['docs_dir'], hidden) and mkdocs_build.get_files is ours.get_files
    sorted_names = []
    key = mkdocs_files._file_sort_key
    monkeypatch.setattr(mkdocs_files, "_file_sort_key", lambda name: sorted_names.append(name) or key(name))
    after = mkdocs_build.get_files(config)
    assert len(sorted_names) < len(before) - 40, "the hidden bodies were sorted too"
    assert len(hidden) > 40 and any(f.src_uri in hidden for f in before)
    assert not any(f.src_uri in hidden for f in after)
    assert described(after) == described(f for f in before if f.src_uri not in hidden)


def test_a_hidden_index_or_readme_is_made_so_mkdocs_chooses_between_them_as_before(tmp_path):
    docs = tmp_path / "docs"
    for rel in ("index.md", "a/README.md", "a/index.md", "b/README.md", "b/body.md", "c/index.md"):
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text("# x\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\ndocs_dir: docs\n", encoding="utf-8")
    config = load_mkdocs_config(str(tmp_path / "mkdocs.yml"))
    hidden = {"a/index.md", "b/body.md", "c/index.md"}
    before = ours._ORIGINAL(config)
    ours.install(config['docs_dir'], hidden)
    after = ours.get_files(config)
    assert "a/index.md" in [f.src_uri for f in after] and "b/body.md" not in [f.src_uri for f in after]
    assert described(f for f in after if f.src_uri not in hidden) == \
        described(f for f in before if f.src_uri not in hidden)


def test_another_get_files_in_mkdocs_build_is_left_alone(monkeypatch):
    def someone_elses(config):
        return mkdocs_files.Files([])
    monkeypatch.setattr(mkdocs_build, "get_files", someone_elses)
    assert not ours.install("docs", {"texts/a.md"})
    assert mkdocs_build.get_files is someone_elses


def test_another_site_built_in_the_same_process_is_walked_as_mkdocs_walks_it(tmp_path):
    docs = tmp_path / "docs"
    (docs / "texts").mkdir(parents=True)
    for rel in ("index.md", "texts/a.md"):
        (docs / rel).write_text("# x\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\ndocs_dir: docs\n", encoding="utf-8")
    config = load_mkdocs_config(str(tmp_path / "mkdocs.yml"))
    assert ours.install(str(tmp_path / "other-portal" / "content"), {"texts/a.md"})
    assert described(ours.get_files(config)) == described(ours._ORIGINAL(config))


def theme_files(config, memo=None) -> list[tuple]:
    """The files get_files and add_files_from_theme give (described, with each one's source file)."""
    ours.install(config['docs_dir'], set(), memo)
    files = mkdocs_build.get_files(config)
    files.add_files_from_theme(config.theme.get_env(), config)
    return [(*d, f.abs_src_path) for d, f in zip(described(files), files)]


def test_the_themes_files_are_taken_from_the_last_builds_walk_while_its_directories_are_unchanged(tmp_path,
                                                                                                   monkeypatch):
    """Material's theme holds 14,500 files (its icons); MkDocs lists them all on every build for 50 static
    files. With a memo, the next build gives the same Files without listing them; a file added to the theme
    is seen again (its directory changed)."""
    (tmp_path / "overrides" / "assets").mkdir(parents=True)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# x\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\ndocs_dir: docs\ntheme:\n  name: material\n"
                                         "  custom_dir: overrides\n", encoding="utf-8")
    config = load_mkdocs_config(str(tmp_path / "mkdocs.yml"))
    memo = tmp_path / "theme-files.pickle"
    mkdocs_own = theme_files(config)
    assert len(mkdocs_own) > 20
    assert theme_files(config, memo) == mkdocs_own and memo.exists()   # the first walks, and keeps what it found
    with monkeypatch.context() as patched:
        patched.setattr(type(config.theme.get_env()), "list_templates",
                        lambda *a, **k: pytest.fail("the theme was listed again"))
        assert theme_files(config, memo) == mkdocs_own
    (tmp_path / "overrides" / "assets" / "extra.css").write_text("a{}", encoding="utf-8")
    added = theme_files(config, memo)
    assert added == theme_files(config) and len(added) == len(mkdocs_own) + 1
    # a docs file of the same name takes a theme file's place, and gives it back when it goes (the memo made
    # while it was there included)
    (tmp_path / "docs" / "assets").mkdir()
    (tmp_path / "docs" / "assets" / "extra.css").write_text("b{}", encoding="utf-8")
    made_shadowed = tmp_path / "made-shadowed.pickle"
    shadowed = theme_files(config, made_shadowed)
    assert shadowed == theme_files(config)
    assert [f[-1] for f in shadowed if f[0] == "assets/extra.css"] == [str(tmp_path / "docs" / "assets" / "extra.css")]
    (tmp_path / "docs" / "assets" / "extra.css").unlink()
    assert theme_files(config, made_shadowed) == theme_files(config) == added
