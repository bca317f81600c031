"""Loading the catalogue: YAML entries and columns.yml into a Portal, with findings.

The loader never stops at the first problem: it reports every finding of a run and
keeps every entry it can still make sense of, so later checks can run too.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import posixpath
import re
from pathlib import Path
from typing import Iterator

import yaml

from . import model
from .config import PortalConfig
from .dates import parse_date
from .findings import Findings
from .disk_cache import DiskCache, key_of
from . import entry_records
from .file_records import Probe
from .model import Attachment, Column, Entry
from .workers import fork_imap
from .portal import Portal
from .textfiles import NotUtf8, decode_text, not_utf8_message
from . import yamlfile
from .yamlfile import DUPLICATES, LINES, load_yaml, syntax_error_message, syntax_error_position

ENTRY_KEYS = {
    "id": "索引号", "title": "标题", "kind": "信息类别", "publisher": "发布机构", "published": "发布日期",
    "written": "成文日期", "doc_no": "文号", "topic": "主题分类", "genre": "文种", "disclosure": "公开方式",
    "columns": "所属专栏", "keywords": "主题词", "summary": "内容概述", "body": "正文", "attachments": "附件",
    "normative": "规范性文件", "validity": "有效性", "valid_from": "施行日期", "valid_until": "失效日期",
    "superseded_by": "替代文件", "interpretation_required": "需要解读",
    "interpretation_exempt_reason": "免于解读理由", "interprets": "解读对象", "form": "解读形式",
}
REQUIRED = ("id", "title", "kind", "publisher", "published")
REQUIRED_BY_KIND = {"policy": ("topic", "validity"), "interpretation": ("interprets", "form")}
COLUMN_KEYS = {"id": "栏目标识", "title": "栏目名称", "parent": "上级栏目", "description": "栏目说明",
               "type": "栏目类型", "update": "更新周期", "status": "状态"}
COLUMNS_FILE = "columns.yml"

# 索引号: organisation code (9 or 18 characters) / year - serial; validated loosely.
ID_PATTERN = re.compile(r"^[0-9A-Z]{9}(?:[0-9A-Z]{9})?/\d{4}-\d{3,6}$")
BAD_DOCNO_BRACKETS = re.compile(r"[\[(（【]\s*(19|20)\d\d\s*[\])）】]")


def did_you_mean(key: str, known) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"，您是不是想写“{close[0]}”（{known[close[0]]}）？" if close else "。"


class _EntryReader:
    """Validates one YAML mapping into an Entry, adding findings as it goes."""

    def __init__(self, data: dict, source: str, config: PortalConfig, findings: Findings, content: set[str]):
        self.data, self.source, self.config, self.findings = data, source, config, findings
        self.content = content
        self.looked_up: list[tuple[str, bool]] = []   # content files asked about, and whether they existed
        self.lines = data.get(LINES, {"": 1})
        self.ok = True

    def line(self, key: str) -> int:
        return self.lines.get(key, self.lines.get("", 1))

    def error(self, code: str, key: str, message: str) -> None:
        self.ok = False
        self.findings.error(code, self.source, self.line(key), message)

    def warning(self, code: str, key: str, message: str) -> None:
        self.findings.warning(code, self.source, self.line(key), message)

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            self.error("GK-ENTRY-BAD-TYPE", key, f"“{key}”（{ENTRY_KEYS[key]}）应是一段文字，不能是列表或键值表。")
            return None
        text = str(value).strip()
        return text or None

    def text_list(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, (str, int)):
            value = [value]
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) for v in value):
            self.error("GK-ENTRY-BAD-TYPE", key, f"“{key}”（{ENTRY_KEYS[key]}）应是一个列表，例如 [a, b]。")
            return []
        return [str(v).strip() for v in value if str(v).strip()]

    def date(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            return None
        day = parse_date(value)
        if day is None:
            self.error("GK-ENTRY-BAD-DATE", key,
                       f"“{key}”（{ENTRY_KEYS[key]}）的日期“{value}”无法识别，请写成 2024-06-29 或 2024年6月29日。")
        return day

    def boolean(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.error("GK-ENTRY-BAD-TYPE", key, f"“{key}”（{ENTRY_KEYS[key]}）只能是 true（是）或 false（否），现在是“{value}”。")
        return None

    def choice(self, key: str, choices: dict[str, str]) -> str | None:
        value = self.text(key)
        if value is None or value in choices:
            return value
        listed = "、".join(f"{k}（{v}）" for k, v in choices.items())
        self.error("GK-ENTRY-BAD-VALUE", key, f"“{key}”（{ENTRY_KEYS[key]}）的值“{value}”不在可选范围内，可选：{listed}。")
        return None

    def content_file(self, key: str, rel: str, what: str) -> Path | None:
        normal = posixpath.normpath(rel)
        exists = normal in self.content   # exact case, and never outside content/
        self.looked_up.append((normal, exists))
        if not exists:
            self.error("GK-REF-" + key.upper().rstrip("S"), key,
                       f"{what}文件“{rel}”不存在。路径应相对于 {self.config.content_dir}/ 目录，请检查文件名和大小写。")
            return None
        return self.config.content_path / normal

    def read(self) -> Entry | None:
        data = self.data
        for key, line in data.get(DUPLICATES, []):
            self.findings.error("GK-YAML-DUPLICATE-KEY", self.source, line, f"键“{key}”重复出现，后一个会覆盖前一个，请删除多余的一个。")
            self.ok = False
        for key in data:
            if key in (LINES, DUPLICATES) or key in ENTRY_KEYS:
                continue
            self.error("GK-ENTRY-UNKNOWN-KEY", str(key), f"不认识的键“{key}”{did_you_mean(str(key), ENTRY_KEYS)}")
        kind = self.choice("kind", model.KINDS)
        missing = [k for k in REQUIRED + REQUIRED_BY_KIND.get(kind or "", ()) if data.get(k) in (None, "", [])]
        for key in missing:
            what = f"{model.KINDS[kind]}必须填写" if key not in REQUIRED else "必须填写"
            self.error("GK-ENTRY-MISSING-KEY", "", f"缺少“{key}”（{ENTRY_KEYS[key]}），{what}该项。")
        published = self.date("published")
        entry_id, title, publisher = self.text("id"), self.text("title"), self.text("publisher")
        if entry_id and not ID_PATTERN.match(entry_id):
            self.warning("GK-ENTRY-ID-FORMAT", "id",
                         f"索引号“{entry_id}”不符合“前段码/后段码”格式（如 113700000000000011/2024-00012）。")
        entry = Entry(id=entry_id or "", title=title or "", kind=kind or "other", publisher=publisher or "",
                      published=published or dt.date(1970, 1, 1), source=self.source,
                      lines={k: v for k, v in self.lines.items()})
        entry.written = self.date("written")
        if entry.written and published and entry.written > published:
            self.error("GK-ENTRY-DATE-ORDER", "written",
                       f"成文日期 {entry.written} 晚于发布日期 {published}，成文日期不能晚于发布日期。")
        entry.doc_no = self.text("doc_no")
        if entry.doc_no and BAD_DOCNO_BRACKETS.search(entry.doc_no):
            self.warning("GK-ENTRY-DOCNO-BRACKETS", "doc_no",
                         f"文号“{entry.doc_no}”的年份应使用六角括号〔〕，例如 示府办〔2024〕12号。")
        entry.topic = self.text("topic")
        if entry.topic and entry.topic.split("\\")[0] not in self.config.topics:
            close = difflib.get_close_matches(entry.topic.split("\\")[0], self.config.topics, n=1, cutoff=0.4)
            hint = f"您是不是想写“{close[0]}”？" if close else "可选值见 mkdocs.yml 或默认的国务院主题分类。"
            self.error("GK-ENTRY-BAD-TOPIC", "topic", f"主题分类“{entry.topic}”不在主题分类表中。{hint}")
        entry.genre = self.text("genre")
        if entry.genre and entry.genre not in model.GENRES:
            self.warning("GK-ENTRY-GENRE", "genre", f"文种“{entry.genre}”不是常见的公文文种（如 {'、'.join(model.GENRES[:8])} 等），请确认。")
        entry.disclosure = self.choice("disclosure", model.DISCLOSURES) or "public"
        entry.columns = self.text_list("columns")
        entry.keywords = self.text_list("keywords")
        entry.summary = self.text("summary")
        entry.body = self.text("body")
        if entry.body:
            if not entry.body.endswith(".md"):
                self.error("GK-REF-BODY", "body", f"正文“{entry.body}”应是 .md（Markdown）文件。其他格式的文件请放在 attachments（附件）里。")
            else:
                self.content_file("body", entry.body, "正文")
        entry.attachments = self.read_attachments()
        if not entry.body and not entry.attachments and "body" not in missing:
            self.error("GK-ENTRY-NO-CONTENT", "", "条目既没有 body（正文）也没有 attachments（附件），至少要有其中一项。")
        entry.normative = self.boolean("normative")
        entry.validity = self.choice("validity", model.VALIDITIES)
        entry.valid_from, entry.valid_until = self.date("valid_from"), self.date("valid_until")
        if entry.valid_from and entry.valid_until and entry.valid_from > entry.valid_until:
            self.error("GK-ENTRY-DATE-ORDER", "valid_until", f"失效日期 {entry.valid_until} 早于施行日期 {entry.valid_from}。")
        entry.superseded_by = self.text("superseded_by")
        entry.interpretation_required = self.boolean("interpretation_required")
        entry.interpretation_exempt_reason = self.text("interpretation_exempt_reason")
        if entry.interpretation_required is False and not entry.interpretation_exempt_reason:
            self.error("GK-ENTRY-EXEMPT-REASON", "interpretation_required",
                       "设置了 interpretation_required: false（免于解读），必须同时填写 interpretation_exempt_reason（免于解读理由）。")
        entry.interprets = self.text_list("interprets")
        entry.form = self.choice("form", model.FORMS)
        if entry.form == "video" and not entry.body:
            self.error("GK-ENTRY-VIDEO-TRANSCRIPT", "form",
                       "视频解读必须提供文字实录：请在 body（正文）中给出视频的文字稿，方便无法观看视频的读者。")
        if kind and kind != "interpretation":
            for key in ("interprets", "form"):
                if key in data:
                    self.warning("GK-ENTRY-KEY-KIND", key, f"“{key}”（{ENTRY_KEYS[key]}）只对政策解读有效，本条目的类别是{model.KINDS[kind]}，该项被忽略。")
        if not all((entry_id, title, kind, publisher, published)):
            return None
        return entry

    def read_attachments(self) -> list[Attachment]:
        raw = self.data.get("attachments")
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.error("GK-ENTRY-BAD-TYPE", "attachments", "attachments（附件）应是列表，每一项写 title（标题）和 path（路径）。")
            return []
        attachments = []
        for item in raw:
            if not isinstance(item, dict) or not item.get("path"):
                self.error("GK-ENTRY-BAD-TYPE", "attachments", "每个附件都要写 title（标题）和 path（路径），例如 {title: 申请表, path: files/apply.pdf}。")
                continue
            rel = str(item["path"]).strip()
            path = self.content_file("attachments", rel, "附件")
            title = str(item.get("title") or rel.rsplit("/", 1)[-1])
            attachments.append(Attachment(title=title, path=rel, size=path.stat().st_size if path else None))
        return attachments


def _load_file(path: Path | str, source: str, findings: Findings, cache: DiskCache | None = None,
               raw: bytes | None = None):
    """The YAML data of one file (whose bytes may be given), or None with a finding. Clean parses are cached
    by content."""
    raw = Path(path).read_bytes() if raw is None else raw
    key = key_of(raw) if cache is not None else None
    if key is not None and (hit := cache.get(key)) is not None:
        return hit
    try:
        text = decode_text(raw)
    except NotUtf8 as exc:
        findings.error("GK-FILE-ENCODING", source, exc.line, not_utf8_message(exc))
        return None
    try:
        data = load_yaml(text)
        if key is not None and data is not None:
            cache.put(key, data)
        return data
    except yaml.YAMLError as exc:
        line, _ = syntax_error_position(exc)
        findings.error("GK-YAML-SYNTAX", source, line, syntax_error_message(exc))
        return None
    except (ValueError, TypeError) as exc:  # a value PyYAML cannot construct
        findings.error("GK-YAML-SYNTAX", source, None, f"YAML 内容无法读取：{exc}。请检查该文件的格式。")
        return None


def load_columns(config: PortalConfig, findings: Findings) -> dict[str, Column]:
    path = config.catalog_path / COLUMNS_FILE
    source = f"{config.catalog_dir}/{COLUMNS_FILE}"
    if not path.exists():
        return {}
    data = _load_file(path, source, findings)
    if data is None:
        return {}
    if isinstance(data, dict) and "columns" in data:
        data = data["columns"]
    if not isinstance(data, list):
        findings.error("GK-COLUMN-FORMAT", source, 1, "columns.yml 应是栏目列表，每一项以“- id: …”开头。")
        return {}
    columns: dict[str, Column] = {}
    for item in data:
        if not isinstance(item, dict):
            findings.error("GK-COLUMN-FORMAT", source, None, f"栏目“{item}”应写成键值表（id、title、update 等）。")
            continue
        lines = item.get(LINES, {"": None})
        line = lines.get("")
        for key in item:
            if key not in COLUMN_KEYS and key not in (LINES, DUPLICATES):
                findings.error("GK-COLUMN-UNKNOWN-KEY", source, lines.get(key, line), f"栏目中不认识的键“{key}”{did_you_mean(str(key), COLUMN_KEYS)}")
        cid, title = str(item.get("id") or "").strip(), str(item.get("title") or "").strip()
        if not cid or not title:
            findings.error("GK-COLUMN-MISSING-KEY", source, line, "每个栏目都必须有 id（栏目标识）和 title（栏目名称）。")
            continue
        if not re.fullmatch(r"[A-Za-z0-9_-]+", cid):
            findings.error("GK-COLUMN-ID", source, lines.get("id", line), f"栏目标识“{cid}”只能由英文字母、数字、- 和 _ 组成（它会出现在网址中）。")
            continue
        if cid in columns:
            findings.error("GK-COLUMN-DUPLICATE-ID", source, lines.get("id", line), f"栏目标识“{cid}”重复，第 {columns[cid].line} 行已经用过。")
            continue
        update = str(item.get("update") or "irregular")
        if update not in model.UPDATE_LABELS:
            findings.error("GK-COLUMN-BAD-VALUE", source, lines.get("update", line),
                           f"更新周期“{update}”无效，可选：{'、'.join(f'{k}（{v}）' for k, v in model.UPDATE_LABELS.items())}。")
            update = "irregular"
        status = str(item.get("status") or "active")
        if status not in model.COLUMN_STATUSES:
            findings.error("GK-COLUMN-BAD-VALUE", source, lines.get("status", line), f"状态“{status}”无效，可选：active（更新中）、archived（已归档）。")
            status = "active"
        columns[cid] = Column(id=cid, title=title, source=source, description=str(item.get("description") or ""),
                              type=str(item.get("type") or ""), update=update, status=status,
                              parent=str(item["parent"]) if item.get("parent") else None, line=line)
    for column in columns.values():
        if column.parent and column.parent not in columns:
            findings.error("GK-COLUMN-PARENT", source, column.line, f"栏目“{column.id}”的上级栏目“{column.parent}”不存在。")
            column.parent = None
    for column in columns.values():  # a parent chain must end
        seen, node = {column.id}, column
        while node.parent:
            if node.parent in seen:
                findings.error("GK-COLUMN-PARENT", source, column.line, f"栏目“{column.id}”的上级栏目形成了循环，请检查 parent。")
                column.parent = None
                break
            seen.add(node.parent)
            node = columns[node.parent]
    return columns


def entry_file_names(config: PortalConfig) -> list[str]:
    """Every catalogue entry file (*.yml but columns.yml) relative to the catalogue, in path order (as sorted
    Paths would be: each directory's names in order, a subdirectory's files where its name sorts)."""
    found: list[str] = []

    def walk(directory: str, prefix: str) -> None:
        try:
            with os.scandir(directory) as listing:
                items = sorted(listing, key=lambda item: item.name)
        except OSError:
            return
        for item in items:
            if item.is_dir():
                if not item.is_symlink():    # as os.walk: linked directories are not entered
                    walk(item.path, prefix + item.name + "/")
            elif item.name.endswith(".yml") and prefix + item.name != COLUMNS_FILE:
                found.append(prefix + item.name)

    walk(str(config.catalog_path), "")
    return found


def entry_files(config: PortalConfig) -> list[Path]:
    """Every catalogue entry file (*.yml but columns.yml), in path order (as sorted Paths would be)."""
    return [config.catalog_path / rel for rel in entry_file_names(config)]


def content_index(config: PortalConfig) -> set[str]:
    """Every file under content/, as posix paths relative to it (one directory walk)."""
    files: set[str] = set()
    for base, _, names in os.walk(config.content_path):
        rel = os.path.relpath(base, config.content_path).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        files.update(prefix + name for name in names)
    return files


def portal_content_files(portal) -> set[str]:
    """Every file under content/: the loader's walk when the portal has it, else a walk now."""
    return portal.content_files if portal.content_files is not None else content_index(portal.config)


