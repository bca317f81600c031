"""The fast path writes exactly the HTML Python-Markdown writes, takes plain bodies and refuses the rest."""

from __future__ import annotations

import random

import pytest
from markdown.extensions import Extension

from gongkai import markdown_fast
from gongkai.markdown_render import DEFAULT_EXTENSIONS, BodyRenderer
from gongkai.synthetic import CorpusSpec, generate
from gongkai.textfiles import read_text
from seeds import SEEDS

DEMO = (DEFAULT_EXTENSIONS, {"toc": {"permalink": False}})
MKDOCS = (["toc", "tables", "fenced_code", *DEFAULT_EXTENSIONS[2:]], {"toc": {"permalink": False}})
SETUPS = {                       # extension sets the fast path accepts, each shaping the HTML its own way
    "demo": DEMO,
    "as MkDocs passes the demo's": MKDOCS,
    "no configs": (DEFAULT_EXTENSIONS, {}),
    "full names, toc settings that leave bodies alone": (
        [f"markdown.extensions.{name}" for name in DEFAULT_EXTENSIONS],
        {"markdown.extensions.toc": {"permalink": 0, "title": "目录", "toc_depth": "2-3", "marker": ""}}),
    "without sane_lists": ([e for e in DEFAULT_EXTENSIONS if e != "sane_lists"], {}),
    "without toc": ([e for e in DEFAULT_EXTENSIONS if e != "toc"], {}),
    "only sane_lists": (["sane_lists"], {}),
}

PLAIN_BODY = """\
为深入贯彻落实《中华人民共和国政府信息公开条例》，现就做好2026年政务公开工作通知如下。

## 一、总体要求

坚持以公开为常态、不公开为例外，推进决策、执行、管理、服务、结果公开。
各地区各部门要结合实际抓好落实。

## 二、重点任务
1. 加强政策解读。
2. 做好回应关切。

- 完善公开平台
- 规范依申请公开

## 二、重点任务 ##
3.公共资源配置领域信息公开。
"""

PLAIN_HTML = """\
<p>为深入贯彻落实《中华人民共和国政府信息公开条例》，现就做好2026年政务公开工作通知如下。</p>
<h2 id="_1">一、总体要求</h2>
<p>坚持以公开为常态、不公开为例外，推进决策、执行、管理、服务、结果公开。
各地区各部门要结合实际抓好落实。</p>
<h2 id="_2">二、重点任务</h2>
<ol>
<li>加强政策解读。</li>
<li>做好回应关切。</li>
</ol>
<ul>
<li>完善公开平台</li>
<li>规范依申请公开</li>
</ul>
<h2 id="_3">二、重点任务</h2>
<p>3.公共资源配置领域信息公开。</p>"""

