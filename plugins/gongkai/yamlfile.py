"""YAML with line numbers: every mapping remembers the line of each key."""

from __future__ import annotations

import yaml

LINES = "__lines__"   # key -> 1-based line, stored on every loaded mapping
DUPLICATES = "__duplicates__"


# libyaml's parser when PyYAML was built with it (several times faster); same constructors.
_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineLoader(_BASE):
    def construct_mapping(self, node, deep=False):
        return _with_lines(yaml.SafeLoader.construct_mapping(self, node, deep=True), node)


def _with_lines(mapping: dict, node) -> dict:
    """The mapping made from node, with the line of each key (and of the mapping, under "") and the keys
    given twice."""
    lines, duplicates = {"": node.start_mark.line + 1}, []
    for key_node, _ in node.value:
        key = str(key_node.value)
        if key in lines:
            duplicates.append((key, key_node.start_mark.line + 1))
        lines[key] = key_node.start_mark.line + 1
    mapping[LINES] = lines
    if duplicates:
        mapping[DUPLICATES] = duplicates
    return mapping


# Dates stay text: the loader parses them itself and reports impossible ones (2024-02-30).
LineLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def load_yaml(text: str):
    """The document's data as LineLoader constructs it. Documents of plain mappings, lists and scalars (every
    catalogue file) are constructed here from libyaml's nodes, without PyYAML's constructor machinery (a third
    of an entry file's load); any other node (an alias, a merge key, another tag) has LineLoader construct the
    whole document, as before."""
    loader = LineLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return _construct(loader, node, set())
        except _Unusual:
            return loader.construct_document(node)
    finally:
        loader.dispose()


class _Unusual(Exception):
    """A node _construct leaves to the constructors."""


_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _TAG + "str", _TAG + "map", _TAG + "seq"
# scalar tags other than str (taken as they are, first) and what LineLoader makes of them (timestamps stay
# text, see above)
_SCALARS = {
    _TAG + "timestamp": lambda loader, node: node.value,
    _TAG + "null": lambda loader, node: None,
    _TAG + "bool": yaml.SafeLoader.construct_yaml_bool,
    _TAG + "int": yaml.SafeLoader.construct_yaml_int,
    _TAG + "float": yaml.SafeLoader.construct_yaml_float,
}


def _construct(loader, node, seen: set):
    """What loader.construct_document(node) gives, for documents of mappings, lists and the scalars above."""
    if id(node) in seen:
        raise _Unusual   # an alias: the constructors keep its one object (and cycles)
    seen.add(id(node))
    kind, tag = type(node), node.tag
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        make = _SCALARS.get(tag)
        if make is None:
            raise _Unusual
        return make(loader, node)
    if kind is yaml.SequenceNode and tag == _SEQ:
        return [_construct(loader, item, seen) for item in node.value]
    if kind is not yaml.MappingNode or tag != _MAP:
        raise _Unusual
    mapping = {}
    for key_node, value_node in node.value:
        if type(key_node) is not yaml.ScalarNode:
            raise _Unusual   # a complex key (unhashable: the constructors report it)
        key = _construct(loader, key_node, seen)
        mapping[key] = _construct(loader, value_node, seen)
    return _with_lines(mapping, node)


def strip_lines(value):
    """The same data without the bookkeeping keys."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k not in (LINES, DUPLICATES)}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value


def syntax_error_position(exc: yaml.YAMLError) -> tuple[int | None, int | None]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return None, None
    return mark.line + 1, mark.column + 1


def syntax_error_message(exc: yaml.YAMLError) -> str:
    line, column = syntax_error_position(exc)
    where = f"第 {line} 行第 {column} 列" if line else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    hint = ""
    if "\t" in problem or "tab" in problem:
        hint = "YAML 不能用 Tab 缩进，请改用空格。"
    elif "mapping values" in problem:
        hint = "冒号后要有空格；值里含有冒号时请用引号把整个值括起来。"
    elif "could not find expected ':'" in problem or "simple key" in problem:
        hint = "每一行应是“键: 值”的形式，请检查是否漏了冒号或缩进不一致。"
    elif "found character" in problem:
        hint = "值里含有 YAML 的特殊字符，请用引号把整个值括起来。"
    return f"YAML 格式错误（{where}）：{problem}。{hint}请修正该处格式。".replace("（）", "")
