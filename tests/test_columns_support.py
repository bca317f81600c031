"""In-memory portals for the listing, catalogue, open-data and feed tests (no files, no MkDocs)."""

from __future__ import annotations

import datetime as dt
import posixpath
from pathlib import Path

from gongkai.config import PortalConfig
from gongkai.model import Column, Entry
from gongkai.portal import Portal
from gongkai.urls import Linker

AS_OF = dt.date(2026, 6, 30)


def entry(n: int, *, day: dt.date | None = None, **fields) -> Entry:
    """Entry number n: a news item published n days before AS_OF unless told otherwise."""
    values = dict(id=f"113799000000000011/2026-{n:05d}", title=f"测试信息第{n}号", kind="news",
                  publisher="测试市人民政府", published=day or AS_OF - dt.timedelta(days=n),
                  source=f"catalog/e{n}.yml", body=f"e{n}.md")
    values.update(fields)
    return Entry(**values)


def column(cid: str, **fields) -> Column:
    values = dict(id=cid, title=f"栏目{cid}", source="catalog/columns.yml", description=f"{cid} 的说明",
                  type="动态要闻", update="weekly", status="active", line=1)
    values.update(fields)
    return Column(**values)


def make_portal(entries: list[Entry], columns: list[Column] | None = None, *, page_size: int = 3,
                root: Path | None = None, as_of: dt.date = AS_OF) -> Portal:
    config = PortalConfig(root=root or Path("/nonexistent"), site_name="测试市人民政府信息公开网",
                          site_url="https://www.test.gov.cn/", page_size=page_size,
                          identity={"domain": "www.test.gov.cn", "sponsor": "测试市人民政府办公室"})
    cols = {c.id: c for c in (columns if columns is not None else [column("gzdt")])}
    return Portal(config=config, entries=entries, columns=cols, as_of=as_of)


def resolve(linker: Linker, page_path: str, href: str) -> str:
    """The site-relative output file an href on a generated page points at."""
    here = posixpath.dirname(linker.file(page_path))
    target = posixpath.normpath(posixpath.join(here, href.split("#")[0]))
    if href.endswith("/") or target == ".":
        target = posixpath.join(target, "index.html") if target != "." else "index.html"
    return target


def hidden_entries() -> list[Entry]:
    """Entries that must never reach any output: on request, withheld, embargoed."""
    return [entry(901, disclosure="on_request", title="依申请公开的秘密信息", columns=["gzdt"]),
            entry(902, disclosure="withheld", title="不予公开的秘密信息", columns=["gzdt"]),
            entry(903, day=AS_OF + dt.timedelta(days=5), title="尚未发布的秘密信息", columns=["gzdt"])]


HIDDEN_MARKERS = ("秘密信息", "2026-00901", "2026-00902", "2026-00903")