# One body for each way a body can leave the subset (or come near its edge).
NEAR_MISSES = {
    "image": "详见![图](a.png)。",
    "link with a title": "详见[条例](a.md \"标题\")。",
    "link in angle brackets": "详见[条例](<a.md>)。",
    "link with a space": "详见[条例](a b.md)。",
    "link to a web address": "详见[网站](https://www.gov.cn/)。",
    "link with a fragment": "详见[条例](a.md#第一条)。",
    "reference link": "详见[条例][1]。\n\n[1]: a.md",
    "link in a heading": "## 见[条例](a.md)",
    "empty link text": "详见[](a.md)。",
    "link text with emphasis": "详见[*条例*](a.md)。",
    "link text with an entity": "详见[甲&amp;乙](a.md)。",
    "footnote-like link": "见[^1](a.md)。",
    "nested brackets": "详见[[条例]](a.md)。",
    "link mark in a body with a link": "正文\u241a[条例](a.md)。",
    "inline html": "公开<span>平台</span>。",
    "entity": "公开 &amp; 透明。",
    "emphasis": "坚持*公开*为常态。",
    "strong in a heading": "## **问：如何申请？**\n\n答：在线申请。",
    "strong in a list item": "- **问：**如何申请？",
    "strong text ending with a space": "**问：如何申请？ **",
    "strong spans that touch": "**问****答**",
    "three asterisks": "***问：如何申请？***",
    "an odd pair": "**问：如何申请？",
    "underscore": "文件_第一号。",
    "code": "编号 `A1`。",
    "escape": "转义 \\* 号。",
    "footnote": "见注释[^1]。\n\n[^1]: 注释。",
    "attribute list": "## 标题 {#id}",
    "table": "事项 | 时限\n--- | ---\n解读 | 3日",
    "pipe": "甲|乙",
    "fence": "~~~\n代码\n~~~",
    "tilde": "约~5天。",
    "admonition": "!!! note \"提示\"\n    内容。",
    "exclamation start": "!提示。",
    "setext h1": "标题\n===",
    "setext h2": "标题\n---",
    "rule": "正文\n\n- - -\n\n正文",
    "blockquote": "> 引用内容。",
    "indented code": "    代码块",
    "indented line": "正文\n  缩进行",
    "tab": "正文\t制表。",
    "lazy continuation": "1. 第一项\n接续行",
    "nested list": "- 第一项\n    - 嵌套",
    "loose ordered list": "1. 第一项\n\n2. 第二项",
    "loose bullet list": "- 第一项\n\n- 第二项",
    "ordered then bullet in one block": "1. 第一项\n- 第二项",
    "empty item": "- \n- 第二项",
    "item starting a block": "- # 标题",
    "plus start": "+正文",
    "equals start": "=正文",
    "dash start": "-正文",
    "list marker in a paragraph": "正文\n1. 非列表",
    "hash in a paragraph": "C#语言。",
    "hash in a heading": "## C# 语言",
    "closing hashes then space": "## 标题 ## ",
    "seven hashes": "####### 七级",
    "empty heading": "##",
    "line break": "第一行  \n第二行",
    "bom": "\ufeff正文。",
    "control character": "正文\x0b。",
    "whitespace-only first line": "  \n正文",
    "ideographic-space-only line": "正文\n\u3000\n正文",
    "toc marker text": "[TOC]",
    "raw html block": "<div markdown=\"1\">\n正文\n</div>",
}

WORDS = ["政务公开", "各级行政机关", "应当", "及时", "主动公开", "政府信息", "（一）", "《条例》", "“一网通办”", "①"]
PROSE = WORDS * 3 + ["，", "。", "、", "2026年", "第3条", " ", "Hello", "World", "a > b", "!", "(", ")", "=", "-", "+",
                     ":", "\"", "'", "/", "%", "@", "$", "^", "1.5", "3.", "1)", "\u3000", "\xa0", "ＡＢ", "．",
                     "[《条例》](a.md)", "[附件1](../attachments/b-1.pdf)", "[Annual 2026](c/d.md)", "[ 甲 ](e.md)"]
HEADINGS = ["一、总体要求", "二、重点任务", "一、总体要求", "Annual Report", "Annual Report", "2026 Plan", "_1",
            "a > b", "附件", "（一）主要内容"]
PARAGRAPH_STARTS = ["", "", "", "", "\u3000\u3000", "\u3000", "1)", "3.5", "2026年", "1.公开"]
LINE_ENDS = ["", "", "", " ", "\u3000"]
SEPARATORS = ["\n\n"] * 6 + ["\n", "\n", "\n\n\n", "\n   \n", "\r\n\r\n", "\r\r"]
# Near misses, put into a body's lines at random.
SPECIAL = list("<>&*_`\\[]{}|~#!\t\r\x0b\x02\ufeff\u2028\x85") + ["  \n", "[^1]", "&amp;", "<b>", "**", "{: .x}",
                                                                  "![图](a.png)", "[a](b c)", "[a](<b>)", "[a][b]", "[](x.md)"]
NEAR_STARTS = ["####### ", "-  ", "-", ">", "> ", "=", "+", "!!! note ", "!", "    ", "  ", " ", "\t", "[^1]: ", "| ",
               "~~~", "```", "1. - ", "- # ", "- > ", "- 1. ", "1. ", "- ", "* ", "## ", "1.", "\u3000"]
NEAR_ENDS = ["  ", " ## ", " \r", "\t", " {#x}", " #", "##"]
NEAR_LINES = ["===", "---", "- - -", "***", "___", "", "   ", "\u3000", " \t ", "-", "1. ", "- ", "#", "##", "[TOC]"]


def _prose(rng: random.Random) -> str:
    return rng.choice(WORDS) + "".join(rng.choice(PROSE) for _ in range(rng.randint(0, 7)))


def _item(rng: random.Random) -> str:
    return rng.choice(["", "", "", "\u3000", "\xa0"]) + _prose(rng) + rng.choice(LINE_ENDS + ["  "])


