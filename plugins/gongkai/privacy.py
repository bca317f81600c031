"""Privacy and content-safety scanners for text that will be published.

Plain Python (``re`` and ``html`` only), no MkDocs import. Each scanner takes one
text (a markdown body, a YAML value, ...) and returns ``Hit`` objects whose line and
column are 1-based within that text. Excerpts never contain a raw personal number.

Codes:
    GK-PRIV-ID        unmasked 身份证号 (18 digits with a valid check digit, or 15 digits)
    GK-PRIV-MOBILE    unmasked mainland mobile number (also +86, grouped, full-width digits)
    GK-PRIV-BANKCARD  unmasked bank card number (16-19 digits, Luhn-valid)
    GK-SAFE-SCRIPT    a <script> tag
    GK-SAFE-HANDLER   an inline on*= event handler attribute
    GK-SAFE-JSURL     a javascript:/vbscript: URL, including obfuscated spellings
    GK-SAFE-EXTERNAL  a resource (image, script, stylesheet, frame, media, CSS url()) loaded from another host
"""

from __future__ import annotations

import bisect
import datetime
import html
import re
from dataclasses import dataclass, replace

__all__ = [
    "Hit",
    "scan_personal_data",
    "may_hold_personal_data",
    "scan_unsafe_markup",
    "scan_external_resources",
]


@dataclass(frozen=True)
class Hit:
    code: str
    line: int  # 1-based line within the scanned text
    column: int  # 1-based
    excerpt: str  # masked, never the raw value
    message: str  # Chinese, starts with "第{line}行"

    def shifted(self, lines: int) -> "Hit":
        """The same hit for a text that starts `lines` lines further down a file."""
        line = self.line + lines
        prefix = f"第{self.line}行"
        message = self.message
        if message.startswith(prefix):
            message = f"第{line}行" + message[len(prefix):]
        return replace(self, line=line, message=message)


class _Positions:
    """Maps character offsets to 1-based (line, column); built only when needed."""

    def __init__(self, text: str):
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1


# ---------------------------------------------------------------------------
# Personal data
# ---------------------------------------------------------------------------

# One character for one character, so offsets in the normalised text are offsets in the original.
_FULLWIDTH = {chr(0xFF10 + i): str(i) for i in range(10)}
_FULLWIDTH.update({"Ｘ": "X", "ｘ": "x", "－": "-", "＋": "+", "\u3000": " ", "\u00a0": " "})
_FULLWIDTH_CHAR = re.compile("[" + "".join(_FULLWIDTH) + "]")


def _normalise(text: str) -> str:
    # re.sub is much faster than str.translate on CJK text with few full-width characters.
    return _FULLWIDTH_CHAR.sub(lambda m: _FULLWIDTH[m.group()], text)


# A digit run of 11+ characters, possibly grouped by single spaces or dashes; a trailing X
# belongs to an 18-character ID. Matches never start inside a longer digit run (\d* is greedy).
# The lookahead skips runs too short to matter without trying every position inside them.
_NUMBER_TOKEN = re.compile(r"[+\d](?=[\d -]{10})\d*(?:[ -]\d+)*[Xx]?")
_DIGIT_GROUP = re.compile(r"\d+[Xx]?")

# A number followed by a unit or a decimal part is an amount, not a personal number.
_AMOUNT_AFTER = re.compile(r"\s*(?:元|万|亿|千|百|%|％|‰|美元|港元|欧元|人民币)|\.\d")
_CURRENCY_BEFORE = re.compile(r"[¥￥$]\s*$")
# 索引号: the organisation code is followed by "/YYYY-".
_INDEX_NUMBER_AFTER = re.compile(r"/\d{4}-\d")
# Codes that look like IDs or cards but are registration numbers.
_REGISTRATION_LABEL = re.compile(r"(?:信用代码|索引号|机构代码|纳税人识别号|税号|登记号|注册号|文号)")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83 91".split()
)
_MOBILE = re.compile(r"1[3-9]\d{9}")


def id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of an 18-character 身份证号."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK_CHARS[total % 11]


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _valid_date(yyyymmdd: str) -> bool:
    try:
        day = datetime.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 1900 <= day.year <= 2099


def _is_id18(value: str) -> bool:
    value = value.upper()
    return (len(value) == 18 and value[:17].isdigit() and value[:2] in _PROVINCE_CODES
            and _valid_date(value[6:14]) and id_check_char(value[:17]) == value[17])


