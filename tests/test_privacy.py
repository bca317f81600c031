"""Tests of the privacy and content-safety scanners (gongkai.privacy)."""


import pytest

from gongkai.privacy import (
    Hit,
    scan_external_resources,
    scan_personal_data,
    scan_unsafe_markup,
)

from seeds import SEEDS  # noqa: E402
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str) -> str:
    """An 18-character 身份证号 with its ISO 7064 MOD 11-2 check character, computed here."""
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def wrong_check(number: str) -> str:
    """The same number with a check character that is not the right one."""
    right = number[-1]
    return number[:-1] + next(c for c in "0123456789X" if c != right)


def luhn_number(prefix: str, length: int) -> str:
    """A Luhn-valid card number of `length` digits starting with `prefix`."""
    body = prefix + "1234567890123456789"[: length - len(prefix) - 1]
    for last in "0123456789":
        candidate = body + last
        total = 0
        for position, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if position % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def luhn_broken(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def codes(hits: list[Hit]) -> list[str]:
    return [hit.code for hit in hits]


ID_X = id_number("11010519491231002")  # check character X
ID_DIGIT = id_number("35010219900307123")
CARD_16 = luhn_number("4", 16)
CARD_19 = luhn_number("6222", 19)


def test_generated_numbers_are_what_the_tests_assume():
    assert ID_X.endswith("X")
    assert ID_DIGIT[-1].isdigit()
    assert CARD_16 != luhn_broken(CARD_16)


# --- 身份证号 --------------------------------------------------------------------------


@pytest.mark.parametrize("number", [ID_X, ID_DIGIT, ID_X.lower()])
def test_id_number_with_valid_check_digit_is_found(number):
    hits = scan_personal_data(f"申请人身份证号：{number}。")
    assert codes(hits) == ["GK-PRIV-ID"]


def test_id_number_grouped_by_spaces_is_found():
    grouped = f"{ID_DIGIT[:6]} {ID_DIGIT[6:14]} {ID_DIGIT[14:]}"
    assert codes(scan_personal_data(f"证件号 {grouped}")) == ["GK-PRIV-ID"]


def test_old_fifteen_digit_id_with_valid_date_is_found():
    assert codes(scan_personal_data("身份证 350102900307123")) == ["GK-PRIV-ID"]


@pytest.mark.parametrize(
    "text",
    [
        "身份证号 " + wrong_check(ID_DIGIT),  # check digit wrong
        "身份证号 " + wrong_check(ID_X),
        "号码 350102901307123",  # 15 digits, month 13
        "号码 " + id_number("35010219901307123"),  # valid check digit but no such date
        "号码 " + id_number("00010219900307123"),  # no such province
        "号码 1" + ID_DIGIT,  # inside a longer digit run
        "脱敏后 35*************123 与 3501**********123X",
    ],
)
def test_id_near_misses_are_not_found(text):
    assert scan_personal_data(text) == []


# --- mobile numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "联系人手机13812345678。",
        "手机：138-1234-5678",
        "手机：138 1234 5678",
        "电话 +86 139 1234 5678",
        "电话 +8613912345678",
        "电话 86-13912345678",
        "电话（+86）15012345678",
        "全角 １３８１２３４５６７８ 号码",
        "全角分隔 １３８－１２３４－５６７８",
        "[联系我们](https://example.gov.cn/contact?tel=18912345678)",
        '<a href="tel:17712345678">拨打</a>',
    ],
)
def test_mobile_numbers_are_found(text):
    assert codes(scan_personal_data(text)) == ["GK-PRIV-MOBILE"]


@pytest.mark.parametrize(
    "text",
    [
        "脱敏后 138****1234",
        "值班电话 0531-12345678，服务热线 12345",
        "办公电话（0512）68612510",
        "成文日期 20240315，统计至 2024-03-15",
        "索引号 113700000000000011/2025-00012",
        "索引号 11370000MB1234567X/2025-00012",
        "文号 示政办发〔2024〕15号",
        "统一社会信用代码 91350100MA2Y12345X",
        "金额 13812345678 元，合计 13912345678.50",
        "共计 ￥15012345678",
        "圆周率 3.13812345678",
        "编号 1381234567890123456",  # a mobile-looking start inside a 19-digit number
        "编号 9913812345678",  # inside a 13-digit number
        "号码 12812345678",  # 12x is not a mobile prefix
        "号码 1381234567",  # ten digits
    ],
)
def test_mobile_near_misses_are_not_found(text):
    assert [h for h in scan_personal_data(text) if h.code == "GK-PRIV-MOBILE"] == []


