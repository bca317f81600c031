"""The link check of a built site: every internal link and anchor resolves.

Built for 100,000-page sites: the site's files are listed once; pages are parsed with
libxml2 (no Python element classes) by forked workers on every core; the theme's frame
repeats the same links on every page, so link targets are resolved through a memo.
"""

from __future__ import annotations

import os
import posixpath
import re
import sys
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import unquote, urlsplit

from lxml import etree

from . import phases
from .disk_cache import DiskCache, key_of
from .findings import Findings
from .textfiles import read_bytes
from .workers import fork_imap_as_cores_free

LINKS_XPATH = etree.XPath(
    "//a/@href|//link/@href|//img/@src|//script/@src|//iframe/@src|//source/@src|//video/@src|//audio/@src")
IDS_XPATH = etree.XPath("//@id|//a/@name")
SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:")
_WEB = ("http://", "https://")   # external: what urlsplit finds a scheme in
_URLSPLIT_REMOVES = frozenset("\t\r\n")   # urlsplit drops these anywhere in a URL
_URLSPLIT_FIRST = frozenset("/" + "".join(map(chr, range(33))))   # a site-absolute path or host; what urlsplit strips
CHUNK = 500
MEMO_KEPT = 200_000   # link values a process keeps what they split and resolve into, from chunk to chunk
PARSE_CACHE_FROM = 1000   # pages to check before the parse cache is worth loading


def site_files(site: Path) -> tuple[set[str], set[str]]:
    """Every file and directory of the site, as site-relative paths."""
    files, dirs = set(), set()
    for base, dirnames, filenames in os.walk(site):
        rel = os.path.relpath(base, site).replace(os.sep, "/")
        rel = "" if rel == "." else rel + "/"
        dirs.update(rel + d for d in dirnames)
        files.update(rel + f for f in filenames)
    return files, dirs


class _Resolver:
    """Site-relative file a link points at ('..' in it when it climbs out of the site), and the path whose
    being a directory decided it (None when none did).

    A link that climbs to the site root ('../../assets/x.css' on a page two levels down)
    means the same on every page at that depth: those are memoised by depth."""

    def __init__(self, dirs: set[str]):
        self.dirs = dirs
        self.memo: dict[tuple[int, str], tuple[str, str | None]] = {}

    def __call__(self, page_dir: str, url_path: str) -> tuple[str, str | None]:
        depth = page_dir.count("/") + 1 if page_dir else 0
        if not url_path.startswith("../" * depth):
            # relative to this page alone, and a page's links are distinct: a memo would never be hit again
            return self._resolve(page_dir, url_path)
        key = (depth, url_path)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._resolve(page_dir, url_path)
        return found

    def _resolve(self, page_dir: str, url_path: str) -> tuple[str, str | None]:
        joined = _plain_join(page_dir, url_path)
        if joined is None:
            joined = posixpath.normpath(posixpath.join(page_dir, unquote(url_path)))
        probe = None
        if joined == ".":
            joined = "index.html"
        elif not joined.startswith(".."):
            if url_path.endswith("/"):
                joined += "/index.html"   # posixpath.join's, for a normalised relative path
            else:
                probe = joined
                if joined in self.dirs:
                    joined += "/index.html"
        return sys.intern(joined), probe and sys.intern(probe)


def _plain_join(page_dir: str, url_path: str) -> str | None:
    """normpath(join(page_dir, unquote(url_path))) for a path of plain names after its leading '../'s (no
    '.' or '..' among them, no empty one, nothing to unquote) that stays in the site, by slicing: most links
    of entry pages to each other are new to each page. None for any other path."""
    climb = 0
    while url_path.startswith("../", climb * 3):
        climb += 1
    rest = url_path[climb * 3:]
    if "%" in rest or "//" in rest or rest.startswith(("/", ".")) or "/." in rest:
        return None
    base = page_dir
    if climb:
        names = page_dir.split("/") if page_dir else []
        if climb > len(names):
            return None
        base = "/".join(names[:len(names) - climb])
    joined = f"{base}/{rest}" if base and rest else base or rest
    return (joined[:-1] if joined.endswith("/") else joined) or "."