def _read_entry(path: Path | str, source: str, config: PortalConfig, findings: Findings, content: set[str],
                cache: DiskCache | None = None, raw: bytes | None = None) -> tuple[Entry | None, list]:
    """The entry of one file and the content files it looked up (path, existed)."""
    data = _load_file(path, source, findings, cache, raw)
    if data is None:
        return None, []
    if not isinstance(data, dict):
        findings.error("GK-YAML-NOT-MAPPING", source, 1, "一个条目文件应是一组“键: 值”（如 id: …、title: …），现在不是。")
        return None, []
    reader = _EntryReader(data, source, config, findings, content)
    return reader.read(), reader.looked_up


def _read_one(path: Path | str, source: str, config: PortalConfig, content: set[str], raw: bytes | None,
              cache: DiskCache | None = None) -> tuple[Entry | None, list, list]:
    """(entry, its findings, the content files it looked up) of one entry file."""
    own = Findings()
    entry, looked_up = _read_entry(path, source, config, own, content, cache, raw)
    if entry is not None:
        entry.shown_key   # worked out here, on every core, and sent with the entry: else the build and the
        # search index's child beside it each made all of them (0.1-0.15 s apiece at 10,000 entries)
    return entry, list(own), looked_up


def load_entry(path: Path, config: PortalConfig, findings: Findings, content: set[str] | None = None,
               cache: DiskCache | None = None, raw: bytes | None = None) -> Entry | None:
    source = path.relative_to(config.root).as_posix()
    content = content_index(config) if content is None else content
    return _read_entry(path, source, config, findings, content, cache, raw)[0]