# --- bank cards ------------------------------------------------------------------------


def test_luhn_valid_card_numbers_are_found():
    grouped = " ".join(CARD_19[i:i + 4] for i in range(0, 19, 4))
    dashed = "-".join(CARD_16[i:i + 4] for i in range(0, 16, 4))
    text = f"卡号 {CARD_16}\n卡号 {grouped}\n卡号 {dashed}\n卡号 {CARD_19}"
    assert codes(scan_personal_data(text)) == ["GK-PRIV-BANKCARD"] * 4


def test_luhn_invalid_card_numbers_are_not_found():
    grouped = " ".join(luhn_broken(CARD_19)[i:i + 4] for i in range(0, 19, 4))
    text = f"卡号 {luhn_broken(CARD_16)}\n卡号 {grouped}\n卡号 {luhn_broken(CARD_19)}"
    assert scan_personal_data(text) == []


def test_masked_card_and_registration_codes_are_not_found():
    text = (
        f"卡号 6222 **** **** 1234\n"
        f"索引号 {luhn_number('1137', 18)}/2025-00012\n"  # a Luhn-valid 18-digit organisation code
        f"统一社会信用代码：{luhn_number('91', 18)}\n"
        f"合计 {CARD_16} 元"
    )
    assert scan_personal_data(text) == []


def test_twenty_digit_number_is_not_a_card():
    assert scan_personal_data("流水号 " + luhn_number("6", 20)) == []


# --- positions and masking -------------------------------------------------------------


def test_line_and_column_are_one_based_and_exact():
    text = f"第一行没有号码\n第二行  手机 13812345678\n\n{ID_DIGIT} 在行首\n　　卡号：{CARD_16}"
    hits = scan_personal_data(text)
    assert [(h.code, h.line, h.column) for h in hits] == [
        ("GK-PRIV-MOBILE", 2, 9),
        ("GK-PRIV-ID", 4, 1),
        ("GK-PRIV-BANKCARD", 5, 6),
    ]
    assert hits[0].message.startswith("第2行")


def test_full_width_digits_keep_their_positions():
    hits = scan_personal_data("ａ\n电话：１３８１２３４５６７８")
    assert (hits[0].line, hits[0].column) == (2, 4)


def test_excerpts_and_messages_never_contain_the_raw_number():
    grouped_mobile = "138-1234-5678"
    text = f"{ID_DIGIT} {ID_X} 13812345678 {grouped_mobile} {CARD_16} {CARD_19} ３５０１０２９００３０７１２３"
    hits = scan_personal_data(text)
    assert len(hits) == 7
    for hit in hits:
        for raw in (ID_DIGIT, ID_X, "13812345678", grouped_mobile, CARD_16, CARD_19, "350102900307123"):
            assert raw not in hit.excerpt and raw not in hit.message
        assert "*" in hit.excerpt and hit.excerpt in hit.message
        # the middle digits, which identify a person, are hidden
        assert "1234" not in hit.excerpt[3:7]


def test_masks_follow_the_de_identification_rules():
    mobile, id_hit = scan_personal_data(f"13812345678 {ID_DIGIT}")
    assert mobile.excerpt == "138****5678"
    assert id_hit.excerpt == ID_DIGIT[:4] + "*" * 10 + ID_DIGIT[-4:]
    assert ID_DIGIT[:2] + "*" * 13 + ID_DIGIT[-3:] in id_hit.message  # the suggested 前2位+*+后3位 form


def test_shifted_hit_moves_line_and_message():
    hit = scan_personal_data("13812345678")[0].shifted(11)
    assert hit.line == 12 and hit.message.startswith("第12行")


# --- realistic text --------------------------------------------------------------------


def seed_line(name: str, containing: str) -> str:
    return next(line for line in (SEEDS / name).read_text(encoding="utf-8").splitlines() if containing in line)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not available")
