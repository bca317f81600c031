"""Every finding code of the content checks: the bad input that triggers it, and the
good input next to it that does not."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gongkai.content_check import _scan_chunk as _SCAN_CHUNK
from portal_factory import INTERPRETATION, POLICY, check, codes, write_portal

BASE = {"p1.yml": POLICY, "i1.yml": INTERPRETATION}
COLUMNS = """\
- id: zcwj
  title: 政策文件
  type: 政策文件
  update: irregular
"""


def replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)




# code -> (bad portal, good portal); a portal is (entries, files, columns)
CASES = {
    "GK-YAML-SYNTAX": ({"p1.yml": POLICY + "title: [未闭合\n"}, {}, None),
    "GK-YAML-NOT-MAPPING": ({"p1.yml": "- 只是一个列表\n"}, {}, None),
    "GK-YAML-DUPLICATE-KEY": ({"p1.yml": POLICY + "title: 又一个标题\n"}, {}, None),
    "GK-FILE-ENCODING": ({"p1.yml": POLICY.encode("gb18030")}, {}, None),
    "GK-ENTRY-UNKNOWN-KEY": ({"p1.yml": POLICY + "tittle: 错别字\n"}, {}, None),
    "GK-ENTRY-MISSING-KEY": ({"p1.yml": replace(POLICY, "topic: 综合政务\n", "")}, {}, None),
    "GK-ENTRY-BAD-VALUE": ({"p1.yml": replace(POLICY, "validity: valid", "validity: 有效")}, {}, None),
    "GK-ENTRY-BAD-TYPE": ({"p1.yml": POLICY + "normative: 是的\n"}, {}, None),
    "GK-ENTRY-BAD-DATE": ({"p1.yml": replace(POLICY, "published: 2024-03-01", "published: 2024-02-30")}, {}, None),
    "GK-ENTRY-DATE-ORDER": ({"p1.yml": POLICY + "written: 2024-03-05\n"}, {}, None),
    "GK-ENTRY-ID-FORMAT": ({"p1.yml": replace(POLICY, "id: 113799000000000011/2024-00001", "id: 第一号文件")}, {}, None),
    "GK-ENTRY-DOCNO-BRACKETS": ({"p1.yml": POLICY + "doc_no: 测政发[2024]1号\n"}, {}, None),
    "GK-ENTRY-BAD-TOPIC": ({"p1.yml": replace(POLICY, "topic: 综合政务", "topic: 综合事务")}, {}, None),
    "GK-ENTRY-GENRE": ({"p1.yml": POLICY + "genre: 随笔\n"}, {}, None),
    "GK-ENTRY-NO-CONTENT": ({"p1.yml": replace(POLICY, "body: p1.md\n", "")}, {}, None),
    "GK-REF-BODY": ({"p1.yml": replace(POLICY, "body: p1.md", "body: missing.md")}, {}, None),
    "GK-REF-ATTACHMENT": ({"p1.yml": POLICY + "attachments:\n  - {title: 附件, path: files/missing.pdf}\n"}, {}, None),
    "GK-ENTRY-EXEMPT-REASON": ({"p1.yml": POLICY + "interpretation_required: false\n"}, {}, None),
    "GK-ENTRY-VIDEO-TRANSCRIPT": ({"i1.yml": replace(replace(INTERPRETATION, "form: text", "form: video"), "body: i1.md",
                                                     "attachments:\n  - {title: 视频, path: v.mp4}")},
                                  {"v.mp4": b"\x00"}, None),
    "GK-ENTRY-KEY-KIND": ({"p1.yml": POLICY + "form: text\n"}, {}, None),
    "GK-ENTRY-DUPLICATE-ID": ({"p2.yml": replace(POLICY, "title: 测试市", "title: 另一个测试市")}, {}, None),
    "GK-REF-COLUMN": ({"p1.yml": POLICY + "columns: [zcwjj]\n"}, {}, COLUMNS),
    "GK-REF-SUPERSEDED-BY": ({"p1.yml": POLICY + "superseded_by: 113799000000000011/2024-09999\n"}, {}, None),
    "GK-REF-INTERPRETS": ({"i1.yml": replace(INTERPRETATION, "interprets: 113799000000000011/2024-00001",
                                              "interprets: 113799000000000011/2024-00404")}, {}, None),
    "GK-COLUMN-UNKNOWN-KEY": ({}, {}, COLUMNS + "  updates: weekly\n"),
    "GK-COLUMN-MISSING-KEY": ({}, {}, COLUMNS + "- id: nameless\n"),
    "GK-COLUMN-ID": ({}, {}, COLUMNS + "- id: 政策\n  title: 政策\n"),
    "GK-COLUMN-DUPLICATE-ID": ({}, {}, COLUMNS + "- id: zcwj\n  title: 又一个\n"),
    "GK-COLUMN-BAD-VALUE": ({}, {}, replace(COLUMNS, "update: irregular", "update: daily")),
    "GK-COLUMN-PARENT": ({}, {}, COLUMNS + "  parent: nowhere\n"),
    "GK-COLUMN-FORMAT": ({}, {}, "zcwj: 政策文件\n"),
}
GOOD_FIXES = {  # the good input next to each bad one, where it is not simply BASE
    "GK-REF-COLUMN": ({"p1.yml": POLICY + "columns: [zcwj]\n"}, {}, COLUMNS),
    "GK-ENTRY-EXEMPT-REASON": ({"p1.yml": POLICY + "interpretation_required: false\n"
                                "interpretation_exempt_reason: 内部管理事项，不涉及公众权益\n"}, {}, None),
    "GK-ENTRY-VIDEO-TRANSCRIPT": ({"i1.yml": replace(INTERPRETATION, "form: text", "form: video")}, {}, None),
    "GK-ENTRY-DOCNO-BRACKETS": ({"p1.yml": POLICY + "doc_no: 测政发〔2024〕1号\n"}, {}, None),
    "GK-ENTRY-GENRE": ({"p1.yml": POLICY + "genre: 通知\n"}, {}, None),
    "GK-ENTRY-DATE-ORDER": ({"p1.yml": POLICY + "written: 2024年2月28日\n"}, {}, None),
}


def portal_for(tmp_path, spec):
    entries, files, columns = spec
    merged = dict(BASE)
    merged.update(entries)
    return write_portal(tmp_path, merged, files=files, columns=columns if columns is not None else COLUMNS)


@pytest.mark.parametrize("code", sorted(CASES))
def test_bad_input_triggers_code(tmp_path, code):
    _, findings = check(portal_for(tmp_path, CASES[code]))
    assert code in codes(findings), findings.to_json()
    hit = next(f for f in findings if f.code == code)
    assert hit.file.startswith("catalog/") and hit.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in hit.message), "messages are in Chinese"


@pytest.mark.parametrize("code", sorted(CASES))
def test_good_input_does_not(tmp_path, code):
    _, findings = check(portal_for(tmp_path, GOOD_FIXES.get(code, ({}, {}, None))))
    assert code not in codes(findings), findings.to_json()
    assert not findings.errors, findings.to_json()


def test_loader_reports_every_problem_not_just_the_first(tmp_path):
    bad = POLICY + "tittle: 错\nnormative: 也许\n"
    root = write_portal(tmp_path, {"p1.yml": bad, "i1.yml": INTERPRETATION, "x.yml": "a: [\n"}, columns=COLUMNS)
    _, findings = check(root)
    assert {"GK-ENTRY-UNKNOWN-KEY", "GK-ENTRY-BAD-TYPE", "GK-YAML-SYNTAX"} <= codes(findings)


def test_yaml_syntax_error_has_line(tmp_path):
    root = write_portal(tmp_path, {"p1.yml": POLICY + "summary: a\n  - b: [\n", "i1.yml": INTERPRETATION}, columns=COLUMNS)
    _, findings = check(root)
    syntax = next(f for f in findings if f.code == "GK-YAML-SYNTAX")
    assert syntax.line and syntax.line >= 9 and "行" in syntax.message


def test_unknown_key_suggests_the_right_one(tmp_path):
    _, findings = check(portal_for(tmp_path, CASES["GK-ENTRY-UNKNOWN-KEY"]))
    hit = next(f for f in findings if f.code == "GK-ENTRY-UNKNOWN-KEY")
    assert "title" in hit.message and hit.line == 9


def test_gbk_file_is_named(tmp_path):
    _, findings = check(portal_for(tmp_path, CASES["GK-FILE-ENCODING"]))
    hit = next(f for f in findings if f.code == "GK-FILE-ENCODING")
    assert "GB18030/GBK" in hit.message


def test_dates_in_chinese_and_fullwidth_are_accepted(tmp_path):
    entry = replace(POLICY, "published: 2024-03-01", "published: ２０２４年３月１日")
    portal, findings = check(write_portal(tmp_path, {"p1.yml": entry, "i1.yml": INTERPRETATION}, columns=COLUMNS))
    assert not findings.errors, findings.to_json()
    assert portal.by_id["113799000000000011/2024-00001"].published.isoformat() == "2024-03-01"


def test_gongkai_check_json_contract(tmp_path):
    root = portal_for(tmp_path, CASES["GK-REF-BODY"])
    run = subprocess.run([sys.executable, "-m", "gongkai.cli", "check", "--json", "--as-of", "2024-06-01"],
                         cwd=root, capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    findings = json.loads(run.stdout)
    assert isinstance(findings, list) and findings
    for finding in findings:
        assert {"code", "severity", "file", "line", "message"} <= set(finding)
        assert finding["severity"] in ("error", "warning")
    assert any(f["code"] == "GK-REF-BODY" and f["file"] == "catalog/p1.yml" and f["line"] == 8 for f in findings)


def test_gongkai_check_exit_codes(tmp_path):
    root = portal_for(tmp_path, ({}, {}, None))
    ok = subprocess.run([sys.executable, "-m", "gongkai.cli", "check", "--as-of", "2024-06-01"], cwd=root,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    usage = subprocess.run([sys.executable, "-m", "gongkai.cli", "check", "--as-of", "not-a-date"], cwd=root,
                           capture_output=True, text=True)
    assert usage.returncode == 2
    nowhere = subprocess.run([sys.executable, "-m", "gongkai.cli", "check"], cwd=tmp_path.parent,
                             capture_output=True, text=True)
    assert nowhere.returncode == 2


def _noting_scan(paths):
    """content_check._scan_chunk, noting the process it ran in (a module function: the pool pickles it)."""
    import os

    with open(os.environ["NOTE_SCANS_TO"], "a", encoding="utf-8") as out:
        out.write(f"{os.getpid()}\n")
    return _SCAN_CHUNK(paths)


def test_many_bodies_are_scanned_in_workers_with_the_findings_of_one_process(tmp_path, monkeypatch):
    """A cold build scans its bodies for personal data on every core: the same findings, with file and line,
    as one process finds, and the digests of the bytes scanned, which the pages are held to."""
    import os

    from gongkai import content_check
    from gongkai.portal import CHECKED_BODIES

    number = "11010519491231002X"   # a valid 身份证号 (check character X)
    root = write_portal(tmp_path / "portal", BASE, files={"p1.md": f"政策正文。\n\n联系人身份证号：{number}。\n"})
    pids = tmp_path / "pids"
    monkeypatch.setenv("NOTE_SCANS_TO", str(pids))
    monkeypatch.setattr(content_check, "_scan_chunk", _noting_scan)
    monkeypatch.setenv("GONGKAI_CACHE", "0")
    monkeypatch.setenv("GONGKAI_JOBS", "2")
    results = {}
    for many_from in (10**9, 1):
        monkeypatch.setattr(content_check, "SCAN_IN_WORKERS_FROM", many_from)
        monkeypatch.setattr(content_check, "SCAN_CHUNK", 1)
        portal, findings = check(root)
        results[many_from] = ([(f.code, f.file, f.line) for f in findings], portal.extra[CHECKED_BODIES])
    assert pids.exists() and str(os.getpid()) not in pids.read_text().split(), "the bodies were not scanned in workers"
    assert results[1] == results[10**9]
    assert ("GK-PRIV-ID", "content/p1.md", 3) in results[1][0]