# Parses depend on the YAML loader's code: its source is part of the cache's namespace.
YAML_CACHE_VERSION = Path(yamlfile.__file__).read_text(encoding="utf-8")
CHUNK = 500                     # uncached entry files per worker task
PARSE_CACHE_FROM = 200          # changed entry files from which the parse cache and workers pay off


_READ_JOB: dict = {}   # what _read_chunk reads, set before the workers fork (they inherit it)


def _read_chunk(indexes: list[int]) -> tuple[list[tuple[Entry | None, list, list]], dict]:
    """Read the entry files at these indexes of the job (in a worker): each one's entry, findings and
    lookups, and the parse cache's records used (sent back only when the cache is saved)."""
    job = _READ_JOB
    view = job["cache"].view()
    read = [_read_one(job["paths"][i], job["sources"][i], job["config"], job["content"], job["raws"][i], view)
            for i in indexes]
    return read, view.used if job["cache"].path is not None else {}


def _read_on_every_core(paths: list[str], sources: list[str], raws: list, config: PortalConfig,
                        content: set[str], cache: DiskCache) -> Iterator[tuple[Entry | None, list, list]]:
    """_read_entry of each file, in order, in forked workers (entries are read as fast as YAML is parsed);
    the parse cache gets what they used."""
    _READ_JOB.update(paths=paths, sources=sources, raws=raws, config=config, content=content, cache=cache)
    try:
        chunks = [list(range(i, min(i + CHUNK, len(paths)))) for i in range(0, len(paths), CHUNK)]
        for read, used in fork_imap(_read_chunk, chunks):
            cache.merge(used)
            yield from read
    finally:
        _READ_JOB.clear()