def _block(rng: random.Random) -> list[str]:
    kind = rng.choice(["paragraph"] * 3 + ["heading"] * 2 + ["ordered", "bullets"])
    if kind == "heading":
        text = rng.choice(HEADINGS) if rng.random() < 0.7 else _prose(rng)
        return ["#" * rng.choice([1, 2, 2, 3, 6]) + rng.choice([" ", " ", "", "  ", "\u3000"]) + text
                + rng.choice(["", "", " #", " ##", "##", "  ", "\u3000##"])]
    count = rng.randint(1, 4)
    if kind == "ordered":
        first = rng.choice([1, 1, 1, 3, 10])
        return [f"{first + i}.{rng.choice([' ', ' ', '  '])}{_item(rng)}" for i in range(count)]
    if kind == "bullets":
        marker = rng.choice("-*+")
        return [f"{rng.choice([marker] * 3 + ['-', '*', '+'])} {_item(rng)}" for _ in range(count)]
    return [rng.choice(PARAGRAPH_STARTS) + _prose(rng) + rng.choice(LINE_ENDS) for _ in range(count)]


def _near_miss(rng: random.Random, line: str) -> str:
    way = rng.randrange(4)
    if way == 0:
        at = rng.randrange(len(line) + 1)
        return line[:at] + rng.choice(SPECIAL) + line[at:]
    if way == 1:
        return rng.choice(NEAR_STARTS) + line
    if way == 2:
        return line + rng.choice(NEAR_ENDS)
    return rng.choice(NEAR_LINES)


def random_body(rng: random.Random) -> str:
    """Paragraphs, headings and lists as bodies have them, some lines changed into a near miss."""
    risk = rng.choice([0.0, 0.0, 0.03, 0.1, 0.3])
    body = ""
    for _ in range(rng.randint(0, 8)):
        lines = [_near_miss(rng, line) if rng.random() < risk else line for line in _block(rng)]
        body += "\n".join(lines) + rng.choice(SEPARATORS)
    if rng.random() < 0.1:
        body = body.replace("\n", "\r\n")
    return rng.choice(["", "", "", "\n", "\n\n", " ", "\ufeff"]) + body + rng.choice(["", "", "\n", "  "])


def _renderers(setup=DEMO) -> tuple[BodyRenderer, BodyRenderer]:
    """(a renderer with the fast path, one without it: Python-Markdown's HTML)."""
    extensions, configs = setup
    fast, full = BodyRenderer(True, {}, extensions, configs), BodyRenderer(True, {}, extensions, configs)
    assert fast.fast is not None, "the fast path is off for this setup"
    full.fast = None
    return fast, full


def _html(renderer: BodyRenderer, text: str) -> str:
    return renderer.render(text, "texts/a.md", "xxgk/a/index.html")


def _assert_same(texts, setup=DEMO, search_whole_body=True) -> markdown_fast.FastPath:
    """Every text: the fast path refuses it or writes Python-Markdown's HTML. Returns the fast path."""
    with_fast, full = _renderers(setup)
    with_fast.fast.search_whole_body = search_whole_body
    with_fast.source, with_fast.page_file = "texts/a.md", "xxgk/a/index.html"   # as _html renders with
    for text in texts:
        html = with_fast.fast.render(text)
        if html is not None:
            assert html == _html(full, text), repr(text)
    return with_fast.fast


@pytest.mark.parametrize("setup", SETUPS)
def test_random_bodies_render_as_python_markdown_renders_them(setup):
    rng = random.Random(20261128)
    count = 4000 if setup == "demo" else 1200
    bodies = [random_body(rng) for _ in range(count)]
    fast = _assert_same(bodies, SETUPS[setup])
    # the comparison means something only if both answers are common
    assert fast.taken > count // 5 and fast.refused > count // 5, (fast.taken, fast.refused)


def test_texts_searched_one_by_one_for_inline_syntax_render_the_same():
    """The path taken for a trigger with anchors, or a body in which some pattern matches somewhere."""
    rng = random.Random(20261129)
    fast = _assert_same([random_body(rng) for _ in range(1500)], search_whole_body=False)
    assert fast.taken > 300


@pytest.mark.parametrize("kind", NEAR_MISSES)
def test_near_misses_are_refused_and_render_as_python_markdown_renders_them(kind):
    with_fast, full = _renderers()
    assert with_fast.fast.render(NEAR_MISSES[kind]) is None
    assert _html(with_fast, NEAR_MISSES[kind]) == _html(full, NEAR_MISSES[kind])
    assert with_fast.fast.refused == 2 and with_fast.fast.taken == 0