def _is_id15(value: str) -> bool:
    return (len(value) == 15 and value.isdigit() and value[:2] in _PROVINCE_CODES
            and _valid_date("19" + value[6:12]))


def _mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[len(value) - keep_end:]


def _personal_hit(code: str, value: str) -> tuple[str, str, str]:
    """(code, excerpt, message without line prefix) for a raw value."""
    if code == "GK-PRIV-ID":
        excerpt = _mask_middle(value, 4, 4)
        return code, excerpt, (f"含有未脱敏的身份证号码 {excerpt}，请按“前2位+*+后3位”脱敏后再发布"
                               f"（如 {_mask_middle(value, 2, 3)}）。")
    if code == "GK-PRIV-MOBILE":
        excerpt = _mask_middle(value, 3, 4)
        return code, excerpt, (f"含有未脱敏的手机号码 {excerpt}，请按“前3位+****+后4位”脱敏后再发布"
                               f"（如 {excerpt}），或改用单位办公电话。")
    excerpt = _mask_middle(value, 4, 4)
    return code, excerpt, (f"含有未脱敏的银行卡号 {excerpt}，请删除或只保留后4位"
                           f"（如 **** **** **** {value[-4:]}）后再发布。")


def _classify_run(run: str) -> tuple[str, str] | None:
    """(code, number) for one ungrouped digit run, or None."""
    if run[-1] in "Xx":
        return ("GK-PRIV-ID", run.upper()) if _is_id18(run) else None
    size = len(run)
    if size == 11 and _MOBILE.fullmatch(run):
        return "GK-PRIV-MOBILE", run
    if size == 13 and run.startswith("86") and _MOBILE.fullmatch(run, 2):
        return "GK-PRIV-MOBILE", run[2:]
    if size == 15:
        if _is_id15(run):
            return "GK-PRIV-ID", run
        if run.startswith("0086") and _MOBILE.fullmatch(run, 4):
            return "GK-PRIV-MOBILE", run[4:]
    if 16 <= size <= 19:
        if size == 18 and _is_id18(run):
            return "GK-PRIV-ID", run
        if luhn_valid(run):
            return "GK-PRIV-BANKCARD", run
    return None


def _classify_window(groups: list[str], i: int) -> tuple[str, str, int] | None:
    """(code, number, groups used) for a grouped number starting at group i, or None."""
    sizes = [len(g) for g in groups[i:i + 5]]
    if groups[i] in ("86", "0086") and len(groups) > i + 1:
        rest = _classify_window(groups, i + 1) if sizes[1:4] == [3, 4, 4] else None
        if rest and rest[0] == "GK-PRIV-MOBILE":
            return rest[0], rest[1], rest[2] + 1
        if len(groups[i + 1]) == 11 and _MOBILE.fullmatch(groups[i + 1]):
            return "GK-PRIV-MOBILE", groups[i + 1], 2
        return None
    if sizes[:3] == [3, 4, 4]:
        number = "".join(groups[i:i + 3])
        if _MOBILE.fullmatch(number):
            return "GK-PRIV-MOBILE", number, 3
    if sizes[:3] == [6, 8, 4]:  # a trailing X counts in the last group
        number = "".join(groups[i:i + 3]).upper()
        if _is_id18(number):
            return "GK-PRIV-ID", number, 3
    if sizes[:4] == [4, 4, 4, 4] and all(g.isdigit() for g in groups[i:i + 4]):
        used = 4
        if len(sizes) > 4:
            if sizes[4] == 4:  # five groups of four: 20+ digits, not a card number
                return None
            if groups[i + 4].isdigit():
                used = 5
        number = "".join(groups[i:i + used])
        if luhn_valid(number):
            return "GK-PRIV-BANKCARD", number, used
    return None


def _excluded(text: str, start: int, end: int, code: str) -> bool:
    """Context that shows the number is an amount or a registration code."""
    if _AMOUNT_AFTER.match(text, end) or _INDEX_NUMBER_AFTER.match(text, end):
        return True
    before = text[max(0, start - 16):start]
    if _CURRENCY_BEFORE.search(before):
        return True
    return code != "GK-PRIV-MOBILE" and _REGISTRATION_LABEL.search(before) is not None


# Every number scan_personal_data reports has at least this many digits (a mobile number's 11).
MIN_PERSONAL_DIGITS = 11
_NOT_DIGITS = re.compile(r"\D+")   # \d as the scanner's patterns mean it (any Unicode decimal digit)


