"""Plain entry bodies straight to HTML, byte for byte what Python-Markdown makes of them.

Most bodies are paragraphs of Chinese prose, ATX headings (`## 一、总体要求`) and short lists, maybe with a
link (an interpretation's to its policy), in which Python-Markdown's dozen block processors, fifteen inline
patterns and eight tree processors all find nothing to do but the few that make paragraphs, headings,
lists, links and heading ids. For such a body the
HTML is written here directly; for any other (one character of syntax, a loose list, an extension or
setting not checked here...) `render` returns None and the caller uses Python-Markdown, as the quick
inline stage (markdown_inline) leaves any text a pattern might match to the full loop.

The subset, and why each rule keeps the HTML exact:
- No `<`, `&`, `_`, backtick, backslash, brackets (but a link's, below), braces, `|`, `~`, tab or control
  character anywhere (inline patterns, raw HTML, attribute lists, tables, fences, escaping and tab expansion
  need them),
  no `#` or `*` but as a heading's or a list item's marker, or as the `**` pairs of strong spans in a
  paragraph (`**问：……？**`, as interpretations set their questions; see _Document._strong).
- No line starts with a space, `>`, `=`, `!`, `+`, `-` or `*` (unless it is a list item) or digits, `.`
  and a space: quotes, setext underlines, rules, admonitions, code and nested blocks start so.
- A heading is `#`..`######` and text, maybe closed by `#`s; lines of list items are all items of one
  kind (`1. ` or `-`/`*`/`+`), with no continuation line and no other list of that kind just before
  it (Python-Markdown would make one loose list of both).
- Each text is one in which no inline pattern of the Markdown instance can match (markdown_inline's
  trigger expression), so the inline stage would leave it as it is; `>` is then the one character the
  serializer changes (to `&gt;`).
- Whitespace as NormalizeWhitespace and the processors treat it: CRLF and CR are newlines, lines of
  spaces are blank, paragraphs and list items lose leading whitespace (U+3000 too), headings both ends.
- Inline links `[text](path)` in paragraphs and list items, as an interpretation links its policy: the text
  plain (no bracket, `#` or `*`, not a footnote's `^`, no pattern can match in it), the path of letters,
  digits and `._/-` only, not an image's (`!` before it). Python-Markdown's link pattern makes each
  `<a href="path">text</a>` (the reference pattern, tried first, finds no `[id]` after it; the footnote
  pattern needs `[^`), and the renderer's link rewriting gives the href: here the same rewrite(path).
"""

from __future__ import annotations

import re
from itertools import chain

import markdown
from markdown.extensions import sane_lists, toc
from markdown.preprocessors import NormalizeWhitespace

from . import markdown_inline

# Python-Markdown versions whose output for the subset was checked against this module (the tests compare
# them on thousands of bodies); any other version takes the full path until it is checked too.
VERIFIED_VERSIONS = {(3, 11)}

# Extensions that change nothing in a body of the subset (each acts on syntax the subset excludes),
# and those whose effect on it is reproduced here (heading ids; list numbering and neighbours).
INERT_EXTENSIONS = frozenset({"tables", "attr_list", "md_in_html", "admonition", "footnotes", "fenced_code"})
SHAPING_EXTENSIONS = frozenset({"toc", "sane_lists"})