def test_bodies_with_plain_links_take_the_fast_path_and_links_are_rewritten():
    """An interpretation links its policy: plain inline links (in paragraphs and list items, side by side, at a
    paragraph's start) are written here, re-pointed as the renderer re-points Python-Markdown's."""
    body = ("为便于理解[示例市关于印发《管理办法》的通知](policy-a.md)（示政规〔2026〕1号），现解读如下。\n\n"
            "[附件1](../attachments/b-1.pdf)[附件2](../attachments/b-2.pdf)\n\n"
            "- 原文：[办法](policy-a.md)\n- 关于：[本站](../about.md)\n\n1. [Annual Report 2026](c/d.md) a > b")
    pages = {"texts/policy-a.md": "xxgk/policy-a/"}
    for setup in (DEMO, MKDOCS):
        fast, full = BodyRenderer(True, pages, *setup), BodyRenderer(True, pages, *setup)
        full.fast = None
        html = _html(fast, body)
        assert html == _html(full, body)
        assert fast.fast.taken == 1 and '<a href="../policy-a/">示例市关于印发《管理办法》的通知</a>' in html


def test_strong_questions_take_the_fast_path():
    """An interpretation's questions in bold, as 政策解读 set them: `**strong**` spans in paragraphs are written
    here, as Python-Markdown writes them, on random paragraphs of asterisks, spaces and prose too."""
    body = ("**问：如何申请？**\n\n答：在线申请，**三个工作日**内答复。\n**问：**费用？\n\n"
            "为便于理解[办法](policy-a.md)，**现解读如下**。")
    fast, full = _renderers()
    html = _html(fast, body)
    assert html == _html(full, body) and fast.fast.taken == 1
    assert "<p><strong>问：如何申请？</strong></p>" in html
    rng = random.Random(20261207)
    bits = ["**", "**", "*", "***", " ", "\u3000", "问", "答：", "？", "a", "\n", "1. ", "- ", "[办法](policy-a.md)", ">"]
    paragraphs = ["".join(rng.choice(bits) for _ in range(rng.randint(1, 9))) for _ in range(6000)]
    checked = _assert_same([rng.choice(["", "前言。\n\n"]) + p + rng.choice(["", "\n\n**问：一？**"]) for p in paragraphs])
    assert checked.taken > 600 and checked.refused > 600, (checked.taken, checked.refused)


def test_a_typical_plain_body_takes_the_fast_path():
    renderer = BodyRenderer(True, {}, *DEMO)
    assert _html(renderer, PLAIN_BODY) == PLAIN_HTML
    assert renderer.fast.taken == 1 and renderer.fast.refused == 0
    assert renderer.md.treeprocessors["inline"].skipped == 0       # Python-Markdown did not run
    _, full = _renderers()
    assert _html(full, PLAIN_BODY) == PLAIN_HTML


@pytest.mark.parametrize("variant", ["crlf", "bare cr", "blank lines of spaces", "trailing spaces", "no final newline",
                                     "duplicate ascii headings", "start number", "empty", "whitespace only"])
def test_whitespace_and_numbering_variants_take_the_fast_path(variant):
    text = {
        "crlf": PLAIN_BODY.replace("\n", "\r\n"),
        "bare cr": PLAIN_BODY.replace("\n", "\r"),
        "blank lines of spaces": PLAIN_BODY.replace("\n\n", "\n   \n\n \n"),
        "trailing spaces": PLAIN_BODY.replace("。\n", "。 \n"),
        "no final newline": PLAIN_BODY.rstrip("\n"),
        "duplicate ascii headings": "## Annual Report 2026\n\n正文。\n\n## Annual Report 2026\n\n# 附件",
        "start number": "3. 第三项\n4. 第四项",
        "empty": "",
        "whitespace only": " \n\u3000\n\n",
    }[variant]
    fast = _assert_same([text])
    assert fast.taken == 1


def test_seed_documents_and_their_paragraphs_render_as_python_markdown_renders_them():
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    assert seeds, "the seed documents are missing"
    paragraphs = [part for seed in seeds for part in seed.split("\n") if part.strip()]
    fast = _assert_same(seeds + paragraphs)
    assert fast.taken > len(paragraphs) // 2


