"""data/catalog.json and data/catalog.csv: the contract, Excel-friendly CSV, nothing non-public."""

from __future__ import annotations

import csv
import io
import json

from gongkai.model import Attachment
from gongkai.deferred import materialize
from gongkai.open_data import FIELDS, LIST_SEPARATOR, open_data_files
from gongkai.urls import Linker, entry_path

from test_columns_support import HIDDEN_MARKERS, entry, hidden_entries, make_portal

TRICKY_TITLE = '关于“一网通办”的通知，含逗号,引号"和\n换行'


def sample_portal():
    entries = [
        entry(1, kind="policy", topic="综合政务", validity="abolished", superseded_by="113799000000000011/2026-00002",
              doc_no="测府规〔2026〕1号", keywords=["一网通办", "政务公开"], normative=True, columns=["gzdt"],
              attachments=[Attachment("附件一", "att/a.pdf", 1234)]),
        entry(2, kind="policy", topic="综合政务", validity="valid", title=TRICKY_TITLE),
        entry(3, kind="interpretation", interprets=["113799000000000011/2026-00001", "113799000000000011/2026-00901"],
              form="qa", superseded_by="113799000000000011/2026-00903"),
    ]
    return make_portal(entries + hidden_entries())


def files(portal, directory_urls=True):
    return {rel: materialize(data) for rel, data in open_data_files(portal, Linker(directory_urls))}


def test_json_holds_the_contract_fields_for_every_public_entry():
    portal = sample_portal()
    records = json.loads(files(portal)["data/catalog.json"].decode("utf-8"))
    assert [r["id"] for r in records] == [e.id for e in portal.public_entries]
    for record, e in zip(records, portal.public_entries):
        assert {"id", "title", "kind", "publisher", "published", "url"} <= set(record)
        assert record["url"] == entry_path(e)
        assert all(value not in (None, [], "") for value in record.values())
    first = next(r for r in records if r["id"].endswith("00001"))
    assert first["keywords"] == ["一网通办", "政务公开"] and first["normative"] is True
    assert first["attachments"] == [{"title": "附件一", "url": "att/a.pdf", "size": 1234}]
    offline = json.loads(files(portal, False)["data/catalog.json"])
    assert offline[0]["url"].endswith(".html")


def test_references_to_non_public_entries_are_dropped():
    records = json.loads(files(sample_portal())["data/catalog.json"])
    interpretation = next(r for r in records if r["id"].endswith("00003"))
    assert interpretation["interprets"] == ["113799000000000011/2026-00001"]
    assert "superseded_by" not in interpretation


def test_csv_is_utf8_with_bom_and_round_trips():
    portal = sample_portal()
    data = files(portal)["data/catalog.csv"]
    assert data.startswith(b"\xef\xbb\xbf")                    # Excel reads the BOM as UTF-8
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert len(header) == len(FIELDS) and header[0] == "索引号(id)"
    records = json.loads(files(portal)["data/catalog.json"])
    assert len(body) == len(records)
    for row, record in zip(body, records):
        cells = dict(zip((key for key, _ in FIELDS), row))
        assert cells["id"] == record["id"] and cells["title"] == record["title"]
        assert cells["url"] == record["url"] and cells["published"] == record["published"]
        if "keywords" in record:
            assert cells["keywords"].split(LIST_SEPARATOR) == record["keywords"]
    assert any(row[1] == TRICKY_TITLE for row in body)          # commas, quotes and newlines survive


def test_no_non_public_entry_in_any_data_file():
    for name, data in files(sample_portal()).items():
        text = data.decode("utf-8-sig")
        assert not any(marker in text for marker in HIDDEN_MARKERS), name


def test_json_has_one_record_a_line_and_an_empty_catalogue_is_an_empty_array():
    """A record's change is a one-line diff; the file is what the C encoder writes (see catalog_json)."""
    portal = sample_portal()
    lines = files(portal)["data/catalog.json"].decode("utf-8").split("\n")
    assert lines[0] == "[" and lines[-2:] == ["]", ""]
    records = [json.loads(line.rstrip(",")) for line in lines[1:-2]]
    assert [r["id"] for r in records] == [e.id for e in portal.public_entries]
    assert files(make_portal(hidden_entries()))["data/catalog.json"] == b"[]\n"
