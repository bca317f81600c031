"""Catalogue YAML is constructed from libyaml's nodes without PyYAML's constructors when it is made of plain
mappings, lists and scalars, and gives exactly what LineLoader gives; anything else goes to LineLoader."""

from __future__ import annotations

import math

import pytest
import yaml

from gongkai.yamlfile import LineLoader, load_yaml
from portal_factory import REPO


def reference(text: str):
    return yaml.load(text, Loader=LineLoader)


def same(a, b) -> bool:
    """Equal, of the same types, with dict keys in the same order (NaN equal to NaN)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


PLAIN = [
    'id: "113799000000000001/2026-00001"\ntitle: 示例市政策\npublished: 2026-01-05\nkeywords: [低保, 救助]\n',
    "a: 1\nb: 0x1F\nc: 1_000\nd: 0o17\ne: 190:20:30\nf: -7\n",
    "a: 1.5\nb: .inf\nc: -.Inf\nd: .nan\ne: 6.8523015e+5\nf: 1e3\n",
    "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: False\n",
    "a: ~\nb: null\nc:\nd: ''\ne: \"\"\n",
    "a: 2024-01-01\nb: 2024-01-01T10:00:00Z\nc: 2024-02-30\nd: '2024-01-01'\n",
    "title: 一\ntitle: 二\nbody: x\nbody: y\n",
    "1: 整数键\ntrue: 真\nnull: 空\n2024-01-01: 日期键\n'3': 字符串键\n",
    "attachments:\n  - title: 附件一\n    path: a.pdf\n  - title: 附件二\n    path: b.pdf\n    size: 12\n",
    "summary: |\n  第一行\n  第二行\nnote: >\n  折叠\n  的文字\n",
    "__lines__: 用户写的\nx: 1\n",
    "- 1\n- [a, b]\n- {c: d}\n",
    "只是一个标量\n",
    "{}\n",
    "[]\n",
    "a: !!str 12\nb: !!int '7'\nc: !!float '2'\n",   # explicit standard tags
]
UNUSUAL = [
    "base: &b {x: 1}\nother: *b\n",
    "base: &b\n  x: 1\nmerged:\n  <<: *b\n  y: 2\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!set {x, y}\n",
    "a: !!omap [x: 1, y: 2]\n",
]


@pytest.mark.parametrize("text", PLAIN + UNUSUAL)
def test_a_document_loads_as_line_loader_loads_it(text):
    assert same(load_yaml(text), reference(text))


@pytest.mark.parametrize("text", ["? [a, b]\n: c\n", "a: !custom x\n", "a: 1\n---\nb: 2\n", "a: [1\n",
                                  "a: &a [1, *a]\n"])
def test_what_line_loader_rejects_is_rejected_the_same_way(text):
    with pytest.raises(yaml.YAMLError) as expected:
        reference(text)
    with pytest.raises(type(expected.value)):
        load_yaml(text)


def test_empty_documents_are_none():
    assert load_yaml("") is None and load_yaml("# 只有注释\n") is None


def test_every_catalogue_file_of_the_demo_portal_loads_the_same():
    files = sorted((REPO / "catalog").rglob("*.yml"))
    assert len(files) > 50
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert same(load_yaml(text), reference(text)), path


def test_plain_documents_skip_the_constructors_and_the_others_use_them(monkeypatch):
    calls = []
    original = LineLoader.construct_document
    monkeypatch.setattr(LineLoader, "construct_document", lambda self, node: calls.append(node) or original(self, node))
    for text in PLAIN:
        load_yaml(text)
    assert calls == []
    for text in UNUSUAL:
        load_yaml(text)
    assert len(calls) == len(UNUSUAL)