def test_seed_lines_with_phones_and_mail_are_clean():
    contact = seed_line("004_e8df0bb51c40281b.txt", "0512-68612510")
    assert "zfxxgk@suzhou.gov.cn" in contact
    text = contact + "\n" + seed_line("000_332de8ecc6942498.txt", "2016")
    assert scan_personal_data(text) == []
    assert scan_unsafe_markup(text) == []
    assert scan_external_resources(text) == []


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not available")
def test_seed_line_with_a_real_leak_is_found():
    contact = seed_line("004_e8df0bb51c40281b.txt", "0512-68612510")
    hits = scan_personal_data(contact.replace("0512-68612510", "0512-68612510，手机13912345678"))
    assert codes(hits) == ["GK-PRIV-MOBILE"]


# --- unsafe markup ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", '<SCRIPT src="/js/a.js"></SCRIPT>', "<script\ntype='module'>x()</script>"],
)
def test_script_tags_are_found(text):
    assert codes(scan_unsafe_markup(text)) == ["GK-SAFE-SCRIPT"]


@pytest.mark.parametrize(
    "text",
    [
        '<img src="a.png" onerror="alert(1)">',
        "<div ONCLICK='go()'>x</div>",
        "<svg/onload=alert(1)>",
        '<a href="/x" title="a > b" onmouseover="x()">x</a>',
        '[链接](/x/){ onclick="steal()" }',
    ],
)
def test_event_handlers_are_found(text):
    assert codes(scan_unsafe_markup(text)) == ["GK-SAFE-HANDLER"]


@pytest.mark.parametrize(
    "text",
    [
        "[点击](javascript:alert(1))",
        "[点击]( JavaScript:alert(1))",
        "[点击](jav&#x09;ascript:alert(1))",
        "[点击](&#106;avascript:alert(1))",
        '<a href="javascript:void(0)">x</a>',
        '<a href="  JaVaScRiPt&colon;alert(1)">x</a>',
        "<a href='java\tscript:x()'>x</a>",
        "<iframe src=javascript:alert(1)></iframe>",
        "[ref]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "<a href='vbscript:msgbox(1)'>x</a>",
    ],
)
def test_javascript_urls_are_found(text):
    assert codes(scan_unsafe_markup(text)) == ["GK-SAFE-JSURL"]


@pytest.mark.parametrize(
    "text",
    [
        "请勿在正文中使用 `<script>` 标签，也不要写 `onclick=`。",
        "```html\n<script>alert(1)</script>\n<a href=\"javascript:x\">x</a>\n```",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        '<a href="https://www.gov.cn/" title="javascript: 一种编程语言">政府网</a>',
        "JavaScript: 网页脚本语言的名称，在正文里提到它没有问题。",
        '<p class="one">段落</p> <button type="button">按钮</button>',
        "[文件](/files/a.pdf) {: .notice } 温度 {x=1}",
        "如<5人的小组，a<b",
    ],
)
def test_safe_markup_is_not_flagged(text):
    assert scan_unsafe_markup(text) == []


def test_unsafe_markup_positions():
    text = '正文\n<p>见 <img src="a.png" onerror="x()"> 与 [链接](javascript:x)</p>\n<script>'
    second_line = text.splitlines()[1]
    hits = scan_unsafe_markup(text)
    assert [(h.code, h.line, h.column) for h in hits] == [
        ("GK-SAFE-HANDLER", 2, second_line.index("onerror") + 1),
        ("GK-SAFE-JSURL", 2, second_line.index("javascript") + 1),
        ("GK-SAFE-SCRIPT", 3, 1),
    ]
    assert all(h.message.startswith(f"第{h.line}行") for h in hits)