def html_parser() -> etree.HTMLParser:
    """libxml2's HTML parser as this check uses it: without the table of ids it would keep for id() lookups,
    which nothing here makes (a seventh of the time of parsing a page's content); //@id reads them all."""
    return etree.HTMLParser(encoding="utf-8", collect_ids=False)


_STATE: dict = {}   # site, files, resolver and parse cache, inherited by forked workers


def _split(value: str) -> tuple[str, str] | None:
    """(path, fragment) of an internal relative link; None for what this check skips."""
    value = value.strip()
    if not value or value.startswith(SKIP_SCHEMES) or value.startswith(_WEB):   # the latter: each page's canonical URL
        return None
    if ":" not in value and value[0] not in _URLSPLIT_FIRST and not _URLSPLIT_REMOVES.intersection(value):
        # What urlsplit gives such a link (no scheme without a colon, no host without a leading "//"), in a
        # tenth of its time: a listing page's links to entries are new to each page.
        path, _, fragment = value.partition("#")
        return path.partition("?")[0], unquote(fragment)
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith("/"):
        return None  # external, or site-absolute (depends on where the site is mounted)
    return parts.path, unquote(parts.fragment)


def _page_links(data: bytes, parser) -> tuple[set[str], list[tuple[str, int | None]]]:
    """A page's ids and its distinct link values, each at its first line (in the order of their last
    occurrence, the last first)."""
    root = etree.fromstring(data, parser)
    if root is None:
        return set(), []
    unique = {str(v): v for v in reversed(LINKS_XPATH(root))}   # first occurrence wins
    return {str(v) for v in IDS_XPATH(root)}, [(value, attr.getparent().sourceline) for value, attr in unique.items()]


def _joined(parts: list[tuple[set[str], list[tuple[str, int | None]]]]) -> tuple[set[str], list[tuple[str, int | None]]]:
    """_page_links of a page from those of its consecutive parts."""
    first: dict[str, int | None] = {}
    for _, links in parts:
        for value, line in links:
            first.setdefault(value, line)
    order = dict.fromkeys(value for _, links in reversed(parts) for value, _ in links)
    return set().union(*(ids for ids, _ in parts)), [(value, first[value]) for value in order]


def _in_parts(page: tuple[set[str], list[tuple[str, int | None]]]) -> tuple:
    """_page_links of a whole page as _scan takes a page read in parts: (ids, ((links, offset), ...)), a
    link's line on the page its line in its part plus the part's offset."""
    return page[0], ((page[1], 0),)


def _values_in_order(parts) -> dict[str, None]:
    """The distinct link values of a page read in parts, in the order _joined gives them."""
    return dict.fromkeys(chain.from_iterable(map(_VALUE, links) for links, _offset in reversed(parts)))


def _first_line(parts, value: str) -> int | None:
    """The line where a page read in parts first holds a link value, as _joined gives it."""
    for links, offset in parts:
        for held, line in links:
            if held == value:
                return None if line is None else line + offset
    return None


def _joined_parts(scanned) -> tuple[set[str], list[tuple[str, int | None]]]:
    """_page_links of a page from its parts."""
    ids, parts = scanned
    return set(ids), [(value, _first_line(parts, value)) for value in _values_in_order(parts)]


_VALUE = itemgetter(0)


# Content that could change how the markup after it is parsed: an open comment or raw-text element swallows
# what follows, a document tag moves attributes. A page whose content has one unclosed is parsed whole. Matched
# in lower-cased bytes (ASCII, as IGNORECASE is on bytes): one pass of bytes.lower, then a case-sensitive search
# that skips from "<" to "<", was 0.19 s against 0.34 s of the 14,385 contents of the 10,000-entry site.
_UNSETTLING = re.compile(rb"<(?:(!--|!\[cdata\[|s(?:cript|tyle)|t(?:extarea|itle)|xmp|no(?:script|embed|frames)|iframe)"
                         rb"|(?:plaintext|h(?:tml|ead)|body)\b)")
_CLOSERS = {b"!--": b"-->", b"![cdata[": b"]]>"}


