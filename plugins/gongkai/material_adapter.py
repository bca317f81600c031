"""The one module that knows Material for MkDocs (and MkDocs' page objects).

Generated pages (entries, listings) are not pushed one by one through MkDocs'
page pipeline: Material renders one *shell* per URL depth with placeholders, and
each generated page is the shell with its title, head tags and content filled in.
That keeps per-page cost at a few string operations, and the theme replaceable.
"""

from __future__ import annotations

import hashlib
import html
import re

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
        self._pieces: _FramePieces | bool | None = None   # made when first filled (False: fill it is)

    def fill(self, url: str, title: str, head: str, content: str) -> str:
        out = self.rendered.replace(CONTENT_MARK, content, 1).replace(HEAD_MARK, head, 1)
        out = out.replace(TITLE_MARK, html.escape(title, quote=False))
        return out.replace(self.shell_url, url) if self.shell_url else out

    def fill_bytes(self, url: str, title: str, head: str, content: str) -> bytes:
        """fill(...).encode("utf-8"), with the frame's text encoded once: a page's own parts are encoded and
        put between its pieces. Where a page's part could take part in a later replacement of fill's (it holds
        the title's or the URL's mark, or makes one with the frame's text beside it), fill itself is used."""
        if self._pieces is None:
            self._pieces = _FramePieces.of(self)
        if self._pieces:
            made = self._pieces.join(url, html.escape(title, quote=False), head, content)
            if made is not None:
                return made
        return self.fill(url, title, head, content).encode("utf-8")

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


_SENTINELS = {"C": "\ue000C\ue001", "H": "\ue000H\ue001", "T": "\ue000T\ue001", "U": "\ue000U\ue001"}
_HOLE = re.compile("\ue000([CHTU])\ue001")


class _FramePieces:
    """A shell's frame as fill leaves it, cut at the places its page's parts go (content C, head tags H,
    title T, URL U), the frame's text between them encoded once. Which marks a part must not hold or make:
    fill puts content and head tags in first, then replaces the title's mark, then the URL's; a part put in
    before a replacement must not hold that replacement's mark, nor make one with the text on either side."""

    def __init__(self, pieces: list[bytes], texts: list[str], holes: list[str], marks: dict[str, tuple[str, ...]]):
        self.pieces, self.texts, self.holes, self.marks = pieces, texts, holes, marks
        self.reach = max((len(m) for ms in marks.values() for m in ms), default=1) - 1

    @classmethod
    def of(cls, shell: "Shell") -> "_FramePieces | bool":
        """The pieces; False when the frame cannot be cut so (a sentinel in it, two places side by side)."""
        if "\ue000" in shell.rendered or "\ue001" in shell.rendered or not shell.shell_url:
            return False
        out = shell.rendered.replace(CONTENT_MARK, _SENTINELS["C"], 1).replace(HEAD_MARK, _SENTINELS["H"], 1)
        out = out.replace(TITLE_MARK, _SENTINELS["T"]).replace(shell.shell_url, _SENTINELS["U"])
        parts = _HOLE.split(out)
        texts, holes = parts[0::2], parts[1::2]
        if any(not text for text in texts[1:-1]) or holes.count("C") != 1:
            return False
        later = {"C": (TITLE_MARK, shell.shell_url), "H": (TITLE_MARK, shell.shell_url), "T": (shell.shell_url,), "U": ()}
        if "H" in holes and holes.index("H") > holes.index("C"):
            later["C"] += (HEAD_MARK,)   # content put in before the head tags' place: fill would fill its own
        return cls([t.encode("utf-8") for t in texts], texts, holes, later)

    def join(self, url: str, title: str, head: str, content: str) -> bytes | None:
        values = {"C": content, "H": head, "T": title, "U": url}
        for kind in ("C", "H", "T"):
            if any(mark in values[kind] for mark in self.marks[kind]):
                return None
        reach, texts = self.reach, self.texts
        for n, kind in enumerate(self.holes):
            marks = self.marks[kind]
            if marks:
                value = values[kind]
                before, after = texts[n][-reach:] if reach else "", texts[n + 1][:reach]
                edges = (before + value + after,) if len(value) < 2 * reach else \
                    (before + value[:reach], value[-reach:] + after)
                if any(mark in edge for mark in marks for edge in edges):
                    return None
        encoded = {kind: value.encode("utf-8") for kind, value in values.items()}
        out = [self.pieces[0]]
        for n, kind in enumerate(self.holes):
            out.append(encoded[kind])
            out.append(self.pieces[n + 1])
        return b"".join(out)


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
