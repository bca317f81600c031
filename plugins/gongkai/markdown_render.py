"""Entry bodies: markdown to HTML, with links rewritten for the entry page's place.

A body lives in content/ and links relative to itself; its HTML appears on the entry
page under xxgk/, so every relative link is resolved against content/ and re-pointed.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit, urlunsplit

import markdown
from markdown.treeprocessors import Treeprocessor

from . import markdown_fast, markdown_inline
from .urls import output_file, relative_url

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
DEFAULT_EXTENSIONS = ["tables", "toc", "attr_list", "md_in_html", "admonition", "sane_lists", "footnotes"]


def md_page_path(md_path: str) -> str:
    """Directory-style path of a hand-written page as MkDocs publishes it."""
    stem = md_path[:-3]
    if stem == "index" or stem.endswith("/index") or stem.lower().endswith("/readme") or stem.lower() == "readme":
        head = posixpath.dirname(stem)
        return f"{head}/" if head else ""
    return f"{stem}/"


class _LinkRewriter(Treeprocessor):
    def __init__(self, md, renderer: "BodyRenderer"):
        super().__init__(md)
        self.renderer = renderer

    def run(self, root):
        for element in root.iter():
            for attr in ("href", "src"):
                value = element.get(attr)
                if value:
                    element.set(attr, self.renderer.rewrite(value))


class BodyRenderer:
    """Renders entry bodies; one instance per build (the Markdown object is reused)."""

    def __init__(self, directory_urls: bool, body_pages: dict[str, str], extensions=None, extension_configs=None):
        self.directory_urls = directory_urls
        self.body_pages = body_pages       # content-relative body .md path -> entry page path
        self.source = ""                   # content-relative path of the body being rendered
        self.page_file = ""                # output file of the entry page being rendered
        extensions = list(extensions or DEFAULT_EXTENSIONS)
        self.md = markdown.Markdown(extensions=extensions, extension_configs=extension_configs or {})
        self.md.treeprocessors.register(_LinkRewriter(self.md, self), "gk_links", 1)
        markdown_inline.install(self.md)
        # Plain bodies (plain inline links allowed) skip Python-Markdown; None when these settings are not
        # ones it reproduces. Bodies it renders leave self.md's per-document state (md.toc) untouched.
        self.fast = markdown_fast.for_markdown(self.md, extensions, extension_configs)
        if self.fast is not None:
            self.fast.rewrite = self.rewrite   # links re-pointed as _LinkRewriter does

    def rewrite(self, url: str) -> str:
        if url.startswith(("#", "/")) or _SCHEME.match(url) or url.startswith("//"):
            return url
        parts = urlsplit(url)
        target = posixpath.normpath(posixpath.join(posixpath.dirname(self.source), parts.path))
        if target in self.body_pages:
            path = self.body_pages[target]
        elif target.endswith(".md"):
            path = md_page_path(target)
        else:
            path = target
        to_url = output_file(path, self.directory_urls) if path.endswith("/") and not self.directory_urls else path
        new = relative_url(self.page_file, to_url)
        return urlunsplit(("", "", new, parts.query, parts.fragment))

    def render(self, text: str, source: str, page_file: str) -> str:
        self.source, self.page_file = source, page_file
        if self.fast is not None:
            html = self.fast.render(text)
            if html is not None:
                return html
        self.md.reset()
        return self.md.convert(text)

    def render_file(self, digest: bytes, read_text, source: str, page_file: str) -> str:
        """A body named by the digest of its file's bytes (a cache may answer without reading it)."""
        return self.render(read_text(), source, page_file)


_TAGS = re.compile(r"<[^>]+>")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_SYNTAX_RUN = re.compile(r"[#>*_`|~-]+")
_BLANKS = re.compile(r"[ \t]+")
_SYNTAX_OR_BLANKS = re.compile(r"[#>*_`|~\- \t]+")


def plain_text(markdown_text: str) -> str:
    """Markdown to plain text (for search and snippets): keeps link text (as written), drops syntax."""
    text = _TAGS.sub(" ", markdown_text) if "<" in markdown_text else markdown_text
    if "[" in text:   # syntax between links only: a link's text is kept whole
        parts, at = [], 0
        for link in _LINK.finditer(text):
            parts += [_SYNTAX_RUN.sub(" ", text[at:link.start()]), link.group(1) or " "]
            at = link.end()
        text = "".join(parts) + _SYNTAX_RUN.sub(" ", text[at:])
        return _BLANKS.sub(" ", text).strip()
    # syntax runs to a space and then blank runs to one: runs of either to one space, in one pass
    return _SYNTAX_OR_BLANKS.sub(" ", text).strip()
