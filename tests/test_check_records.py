"""Loading and checks keep per-file results across runs (file_records.py): a rerun must report
exactly what a run without them would, after every kind of change to what a result depends on."""

from __future__ import annotations

import datetime as dt
import pytest

from gongkai import file_records, pickle_journal
from gongkai.config import PortalConfig
from gongkai.file_records import FileRecords, Probe
from gongkai.loader import entry_file_names
from portal_factory import INTERPRETATION, POLICY, check, codes, write_portal

ID_NUMBER = "11010519491231002X"       # a valid 18-character 身份证号 (check character X)
BASE = {"p1.yml": POLICY, "i1.yml": INTERPRETATION}


@pytest.fixture(autouse=True)
def trusted_stats(monkeypatch):
    """Trust a file's stat at once (not only two seconds after its last change), so a rerun takes every
    unchanged file's record from its stat: the path a real rebuild takes. Every edit below changes the
    file's size, so its stat changes too."""
    monkeypatch.setattr(file_records, "SETTLE_NS", -10**18)
    monkeypatch.setenv("GONGKAI_CACHE", "1")


def keyed(findings) -> list[tuple]:
    return sorted((f.file, f.line, f.code, f.severity, f.message) for f in findings)


def uncached(root, as_of=dt.date(2024, 6, 1)):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GONGKAI_CACHE", "0")
        return check(root, as_of)[1]


def records_of(root) -> list:
    return sorted((root / ".cache" / "gongkai").glob("*-records-*.pickle")) + sorted(
        (root / ".cache" / "gongkai").glob("content-findings-*.pickle"))


def test_a_rerun_reports_the_same_findings_with_file_and_line(tmp_path):
    root = write_portal(tmp_path, {"p1.yml": POLICY + "tittle: 错别字\n", "i1.yml": INTERPRETATION,
                                   "bad.yml": POLICY.encode("gb18030")},
                        files={"p1.md": f"政策正文。\n\n申请人身份证号：{ID_NUMBER}。\n", "about.md": "<script>x</script>\n"})
    first = check(root)[1]
    assert records_of(root), "the first run keeps its records"
    second = check(root)[1]
    assert keyed(second) == keyed(first) == keyed(uncached(root))
    assert {"GK-ENTRY-UNKNOWN-KEY", "GK-FILE-ENCODING", "GK-PRIV-ID", "GK-SAFE-SCRIPT"} <= codes(second)
    by_code = {f.code: f for f in second}
    assert (by_code["GK-PRIV-ID"].file, by_code["GK-PRIV-ID"].line) == ("content/p1.md", 3)
    assert (by_code["GK-ENTRY-UNKNOWN-KEY"].file, by_code["GK-ENTRY-UNKNOWN-KEY"].line) == ("catalog/p1.yml", 9)


def test_an_id_number_added_to_a_checked_body_is_found(tmp_path):
    root = write_portal(tmp_path, BASE)
    assert "GK-PRIV-ID" not in codes(check(root)[1])
    body = root / "content" / "p1.md"
    body.write_text(body.read_text(encoding="utf-8") + f"\n申请人身份证号：{ID_NUMBER}。\n", encoding="utf-8")
    findings = check(root)[1]
    assert [(f.file, f.line) for f in findings if f.code == "GK-PRIV-ID"] == [("content/p1.md", 3)]
    body.write_text("政策正文，已脱敏。\n", encoding="utf-8")
    assert "GK-PRIV-ID" not in codes(check(root)[1])


def test_an_id_number_added_to_a_hand_written_page_or_an_entry_title_is_found(tmp_path):
    root = write_portal(tmp_path, BASE, files={"about.md": "# 关于本站\n"})
    assert "GK-PRIV-ID" not in codes(check(root)[1])
    (root / "content" / "about.md").write_text(f"# 关于本站\n\n联系人身份证号 {ID_NUMBER}\n", encoding="utf-8")
    entry = root / "catalog" / "p1.yml"
    entry.write_text(entry.read_text(encoding="utf-8").replace("title: 测试市", f"title: {ID_NUMBER}测试市"),
                     encoding="utf-8")
    findings = check(root)[1]
    assert sorted((f.file, f.line) for f in findings if f.code == "GK-PRIV-ID") == [
        ("catalog/p1.yml", 2), ("content/about.md", 3)]


