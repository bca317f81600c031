"""The portal's configuration: the gongkai plugin's block in mkdocs.yml, read without MkDocs."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .model import DEFAULT_TOPICS

IDENTITY_KEYS = {
    "sponsor": "主办单位",
    "organizer": "承办单位",
    "site_code": "网站标识码",
    "icp": "ICP备案号",
    "police": "公安机关备案号",
    "police_code": "公安机关备案号编码",
    "address": "地址",
    "phone": "联系电话",
    "email": "电子邮箱",
    "domain": "网站域名",
}


@dataclass
class PortalConfig:
    root: Path                                  # repository root (where mkdocs.yml is)
    site_name: str = "政府信息公开"
    site_url: str = ""
    catalog_dir: str = "catalog"
    content_dir: str = "content"
    use_directory_urls: bool = True
    identity: dict[str, str] = field(default_factory=dict)
    topics: tuple[str, ...] = DEFAULT_TOPICS
    interpretation_severity: str = "error"      # missing or late 政策解读
    interpretation_days: int = 3                # working days allowed after the policy
    column_severity: str = "warning"            # empty or stale 专栏
    page_size: int = 20                         # entries per listing page

    @property
    def catalog_path(self) -> Path:
        return self._joined("catalog_dir")

    @property
    def content_path(self) -> Path:
        return self._joined("content_dir")

    def _joined(self, name: str) -> Path:
        """root / the named directory, remembered while both stay the same (asked for once per entry)."""
        key = (self.root, getattr(self, name))
        memo = self.__dict__.setdefault("_paths", {})
        found = memo.get(name)
        if found is None or found[0] != key:
            found = memo[name] = (key, Path(self.root) / key[1])
        return found[1]

    @classmethod
    def from_options(cls, root: Path, mkdocs: dict, options: dict) -> "PortalConfig":
        conf = cls(root=Path(root))
        conf.site_name = mkdocs.get("site_name") or conf.site_name
        conf.site_url = mkdocs.get("site_url") or ""
        docs_dir = Path(mkdocs.get("docs_dir") or conf.content_dir)
        if docs_dir.is_absolute():  # MkDocs hands over an absolute path
            docs_dir = docs_dir.relative_to(Path(root).resolve()) if docs_dir.is_relative_to(Path(root).resolve()) else docs_dir
        conf.content_dir = docs_dir.as_posix()
        conf.use_directory_urls = bool(mkdocs.get("use_directory_urls", True))
        for key in ("catalog_dir", "interpretation_severity", "column_severity"):
            if options.get(key):
                setattr(conf, key, str(options[key]))
        for key in ("interpretation_days", "page_size"):
            if options.get(key) is not None:
                setattr(conf, key, int(options[key]))
        conf.identity = {k: str(v) for k, v in (options.get("identity") or {}).items() if v is not None}
        if options.get("topics"):
            conf.topics = tuple(str(t) for t in options["topics"])
        return conf


class _TolerantLoader(yaml.SafeLoader):
    """mkdocs.yml may carry !!python/name or !ENV tags; the core only needs plain values."""


def _ignore_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_TolerantLoader.add_multi_constructor("", _ignore_tag)


def plugin_options(mkdocs: dict) -> dict:
    for plugin in mkdocs.get("plugins") or []:
        if isinstance(plugin, dict) and "gongkai" in plugin:
            return plugin["gongkai"] or {}
    return {}


def load_config(root: Path, config_file: str = "mkdocs.yml") -> PortalConfig:
    """Read mkdocs.yml (without importing MkDocs) into a PortalConfig."""
    path = Path(root) / config_file
    with open(path, encoding="utf-8") as fh:
        mkdocs = yaml.load(fh, Loader=_TolerantLoader) or {}
    return PortalConfig.from_options(Path(root), mkdocs, plugin_options(mkdocs))


def build_date(today: dt.date | None = None) -> dt.date:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return today or dt.date.today()