def _load_entries(config: PortalConfig, findings: Findings) -> tuple[list[Entry | None], set[str]]:
    """Every entry file's entry (None where it has none), in path order, with its findings; and the content
    index. A file's entry and findings are reused from the last run while the file and the content files it
    looked up are as they were (entry_records.py); only the other files are parsed and read."""
    content = content_index(config)
    names = entry_file_names(config) if config.catalog_path.is_dir() else []
    catalog, prefix = str(config.catalog_path), entry_records.source_prefix(config)
    records = entry_records.for_config(config)
    content_root = str(config.content_path)
    found: list = []
    missed: list[tuple[int, Probe]] = []   # only these probes are kept: fewer live objects, fewer GC passes
    for name in names:
        probe = Probe(prefix + name, f"{catalog}/{name}")
        record = records.get(probe)
        if record is None or not entry_records.lookups_unchanged(record, content, content_root):
            missed.append((len(found), probe))
        found.append(record)
    if missed:
        # Many files to parse (a first build): parses cached by content, the rest parsed on every core first.
        # A few (an edit) are parsed here, quicker than loading that cache.
        many = len(missed) >= PARSE_CACHE_FROM
        cache = DiskCache.for_root(config.root, "entries", code_version=YAML_CACHE_VERSION) if many else None
        paths = [probe.path for _, probe in missed]   # text: made a Path only where a file must be read again
        raws = [probe.bytes() for _, probe in missed]
        sources = [probe.rel for _, probe in missed]
        if cache is not None:
            read = _read_on_every_core(paths, sources, raws, config, content, cache)
        else:
            read = (_read_one(path, source, config, content, raw) for path, source, raw in zip(paths, sources, raws))
        for (i, probe), (entry, own, looked_up) in zip(missed, read):
            found[i] = entry_records.EntryRecord(entry, own, tuple(looked_up))
            records.put(probe, found[i])
        if cache is not None:
            cache.save()
    records.save()
    entries = []
    for record in found:
        findings.extend(record.findings)
        entries.append(record.entry)
    return entries, content