def _settled(content: bytes) -> bool:
    """Whether a page's own content leaves the parser as it found it: each comment and raw-text element
    closed, no document tag, and no tag left open at its end."""
    lowered = content.lower()
    at = 0
    while (found := _UNSETTLING.search(lowered, at)) is not None:
        if found.group(1) is None:
            return False
        closer = _CLOSERS.get(found.group(1), b"</" + found.group(1))
        end = lowered.find(closer, found.end())
        if end < 0:
            return False
        at = end + len(closer)
    return content.rfind(b"<") <= content.rfind(b">")


class Frame:
    """The parts of a theme frame that every page made from it holds byte for byte: `middle`, from after
    the frame's last per-page part (title, head tags, URL) up to the page's content, and `tail`, after
    the content; most of a page's bytes (navigation, header, footer). They are parsed once; a page made
    from the frame is parsed in its own parts, which gives what parsing it whole gives. A frame is used
    only when that holds for the frame itself."""

    PROBE = '\n<p id="gk-probe">\n<a href="gk-probe/">probe</a></p>\n'   # content to try the frame with

    def __init__(self, before: str, middle: str, tail: str, parser=None, text_holes: tuple[str, ...] = (),
                 markup_hole: str | None = None):
        """The frame is before + middle + (each page's content) + tail. text_holes, markup_hole: what `before`
        holds in place of each page's own text (its title, its URL) and own markup (its head tags), when
        given: a page's head is then read from the frame's too (HeadTemplate)."""
        parser = parser or html_parser()
        self.middle, self.tail = middle.encode("utf-8"), tail.encode("utf-8")
        self.middle_lines = self.middle.count(b"\n")
        self._middle = _page_links(self.middle, parser)
        self._tail = _page_links(self.tail, parser)
        self._head = HeadTemplate.of(before, text_holes, markup_hole, parser)
        tried = (before + middle + self.PROBE + tail).encode("utf-8")
        self.usable = self.page_links(tried, parser) == _page_links(tried, parser)

    def page_links(self, data: bytes, parser) -> tuple[set[str], list[tuple[str, int | None]]] | None:
        """_page_links of a page made from this frame; None when the page is not (or its content could
        unsettle the parse): then it is parsed whole."""
        parts = self.page_parts(data, parser)
        return None if parts is None else _joined_parts(parts)

    def page_parts(self, data: bytes, parser):
        """page_links in parts (see _in_parts): the frame's own not joined with the page's on each page,
        and a link's line worked out only for a link the check reports."""
        end = len(data) - len(self.tail)
        at = data.find(self.middle[:64]) if data.endswith(self.tail) else -1
        while at >= 0 and not data.startswith(self.middle, at):
            at = data.find(self.middle[:64], at + 1)
        if at < 0 or at + len(self.middle) > end:
            return None
        content = data[at + len(self.middle):end]
        if not _settled(content):
            return None
        head = data[:at]
        middle_first = head.count(b"\n") + 1           # the page's line where the middle starts
        content_first = middle_first + self.middle_lines
        head_links = self._head.page_links(head, parser) if self._head is not None else None
        if head_links is UNSETTLED:
            return None
        if head_links is None:
            head_links = _page_links(head, parser)
        content_links = _page_links(content, parser)
        return (set().union(head_links[0], self._middle[0], content_links[0], self._tail[0]),
                ((head_links[1], 0), (self._middle[1], middle_first - 1), (content_links[1], content_first - 1),
                 (self._tail[1], content_first + content.count(b"\n") - 1)))


UNSETTLED = ("unsettled",)   # HeadTemplate.page_links: the page must be parsed whole