def test_every_body_of_a_synthetic_corpus_renders_as_python_markdown_renders_it(tmp_path):
    generate(tmp_path, CorpusSpec(entries=300, seed=11, seed_texts=SEEDS if SEEDS.is_dir() else None))
    bodies = [read_text(p) for p in sorted((tmp_path / "content").rglob("*.md"))]
    assert len(bodies) > 200
    fast = _assert_same(bodies, MKDOCS)
    assert fast.taken > len(bodies) * 3 // 4      # interpretations (a link to their policy) too


class _Strike(Extension):
    def extendMarkdown(self, md):
        pass


@pytest.mark.parametrize("extensions, configs", [
    (DEFAULT_EXTENSIONS, {"toc": {"permalink": True}}),
    (DEFAULT_EXTENSIONS, {"toc": {"anchorlink": True}}),
    (DEFAULT_EXTENSIONS, {"toc": {"baselevel": 2}}),
    (DEFAULT_EXTENSIONS, {"toc": {"separator": "_"}}),
    (DEFAULT_EXTENSIONS, {"toc": {"slugify": lambda value, separator: value}}),
    (DEFAULT_EXTENSIONS, {"toc": {"marker": "目录"}}),
    (DEFAULT_EXTENSIONS, {"footnotes": {"BACKLINK_TEXT": "↩"}}),
    (DEFAULT_EXTENSIONS + ["abbr"], {}),
    (DEFAULT_EXTENSIONS + ["nl2br"], {}),
    (DEFAULT_EXTENSIONS + ["extra"], {}),
    (DEFAULT_EXTENSIONS + [_Strike()], {}),
], ids=["permalink", "anchorlink", "baselevel", "separator", "slugify", "marker", "footnotes config", "abbr",
        "nl2br", "extra", "extension object"])
def test_settings_not_reproduced_turn_the_fast_path_off(extensions, configs):
    assert BodyRenderer(True, {}, extensions, configs).fast is None


def test_an_unverified_markdown_version_turns_the_fast_path_off(monkeypatch):
    monkeypatch.setattr(markdown_fast, "VERIFIED_VERSIONS", set())
    assert BodyRenderer(True, {}, *DEMO).fast is None


def test_the_demo_and_mkdocs_settings_take_the_fast_path():
    import markdown
    assert tuple(markdown.__version_info__[:2]) in markdown_fast.VERIFIED_VERSIONS, (
        f"Python-Markdown {markdown.__version__} is not among markdown_fast.VERIFIED_VERSIONS: add it there and "
        "run this file; the fast path stays off (bodies go through Python-Markdown) until its tests pass")
    for setup in (DEMO, MKDOCS):
        assert BodyRenderer(True, {}, *setup).fast is not None
    assert isinstance(BodyRenderer(True, {}).fast, markdown_fast.FastPath)


def test_what_a_body_clear_of_never_can_hold_of_each_stock_trigger_part():
    """_LEFT_BY_NEVER's claim, checked on every character (and the line break's two spaces): where a part
    matches a text _NEVER finds nothing in, one of its strings is in that text."""
    import re
    candidates = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000] + ["  \n"]
    for part, left in markdown_fast._LEFT_BY_NEVER.items():
        expression = re.compile(part, re.DOTALL)
        for text in candidates:
            if expression.search(text) and not markdown_fast._NEVER.search(text):
                assert any(s in text for s in left), (part, text)


def test_a_stock_trigger_is_cleared_by_two_strings_and_any_other_is_searched():
    import markdown
    from markdown.inlinepatterns import SimpleTagInlineProcessor
    for setup in (DEMO, MKDOCS):
        assert BodyRenderer(True, {}, *setup).fast.left_by_never == ("  \n", "*")
    md = markdown.Markdown(extensions=DEFAULT_EXTENSIONS)
    md.inlinePatterns.register(SimpleTagInlineProcessor(r"(==)(.+?)==", "mark"), "mark", 65)
    fast = markdown_fast.for_markdown(md, DEFAULT_EXTENSIONS, {})
    assert fast.left_by_never is None
    assert fast.render("标记==重点==内容。") is None and fast.render("没有标记的内容。") == "<p>没有标记的内容。</p>"


@pytest.mark.parametrize("body", ["第一行  \n第二行", "答复  \n\n下一段", "- 第一项  \n- 第二项", "一*二", "**问：**答复"])
def test_bodies_holding_what_the_trigger_leaves_render_as_python_markdown_renders_them(body):
    fast = _assert_same([body, body + "\n\n## 标题\n\n正文。"])
    assert fast.taken + fast.refused == 2
