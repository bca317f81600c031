"""`gongkai new KIND`: a new entry with the next free 索引号 and its markdown body."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from .config import PortalConfig
from .loader import ID_PATTERN, entry_files
from .model import FORMS, KINDS

_SERIAL = re.compile(r"^(?P<org>[0-9A-Z]{9,18})/(?P<year>\d{4})-(?P<serial>\d+)$")


def existing_ids(config: PortalConfig) -> list[str]:
    ids = []
    for path in entry_files(config):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("id:"):
                ids.append(line[3:].strip().strip("'\""))
                break
    return ids


def next_id(ids: list[str], year: int, org: str | None = None) -> str:
    """The next free 索引号 of `org` (default: the most used organisation code) in `year`."""
    parsed = [m for m in (_SERIAL.match(i) for i in ids) if m]
    if org is None:
        counts = Counter(m["org"] for m in parsed)
        org = counts.most_common(1)[0][0] if counts else "000000000"
    serials = [int(m["serial"]) for m in parsed if m["org"] == org and int(m["year"]) == year]
    return f"{org}/{year}-{(max(serials) + 1 if serials else 1):05d}"


def scaffold(config: PortalConfig, kind: str, today: dt.date, title: str | None = None,
             org: str | None = None) -> tuple[Path, Path]:
    """Write catalog/<kind>/<slug>.yml and content/<kind>/<slug>.md; return both paths."""
    entry_id = next_id(existing_ids(config), today.year, org)
    assert ID_PATTERN.match(entry_id) or org is None
    slug = entry_id.replace("/", "-")
    body_rel = f"{kind}/{slug}.md"
    lines = [
        f"id: {entry_id}",
        f"title: {title or '（请填写标题）'}",
        f"kind: {kind}  # {KINDS[kind]}",
        "publisher: （请填写发布机构）",
        f"published: {today.isoformat()}",
        f"body: {body_rel}",
    ]
    if kind == "policy":
        lines += ["topic: 综合政务", "validity: valid", "normative: false", "# doc_no: 示府办〔2026〕1号",
                  "# 发布后 3 个工作日内须发布政策解读；无需解读时改为：",
                  "# interpretation_required: false", "# interpretation_exempt_reason: （理由）"]
    if kind == "interpretation":
        lines += ["interprets: （被解读政策文件的索引号）",
                  f"form: text  # {'、'.join(f'{k} {v}' for k, v in FORMS.items())}"]
    entry = config.catalog_path / kind / f"{slug}.yml"
    body = config.content_path / body_rel
    for path in (entry, body):
        if path.exists():
            raise FileExistsError(path)
        path.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text("\n".join(lines) + "\n", encoding="utf-8")
    body.write_text("（请在这里撰写正文。）\n", encoding="utf-8")
    return entry, body
