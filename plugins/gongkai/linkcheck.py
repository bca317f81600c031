"""The link check of a built site: every internal link and anchor resolves."""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import html as lxml_html

from .findings import Findings

LINK_ATTRS = (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("iframe", "src"),
              ("source", "src"), ("video", "src"), ("audio", "src"))


def _target_file(site: Path, page_rel: str, url_path: str) -> str:
    """Site-relative file a link points at ('..' in it when it climbs out of the site)."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), unquote(url_path)))
    if joined.startswith(".."):
        return joined  # above the site root: broken wherever the site is mounted
    if url_path.endswith("/") or (site / joined).is_dir():
        joined = posixpath.join(joined, "index.html") if joined != "." else "index.html"
    return joined


def check_site(site_dir: Path, findings: Findings | None = None, external_hosts_ok: bool = False) -> Findings:
    findings = Findings() if findings is None else findings
    site = Path(site_dir)
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    ids: dict[str, set[str]] = {}
    links: list[tuple[str, int | None, str, str | None]] = []  # page, line, target file, fragment
    for rel in pages:
        tree = lxml_html.parse(str(site / rel)).getroot()
        if tree is None:
            continue
        ids[rel] = {el.get("id") for el in tree.iter() if el.get("id")} | {
            el.get("name") for el in tree.iter("a") if el.get("name")}
        for tag, attr in LINK_ATTRS:
            for element in tree.iter(tag):
                value = (element.get(attr) or "").strip()
                if not value or value.startswith(("mailto:", "tel:", "javascript:", "data:")):
                    continue
                parts = urlsplit(value)
                if parts.scheme or parts.netloc:
                    continue  # external: only with --external
                if not parts.path:
                    links.append((rel, element.sourceline, rel, parts.fragment or None))
                    continue
                if parts.path.startswith("/"):
                    continue  # site-absolute links depend on where the site is mounted
                links.append((rel, element.sourceline, _target_file(site, rel, parts.path), parts.fragment or None))
    for page, line, target, fragment in links:
        if target.startswith("..") or (target not in ids and not (site / target).is_file()):
            findings.error("GK-LINK-BROKEN", f"site/{page}", line, f"页面中的链接指向不存在的文件“{target}”，请修改或删除该链接。")
        elif fragment and target in ids and unquote(fragment) not in ids[target]:
            findings.error("GK-LINK-ANCHOR", f"site/{page}", line, f"页面中的链接指向“{target}”里不存在的锚点“#{fragment}”。")
    return findings