# Anywhere in a body: characters some syntax needs, or that Python-Markdown changes (tabs are expanded,
# STX/ETX removed), or that would need escaping in HTML (`>` is the one kept: see _escaped).
_NEVER = re.compile("[<&_`\\\\\\[\\]{}|~\t\x00-\x09\x0b\x0c\x0e-\x1f\x7f\ufeff]")
# An inline link of the subset (see above): text, path.
_LINK = re.compile(r"(?<!!)\[([^\[\]\n^#*][^\[\]\n#*]*)\]\(([A-Za-z0-9._/-]+)\)")
_SAFE_HREF = re.compile(r"[A-Za-z0-9._/-]*")   # an href the serializer writes as it is
_LINK_MARK = "\u241a"   # ␚ stands in for a link while its body is laid out (a body holding it is refused)
# At a line's start, what could open a block other than a paragraph (list items are matched before).
# Digits and a dot open an ordered list only before a space ("3.公共资源" is prose to Python-Markdown,
# and so is "1)"); the end of the line is refused too, to stay clear of the list expressions.
_BLOCK_START = re.compile(r"[ #>*+\-=!]|\d+\.(?:[ ]|$)")
# A list item as the list processors' CHILD_RE takes it, at the left margin (indented lines are refused).
_ORDERED_ITEM = re.compile(r"(?P<number>\d+)\.[ ]+(?P<text>.*)")
_BULLET_ITEM = re.compile(r"[*+-][ ]+(?P<text>.*)")
_SPACES_ONLY_LINE = re.compile(r"(?<=\n) +\n")     # NormalizeWhitespace's, which blanks such lines
_EXTRA_SPACES = ("\u3000", "\xa0")   # not printable to Python, but plain text to Python-Markdown
# Anchors and lookarounds: a trigger with one may match a text alone but not where it sits in the body.
_CONTEXT_SENSITIVE = re.compile(r"\^|\$|\\[bBAZ]|\(\?<?[=!]")
# What a body _NEVER finds nothing in can still hold of a stock trigger part (markdown_inline.trigger_parts):
# no part that needs a character _NEVER refuses, and of the others a plain string that any match holds. Two
# `in` tests then clear a body where a search of the trigger took a quarter of the fast path's time.
_LEFT_BY_NEVER = {r"[`\\]": (), r"\\": (), r"\[": (), "<": (), "&": (), "  \n": ("  \n",), r"\*|_": ("*",)}


def _extension_name(extension) -> str | None:
    if not isinstance(extension, str):
        return None                          # an Extension instance: its effect is unknown here
    return extension.removeprefix("markdown.extensions.")


def _printable(text: str) -> bool:
    if text.isprintable():
        return True
    for space in _EXTRA_SPACES:
        text = text.replace(space, "")
    return text.isprintable()


def _escaped(text: str) -> str:
    """The serializer's escaping, for a text with no `&` or `<` in it."""
    return text.replace(">", "&gt;") if ">" in text else text


def _plain_line(line: str) -> bool:
    """A line that is prose to every block processor, with no marker character and not blank."""
    return bool(line) and not _BLOCK_START.match(line) and "#" not in line and "*" not in line \
        and _printable(line) and not line.isspace()


class FastPath:
    """Renders bodies of the subset; render() is None for any other (then Python-Markdown renders it)."""

    def __init__(self, inline_trigger: re.Pattern, heading_ids: bool, sane: bool,
                 left_by_never: tuple[str, ...] | None = None):
        self.inline_trigger = inline_trigger   # finds something in any text an inline pattern can match
        # the stock triggers are plain strings and character sets: where one matches a text, it matches
        # the body the text is part of, so one search of the body clears all of its texts
        self.search_whole_body = not _CONTEXT_SENSITIVE.search(inline_trigger.pattern)
        self.left_by_never = left_by_never     # strings, one of which a body _NEVER clears holds where the
                                               # trigger matches it (None: the trigger is searched)
        self.heading_ids = heading_ids         # the toc extension gives every heading an id
        self.sane = sane                       # sane_lists: start="N", and an ol never continues a ul
        self.rewrite = None                    # the renderer's href rewriting; None: bodies with links refused
        self.taken = 0                         # bodies rendered here (tests read these)
        self.refused = 0

    def render(self, text: str) -> str | None:
        html = self._render(text)
        if html is None:
            self.refused += 1
        else:
            self.taken += 1
        return html

    def _render(self, text: str) -> str | None:
        if not text.strip():
            return ""                          # as Markdown.convert answers such a text
        links: list[str] = []
        if "[" in text:
            if self.rewrite is None or _LINK_MARK in text:
                return None
            text = _LINK.sub(lambda found: links.append(self._link(found)) or _LINK_MARK, text)
            if None in links:
                return None
        if _NEVER.search(text):
            return None
        source = _normalized(text)
        # Every text of the HTML is a part of source (a line, consecutive lines, or a part of a line).
        texts_plain = self.search_whole_body and not self._may_match(source)
        document = _Document(self, texts_plain)
        block: list[str] = []
        for line in source.split("\n"):
            if not line:
                ok = document.block(block)
                block = []
            elif line[0] == "#":               # a heading ends the lines before it, blank line or not
                ok = document.block(block) and document.heading(line)
                block = []
            else:
                block.append(line)
                ok = True
            if not ok:
                return None
        if not document.block(block):
            return None
        html = "\n".join(document.parts)
        if links:                              # the marks are in the HTML in the order of the links
            parts = html.split(_LINK_MARK)
            if len(parts) != len(links) + 1:
                return None
            html = "".join(part + link for part, link in zip(parts, links + [""]))
        return html

    def _may_match(self, source: str) -> bool:
        """Whether the trigger finds something in a body _NEVER finds nothing in."""
        if self.left_by_never is None:
            return self.inline_trigger.search(source) is not None
        return any(part in source for part in self.left_by_never)

    def _link(self, found: re.Match) -> str | None:
        """The HTML of a link of the subset, None when its text or href leave it."""
        text, path = found.groups()
        href = self.rewrite(path)
        if not _printable(text) or _NEVER.search(text) or self.inline_trigger.search(text) \
                or not _SAFE_HREF.fullmatch(href):
            return None
        return f'<a href="{href}">{_escaped(text)}</a>'


