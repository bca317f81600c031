"""Relative links between generated pages: the fast path must agree with posixpath.relpath."""
import itertools
import posixpath

from gongkai.urls import Linker, relative_url

PATHS = ["", "./", ".", "index.html", "a/", "a", "a/b/", "a/b", "a/b/index.html", "a/c/", "xxgk/x-1/",
         "xxgk/x-1/index.html", "xxgk/x-2.html", "zl/c/page/2/", "attachments/f.pdf", "a/../b/", "./a/",
         "a//b/", "/abs/", "../up/", "a/./b", "ml/", "ml/index.html"]


def slow_relative_url(from_file: str, to_url: str) -> str:
    """The definition the fast path replaces, kept here as the oracle."""
    base = posixpath.dirname(from_file)
    target = to_url or "./"
    rel = posixpath.relpath(target or ".", base or ".")
    if target.endswith("/") and not rel.endswith("/"):
        rel += "/"
    if rel == "./" or rel == ".":
        return "./"
    return rel


def test_relative_url_agrees_with_relpath_on_every_pair():
    for from_file, to_url in itertools.product(PATHS, repeat=2):
        assert relative_url(from_file, to_url) == slow_relative_url(from_file, to_url), (from_file, to_url)


def test_linker_hrefs_in_both_url_styles():
    assert Linker(True).href("xxgk/a/", "zl/c/") == "../../zl/c/"
    assert Linker(False).href("xxgk/a/", "zl/c/") == "../zl/c.html"
    assert Linker(True).href("", "xxgk/a/") == "xxgk/a/"
    assert Linker(False).href("xxgk/a/", "xxgk/a/") == "a.html"


def test_an_entry_slug_keeps_letters_digits_and_dash_underscore_dot_and_dashes_the_rest():
    from gongkai.model import slug_of
    assert slug_of("113799000000000001/2023-00001") == "113799000000000001-2023-00001"
    assert slug_of("示例〔2026〕1号 a_b.c") == "示例-2026-1号-a_b.c"
    assert slug_of("½²Ⅻ") == "".join(c if c.isalnum() else "-" for c in "½²Ⅻ")   # as str.isalnum() judges