def test_a_body_saved_in_another_encoding_is_found(tmp_path):
    root = write_portal(tmp_path, BASE)
    check(root)
    (root / "content" / "p1.md").write_bytes("政策正文，另存为 GBK。\n".encode("gb18030"))
    assert [f.file for f in check(root)[1] if f.code == "GK-FILE-ENCODING"] == ["content/p1.md"]


def test_the_build_date_moves_interpretation_deadlines(tmp_path):
    root = write_portal(tmp_path, {"p1.yml": POLICY})     # a policy without its interpretation
    assert "GK-INTERP-PENDING" in codes(check(root, dt.date(2024, 3, 2))[1])
    later = check(root, dt.date(2024, 6, 1))[1]
    assert "GK-INTERP-MISSING" in codes(later) and "GK-INTERP-PENDING" not in codes(later)


def test_the_build_date_moves_column_staleness(tmp_path):
    columns = "- id: zcwj\n  title: 政策文件\n  update: monthly\n"
    root = write_portal(tmp_path, {"p1.yml": POLICY + "columns: [zcwj]\n", "i1.yml": INTERPRETATION}, columns=columns)
    assert "GK-COLUMN-STALE" not in codes(check(root, dt.date(2024, 3, 10))[1])
    assert "GK-COLUMN-STALE" in codes(check(root, dt.date(2024, 6, 1))[1])


def test_adding_and_deleting_a_named_body_file_reloads_the_unchanged_entry(tmp_path):
    root = write_portal(tmp_path, {"p1.yml": POLICY.replace("body: p1.md", "body: texts/p9.md"),
                                   "i1.yml": INTERPRETATION})
    assert "GK-REF-BODY" in codes(check(root)[1])
    (root / "content" / "texts").mkdir()
    (root / "content" / "texts" / "p9.md").write_text("补上的正文。\n", encoding="utf-8")
    portal, findings = check(root)
    assert "GK-REF-BODY" not in codes(findings) and portal.by_id["113799000000000011/2024-00001"].body == "texts/p9.md"
    (root / "content" / "texts" / "p9.md").unlink()
    assert [(f.file, f.line) for f in check(root)[1] if f.code == "GK-REF-BODY"] == [("catalog/p1.yml", 8)]


def test_an_attachment_added_deleted_or_replaced_is_seen(tmp_path):
    root = write_portal(tmp_path, {"p1.yml": POLICY + "attachments:\n  - {title: 附件, path: files/a.pdf}\n",
                                   "i1.yml": INTERPRETATION})
    assert "GK-REF-ATTACHMENT" in codes(check(root)[1])
    (root / "content" / "files").mkdir()
    (root / "content" / "files" / "a.pdf").write_bytes(b"%PDF" + b"1" * 96)
    portal, findings = check(root)
    assert "GK-REF-ATTACHMENT" not in codes(findings)
    assert portal.by_id["113799000000000011/2024-00001"].attachments[0].size == 100
    (root / "content" / "files" / "a.pdf").write_bytes(b"%PDF" + b"2" * 196)
    portal, _ = check(root)
    assert portal.by_id["113799000000000011/2024-00001"].attachments[0].size == 200
    (root / "content" / "files" / "a.pdf").unlink()
    assert "GK-REF-ATTACHMENT" in codes(check(root)[1])


def test_configuration_changes_are_seen(tmp_path):
    root = write_portal(tmp_path, BASE, files={"p1.md": "![图](https://cdn.example.com/a.png)\n"})
    findings = check(root)[1]
    assert "GK-ENTRY-BAD-TOPIC" not in codes(findings) and "GK-SAFE-EXTERNAL" in codes(findings)
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("domain: www.test.gov.cn", "domain: cdn.example.com")
                      .replace("      column_severity: warning\n", "      column_severity: warning\n      topics: [财政]\n"),
                      encoding="utf-8")
    findings = check(root)[1]
    assert "GK-ENTRY-BAD-TOPIC" in codes(findings) and "GK-SAFE-EXTERNAL" not in codes(findings)
    config.write_text(text, encoding="utf-8")
    findings = check(root)[1]
    assert "GK-ENTRY-BAD-TOPIC" not in codes(findings) and "GK-SAFE-EXTERNAL" in codes(findings)