class HeadTemplate:
    """A frame's part before its middle, with the holes each page fills: text holes (its title, its URL: one
    value each, wherever they are) and one markup hole (its own head tags). A page's head is the template
    with its values put in (material_adapter.Shell.fill); when it is that, with values that are plain text
    and head tags that leave the parser as they found it, its links and ids are the template's (parsed once,
    in the two parts around the markup hole, the text holes' values put in) and those of its head tags
    (parsed alone): what parsing the head whole gives, in half the time (the head was a quarter of
    the link check's CPU). Used only when that holds for a probe page."""

    PLAIN = re.compile(rb"[^<>&\"'\r\n\t\x00]*")   # a text hole's value: nothing that markup or a line could make of it
    JOINED_KEPT = 64   # joined parts kept by _tags_key

    def __init__(self, before: str, text_holes: list[str], markup_hole: str, parser):
        first, second = before.split(markup_hole)
        self.markup_hole = markup_hole
        split = re.compile("(" + "|".join(map(re.escape, sorted(text_holes, key=len, reverse=True))) + ")") \
            if text_holes else None
        pieces = [first, markup_hole, second] if split is None else \
            split.split(first) + [markup_hole] + split.split(second)
        # constant texts at even places, holes at odd places
        self.pieces = [p.encode("utf-8") if n % 2 == 0 else p for n, p in enumerate(pieces)]
        self.first = _page_links(first.encode("utf-8"), parser)
        self.second = _page_links(second.encode("utf-8"), parser)
        self.first_lines = first.count("\n")
        self._joined: dict[tuple, tuple] = {}   # by _tags_key
        self.text_holes = tuple(text_holes)
        self.marked = _holds(self.first, self.text_holes) or _holds(self.second, self.text_holes)

    @classmethod
    def of(cls, before: str, text_holes, markup_hole: str | None, parser) -> "HeadTemplate | None":
        text_holes = [h for h in text_holes if h]
        if not markup_hole or before.count(markup_hole) != 1 or any(
                markup_hole in h or h in markup_hole for h in text_holes):
            return None
        template = cls(before, text_holes, markup_hole, parser)
        if not all(template.pieces[n] for n in range(2, len(template.pieces) - 1, 2)):
            return None   # two holes side by side: where one value ends would be a guess
        probe = before.replace(markup_hole, '<meta name="gk-probe" content="x">\n<link rel="stylesheet" '
                                            'href="../gk-probe.css">\n<script src="gk-probe.js"></script>\n')
        for n, hole in enumerate(text_holes):
            probe = probe.replace(hole, f"gk-probe-{n}")
        probe_bytes = probe.encode("utf-8")
        return template if template.page_links(probe_bytes, parser) == _page_links(probe_bytes, parser) else None

    def page_links(self, head: bytes, parser) -> tuple[set[str], list[tuple[str, int | None]]] | None:
        """_page_links of a page's head; None when it is not the template filled with plain values (then the
        head is parsed alone), UNSETTLED when its head tags could change how what follows them is parsed (then
        the whole page is)."""
        pieces = self.pieces
        if not head.startswith(pieces[0]):
            return None
        values: dict[str, bytes] = {}
        at = len(pieces[0])
        for n in range(1, len(pieces), 2):
            hole, after = pieces[n], pieces[n + 1]
            end = head.find(after, at) if after else len(head)   # only the last piece may be empty
            if end < 0:
                return None
            value = head[at:end]
            if values.setdefault(hole, value) != value:
                return None
            at = end + len(after)
        if at != len(head):
            return None
        markup = values.pop(self.markup_hole)
        if not _settled(markup):
            return UNSETTLED
        texts = {}
        for hole, value in values.items():
            if self.PLAIN.fullmatch(value) is None:
                return None
            try:
                texts[hole] = value.decode("utf-8")
            except UnicodeDecodeError:
                return None
        lines = markup.count(b"\n")
        key = self._tags_key(markup, lines)
        joined = self._joined.get(key) if key is not None else False
        if joined is None:
            if len(self._joined) >= self.JOINED_KEPT:   # head tags that differ page by page: no memo pays
                self._joined.clear()
            tags, shift = key[0], key[1]
            own = (set(), []) if tags is None else _shifted(_page_links(tags, parser), shift + 1)
            # the holes' values are put in the joined parts: not where the head tags' own hold a hole's text
            joined = self._joined[key] = False if self.marked and _holds(own, self.text_holes) else \
                _Holed(self._join(self.first, own, self.second, lines), self.text_holes)
        if joined:
            if not self.marked:
                return set(joined.ids), list(joined.links)
            filled = joined.filled(texts)
            if filled is not None:
                return filled
        first, second = self.first, self.second
        if self.marked:
            first, second = _filled(first, texts), _filled(second, texts)
        return self._join(first, _page_links(markup, parser) if markup.strip() else (set(), []), second, lines)

    @staticmethod
    def _tags_key(markup: bytes, lines: int) -> tuple | None:
        """What a page's head tags' links and ids follow from, when that is less than their bytes: (None, 0,
        lines) for tags without links or ids (meta tags); (the lines from the first that may hold one, the
        newlines before them, lines) when the lines before hold none and leave the parser as they found it.
        Pages' head tags are mostly their own meta tags, then the same links to style sheets and scripts:
        those are parsed once, not on every page: the 14,387 heads of the 10,000-entry site took 0.35-0.39 s
        against 0.46-0.66 s."""
        found = _MAY_LINK.search(markup)
        if found is None:
            return None, 0, lines
        cut = markup.rfind(b"\n", 0, found.start()) + 1
        if cut and not _settled(markup[:cut]):
            return None
        return markup[cut:], markup.count(b"\n", 0, cut), lines

    def _join(self, first, own, second, lines: int):
        """_joined of the template's two parts and the page's head tags between them (of `lines` newlines)."""
        markup_first = self.first_lines + 1
        return _joined([first, _shifted(own, markup_first), _shifted(second, markup_first + lines)])