def _normalized(text: str) -> str:
    """The text Python-Markdown's block parser sees (NormalizeWhitespace, minus what _NEVER excludes)."""
    source = text.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
    return _SPACES_ONLY_LINE.sub("\n", source) if " \n" in source else source


class _Document:
    """The HTML of one body, block by block; each method is False when the body leaves the subset."""

    def __init__(self, fast: FastPath, texts_plain: bool):
        self.fast = fast
        self.texts_plain = texts_plain        # no inline pattern can match in any text of the body
        self.parts: list[str] = []
        self.last_tag = ""                    # of the previous top-level element
        self.ids: set[str] = set()            # toc's uniqueness state for this document
        self.id_counters: dict[str, int] = {}

    def _inline_plain(self, text: str) -> bool:
        return self.texts_plain or not self.fast.inline_trigger.search(text)

    def heading(self, line: str) -> bool:
        level = len(line) - len(line.lstrip("#"))
        # HashHeaderProcessor: up to six `#`, text, any closing `#`s at the very end, stripped.
        text = line[level:].rstrip("#").strip()
        if level > 6 or not text or "#" in text or "*" in text or _LINK_MARK in text or not _printable(text) \
                or not self._inline_plain(text):
            return False
        tag = f"h{level}"
        if self.fast.heading_ids:
            # TocTreeprocessor: slugify the heading's text with its whitespace collapsed, made unique.
            slug = toc.slugify(" ".join(text.split()), "-")
            self.parts.append(f'<{tag} id="{toc.unique(slug, self.ids, self.id_counters)}">{_escaped(text)}</{tag}>')
        else:
            self.parts.append(f"<{tag}>{_escaped(text)}</{tag}>")
        self.last_tag = tag
        return True

    def block(self, lines: list[str]) -> bool:
        if not lines:
            return True
        if _ORDERED_ITEM.match(lines[0]):
            return self._list("ol", _ORDERED_ITEM, lines)
        if _BULLET_ITEM.match(lines[0]):
            return self._list("ul", _BULLET_ITEM, lines)
        return self._paragraph(lines)

    def _paragraph(self, lines: list[str]) -> bool:
        strong = any("**" in line for line in lines)
        # a letter stands in for each `**` pair, which _strong judges: every other check of a line holds
        if not all(_plain_line(line.replace("**", "s") if strong else line) for line in lines):
            return False
        text = "\n".join(lines).lstrip()      # ParagraphProcessor strips the start only
        if strong:
            html = self._strong(text)
        else:
            html = _escaped(text) if self._inline_plain(text) else None
        if html is None:
            return False
        self.parts.append(f"<p>{html}</p>")
        self.last_tag = "p"
        return True

    def _strong(self, text: str) -> str | None:
        """The HTML of a paragraph's text with `**strong**` spans (an interpretation's questions are set so),
        None when it leaves the subset. Each span's text is plain, not empty and neither starts nor ends with
        whitespace, so none of its `**` is the literal one of the not_strong pattern; no other `*` is in the
        text, and no two spans touch: the strong pattern makes each pair a <strong> whose text no later
        pattern changes."""
        parts = text.split("**")
        if len(parts) % 2 == 0:
            return None
        html = []
        for n, part in enumerate(parts):
            if "*" in part or not self._inline_plain(part):
                return None
            if n % 2 == 0:
                if not part and 0 < n < len(parts) - 1:
                    return None
                html.append(_escaped(part))
            elif not part or part[0].isspace() or part[-1].isspace() or _LINK_MARK in part:
                return None
            else:
                html.append(f"<strong>{_escaped(part)}</strong>")
        return "".join(html)

    def _list(self, tag: str, item_re: re.Pattern, lines: list[str]) -> bool:
        siblings = (tag,) if self.fast.sane else ("ol", "ul")
        if self.last_tag in siblings:
            return False                      # Python-Markdown would add these items to that list, loosely
        items = []
        for line in lines:
            match = item_re.match(line)
            if match is None:
                return False                  # a continuation line (lazy or nested): not handled here
            text = match.group("text")
            if not _plain_line(text) or not self._inline_plain(text):
                return False
            items.append(f"<li>{_escaped(text.lstrip())}</li>")
        start = _ordered_start(lines[0]) if tag == "ol" and self.fast.sane else "1"
        opening = f'<{tag} start="{start}">' if start != "1" else f"<{tag}>"
        self.parts.append("\n".join([opening, *items, f"</{tag}>"]))
        self.last_tag = tag
        return True


