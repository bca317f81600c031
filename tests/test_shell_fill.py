"""A page's bytes from its frame: fill_bytes gives fill(...).encode("utf-8") byte for byte, with the frame's
text encoded once, and leaves to fill the parts that could take part in one of its replacements."""
from __future__ import annotations

import random

from gongkai.material_adapter import CONTENT_MARK, HEAD_MARK, TITLE_MARK, Shell

URL_MARK = "gkshell/gkshellpage/"
FRAME = ("<!doctype html><html><head><title>" + TITLE_MARK + " - 站</title>\n<link rel=canonical href='https://x/" + URL_MARK
         + "'>\n" + HEAD_MARK + "\n</head><body><nav><a href='../" + URL_MARK + "x'>" + TITLE_MARK + "</a>gkshell/</nav>\n"
         + CONTENT_MARK + "\n<footer>gkshellpage/ " + URL_MARK + "</footer></body></html>")


def test_a_page_filled_as_bytes_is_the_filled_page_encoded():
    shell = Shell(FRAME, URL_MARK)
    data = shell.fill_bytes("xxgk/a/", "标题 & “引号”", '<meta name="a" content="b">', "<p>正文</p>")
    assert data == shell.fill("xxgk/a/", "标题 & “引号”", '<meta name="a" content="b">', "<p>正文</p>").encode("utf-8")
    assert shell._pieces and shell._pieces.holes == ["T", "U", "H", "U", "T", "C", "U"]


def test_parts_that_could_take_part_in_a_replacement_are_filled_as_fill_fills_them():
    """Parts holding the marks, or making one with the frame's text beside them (the title after
    'gkshell/', content before 'gkshellpage/'), and random parts of such pieces: the same bytes."""
    shell = Shell(FRAME, URL_MARK)
    rng = random.Random(5)
    bits = ["a", "一", "<", "&", "gkshell/", "gkshellpage/", URL_MARK, "GKSHELL", "TITLE", TITLE_MARK, HEAD_MARK,
            CONTENT_MARK, "\ue000", "/", " "]
    taken = 0
    for _ in range(20_000):
        url, title, head, content = ("".join(rng.choice(bits) for _ in range(rng.randint(0, 4))) for _ in range(4))
        assert shell.fill_bytes(url, title, head, content) == shell.fill(url, title, head, content).encode("utf-8")
        taken += not any(m in v for v in (title, head, content) for m in (TITLE_MARK, URL_MARK, "gkshell", "TITLE"))
    assert taken > 1000


def test_a_frame_that_cannot_be_cut_is_filled_by_fill():
    for frame in (FRAME.replace("</nav>", "\ue000</nav>"), FRAME.replace(" - 站</title>", "</title>").replace(
            "<title>" + TITLE_MARK, "<title>" + TITLE_MARK + URL_MARK)):
        shell = Shell(frame, URL_MARK)
        assert shell.fill_bytes("u/", "t", "h", "c") == shell.fill("u/", "t", "h", "c").encode("utf-8")
        assert shell._pieces is False
