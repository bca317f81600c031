"""The content model: catalogue entries and columns, with the Chinese labels pages show."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from .disk_cache import key_of

KINDS = {
    "policy": "政策文件",
    "interpretation": "政策解读",
    "notice": "通知公告",
    "news": "工作动态",
    "report": "报告",
    "data": "数据发布",
    "guide": "办事指南",
    "other": "其他",
}
DISCLOSURES = {"public": "主动公开", "on_request": "依申请公开", "withheld": "不予公开"}
VALIDITIES = {"valid": "现行有效", "amended": "已修改", "abolished": "已废止", "expired": "已失效"}
FORMS = {
    "text": "文字解读",
    "graphic": "图解",
    "qa": "问答",
    "video": "视频解读",
    "press": "新闻发布会",
    "expert": "专家解读",
    "media": "媒体解读",
}
UPDATE_LABELS = {
    "weekly": "每周", "biweekly": "每两周", "monthly": "每月", "quarterly": "每季度",
    "half-yearly": "每半年", "yearly": "每年", "irregular": "不定期",
}
COLUMN_STATUSES = {"active": "更新中", "archived": "已归档"}
GENRES = (
    "命令", "决定", "公告", "通告", "意见", "通知", "通报", "报告", "请示", "批复", "议案", "函", "纪要",
    "办法", "规定", "细则", "方案", "规划", "计划", "条例", "规则", "决议", "公报", "指南", "其他",
)
# The State Council subject classes used by the national policy library (国务院政策文件库).
DEFAULT_TOPICS = (
    "国务院组织机构", "综合政务", "国民经济管理、国有资产监管", "财政、金融、审计", "国土资源、能源",
    "农业、林业、水利", "工业、交通", "商贸、海关、旅游", "市场监管、安全生产监管", "城乡建设、环境保护",
    "科技、教育", "文化、广电、新闻出版", "卫生、体育", "人口与计划生育、妇女儿童工作", "劳动、人事、监察",
    "公安、安全、司法", "民政、扶贫、救灾", "民族、宗教", "对外事务", "港澳台侨工作", "国防", "其他",
)


@dataclass
class Attachment:
    title: str
    path: str                 # relative to content/
    size: int | None = None   # bytes, filled by the loader when the file exists

    @property
    def extension(self) -> str:
        return self.path.rsplit(".", 1)[-1].lower() if "." in self.path else ""


@dataclass
class Entry:
    id: str
    title: str
    kind: str
    publisher: str
    published: dt.date
    source: str                           # repository-relative path of the YAML file
    written: dt.date | None = None
    doc_no: str | None = None
    topic: str | None = None
    genre: str | None = None
    disclosure: str = "public"
    columns: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    summary: str | None = None
    body: str | None = None               # path relative to content/
    attachments: list[Attachment] = field(default_factory=list)
    normative: bool | None = None
    validity: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    superseded_by: str | None = None
    interpretation_required: bool | None = None
    interpretation_exempt_reason: str | None = None
    interprets: list[str] = field(default_factory=list)
    form: str | None = None
    lines: dict[str, int] = field(default_factory=dict, repr=False)  # key -> line in source

    def line(self, key: str | None = None) -> int | None:
        return self.lines.get(key) if key else self.lines.get("", 1)

    @cached_property
    def shown_key(self) -> bytes:
        """key_of the entry's repr (every field but lines): what pages made from it depend on. Entries are not
        changed after loading, so it is worked out once per parse and kept with the entry's record."""
        return key_of(repr(self).encode("utf-8", "surrogatepass"))

    @property
    def needs_interpretation(self) -> bool:
        if self.kind != "policy":
            return False
        return True if self.interpretation_required is None else bool(self.interpretation_required)

    @cached_property
    def slug(self) -> str:
        """URL-safe and filesystem-safe form of the 索引号 (kept: an entry's path is asked for three times a
        build, and its id does not change after loading)."""
        return slug_of(self.id)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


@dataclass
class Column:
    id: str
    title: str
    source: str
    description: str = ""
    type: str = ""
    update: str = "irregular"
    status: str = "active"
    parent: str | None = None
    line: int | None = None

    @property
    def archived(self) -> bool:
        return self.status == "archived"


# \w is what str.isalnum() accepts, and "_": every other character but "-" and "." becomes "-"
_NOT_SLUG = re.compile(r"[^\w.-]")


@lru_cache(maxsize=None)
def slug_of(entry_id: str) -> str:
    """URL-safe and filesystem-safe form of a 索引号 (asked for several times per page: remembered).
    One substitution in C: a loop over the characters was 0.2 s of every build at 10,000 entries."""
    return _NOT_SLUG.sub("-", entry_id)