# Markup that may hold a link or an id: an href, src or id attribute, or an <a> (whose name is an id). Head tags
# without (meta tags) need no parse.
_MAY_LINK = re.compile(rb"[\s/\"'](?:href|src|id)\s*=|<a[\s/>]", re.IGNORECASE)


def _holds(part: tuple[set[str], list[tuple[str, int | None]]], texts) -> bool:
    """Whether any of a part's ids or links holds one of the texts."""
    ids, links = part
    return any(t in v for t in texts for v in chain(ids, (v for v, _ in links)))


class _Holed:
    """A head template's joined links and ids, with those that hold a text hole picked out: a page's values
    are put in those alone (about one link in ten, the canonical URL)."""

    def __init__(self, part: tuple[set[str], list[tuple[str, int | None]]], holes):
        self.ids, self.links = part
        self.holed_ids = {v for v in self.ids if any(h in v for h in holes)}
        self.holed_at = [n for n, (v, _line) in enumerate(self.links) if any(h in v for h in holes)]
        holed = set(self.holed_at)
        self.plain_values = {v for n, (v, _line) in enumerate(self.links) if n not in holed}

    def filled(self, texts: dict[str, str]):
        """_filled of the part; None when a value put in makes two links or two ids one."""
        links = list(self.links)
        for n in self.holed_at:
            value, line = links[n]
            links[n] = (_fill(value, texts), line)
        values = [links[n][0] for n in self.holed_at]
        if len(set(values)) != len(values) or not self.plain_values.isdisjoint(values):
            return None
        ids = set(self.ids)
        if self.holed_ids:
            ids -= self.holed_ids
            ids.update(_fill(v, texts) for v in self.holed_ids)
            if len(ids) != len(self.ids):
                return None
        return ids, links


def _fill(value: str, texts: dict[str, str]) -> str:
    for hole, text in texts.items():
        if hole in value:
            value = value.replace(hole, text)
    return value


def _filled(part: tuple[set[str], list[tuple[str, int | None]]], texts: dict[str, str]):
    """A template part's links and ids with the text holes' values put in."""
    ids, links = part
    return {_fill(v, texts) for v in ids}, [(_fill(v, texts), line) for v, line in links]


def _shifted(part: tuple[set[str], list[tuple[str, int | None]]], first_line: int):
    """_page_links of a part of a page, from those of the part alone, when it starts on the page's line first_line."""
    ids, links = part
    return ids, [(value, None if line is None else line + first_line - 1) for value, line in links]