def may_hold_personal_data(text: str) -> bool:
    """False when scan_personal_data(text) is sure to find nothing: too few digits (a quick test for many
    short texts)."""
    return len(_NOT_DIGITS.sub("", text)) >= MIN_PERSONAL_DIGITS


def scan_personal_data(text: str) -> list[Hit]:
    """Unmasked 身份证号, mobile numbers and bank card numbers."""
    normal = _normalise(text)
    found: list[tuple[int, str, str]] = []  # (offset, code, raw number)
    for token in _NUMBER_TOKEN.finditer(normal):
        token_start, token_text = token.start(), token.group()
        if token_start >= 2 and normal[token_start - 1] in ".," and normal[token_start - 2].isdigit():
            continue  # the decimals of "3.14159265358" or the tail of "1,23456789012"
        plus = token_text.startswith("+") and token_text[1:2].isdigit()
        groups, offsets = [], []
        for group in _DIGIT_GROUP.finditer(token_text):
            groups.append(group.group())
            offsets.append((token_start + group.start(), token_start + group.end()))
        i = 0
        while i < len(groups):
            result = _classify_window(groups, i) if len(groups) > 1 else None
            used = 1
            if result:
                code, number, used = result
            else:
                single = _classify_run(groups[i])
                code, number = single if single else (None, None)
            if code:
                start, end = offsets[i][0], offsets[i + used - 1][1]
                if i == 0 and plus:
                    start -= 1
                if not _excluded(normal, start, end, code):
                    found.append((start, code, number))
            i += used
    if not found:
        return []
    positions = _Positions(text)
    hits = []
    for offset, code, number in found:
        line, column = positions.at(offset)
        code, excerpt, message = _personal_hit(code, number)
        hits.append(Hit(code, line, column, excerpt, f"第{line}行{message}"))
    return hits


# ---------------------------------------------------------------------------
# Markup: shared parsing
# ---------------------------------------------------------------------------

_TAG = re.compile(
    r"<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$)"
    r"((?:[\s/]+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]*))?)*)[\s/]*>?"
)
_ATTRIBUTE = re.compile(r"[\s/]*([^\s\"'>/=]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]*))?")
# Python-Markdown attr_list: {: onclick="..." } after a block or { ... } after a link.
_ATTR_LIST = re.compile(r"\{:?[ \t]*([^{}\n]*=[^{}\n]*)\}")
_MD_LINK_DEST = re.compile(r"\[[^\]\n]*\]\([ \t]*(<[^>\n]*>|[^\s)]*)")
_MD_REF_DEF = re.compile(r"^[ \t]{0,3}\[([^\]\n]+)\]:[ \t]*(<[^>\n]*>|\S+)", re.M)
_MD_IMAGE_REF = re.compile(r"!\[([^\]\n]*)\](?:\[([^\]\n]*)\])?")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*)>")
_FENCED_CODE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*\1[`~]*[ \t]*$|\Z)", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)[^`].*?(?<!`)\1(?!`)")
_URL_CONTROL = re.compile(r"[\t\n\r]")
_LEADING_URL_JUNK = "".join(chr(c) for c in range(0x21))  # browsers strip C0 controls and spaces
# Cheap test that a tag's attributes may hold a handler or a (possibly obfuscated) script URL.
_SUSPICIOUS_ATTRIBUTES = re.compile(r"(?i)[\s/]on|script|[&\t\n\r]")
_HANDLER_NAME = re.compile(r"on[a-z]{3,}", re.I)
_SCRIPT_SCHEME = re.compile(r"(?:java|vb)script:", re.I)

_URL_ATTRIBUTES = frozenset(
    "href src action formaction data background poster xlink:href cite longdesc lowsrc dynsrc "
    "codebase srcset ping manifest icon".split()
)


def _attribute_values(attrs: str, base: int) -> list[tuple[str, str, int, int]]:
    """(lower-case name, unquoted value, value offset, name offset) for each attribute."""
    result = []
    for attr in _ATTRIBUTE.finditer(attrs):
        name, raw = attr.group(1), attr.group(2)
        name_offset = base + attr.start(1)
        if raw is None:
            result.append((name.lower(), "", name_offset, name_offset))
            continue
        offset = base + attr.start(2)
        if raw[:1] in "\"'":
            raw, offset = raw[1:-1], offset + 1
        result.append((name.lower(), raw, offset, name_offset))
    return result