def test_an_entry_file_deleted_and_added_is_seen(tmp_path):
    root = write_portal(tmp_path, BASE)
    check(root)
    (root / "catalog" / "i1.yml").unlink()
    (root / "catalog" / "p2.yml").write_text(POLICY.replace("2024-00001", "2024-00003"), encoding="utf-8")
    portal, findings = check(root)
    assert sorted(e.source for e in portal.entries) == ["catalog/p1.yml", "catalog/p2.yml"]
    assert keyed(findings) == keyed(uncached(root))


def test_a_quick_same_size_edit_is_not_taken_for_the_recorded_file(tmp_path, monkeypatch):
    """A file changed within its filesystem's timestamp granularity can keep its stat: a stat seen less
    than SETTLE_NS after the file's last change is not trusted, its bytes are compared."""
    monkeypatch.setattr(file_records, "stat_key", lambda st: (st.st_size, st.st_ino))   # the same stat after an edit
    monkeypatch.setattr(file_records, "SETTLE_NS", 2_000_000_000)  # just written: not settled
    path = tmp_path / "a.md"
    path.write_text("第一版\n", encoding="utf-8")
    records = FileRecords(tmp_path / "records.pickle")
    records.put(Probe("a.md", path), "first")
    records.save()
    path.write_text("第二版\n", encoding="utf-8")                  # the same size
    assert FileRecords(tmp_path / "records.pickle").get(Probe("a.md", path)) is None
    path.write_text("第一版\n", encoding="utf-8")
    assert FileRecords(tmp_path / "records.pickle").get(Probe("a.md", path)) == "first"


def test_records_are_kept_only_for_files_of_this_run(tmp_path):
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    records = FileRecords(tmp_path / "records.pickle")
    for name in ("a.md", "b.md"):
        records.put(Probe(name, tmp_path / name), name)
    records.save()
    records = FileRecords(tmp_path / "records.pickle")
    assert records.get(Probe("a.md", tmp_path / "a.md")) == "a.md"
    records.save()
    assert FileRecords(tmp_path / "records.pickle").get(Probe("b.md", tmp_path / "b.md")) is None


def test_a_damaged_records_file_is_an_empty_one(tmp_path):
    root = write_portal(tmp_path, BASE, files={"p1.md": f"身份证号：{ID_NUMBER}\n"})
    first = check(root)[1]
    for path in records_of(root):
        path.write_bytes(b"not a pickle")
    assert keyed(check(root)[1]) == keyed(first)


def test_only_the_latest_namespace_is_kept(tmp_path):
    (tmp_path / "a.md").write_text("a", encoding="utf-8")
    for namespace in ("old code", "new code"):
        records = FileRecords.for_root(tmp_path, "things", namespace)
        records.put(Probe("a.md", tmp_path / "a.md"), namespace)
        records.save()
    assert [p.name for p in (tmp_path / ".cache" / "gongkai").iterdir()] == [records.path.name]


def test_entry_files_come_in_path_order(tmp_path):
    """As sorted Paths: component by component, so a directory's files come where its name sorts."""
    catalog = tmp_path / "catalog"
    for rel in ["a.yml", "a/x.yml", "a-b/y.yml", "a b.yml", "A.yml", "a/columns.yml", "columns.yml", "b/c/d.yml",
                "b.yml", "é.yml", "notes.txt"]:
        (catalog / rel).parent.mkdir(parents=True, exist_ok=True)
        (catalog / rel).write_text("x", encoding="utf-8")
    expected = [p.relative_to(catalog).as_posix() for p in sorted(catalog.rglob("*.yml"))]
    expected.remove("columns.yml")
    assert entry_file_names(PortalConfig(root=tmp_path)) == expected
    assert expected[:4] == ["A.yml", "a/columns.yml", "a/x.yml", "a b.yml"]