def _scan(pages: list[str]):
    """Parse pages (or take them from the parse cache) and judge their links against the site's files.

    Returns each page's verdict, (page key, ids, broken links, links with a fragment, what it depends on),
    and the parse cache entries used. A verdict depends only on the page's bytes, its place and, of the
    site's files, on those its links reach (see _still_holds)."""
    site, files, resolve, cache = _STATE["site"], _STATE["files"], _STATE["resolve"], _STATE["cache"]
    known_keys = _STATE["page_keys"] or {}   # the build's keys of what it wrote: not hashed again
    frames = _STATE["frames"]
    # Kept for every chunk a process scans in one check (a worker takes many): an entry's link comes back in
    # the listing pages of each of its columns and facets, mostly in other chunks.
    split_memo: dict[str, tuple[str, str] | None] = _STATE.setdefault("split_memo", {})
    # depth -> value -> (target, probe): a link good on every page at that depth (it climbs to the root)
    fine: dict[int, dict[str, tuple[str, str | None]]] = _STATE.setdefault("fine", {})
    if len(split_memo) > MEMO_KEPT:   # a site of 100,000 entries: bounded, as a worker's memory is
        split_memo.clear()
        fine.clear()
    root = os.path.join(str(site), "")   # joined as text: a Path per page was a tenth of this loop
    parser = html_parser()
    verdicts, used = {}, {}
    framed = 0   # pages parsed in their own parts (see Frame)
    keep_parses = cache.path is not None   # no parse cache: sending the parses back would only cost memory
    for rel in pages:
        key = known_keys.get(rel)
        scanned = cache.get(key) if key else None
        if scanned is None:
            data = read_bytes(root + rel)
            if key is None and _STATE["keyed"]:
                key = key_of(data)
                scanned = cache.get(key)
            if scanned is None:
                frame = frames.get(rel.count("/"))
                scanned = frame.page_parts(data, parser) if frame is not None else None
                framed += scanned is not None
                if scanned is None:
                    scanned = _in_parts(_page_links(data, parser))
        if keep_parses:
            used[key] = scanned
        page_dir = posixpath.dirname(rel)
        depth = page_dir.count("/") + 1 if page_dir else 0
        fine_here = fine.setdefault(depth, {})
        broken, fragments, reached, probes = [], [], set(), set()
        for value in _values_in_order(scanned[1]):
            known = fine_here.get(value)
            if known is not None:
                reached.add(known[0])
                if known[1] is not None:
                    probes.add(known[1])
                continue
            if value not in split_memo:
                split_memo[value] = _split(value)
            split = split_memo[value]
            if split is None:
                continue
            path, fragment = split
            target, probe = resolve(page_dir, path) if path else (rel, None)
            if probe is not None:
                probes.add(probe)
            if _missing(target, files):
                broken.append((_first_line(scanned[1], value), target))
                continue
            reached.add(target)
            if fragment:
                fragments.append((_first_line(scanned[1], value), target, fragment))
            elif path.startswith("../" * depth):
                fine_here[value] = (target, probe)
        depends = (tuple(sorted(reached)), tuple(sorted((p, p in resolve.dirs) for p in probes)))
        verdicts[rel] = (key, frozenset(scanned[0]), tuple(broken), tuple(fragments), depends)
    return verdicts, used, framed


def _missing(target: str, files: set[str]) -> bool:
    """Whether a link's resolved target is not a file of the site (or climbs out of it)."""
    return target.startswith("..") or target not in files


def _still_holds(verdict: tuple, files: set[str], dirs: set[str], probes_hold: dict | None = None) -> bool:
    """Whether a page's verdict from an earlier build holds in this site: every file its links reached is
    still there, every broken target still missing, every path that was (not) a directory still (not) one.
    probes_hold: what the last of these came to for each tuple of paths, by the tuple's id (the verdict cache
    keeps one tuple for equal ones: pages at one depth probe the same directories)."""
    _key, _ids, broken, _fragments, (reached, probes) = verdict
    if not files.issuperset(reached) or (broken and not all(_missing(t, files) for _line, t in broken)):
        return False
    if probes_hold is None:
        probes_hold = {}
    held = probes_hold.get(id(probes))
    if held is None:
        held = probes_hold[id(probes)] = all((p in dirs) == was for p, was in probes)
    return held


def _dirs_of(files) -> set[str]:
    """Every directory that holds a file, and their parents (str.rpartition is posixpath.dirname for these
    relative paths, without its overhead: 25,000 files a build)."""
    dirs = set()
    for f in files:
        d = f.rpartition("/")[0]
        while d and d not in dirs:
            dirs.add(d)
            d = d.rpartition("/")[0]
    return dirs