def _attributes(tag: re.Match) -> list[tuple[str, str, int, int]]:
    return _attribute_values(tag.group(2), tag.start(2))


def _decoded_url(value: str) -> str:
    """The URL a browser would see: entities decoded, tabs/newlines dropped, leading controls stripped."""
    url = _URL_CONTROL.sub("", html.unescape(value))
    url = url.lstrip(_LEADING_URL_JUNK)
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1]
    return url


def _code_ranges(text: str) -> tuple[list[int], list[int]]:
    """Disjoint, sorted (starts, ends) of fenced code blocks and code spans: shown as text, never run."""
    ranges = sorted([(m.start(), m.end()) for m in _FENCED_CODE.finditer(text)]
                    + [(m.start(), m.end()) for m in _CODE_SPAN.finditer(text)])
    starts: list[int] = []
    ends: list[int] = []
    for start, end in ranges:
        if ends and start < ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _in_code(offset: int, starts: list[int], ends: list[int]) -> bool:
    index = bisect.bisect_right(starts, offset) - 1
    return index >= 0 and offset < ends[index]


def _shorten(value: str, limit: int = 80) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[:limit - 1] + "…"


class _Collector:
    def __init__(self, text: str):
        self.text = text
        self.code_starts, self.code_ends = _code_ranges(text) if "`" in text or "~~~" in text else ([], [])
        self.items: dict[tuple[str, int], tuple[str, str]] = {}

    def add(self, code: str, offset: int, excerpt: str, message: str) -> None:
        if _in_code(offset, self.code_starts, self.code_ends):
            return
        self.items.setdefault((code, offset), (excerpt, message))

    def hits(self) -> list[Hit]:
        if not self.items:
            return []
        positions = _Positions(self.text)
        result = []
        for (code, offset), (excerpt, message) in sorted(self.items.items(), key=lambda kv: kv[0][1]):
            line, column = positions.at(offset)
            result.append(Hit(code, line, column, excerpt, f"第{line}行{message}"))
        return result


# ---------------------------------------------------------------------------
# Unsafe markup
# ---------------------------------------------------------------------------

def _check_js_url(out: _Collector, value: str, offset: int, where: str) -> None:
    url = _decoded_url(value)
    if _SCRIPT_SCHEME.match(url):
        out.add("GK-SAFE-JSURL", offset, _shorten(url, 60),
                f"的{where}使用了脚本链接“{_shorten(url, 30)}”，点击即会执行代码，"
                f"请改为普通网址或站内页面路径。")


def _check_handler(out: _Collector, name: str, offset: int, where: str) -> None:
    if _HANDLER_NAME.fullmatch(name):
        out.add("GK-SAFE-HANDLER", offset, f"{name}=",
                f"的{where}含有事件处理属性 {name}，正文不得嵌入脚本，请删除该属性。")


def scan_unsafe_markup(text: str) -> list[Hit]:
    """<script> tags, inline event handlers and javascript: URLs (also entity-obfuscated)."""
    out = _Collector(text)
    if "<" in text:
        for tag in _TAG.finditer(text):
            name = tag.group(1).lower()
            if name == "script":
                out.add("GK-SAFE-SCRIPT", tag.start(), _shorten(tag.group(), 60),
                        "含有 <script> 脚本标签，正文不得包含脚本，请删除该标签；"
                        "如确需交互功能，请联系网站技术人员。")
            if not _SUSPICIOUS_ATTRIBUTES.search(tag.group(2)):
                continue
            for attr, value, offset, name_offset in _attributes(tag):
                _check_handler(out, attr, name_offset, f" <{name}> 标签")
                if attr in _URL_ATTRIBUTES and value:
                    _check_js_url(out, value, offset, f" <{name}> 标签 {attr} 属性")
        for link in _AUTOLINK.finditer(text):
            _check_js_url(out, link.group(1), link.start(1), "自动链接")
    if "](" in text:
        for link in _MD_LINK_DEST.finditer(text):
            image = link.start() > 0 and text[link.start() - 1] == "!"
            _check_js_url(out, link.group(1), link.start(1), "图片地址" if image else "链接")
    if "]:" in text:
        for definition in _MD_REF_DEF.finditer(text):
            _check_js_url(out, definition.group(2), definition.start(2), "链接定义")
    if "{" in text:
        for attr_list in _ATTR_LIST.finditer(text):
            for attr, value, offset, name_offset in _attribute_values(attr_list.group(1), attr_list.start(1)):
                _check_handler(out, attr, name_offset, "属性列表 {…} ")
                if attr in _URL_ATTRIBUTES:
                    _check_js_url(out, value, offset, f"属性列表 {attr} 属性")
    return out.hits()


