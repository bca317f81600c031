"""Site paths of generated pages, in both URL styles.

Generated pages are named by a directory-style path such as 'xxgk/<slug>/'. With
use_directory_urls the page is written to 'xxgk/<slug>/index.html' and linked as
'xxgk/<slug>/'; without it (offline mirrors, file://) to 'xxgk/<slug>.html'.
"""

from __future__ import annotations

import posixpath

from .model import Column, Entry

ENTRY_DIR = "xxgk"        # 信息公开 entry pages
COLUMN_DIR = "zl"         # 专栏
CATALOGUE_DIR = "ml"      # 目录
POLICY_DIR = "zcwj"       # 政策文件库
SEARCH_DIR = "search"


def entry_path(entry: Entry) -> str:
    return f"{ENTRY_DIR}/{entry.slug}/"


def column_path(column: Column | str, page: int = 1) -> str:
    cid = column if isinstance(column, str) else column.id
    return f"{COLUMN_DIR}/{cid}/" if page <= 1 else f"{COLUMN_DIR}/{cid}/page/{page}/"


def output_file(path: str, directory_urls: bool) -> str:
    """'a/b/' -> 'a/b/index.html' or 'a/b.html'; '' is the home page."""
    if not path or path.endswith(".html") or not path.endswith("/"):
        return path or "index.html"
    return f"{path}index.html" if directory_urls else f"{path[:-1]}.html"


def page_url(path: str, directory_urls: bool) -> str:
    """The site-relative URL that links to a generated page."""
    if not path.endswith("/") or directory_urls:
        return path
    return output_file(path, directory_urls)


def _plain_parts(path: str) -> list[str] | None:
    """The segments of a plain site-relative path ('a/b/' -> ['a', 'b']), or None when it holds
    anything relpath would normalise (a leading '/', '.', '..', '//')."""
    if path.startswith("/"):
        return None
    parts = path.split("/")
    if parts[-1] == "":
        parts.pop()
    for part in parts:
        if part in ("", ".", ".."):
            return None
    return parts


def _relpath(target: str, base: str) -> str:
    """posixpath.relpath(target, base) for site-relative paths, without its getcwd and abspath per call
    (it took a tenth of an entry page's time); unusual paths still go to relpath."""
    to_parts = [] if target in (".", "./") else _plain_parts(target)   # './': the site root, on every listing page
    from_parts = [] if base == "." else _plain_parts(base)
    if to_parts is None or from_parts is None:
        return posixpath.relpath(target, base)
    common = 0
    for a, b in zip(to_parts, from_parts):
        if a != b:
            break
        common += 1
    rel = [".."] * (len(from_parts) - common) + to_parts[common:]
    return "/".join(rel) if rel else "."


def relative_url(from_file: str, to_url: str) -> str:
    """A link from the page written at `from_file` to the site-relative `to_url`."""
    base = posixpath.dirname(from_file)
    target = to_url or "./"
    rel = _relpath(target or ".", base or ".")
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel == "./" or rel == ".":
        return "./"
    return rel


class Linker:
    """Relative links between generated pages, for one URL style."""

    def __init__(self, directory_urls: bool):
        self.directory_urls = directory_urls

    def file(self, path: str) -> str:
        return output_file(path, self.directory_urls)

    def url(self, path: str) -> str:
        return page_url(path, self.directory_urls)

    def href(self, from_path: str, to_path: str) -> str:
        """Relative href from generated page `from_path` to page or file `to_path`."""
        return relative_url(self.file(from_path), self.url(to_path))
