"""`gongkai new KIND` writes an entry with the next free 索引号 that loads cleanly once filled in."""

import subprocess
import sys

from gongkai.scaffold import next_id
from portal_factory import INTERPRETATION, POLICY, check, codes, write_portal


def test_next_id_takes_the_next_serial_of_the_year():
    ids = ["113799000000000011/2024-00001", "113799000000000011/2024-00007", "113799000000000011/2023-00099",
           "11379900MB0000102F/2024-00500"]
    assert next_id(ids, 2024) == "113799000000000011/2024-00008"
    assert next_id(ids, 2025) == "113799000000000011/2025-00001"
    assert next_id(ids, 2024, org="11379900MB0000102F") == "11379900MB0000102F/2024-00501"


def test_gongkai_new_scaffolds_loadable_files(tmp_path):
    root = write_portal(tmp_path, {"p.yml": POLICY, "i.yml": INTERPRETATION})
    run = subprocess.run([sys.executable, "-m", "gongkai.cli", "new", "notice", "--title", "关于测试的通知"],
                         cwd=root, capture_output=True, text=True, env={"SOURCE_DATE_EPOCH": "1717200000", "PATH": ""})
    assert run.returncode == 0, run.stderr
    created = list((root / "catalog" / "notice").glob("*.yml"))
    assert [p.name for p in created] == ["113799000000000011-2024-00003.yml"]
    text = created[0].read_text(encoding="utf-8").replace("（请填写发布机构）", "测试市人民政府办公室")
    created[0].write_text(text, encoding="utf-8")
    portal, findings = check(root)
    assert not findings.errors, findings.to_json()
    assert portal.by_id["113799000000000011/2024-00003"].title == "关于测试的通知"
    assert "GK-ENTRY-UNKNOWN-KEY" not in codes(findings)