def test_small_changes_go_to_the_journal_and_a_damaged_journal_costs_only_work(tmp_path):
    names = [f"{i}.md" for i in range(20)]
    for name in names:
        (tmp_path / name).write_text(name, encoding="utf-8")
    path = tmp_path / "records.pickle"
    records = FileRecords(path)
    for name in names:
        records.put(Probe(name, tmp_path / name), "v1 " + name)
    records.save()
    snapshot = path.read_bytes()
    (tmp_path / "3.md").write_text("changed", encoding="utf-8")
    records = FileRecords(path)
    for name in names[:-1]:                       # 19.md is gone from this run: dropped
        probe = Probe(name, tmp_path / name)
        if records.get(probe) is None:
            records.put(probe, "v2 " + name)
    records.save()
    assert path.read_bytes() == snapshot and path.with_suffix(".journal").is_file()
    pickle_journal._IN_MEMORY.clear()               # as a new process reads them
    reread = FileRecords(path)
    assert reread.get(Probe("3.md", tmp_path / "3.md")) == "v2 3.md"
    assert reread.get(Probe("4.md", tmp_path / "4.md")) == "v1 4.md"
    assert reread.get(Probe("19.md", tmp_path / "19.md")) is None
    with open(path.with_suffix(".journal"), "ab") as fh:
        fh.write(b"\x80\x05garbage")              # a write cut short
    pickle_journal._IN_MEMORY.clear()
    damaged = FileRecords(path)
    assert damaged.get(Probe("3.md", tmp_path / "3.md")) == "v2 3.md"
    damaged.put(Probe("5.md", tmp_path / "5.md"), "v3 5.md")
    damaged.save()                                # a damaged journal is replaced by a snapshot
    assert not path.with_suffix(".journal").exists() and path.read_bytes() != snapshot
    pickle_journal._IN_MEMORY.clear()
    assert FileRecords(path).get(Probe("5.md", tmp_path / "5.md")) == "v3 5.md"


def test_a_reloaded_entry_keeps_the_key_of_every_field_it_was_parsed_with(tmp_path):
    """Pages are keyed by their entries' shown_keys (Portal.public_entries_key); a rerun takes them from the
    records, not from the entries' reprs again, so they must be exactly what the parse gave."""
    import dataclasses

    from gongkai.model import slug_of
    root = write_portal(tmp_path, dict(BASE))
    first = {e.id: e for e in check(root)[0].entries}
    second = check(root)[0]
    for entry in second.entries:
        assert "shown_key" in vars(entry), "a reloaded entry comes with its key"
        assert entry.shown_key == first[entry.id].shown_key
        assert vars(entry).get("slug") == slug_of(entry.id), "and with its slug"
        fresh = dataclasses.replace(entry)   # a new object, key worked out from its fields
        assert fresh.shown_key == entry.shown_key
        assert dataclasses.replace(entry, title=entry.title + "改").shown_key != entry.shown_key
    (root / "catalog" / "p1.yml").write_text(POLICY.replace("title: ", "title: 新"), encoding="utf-8")
    edited = {e.id: e for e in check(root)[0].entries}
    changed = [i for i in edited if edited[i].shown_key != first[i].shown_key]
    assert changed and all(edited[i].title != first[i].title for i in changed)
    assert len(second.public_entries_key) == 20 * len(second.public_entries)


def test_loading_runs_with_the_cycle_collector_paused_and_restores_it(tmp_path, monkeypatch):
    """Its passes over the loaded objects were 40% of a rebuild's loading and checks; loading makes next to
    no cyclic garbage. The collector is back on afterwards, as it was."""
    import gc
    from gongkai import checks
    seen = []
    real = checks.load_portal
    monkeypatch.setattr(checks, "load_portal", lambda *args: seen.append(gc.isenabled()) or real(*args))
    root = write_portal(tmp_path, dict(BASE))
    assert gc.isenabled()
    check(root)
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        check(root)
        assert not gc.isenabled(), "a caller's paused collector stays paused"
    finally:
        gc.enable()


def test_a_rerun_looks_each_bodys_record_up_once(tmp_path, monkeypatch):
    """The content check found unchanged bodies' records before it scanned the others, then looked each up
    again to report it: a rebuild's 10,000 lookups, twice."""
    root = write_portal(tmp_path, BASE, files={"p1.md": "政策正文。\n", "i1.md": "解读正文。\n", "about.md": "关于。\n"})
    first = check(root)[1]
    asked = []
    get = FileRecords.get
    monkeypatch.setattr(FileRecords, "get", lambda self, probe: asked.append(probe.rel) or get(self, probe))
    second = check(root)[1]
    assert keyed(second) == keyed(first)
    content = [rel for rel in asked if rel.endswith(".md")]
    assert len(content) == len(set(content)), f"looked up again: {sorted(content)}"
