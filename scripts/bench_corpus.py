"""Benchmark corpora: one synthetic portal and the same markdown for plain Material and Hugo.

Used by scripts/bench. The Material baseline is a plain MkDocs project (theme material,
its default search plugin with Chinese segmentation) whose pages are the public entries'
bodies with a title heading, all outside the navigation. The Hugo baseline is the same
markdown with minimal templates.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))

from gongkai.config import load_config  # noqa: E402
from gongkai.loader import load_portal  # noqa: E402
from gongkai.synthetic import MARKDOWN_EXTENSIONS_YML, CorpusSpec, generate, use_theme  # noqa: E402

SEED_TEXTS = next((p for p in (Path(__file__).resolve().parents[2] / "shared" / "seeds", Path("/work/shared/seeds"))
                   if p.is_dir()), Path("/work/shared/seeds"))

MATERIAL_YML = """site_name: 示例市人民政府信息公开网（Material 基线）
site_url: https://www.shili.gov.cn/
docs_dir: docs
use_directory_urls: true
theme:
  name: material
  language: zh
  font: false
plugins:
  - search:
      lang: zh
not_in_nav: |
  /xxgk/**
nav:
  - 首页: index.md
{markdown_extensions}"""
HUGO_TOML = """baseURL = "https://www.shili.gov.cn/"
languageCode = "zh-cn"
title = "示例市人民政府信息公开网（Hugo 基线）"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
hasCJKLanguage = true
[markup.goldmark.renderer]
unsafe = true
"""
HUGO_SINGLE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>{{ .Content }}</main></body></html>
"""
HUGO_LIST = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></main></body></html>
"""


def corpus_dir(work: Path, entries: int, seed: int) -> Path:
    return work / f"n{entries}-s{seed}"


def prepare(work: Path, entries: int, seed: int, as_of: dt.date) -> Path:
    """Generate the corpus and both baselines once; reuse them when already there."""
    base = corpus_dir(work, entries, seed)
    stamp = base / "ready.json"
    if stamp.is_file():
        use_theme(base / "portal")   # made by another checkout, maybe: this one's theme is measured
        return base
    shutil.rmtree(base, ignore_errors=True)
    portal_dir = base / "portal"
    generate(portal_dir, CorpusSpec(entries=entries, seed=seed, seed_texts=SEED_TEXTS if SEED_TEXTS.is_dir() else None),
             jobs=2 if entries >= 2000 else 1)
    portal = load_portal(load_config(portal_dir), as_of)
    material, hugo = base / "material", base / "hugo"
    (material / "docs" / "xxgk").mkdir(parents=True)
    (material / "mkdocs.yml").write_text(MATERIAL_YML.format(markdown_extensions=MARKDOWN_EXTENSIONS_YML), encoding="utf-8")
    (material / "docs" / "index.md").write_text("# 示例市人民政府信息公开网\n\nMaterial 基线站点。\n", encoding="utf-8")
    (hugo / "content" / "xxgk").mkdir(parents=True)
    (hugo / "layouts" / "_default").mkdir(parents=True)
    (hugo / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
    (hugo / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (hugo / "layouts" / "_default" / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    (hugo / "layouts" / "index.html").write_text(HUGO_LIST, encoding="utf-8")
    (hugo / "content" / "_index.md").write_text("---\ntitle: 首页\n---\n", encoding="utf-8")
    count = 0
    for entry in portal.public_entries:
        if not entry.body:
            continue
        body = portal.body_text(entry)
        (material / "docs" / "xxgk" / f"{entry.slug}.md").write_text(f"# {entry.title}\n\n{body}", encoding="utf-8")
        front = f"---\ntitle: {json.dumps(entry.title, ensure_ascii=False)}\ndate: {entry.published.isoformat()}\n---\n\n"
        (hugo / "content" / "xxgk" / f"{entry.slug}.md").write_text(front + body, encoding="utf-8")
        count += 1
    stamp.write_text(json.dumps({"entries": entries, "seed": seed, "pages": count}), encoding="utf-8")
    return base
