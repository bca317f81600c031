"""The one module that knows Material for MkDocs (and MkDocs' page objects).

Generated pages (entries, listings) are not pushed one by one through MkDocs'
page pipeline: Material renders one *shell* per URL depth with placeholders, and
each generated page is the shell with its title, head tags and content filled in.
That keeps per-page cost at a few string operations, and the theme replaceable.
"""

from __future__ import annotations

import hashlib
import html

from mkdocs.commands.build import get_context
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents

TITLE_MARK = "GKSHELLTITLE"
HEAD_MARK = "<!--GK-SHELL-HEAD-->"
CONTENT_MARK = "<!--GK-SHELL-CONTENT <h1> -->"   # holds '<h1' so Material adds no title of its own
SHELL_NAME = "gkshellpage"


class Shell:
    """One page frame rendered by the theme, filled per page by string replacement."""

    def __init__(self, rendered: str, shell_url: str):
        self.shell_url = shell_url
        self.rendered = rendered
        # names everything fill adds to a page's own parts (a page keyed by both is skipped when unchanged)
        self.key = hashlib.blake2b(f"{shell_url}\x00{rendered}".encode("utf-8", "surrogatepass"), digest_size=20).digest()

    def fill(self, url: str, title: str, head: str, content: str) -> str:
        out = self.rendered.replace(CONTENT_MARK, content, 1).replace(HEAD_MARK, head, 1)
        out = out.replace(TITLE_MARK, html.escape(title, quote=False))
        return out.replace(self.shell_url, url) if self.shell_url else out

    def parts(self) -> tuple[str, str, str] | None:
        """The frame as (before, middle, tail), each page's content going between the last two: `middle` runs
        from the line after the frame's last per-page part (title, head tags, URL) to the content, `tail` from
        the content to the end; fill leaves both as they are. None when a per-page part comes after the content."""
        before, mark, tail = self.rendered.partition(CONTENT_MARK)
        per_page = [p for p in (TITLE_MARK, HEAD_MARK, self.shell_url) if p]
        if not mark or any(p in tail for p in per_page):
            return None
        last = max((before.rfind(p) + len(p) for p in per_page if p in before), default=0)
        start = before.find("\n", before.find(">", last)) + 1   # past the tag that holds it, on a new line
        if start <= last:
            return None
        return before[:start], before[start:], tail


class ShellFactory:
    def __init__(self, config, env, nav, files):
        self.config, self.env, self.nav, self.files = config, env, nav, files
        self.directory_urls = bool(config.use_directory_urls)
        self._shells: dict[int, Shell] = {}

    def for_file(self, output_file: str) -> Shell:
        depth = output_file.count("/")
        if depth not in self._shells:
            self._shells[depth] = self._render(depth)
        return self._shells[depth]

    def frames(self) -> dict[int, tuple[str, str, str]]:
        """Each frame made so far, as Shell.parts, by depth (a page's count of '/')."""
        return {depth: parts for depth, shell in self._shells.items() if (parts := shell.parts()) is not None}

    def holes(self, depth: int) -> dict:
        """What the frame of that depth holds in place of each page's own text and markup (linkcheck.Frame's
        text_holes and markup_hole): fill puts the title and the URL, and the page's head tags, there."""
        return {"text_holes": (TITLE_MARK, self._shells[depth].shell_url), "markup_hole": HEAD_MARK}

    def _render(self, depth: int) -> Shell:
        dirs = depth - (1 if self.directory_urls else 0)
        # depth 0 with directory URLs is the site root: only index.md is written there
        name = "index.md" if dirs < 0 else f"{SHELL_NAME}.md"
        src_uri = "/".join(["gkshell"] * max(dirs, 0) + [name])
        file = File.generated(self.config, src_uri, content="")
        page = Page(TITLE_MARK, file, self.config)
        page.markdown = ""
        page.content = CONTENT_MARK
        page.toc = TableOfContents([])
        page.meta = {"gk_head": HEAD_MARK, "hide": ["toc"]}
        context = get_context(self.nav, self.files, self.config, page)
        rendered = self.env.get_template("main.html").render(context)
        return Shell(rendered, page.url)
