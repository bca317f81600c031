"""Synthetic search corpora for tests and benchmarks (never for demo content).

Entries are recombined sentences of the seed texts, so the character statistics are those of real
government prose; titles, publishers, dates and 文号 are drawn from small fixed lists.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

from gongkai.search_index import SearchDoc

KINDS = ["policy", "interpretation", "notice", "news", "report", "data", "guide", "other"]
VALIDITIES = ["valid", "amended", "abolished", "expired"]
PUBLISHERS = ["示例市人民政府办公室", "示例市发展和改革委员会", "示例市教育局", "示例市财政局",
              "示例市生态环境局", "示例市住房和城乡建设局", "示例市卫生健康委员会", "示例市数据局"]
COLUMNS = [("zcwj", "政策文件"), ("zcjd", "政策解读"), ("tzgg", "通知公告"), ("gzdt", "工作动态"),
           ("sjfb", "数据发布"), ("fgf", "放管服改革"), ("yhyshj", "优化营商环境"), ("mssy", "民生实事")]
TITLE_TAILS = ["的通知", "的意见", "实施方案", "工作要点", "的公告", "管理办法", "的报告", "情况通报"]


def seed_sentences(seed_dir: Path) -> list[str]:
    """Split every seed text into sentence-like pieces of 8..200 characters."""
    pieces: list[str] = []
    for path in sorted(Path(seed_dir).glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for piece in re.split(r"(?<=[。；！？\n])", text):
            piece = piece.strip().lstrip("#-| ").strip()
            if 8 <= len(piece) <= 200:
                pieces.append(piece)
    return pieces


def generate_docs(count: int, seed_dir: Path, *, seed: int = 7, body_sentences: tuple[int, int] = (6, 30),
                  url_suffix: str = "/") -> list[SearchDoc]:
    """`count` deterministic SearchDocs whose bodies are recombined seed sentences."""
    rnd = random.Random(seed)
    sentences = seed_sentences(seed_dir)
    short = [s for s in sentences if len(s) <= 40]
    docs = []
    for i in range(count):
        year = 2016 + rnd.randrange(9)
        published = f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        kind = rnd.choice(KINDS)
        head = rnd.choice(short).rstrip("。；！？，,")
        title = f"关于{head[:24]}{rnd.choice(TITLE_TAILS)}"
        publisher = rnd.choice(PUBLISHERS)
        doc_no = f"示府办〔{year}〕{rnd.randint(1, 300)}号" if kind in ("policy", "notice") else ""
        body = "".join(rnd.choice(sentences) for _ in range(rnd.randint(*body_sentences)))
        columns = sorted(rnd.sample(COLUMNS, rnd.randint(0, 2)))
        docs.append(SearchDoc(
            url=f"xxgk/113700000000000011-{year}-{i:05d}{url_suffix}",
            title=title, doc_no=doc_no, publisher=publisher, published=published, kind=kind,
            validity=rnd.choice(VALIDITIES) if kind == "policy" else "",
            columns=columns, text=body))
    return docs