# --- external resources ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, host",
    [
        ('<img src="https://cdn.example.com/a.png">', "cdn.example.com"),
        ('<img src="/a.png" srcset="/a.png 1x, https://img.example.com/a@2x.png 2x">', "img.example.com"),
        ('<script src="//cdn.example.com/jquery.js"></script>', "cdn.example.com"),
        ('<link rel="stylesheet" href="https://fonts.example.com/css">', "fonts.example.com"),
        ('<link rel="shortcut icon" href="http://example.com/favicon.ico">', "example.com"),
        ('<iframe src="https://map.example.com/embed"></iframe>', "map.example.com"),
        ('<video src="https://v.example.com/a.mp4"></video>', "v.example.com"),
        ('<video poster="https://v.example.com/a.jpg" src="/a.mp4"></video>', "v.example.com"),
        ('<audio><source src="https://a.example.com/a.mp3"></audio>', "a.example.com"),
        ('<object data="https://o.example.com/a.swf"></object>', "o.example.com"),
        ("<div style=\"background: url('https://bg.example.com/a.png')\">x</div>", "bg.example.com"),
        ("<style>@import 'https://css.example.com/a.css';</style>", "css.example.com"),
        ("![示意图](http://img.example.com/a.png \"标题\")", "img.example.com"),
        ("![示意图](<//img.example.com/a.png>)", "img.example.com"),
        ("![示意图][图1]\n\n[图1]: https://ref.example.com/a.png", "ref.example.com"),
        ('<img src="https:\\\\evil.example.com/a.png">', "evil.example.com"),
        ('<img src="&#104;ttps://enc.example.com/a.png">', "enc.example.com"),
        ('<img src="HTTPS://User@Up.Example.com:8443/a.png">', "up.example.com"),
    ],
)
def test_external_resources_are_found(text, host):
    hits = scan_external_resources(text)
    assert codes(hits) == ["GK-SAFE-EXTERNAL"]
    assert host in hits[0].message


@pytest.mark.parametrize(
    "text",
    [
        '<a href="https://www.gov.cn/">中国政府网</a>',
        "[中国政府网](https://www.gov.cn/) 与 <https://www.gov.cn/>",
        '<link rel="canonical" href="https://www.example.gov.cn/a/">',
        '<img src="/images/a.png"> <img src="../a.png"> ![图](images/a.png)',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        "[参考资料]: https://www.gov.cn/\n\n见[参考资料]。",
        "`<img src=\"https://cdn.example.com/a.png\">` 是错误示例",
        "网址 http://www.suzhou.gov.cn 和 //注释",
    ],
)
def test_hyperlinks_and_local_resources_are_not_flagged(text):
    assert scan_external_resources(text) == []


def test_allowed_hosts_are_not_flagged():
    text = '<img src="https://static.example.gov.cn/a.png">\n<img src="https://other.example.com/b.png">'
    hits = scan_external_resources(text, frozenset({"Static.Example.gov.cn"}))
    assert [(h.line, h.column) for h in hits] == [(2, 11)]
    assert "other.example.com" in hits[0].message
    assert hits[0].excerpt == "https://other.example.com/b.png"


# --- speed sanity (no timing assertion: just that a large text goes through) -------------


def test_large_text_is_scanned_completely():
    block = '<p>正文 <a href="/x/">链接</a> 电话 0531-12345678，金额 12,345.67 元。</p>\n'
    text = block * 1500 + "最后一行 13812345678"
    hits = scan_personal_data(text)
    assert [(h.code, h.line) for h in hits] == [("GK-PRIV-MOBILE", 1501)]
    assert scan_unsafe_markup(text) == [] and scan_external_resources(text) == []


def test_the_quick_digit_test_never_skips_a_text_with_personal_data():
    """content_check skips scanning catalogue fields that may_hold_personal_data rules out."""
    from gongkai.privacy import may_hold_personal_data
    texts = [f"电话 {m}" for m in ("13812345678", "138 1234 5678", "138-1234-5678", "+8613812345678",
                                   "+86 138 1234 5678", "0086 13812345678", "８６１３８１２３４５６７８",
                                   "１３８１２３４５６７８")]
    texts += [f"身份证 {ID_X}", f"身份证 {ID_X.lower()}", "身份证 350102900307123", f"卡号 {CARD_16}", f"卡号 {CARD_19}",
              " ".join(CARD_16[i:i + 4] for i in range(0, 16, 4)), f"{ID_DIGIT[:6]} {ID_DIGIT[6:14]} {ID_DIGIT[14:]}"]
    found = [text for text in texts if scan_personal_data(text)]
    assert len(found) == len(texts)
    assert all(may_hold_personal_data(text) for text in found)
    assert not may_hold_personal_data("第3季度 123456789 号")      # ten digits: nothing to find