def _ordered_start(line: str) -> str:
    """The number an ordered list starts with, as the string sane_lists compares with '1'."""
    return _ORDERED_ITEM.match(line).group("number")


def for_markdown(md: markdown.Markdown, extensions, extension_configs) -> FastPath | None:
    """A FastPath for md, made with these extensions and configs; None unless every one of them is
    known to leave the subset alone or is reproduced here, with settings reproduced here."""
    if tuple(markdown.__version_info__[:2]) not in VERIFIED_VERSIONS:
        return None
    names = [_extension_name(e) for e in extensions or []]
    if not all(name in INERT_EXTENSIONS or name in SHAPING_EXTENSIONS for name in names):
        return None
    for key, config in (extension_configs or {}).items():
        if config and _extension_name(key) != "toc":
            return None                       # settings of other extensions are not judged here
    if md.tab_length != 4 or md.output_format != "xhtml" or not md.stripTopLevelTags:
        return None
    if "toc" in names and not _toc_reproduced(md.treeprocessors["toc"]):
        return None
    if not _lists_reproduced(md, sane="sane_lists" in names):
        return None
    if not isinstance(md.preprocessors["normalize_whitespace"], NormalizeWhitespace):
        return None
    parts = markdown_inline.trigger_parts(list(md.inlinePatterns))
    if parts is None:
        return None
    trigger = markdown_inline.expression_of(parts)
    left = tuple(dict.fromkeys(chain.from_iterable(_LEFT_BY_NEVER[part] for part in parts))) \
        if all(part in _LEFT_BY_NEVER for part in parts) else None
    return FastPath(trigger, heading_ids="toc" in names, sane="sane_lists" in names, left_by_never=left)


def _toc_reproduced(processor) -> bool:
    """Only the toc settings that change a body's HTML matter; those must be the defaults (or permalink
    off), and the marker must be one no text of the subset can be."""
    return (type(processor) is toc.TocTreeprocessor
            and processor.use_permalinks in (False, None) and not processor.use_anchors
            and processor.base_level == 0 and processor.slugify is toc.slugify and processor.sep == "-"
            and (not processor.marker or "[" in processor.marker))


def _lists_reproduced(md: markdown.Markdown, sane: bool) -> bool:
    blocks = md.parser.blockprocessors
    if sane:
        expected = (sane_lists.SaneOListProcessor, sane_lists.SaneUListProcessor)
    else:
        expected = (markdown.blockprocessors.OListProcessor, markdown.blockprocessors.UListProcessor)
    return "olist" in blocks and "ulist" in blocks \
        and (type(blocks["olist"]), type(blocks["ulist"])) == expected