def _verdict_key(page_key: bytes, rel: str) -> bytes:
    return key_of(page_key + rel.encode("utf-8"))


def check_site(site_dir: Path, findings: Findings | None = None, cache_root: Path | None = None,
               files: set[str] | None = None, page_keys: dict[str, bytes] | None = None,
               more_files: Callable[[], Iterable[str]] | None = None, frames: dict[int, Frame] | None = None) -> Findings:
    """Check every page of a built site.

    With cache_root, each page's parse is cached by its bytes, and its verdict by its bytes and place, with
    the files its links reached (and missed), under cache_root/.cache/gongkai: the verdict is reused while
    those are as they were, however the rest of the site changed. A build that knows what it wrote passes
    `files` (every file of the site) and `page_keys` (key_of the bytes of each page): then a page whose
    verdict is cached is not even read, so a rebuild that changed or added a few pages checks only those.
    `more_files`, called once the pages in `files` are scanned, returns the files still being written
    meanwhile (by another process): links are judged against them too, and their pages checked. `frames`
    (by a page's depth, its count of '/') are the theme frames most pages were made from (see Frame)."""
    findings = Findings() if findings is None else findings
    site = Path(site_dir)
    if files is None:
        files, dirs = site_files(site)
        page_keys = None   # keys must describe this very tree
    else:
        files, dirs = set(files), _dirs_of(files)
    pages = sorted(f for f in files if f.endswith(".html"))
    code = Path(__file__).read_text(encoding="utf-8")
    frames = {depth: frame for depth, frame in (frames or {}).items() if frame.usable}
    verdicts = _verdicts(site, pages, files, dirs, cache_root, page_keys, code, frames)
    if more_files is not None:
        added = set(more_files()) - files
        files |= added
        more_pages = sorted(f for f in added if f.endswith(".html"))
        if more_pages:   # every page judged again with them (the caches keep only what one pass used)
            pages = sorted(pages + more_pages)
            verdicts = _verdicts(site, pages, files, _dirs_of(files), cache_root, page_keys, code, frames)
    for rel in pages:
        _, _, broken, fragments, _ = verdicts[rel]
        for line, target in broken:
            if _missing(target, files):   # judged again: more_files may have it
                findings.error("GK-LINK-BROKEN", f"site/{rel}", line, f"页面中的链接指向不存在的文件“{target}”，请修改或删除该链接。")
        for line, target, fragment in fragments:
            if target in verdicts and fragment not in verdicts[target][1]:
                findings.error("GK-LINK-ANCHOR", f"site/{rel}", line, f"页面中的链接指向“{target}”里不存在的锚点“#{fragment}”。")
    return findings


def _verdicts(site: Path, pages: list[str], files: set[str], dirs: set[str], cache_root: Path | None,
              page_keys: dict[str, bytes] | None, code: str, frames: dict[int, Frame]) -> dict[str, tuple]:
    """Each page's verdict (see _scan): from the verdict cache while it holds, else scanned on every core."""
    verdict_cache = DiskCache.for_root(cache_root, "link-verdicts", code) if cache_root else DiskCache(None)
    verdicts: dict[str, tuple] = {}
    todo = []
    parsed_in_parts = 0
    reused: set[str] = set()   # pages whose verdict was got under its key: no need to put it again
    probes_hold: dict[int, bool] = {}   # by id: the cached verdicts, which hold the tuples, live meanwhile
    for rel in pages:
        known = page_keys.get(rel) if page_keys else None
        cached = verdict_cache.get(_verdict_key(known, rel)) if known else None
        if cached is not None and cached[0] == known and _still_holds(cached, files, dirs, probes_hold):
            verdicts[rel] = cached
            reused.add(rel)
        else:
            todo.append(rel)
    if todo:
        # Parsing a few pages is cheaper than loading the parse cache of all of them.
        few = len(todo) < min(PARSE_CACHE_FROM, len(pages))
        cache = DiskCache.for_root(cache_root, "links", code) if cache_root and not few else DiskCache(None)
        # a page's key names its parse and verdict in their caches; with both off, pages are not hashed
        _STATE.update(site=site, files=files, resolve=_Resolver(dirs), cache=cache, page_keys=page_keys,
                      frames=frames, keyed=cache.path is not None or verdict_cache.path is not None)
        try:
            chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
            # Merged as each chunk comes (fork_imap_as_cores_free), not all chunks' results held at once. The phase counts
            # the workers' CPU (a fifth of a full build's), which they use beside the search index's child.
            with phases.phase("  link check: pages scanned (with its workers' CPU)", workers=True):
                scans = fork_imap_as_cores_free(_scan, chunks) if len(todo) > CHUNK else [_scan(todo)]
                for scanned, used, framed in scans:
                    verdicts.update(scanned)
                    cache.merge(used)
                    parsed_in_parts += framed
        finally:
            _STATE.clear()
        for rel in pages:
            cache.get(verdicts[rel][0])   # keep the parses of this site's pages that were not read
        cache.save()
    phases.add("link check: pages parsed without their theme frame", 0.0, 0.0, count=parsed_in_parts)
    if verdict_cache.path is not None:   # else nothing keeps them: 15,000 keys and copies for nothing
        shared: dict = {}
        for rel in pages:
            if rel not in reused:
                verdict_cache.put(_verdict_key(verdicts[rel][0], rel), _shared(verdicts[rel], shared))
        verdict_cache.save()
    return verdicts


