"""The page of one catalogue entry: metadata table, body, attachments, validity
banner, links between policies and interpretations, and its columns."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, select_autoescape

from .disk_cache import key_of
from .model import DISCLOSURES, FORMS, VALIDITIES, Entry
from .portal import Portal
from .urls import Linker, entry_path, column_path

_ENV = Environment(loader=PackageLoader("gongkai", "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=False, lstrip_blocks=False)
FILE_TYPES = {"pdf": "PDF", "doc": "Word", "docx": "Word", "xls": "Excel", "xlsx": "Excel", "csv": "CSV",
              "wps": "WPS", "ofd": "OFD", "zip": "ZIP", "rar": "RAR", "jpg": "图片", "jpeg": "图片",
              "png": "图片", "svg": "图片", "mp4": "视频", "mp3": "音频", "txt": "文本", "ppt": "PPT", "pptx": "PPT"}
BANNERS = {"abolished": ("已废止", "替代"), "amended": ("已修改", "修改后"), "expired": ("已失效", "替代")}


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def metadata_rows(entry: Entry, portal: Portal) -> list[tuple[str, str]]:
    """The 文件信息 table: only the fields that are set."""
    rows = [("索引号", entry.id), ("标题", entry.title), ("发布机构", entry.publisher)]
    if entry.topic:
        rows.append(("主题分类", entry.topic.replace("\\", " / ")))
    rows.append(("信息类别", entry.kind_label))
    if entry.genre:
        rows.append(("文种", entry.genre))
    if entry.doc_no:
        rows.append(("文号", entry.doc_no))
    if entry.written:
        rows.append(("成文日期", entry.written.isoformat()))
    rows.append(("发布日期", entry.published.isoformat()))
    if entry.valid_from:
        rows.append(("施行日期", entry.valid_from.isoformat()))
    if entry.valid_until:
        rows.append(("失效日期", entry.valid_until.isoformat()))
    if entry.validity:
        rows.append(("有效性", VALIDITIES[entry.validity]))
    if entry.normative is not None and entry.kind == "policy":
        rows.append(("规范性文件", "是" if entry.normative else "否"))
    if entry.form:
        rows.append(("解读形式", FORMS[entry.form]))
    if entry.keywords:
        rows.append(("主题词", "、".join(entry.keywords)))
    if entry.kind == "policy" and entry.interpretation_required is False and entry.interpretation_exempt_reason:
        rows.append(("免于解读理由", entry.interpretation_exempt_reason))
    rows.append(("公开方式", DISCLOSURES[entry.disclosure]))
    return rows


def page_meta_tags(entry: Entry, source_name: str) -> str:
    """Article meta tags of the national page-design rules (政府网站网页设计规范)."""
    tags = {
        "ArticleTitle": entry.title,
        "PubDate": f"{entry.published.isoformat()} 00:00",
        "ContentSource": entry.publisher or source_name,
    }
    if entry.keywords:
        tags["Keywords"] = ",".join(entry.keywords)
    if entry.summary:
        tags["Description"] = entry.summary
    return "\n".join(f'<meta name="{k}" content="{html.escape(v, quote=True)}">' for k, v in tags.items())


def entry_context(entry: Entry, portal: Portal, body_html: str, linker: Linker) -> dict:
    """Everything the entry template shows: the page depends on nothing else (see context_key)."""
    here = entry_path(entry)
    banner = None
    if entry.validity in BANNERS:
        label, verb = BANNERS[entry.validity]
        replacement = portal.public_replacement(entry)
        banner = {"label": label, "verb": verb, "replacement": replacement,
                  "href": linker.href(here, entry_path(replacement)) if replacement else ""}
    interpretations = [
        {"title": i.title, "href": linker.href(here, entry_path(i)), "form": FORMS.get(i.form or "", "解读"),
         "date": i.published.isoformat()}
        for i in portal.interpretations_of.get(entry.id, [])
    ]
    policies = [
        {"title": p.title, "href": linker.href(here, entry_path(p)), "doc_no": p.doc_no, "date": p.published.isoformat()}
        for p in (portal.public_policies_of(entry) if entry.kind == "interpretation" else [])
    ]
    attachments = [
        {"title": a.title, "href": linker.href(here, a.path), "type": FILE_TYPES.get(a.extension, a.extension.upper() or "文件"),
         "size": human_size(a.size) if a.size is not None else ""}
        for a in entry.attachments
    ]
    columns = [{"title": portal.columns[c].title, "href": linker.href(here, column_path(c))}
               for c in entry.columns if c in portal.columns]
    return dict(e=entry, meta=metadata_rows(entry, portal), banner=banner, interpretations=interpretations,
                policies=policies, attachments=attachments, columns=columns, body=body_html)


def shown_entries_key(entry: Entry, portal: Portal) -> bytes:
    """A key of the entries entry_context reads (the entry, its public replacement, interpretations and
    policies, each by its shown_key). With the columns, the site name, the URL style and the code keyed
    beside it (site_build.entry_pages_key), it names every input of the page but its body's: adding or
    changing another entry leaves it as it was."""
    shown = [entry.shown_key]
    if entry.validity in BANNERS:
        replacement = portal.public_replacement(entry)
        shown.append(replacement.shown_key if replacement is not None else b"")
    shown.append(b"interpretations")
    shown += [i.shown_key for i in portal.interpretations_of.get(entry.id, [])]
    if entry.kind == "interpretation":
        shown.append(b"policies")
        shown += [p.shown_key for p in portal.public_policies_of(entry)]
    return key_of(b"\x00".join(shown))


def _code_digest() -> str:
    """The code an entry page's content comes from: this module, the model and the template."""
    here = Path(__file__).parent
    parts = [(here / name).read_text(encoding="utf-8") for name in ("entry_page.py", "model.py", "templates/entry.html")]
    return key_of("\x00".join(parts).encode("utf-8")).hex()


_CODE = _code_digest()


@cache
def entry_template():
    """The entry template, compiled when a page is first made (a rebuild after an edit makes one, after the
    search index's child is forked, which makes none), or loaded from the bytecode cache when the build set
    one (use_bytecode_cache)."""
    return _ENV.get_template("entry.html")


def use_bytecode_cache(directory: Path) -> None:
    """Keep the compiled entry template in directory (Jinja checks the template's source before using it):
    compiling it was 8 ms of every build."""
    if _ENV.bytecode_cache is None:
        _ENV.bytecode_cache = FileSystemBytecodeCache(str(directory))


def context_key(context: dict) -> bytes:
    """A key of the rendered content: the template's inputs as text (dataclass reprs name every field
    the template can read) and the code that renders them."""
    shown = repr([(name, value) for name, value in context.items() if name != "body"])
    return key_of("\x00".join((_CODE, shown, context["body"])).encode("utf-8", "surrogatepass"))


def render_context(context: dict) -> str:
    return entry_template().render(**context)


def render_entry(entry: Entry, portal: Portal, body_html: str, linker: Linker) -> str:
    """The entry page's main content (theme-neutral HTML)."""
    return render_context(entry_context(entry, portal, body_html, linker))
