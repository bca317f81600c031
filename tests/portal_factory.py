"""Small portals written to a temporary directory, for tests."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from gongkai.checks import run_checks
from gongkai.config import load_config

REPO = Path(__file__).resolve().parents[1]

MKDOCS_YML = """\
site_name: 测试市人民政府信息公开网
site_url: https://www.test.gov.cn/
docs_dir: content
use_directory_urls: {directory_urls}
theme:
  name: material
  custom_dir: {theme}
  language: custom
  font: false
plugins:
  - gongkai:
      interpretation_severity: {interpretation_severity}
      column_severity: warning
      identity:
        sponsor: 测试市人民政府办公室
        site_code: "3799000009"
        icp: 测ICP备00000001号
        police: 测公网安备00000000000001号
        address: 测试市人民路1号
        phone: 0379-00000000
        domain: www.test.gov.cn
nav:
  - 首页: index.md
"""

POLICY = """\
id: 113799000000000011/2024-00001
title: 测试市人民政府关于示例事项的通知
kind: policy
publisher: 测试市人民政府
published: 2024-03-01
topic: 综合政务
validity: valid
body: p1.md
"""

INTERPRETATION = """\
id: 113799000000000011/2024-00002
title: 《测试市人民政府关于示例事项的通知》解读
kind: interpretation
publisher: 测试市人民政府办公室
published: 2024-03-04
interprets: 113799000000000011/2024-00001
form: text
body: i1.md
"""


def write_portal(root: Path, entries: dict[str, str], *, files: dict[str, str | bytes] | None = None,
                 columns: str | None = None, directory_urls: bool = True,
                 interpretation_severity: str = "error") -> Path:
    """Write mkdocs.yml, catalog/ and content/ under root; returns root."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(
        directory_urls=str(directory_urls).lower(), theme=REPO / "theme_overrides",
        interpretation_severity=interpretation_severity), encoding="utf-8")
    (root / "catalog").mkdir(exist_ok=True)
    for name, text in entries.items():
        path = root / "catalog" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else textwrap.dedent(text).encode("utf-8"))
    if columns is not None:
        (root / "catalog" / "columns.yml").write_text(textwrap.dedent(columns), encoding="utf-8")
    content = {"index.md": "# 首页\n\n欢迎访问。\n", "p1.md": "政策正文。\n", "i1.md": "解读正文。\n"}
    content.update(files or {})
    for name, text in content.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return root


def check(root: Path, as_of: dt.date = dt.date(2024, 6, 1)):
    """Run every check; returns (portal, findings)."""
    return run_checks(load_config(root), as_of)


def codes(findings) -> set[str]:
    return {f.code for f in findings}