def check_references(portal: Portal, findings: Findings) -> None:
    """References between entries and to columns must resolve."""
    by_id = portal.by_id
    for entry in portal.entries:
        for cid in entry.columns:
            if cid not in portal.columns:
                hint = did_you_mean(cid, {c.id: c.title for c in portal.columns.values()})
                findings.error("GK-REF-COLUMN", entry.source, entry.line("columns"), f"专栏“{cid}”在 columns.yml 中不存在{hint}")
        if entry.superseded_by:
            if entry.superseded_by not in by_id:
                findings.error("GK-REF-SUPERSEDED-BY", entry.source, entry.line("superseded_by"),
                               f"替代文件“{entry.superseded_by}”不存在，请填写替代文件的索引号。")
            elif entry.superseded_by == entry.id:
                findings.error("GK-REF-SUPERSEDED-BY", entry.source, entry.line("superseded_by"), "替代文件不能是本文件自己。")
        if entry.kind == "interpretation":
            for pid in entry.interprets:
                target = by_id.get(pid)
                if target is None:
                    findings.error("GK-REF-INTERPRETS", entry.source, entry.line("interprets"),
                                   f"解读对象“{pid}”不存在，请填写被解读政策文件的索引号。")
                elif target.kind != "policy":
                    findings.error("GK-REF-INTERPRETS", entry.source, entry.line("interprets"),
                                   f"解读对象“{pid}”（{target.title}）的类别是{target.kind_label}，解读对象应是政策文件。")


def load_portal(config: PortalConfig, as_of: dt.date, findings: Findings | None = None) -> Portal:
    findings = Findings() if findings is None else findings
    if not config.catalog_path.is_dir():
        findings.error("GK-CATALOG-MISSING", config.catalog_dir, None, f"找不到目录 {config.catalog_dir}/，条目文件应放在这里。")
    columns = load_columns(config, findings)
    entries: list[Entry] = []
    first_source: dict[str, Entry] = {}
    loaded, content = _load_entries(config, findings)
    for entry in loaded:
        if entry is None:
            continue
        if entry.id in first_source:
            other = first_source[entry.id]
            findings.error("GK-ENTRY-DUPLICATE-ID", entry.source, entry.line("id"),
                           f"索引号“{entry.id}”与 {other.source} 重复。索引号必须唯一，且一经发布不再改变。")
            continue
        first_source[entry.id] = entry
        entries.append(entry)
    portal = Portal(config=config, entries=entries, columns=columns, as_of=as_of, content_files=content)
    check_references(portal, findings)
    return portal
