"""plain_text (search and snippet text of a body) gives what one pass of a single expression gives:
syntax runs dropped, each link's text kept as written (its own syntax characters too)."""

import random
import re

from gongkai.markdown_render import plain_text
from seeds import SEEDS

_ONE_PASS = re.compile(r"(!?\[([^\]]*)\]\([^)]*\))|[#>*_`|~-]{1,}")


def one_pass(markdown_text: str) -> str:
    text = re.sub(r"<[^>]+>", " ", markdown_text)
    text = _ONE_PASS.sub(lambda m: m.group(2) or " ", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def test_examples():
    assert plain_text("## 一、总体要求\n\n见[**附件**一](a.md)与![](b.png)。<b>粗</b> a_b") == "一、总体要求\n\n见**附件**一与 。 粗 a b"


def test_same_as_one_pass_on_random_and_seed_texts():
    rng = random.Random(3)
    alphabet = list("#>*_`|~-[]()!<> \t\n中文ab")
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(20000)]
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    assert seeds
    texts += seeds + [f"{a}[{b}]({a}){b}" for a, b in zip(seeds, reversed(seeds))]
    for text in texts:
        assert plain_text(text) == one_pass(text), repr(text)
