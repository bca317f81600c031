"""Python-Markdown's inline stage, minus its work on text that no inline pattern can match.

The inline stage tries each of its ~15 patterns on every text node, with several Python calls per
pattern; a policy text is long paragraphs of Chinese with no `*`, `[`, `<`, `&` or backtick in them,
so nearly all of that finds nothing, and it is over a third of the time markdown takes on such bodies.
Here a text in which no pattern can match is returned as it came, which is what the full loop returns
for it too; any other text takes the full loop, so the HTML is unchanged.

"Can match" is judged by one search: Python-Markdown's own patterns each need a character that plain
prose lacks (a link needs `[`, inline HTML `<`, ...); any other pattern, an extension's, adds its own
expression to the search.
"""

from __future__ import annotations

import re

from markdown import inlinepatterns, treeprocessors, util
from markdown.extensions import footnotes

# A stock pattern's expression -> what any text it matches contains.
_NEEDS = {
    inlinepatterns.BACKTICK_RE: r"[`\\]",
    inlinepatterns.ESCAPE_RE: r"\\",
    inlinepatterns.LINK_RE: r"\[",            # also the reference patterns' expression
    inlinepatterns.IMAGE_LINK_RE: r"\[",      # also the image reference patterns'
    inlinepatterns.AUTOLINK_RE: "<",
    inlinepatterns.AUTOMAIL_RE: "<",
    inlinepatterns.HTML_RE: "<",
    inlinepatterns.ENTITY_RE: "&",
    inlinepatterns.LINE_BREAK_RE: "  \n",
    r"\[\^([^\]]*)\]": r"\[",             # the footnote marker's (a local of footnotes.py)
}
_STOCK_MODULES = {inlinepatterns.__name__, footnotes.__name__}


def _needed(pattern) -> str:
    """A regular expression that every text the pattern can match contains a match of."""
    if type(pattern).__module__ in _STOCK_MODULES:
        if isinstance(pattern, inlinepatterns.DelimiterProcessor):
            return pattern.pattern                   # its delimiters, e.g. \*|_
        if pattern.pattern in _NEEDS:
            return _NEEDS[pattern.pattern]
    return pattern.pattern if isinstance(pattern, inlinepatterns.InlineProcessor) else ""


def trigger_parts(patterns) -> list[str] | None:
    """The distinct expressions _needed gives the patterns, in their order; None when a pattern is of the
    old style (it matches a rewritten expression against a slice: not judged here)."""
    parts = []
    for pattern in patterns:
        needed = _needed(pattern)
        if not needed:
            return None
        parts.append(needed)
    return list(dict.fromkeys(parts))


def trigger_expression(patterns) -> re.Pattern | None:
    """One expression that finds something in every text some pattern matches (None: see trigger_parts)."""
    parts = trigger_parts(patterns)
    return None if parts is None else expression_of(parts)


def expression_of(parts: list[str]) -> re.Pattern:
    """The trigger made of trigger_parts' expressions."""
    return re.compile("|".join(f"(?:{part})" for part in parts) or r"(?!)", re.DOTALL | re.UNICODE)


class QuickInlineProcessor(treeprocessors.InlineProcessor):
    """InlineProcessor that skips the pattern loop for texts in which no pattern can match."""

    def __init__(self, md):
        super().__init__(md)
        self.trigger = None       # trigger_expression of the patterns, per document (None: run in full)
        self._made_for = None
        self.skipped = 0          # texts returned untouched (tests read this)

    def run(self, tree, ancestors=None):
        patterns = list(self.inlinePatterns)
        made_for = [(id(p), p.pattern) for p in patterns]
        if made_for != self._made_for:      # the registry changed (or first use): judge it again
            self.trigger, self._made_for = trigger_expression(patterns), made_for
        return super().run(tree, ancestors)

    # Overrides the name-mangled InlineProcessor.__handleInline, which run() calls on every text (and
    # patterns call on the text inside a link or emphasis: a subset of the patterns, so a subset of
    # what the trigger finds).
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if self.trigger is not None and not isinstance(data, util.AtomicString) and not self.trigger.search(data):
            self.skipped += 1
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)


def install(md) -> None:
    """Put the quick inline stage in place of md's own (same name and priority, so the patterns that look
    it up by name, as the link and HTML ones do, find it)."""
    md.treeprocessors.register(QuickInlineProcessor(md), "inline", 20)