def _shared(verdict: tuple, memo: dict) -> tuple:
    """The verdict with each of its strings, id sets and (path, is a directory) pairs replaced by the one
    equal object in memo, and so with each tuple of (path, is a directory) pairs (a rebuild judges one such
    tuple once: _still_holds). Pages at one depth reach the same theme files and hold the same frame ids, and
    pickle writes a shared object once: the verdict cache, loaded on every rebuild, is ~2.5x smaller and
    ~4x quicker to load."""
    key, ids, broken, fragments, (reached, probes) = verdict
    one = memo.setdefault
    return (key, one(ids, ids),
            tuple((line, one(target, target)) for line, target in broken),
            tuple((line, one(target, target), one(fragment, fragment)) for line, target, fragment in fragments),
            (tuple(one(target, target) for target in reached), one(probes, tuple(one(probe, probe) for probe in probes))))


EXTERNAL_XPATH = etree.XPath("//a/@href|//img/@src|//iframe/@src|//source/@src|//video/@src|//audio/@src")


def external_links(site_dir: Path) -> dict[str, tuple[str, int | None]]:
    """Every distinct http(s) link of the site, with the first page and line that has it."""
    site = Path(site_dir)
    parser = html_parser()
    found: dict[str, tuple[str, int | None]] = {}
    for rel in sorted(f for f in site_files(site)[0] if f.endswith(".html")):
        root = etree.fromstring((site / rel).read_bytes(), parser)
        for value in EXTERNAL_XPATH(root) if root is not None else []:
            url = str(value).strip()
            if url.startswith(("http://", "https://", "//")) and url not in found:
                found[url] = (rel, value.getparent().sourceline)
    return found


def _status(url: str, timeout: float) -> str | None:
    """None when the URL answers; else a short reason."""
    import urllib.error
    import urllib.request
    request = urllib.request.Request("https:" + url if url.startswith("//") else url, method="HEAD",
                                     headers={"User-Agent": "gongkai-linkcheck"})
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return None
    except urllib.error.HTTPError as exc:
        if exc.code == 405:  # HEAD not allowed: the page exists
            return None
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return str(getattr(exc, "reason", exc))


def check_external(site_dir: Path, findings: Findings | None = None, timeout: float = 10.0,
                   workers: int = 8) -> Findings:
    """External links answer (on request only: it needs the network and is slow)."""
    from concurrent.futures import ThreadPoolExecutor
    findings = Findings() if findings is None else findings
    links = external_links(site_dir)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = dict(zip(links, pool.map(lambda url: _status(url, timeout), links)))
    for url, reason in sorted(results.items()):
        if reason:
            page, line = links[url]
            findings.error("GK-LINK-EXTERNAL", f"site/{page}", line, f"外部链接“{url}”无法访问（{reason}），请确认地址或删除该链接。")
    return findings
