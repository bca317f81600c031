"""The quick inline stage writes exactly the HTML of Python-Markdown's own, and skips plain prose."""

import random

import markdown
import pytest
from markdown.extensions import Extension
from markdown.inlinepatterns import SimpleTagInlineProcessor

from gongkai import markdown_inline
from gongkai.markdown_render import DEFAULT_EXTENSIONS, BodyRenderer
from seeds import SEEDS

RICH = """\
# 示例市关于*进一步*做好政务公开工作的通知 {#notice .lead}

各区人民政府，市政府各部门：为落实《条例》[第二十条](../texts/other.md#art20 "条例")，现通知如下。

一、**总体要求**。坚持以公开为常态、_不公开为例外_，详见 <https://www.gov.cn/> 或来信 <gkb@example.gov.cn>。
第二行以两个空格结尾  
第三行。脚注在此[^1]，实体 &amp; 与 &#169;，行内代码 `a*b*c` 与转义 \\*不是强调\\*。

![示意图](../attachments/map.png){: width="50%" }

<span class="note">行内 HTML</span> 与 <!-- 注释 --> 和 a_b_c 与 5*3*2。

| 事项 | 时限 |
| --- | --- |
| 政策解读 | **3** 个工作日 |
| 链接 | [目录][ml] |

!!! note "提示"
    提示中的 *强调* 与 [链接](https://example.com)。

1. 第一项
    - 嵌套 **粗体**
2. 第二项 ![][img]

<div markdown="1">
块内 *markdown* 与 [链接][ml]。
</div>

[ml]: ../ml/index.md
[img]: ../attachments/x.png
[^1]: 脚注正文，含 `代码`。
"""

ALPHABET = list("政务公开条例通知 \n\n") + ["*", "**", "_", "__", "[", "]", "(", ")", "<", ">", "&", ";", "`",
                                          "\\", "!", "  \n", "[^1]", "#", "{", "}", ":", "&amp;", "<b>", "</b>",
                                          "http://a.b/", "@", "|", "-", "1. ", "\n\n[^1]: 注\n"]


def _stock():
    return markdown.Markdown(extensions=list(DEFAULT_EXTENSIONS))


def _quick():
    md = _stock()
    markdown_inline.install(md)
    return md


def _same_html(texts, stock, quick):
    for text in texts:
        stock.reset()
        quick.reset()
        assert quick.convert(text) == stock.convert(text), text


def test_rich_markdown_and_the_seed_documents_render_as_python_markdown_renders_them():
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    assert seeds, "the seed documents are missing"
    _same_html([RICH, RICH.replace("\n", "\r\n")] + seeds, _stock(), _quick())


def test_random_texts_of_markdown_syntax_render_as_python_markdown_renders_them():
    rng = random.Random(20261127)
    texts = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 60))) for _ in range(600)]
    _same_html(texts, _stock(), _quick())


def test_plain_prose_skips_the_pattern_loop_and_syntax_does_not():
    md = _quick()
    md.convert("各级行政机关要统筹推进政策解读和回应关切工作。\n\n确保各项任务落到实处。")
    assert md.treeprocessors["inline"].skipped == 2
    md.reset()
    assert md.convert("公开 &amp; 透明") == "<p>公开 &amp; 透明</p>"
    assert md.treeprocessors["inline"].skipped == 2


def test_entry_bodies_are_rendered_by_the_quick_inline_stage():
    renderer = BodyRenderer(True, {})
    # a quotation: out of the fast path's subset (markdown_fast), so Python-Markdown renders it
    html = renderer.render("> 公开为常态，不公开为例外。", "texts/a.md", "xxgk/a/index.html")
    assert html == "<blockquote>\n<p>公开为常态，不公开为例外。</p>\n</blockquote>"
    assert renderer.md.treeprocessors["inline"].skipped == 1


class _Strike(Extension):
    """An extension's own pattern (~~text~~) that needs none of the stock triggers."""

    def extendMarkdown(self, md):
        md.inlinePatterns.register(SimpleTagInlineProcessor(r"(~~)(.+?)~~", "del"), "strike", 65)


@pytest.mark.parametrize("order", ["installed first", "installed last"])
def test_an_extensions_pattern_is_still_applied(order):
    if order == "installed first":
        md = _quick()
        _Strike().extendMarkdown(md)
    else:
        md = markdown.Markdown(extensions=list(DEFAULT_EXTENSIONS) + [_Strike()])
        markdown_inline.install(md)
    assert md.convert("删去~~旧条款~~。") == "<p>删去<del>旧条款</del>。</p>"
