"""MkDocs' walk of docs_dir, without a File for each content file the portal hides.

content/ holds every entry's body (10,000 at 10,000 entries) beside the hand-written pages. MkDocs made a File
of each (its paths, URL and exclusion worked out) before the plugin's on_files dropped them: 0.4 s of every
build, full or a rebuild after one edit, a fifth of the latter. get_files below is MkDocs 1.6's own, but it
skips the files the build hides; the plugin installs it for its builds (install), and it is MkDocs' get_files
for any other.
"""
from __future__ import annotations

import os
from pathlib import Path

from mkdocs import __version__ as mkdocs_version
from mkdocs import utils as mkdocs_utils
from mkdocs.commands import build as mkdocs_build
from mkdocs.structure import files as mkdocs_files

from .disk_cache import load_pickle, save_pickle

_ORIGINAL = mkdocs_files.get_files
_HIDDEN: list = []   # [docs_dir, the src_uris (posix, under it) hidden] of the running build
_THEME_MEMO: list = []   # [the file keeping the theme's static files between builds] of the running build
# README.md and index.md in one folder both make its index page: MkDocs keeps one and says so. A hidden file
# with either name is made and dropped later, as before, so that choice is unchanged.
_INDEX_NAMES = ("readme", "index")


def install(docs_dir: str, hidden: set[str], theme_memo: Path | None = None) -> bool:
    """Have MkDocs' build of docs_dir make no File for the hidden content files (False when its get_files is
    not the one this replaces: another plugin's, or another MkDocs'), and, given theme_memo, find the
    theme's static files through what the last build found (_ThemeFiles)."""
    if mkdocs_build.get_files not in (_ORIGINAL, get_files) or mkdocs_files.get_files is not _ORIGINAL:
        return False
    _HIDDEN[:] = [docs_dir, frozenset(hidden)]
    _THEME_MEMO[:] = [theme_memo] if theme_memo is not None else []
    mkdocs_build.get_files = get_files
    return True


def get_files(config) -> mkdocs_files.Files:
    """mkdocs.structure.files.get_files (MkDocs 1.6.1, BSD-2-Clause), with the hidden files skipped (only for
    the docs_dir they were installed for: another site built in the same process is walked as MkDocs does)."""
    if not _HIDDEN or _HIDDEN[0] != config['docs_dir']:
        return _ORIGINAL(config)
    hidden = _HIDDEN[1]
    files: list[mkdocs_files.File] = []
    conflicting_files: list[tuple[mkdocs_files.File, mkdocs_files.File]] = []
    for source_dir, dirnames, filenames in os.walk(config['docs_dir'], followlinks=True):
        relative_dir = os.path.relpath(source_dir, config['docs_dir'])
        prefix = "" if relative_dir == "." else relative_dir.replace(os.sep, "/") + "/"
        dirnames.sort()
        # the hidden files left out before the sort (its key is a Python function: 10,000 calls a build)
        filenames = [name for name in filenames if prefix + name not in hidden or _may_index(name)]
        filenames.sort(key=mkdocs_files._file_sort_key)

        files_by_dest: dict[str, mkdocs_files.File] = {}
        for filename in filenames:
            if prefix + filename in hidden and os.path.splitext(filename)[0].lower() not in _INDEX_NAMES:
                continue
            file = mkdocs_files.File(
                os.path.join(relative_dir, filename),
                config['docs_dir'],
                config['site_dir'],
                config['use_directory_urls'],
            )
            # Skip README.md if an index file also exists in dir (part 1)
            prev_file = files_by_dest.setdefault(file.dest_uri, file)
            if prev_file is not file:
                conflicting_files.append((prev_file, file))
            files.append(file)

    mkdocs_files.set_exclusions(files, config)
    # Skip README.md if an index file also exists in dir (part 2)
    for a, b in conflicting_files:
        if b.inclusion.is_included():
            if a.inclusion.is_included():
                mkdocs_files.log.warning(
                    f"Excluding '{a.src_uri}' from the site because it conflicts with '{b.src_uri}'."
                )
            try:
                files.remove(a)
            except ValueError:
                pass  # Catching this to avoid errors if attempting to remove the same file twice.
        else:
            try:
                files.remove(b)
            except ValueError:
                pass

    return _ThemeFiles(files) if _THEME_MEMO else mkdocs_files.Files(files)


def _may_index(name: str) -> bool:
    """Whether a file name may be README's or index's (then a hidden file of that name is made and dropped
    later, as MkDocs does)."""
    return name[:6].lower().startswith(_INDEX_NAMES)


class _ThemeFiles(mkdocs_files.Files):
    """Files whose add_files_from_theme takes the theme's static files from the last build's walk while no
    directory of the theme changed since (a file added, removed or renamed changes its directory's mtime).
    MkDocs lists every file of every theme directory: Material's 14,500 icons, 0.05 s of every build and a
    twentieth of a rebuild after an edit, for 50 static files."""

    def add_files_from_theme(self, env, config) -> None:
        for path, theme_dir in _theme_files(env, config):
            if self.get_file_from_path(path) is None:   # theme files do not override docs_dir files
                self.append(mkdocs_files.File(path, theme_dir, config.site_dir, config.use_directory_urls))


def _theme_files(env, config) -> list[tuple[str, str]]:
    """(path, the theme directory it is taken from) of every static file of the theme, in MkDocs' order: as
    the last build found them while the theme's directories are unchanged, else as MkDocs finds them now with
    no docs file in the way (the memo does not depend on docs_dir)."""
    memo = _THEME_MEMO[0]
    key = repr((mkdocs_version, list(config.theme.dirs), list(config.theme.static_templates),
                list(mkdocs_utils.markdown_extensions)))
    found = load_pickle(memo)
    if found.get("key") == key and _unchanged(found.get("dirs", {})):
        return found["files"]
    dirs = _directories(config.theme.dirs)
    every = mkdocs_files.Files([])
    mkdocs_files.Files.add_files_from_theme(every, env, config)
    files = [(f.src_uri, f.src_dir) for f in every]
    save_pickle(memo, {"key": key, "dirs": dirs, "files": files})
    return files


def _directories(roots) -> dict[str, int]:
    """The mtime of every directory under the roots (as the theme's loader walks them), before they are read."""
    found = {}
    for root in roots:
        for dirpath, _dirs, _files in os.walk(root):
            found[dirpath] = os.stat(dirpath).st_mtime_ns
    return found


def _unchanged(dirs: dict[str, int]) -> bool:
    try:
        return bool(dirs) and all(os.stat(path).st_mtime_ns == mtime for path, mtime in dirs.items())
    except OSError:
        return False