# ---------------------------------------------------------------------------
# External resources
# ---------------------------------------------------------------------------

# tag -> attributes whose URL the browser loads without a click
_RESOURCE_ATTRIBUTES = {
    "img": ("src", "srcset", "lowsrc", "dynsrc"),
    "script": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "source": ("src", "srcset"),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "body": ("background",),
    "table": ("background",),
    "td": ("background",),
}
_LOADING_LINK_RELS = frozenset(
    "stylesheet icon apple-touch-icon apple-touch-icon-precomposed mask-icon preload prefetch "
    "modulepreload manifest import".split()
)
_CSS_URL = re.compile(r"""(?i)(?:url\(\s*(["']?)([^"')\s]+)|@import\s+(["'])([^"'\s]+))""")
_EXTERNAL_URL = re.compile(r"(?i)^(?:[a-z][a-z0-9+.-]*:)?//([^/?#\s]*)")


def _external_host(value: str, allowed: frozenset[str]) -> str | None:
    """The other host a URL loads from, or None for site-relative, data: and allowed URLs."""
    url = _decoded_url(value).strip().replace("\\", "/")
    match = _EXTERNAL_URL.match(url)
    if not match:
        return None
    authority = match.group(1).rsplit("@", 1)[-1].lower()
    host = authority.rsplit(":", 1)[0] if authority.count(":") == 1 else authority
    if not host or host in allowed or authority in allowed:
        return None
    return host


def _srcset_urls(value: str, offset: int) -> list[tuple[str, int]]:
    urls, position = [], 0
    for part in value.split(","):
        stripped = part.strip()
        if stripped:
            urls.append((stripped.split()[0], offset + position + part.index(stripped)))
        position += len(part) + 1
    return urls


def scan_external_resources(text: str, allowed_hosts: frozenset[str] = frozenset()) -> list[Hit]:
    """Resources (not plain hyperlinks) loaded from hosts outside `allowed_hosts`."""
    allowed = frozenset(h.lower() for h in allowed_hosts)
    out = _Collector(text)

    def check(value: str, offset: int, what: str) -> None:
        host = _external_host(value, allowed)
        if host:
            out.add("GK-SAFE-EXTERNAL", offset, _shorten(_decoded_url(value)),
                    f"从外部站点 {host} 加载资源（{what}），门户网站不得从其他站点加载资源，"
                    f"请把文件保存到 content/ 下并改用站内路径。")

    if "<" in text:
        for tag in _TAG.finditer(text):
            name = tag.group(1).lower()
            wanted = _RESOURCE_ATTRIBUTES.get(name, ())
            if not wanted and name != "link":
                continue
            attributes = _attributes(tag)
            if name == "link":
                rels = next((v.lower().split() for a, v, _, _ in attributes if a == "rel"), [])
                wanted = ("href",) if _LOADING_LINK_RELS.intersection(rels) else ()
            for attr, value, offset, _ in attributes:
                if attr not in wanted or not value:
                    continue
                urls = _srcset_urls(value, offset) if attr == "srcset" else [(value, offset)]
                for url, url_offset in urls:
                    check(url, url_offset, f"<{name} {attr}>")
    if "url(" in text.lower() or "@import" in text:
        for css in _CSS_URL.finditer(text):
            group = 2 if css.group(2) is not None else 4
            check(css.group(group), css.start(group), "CSS url()" if group == 2 else "CSS @import")
    if "![" in text:
        image_refs = set()
        for link in _MD_LINK_DEST.finditer(text):
            if link.start() > 0 and text[link.start() - 1] == "!":
                check(link.group(1), link.start(1), "Markdown 图片")
        for image in _MD_IMAGE_REF.finditer(text):
            if text.startswith("(", image.end()):
                continue
            image_refs.add((image.group(2) or image.group(1)).strip().lower())
        if image_refs:
            for definition in _MD_REF_DEF.finditer(text):
                if definition.group(1).strip().lower() in image_refs:
                    check(definition.group(2), definition.start(2), "Markdown 图片")
    return out.hits()
