"""YAML is composed without aliases, beyond a depth or past a size: refused in Chinese."""

from __future__ import annotations

import pytest

from benchmarks.bombs import billion_laughs, deep_yaml
from chuangjian.lib.yamlsafe import MAX_CHARS, YamlRefused, safe_load
from chuangjian.standards import loader


def test_plain_yaml_loads() -> None:
    assert safe_load("code: x\nitems: [1, {a: 2}]\n") == {"code": "x", "items": [1, {"a": 2}]}


@pytest.mark.parametrize(("text", "message"), [
    (billion_laughs(), "不允许使用锚点和别名"),
    ("a: &x 1\nb: 2\n", "不允许使用锚点和别名"),
    ("a: *x\n", "不允许使用锚点和别名"),
    (deep_yaml(100_000), "嵌套层数超过 40 层"),
    ("x:\n" + "".join("  " * n + f"k{n}:\n" for n in range(1, 60)), "嵌套层数超过 40 层"),
    ("- " * 1000 + "x\n", "嵌套层数超过 40 层"),
    ("a: " + "x" * (MAX_CHARS + 1), "文件过大"),
])
def test_a_bomb_is_refused_before_it_is_built(text: str, message: str) -> None:
    with pytest.raises(YamlRefused, match=message):
        safe_load(text)


def test_the_standards_loader_names_the_file_and_line_of_an_alias(tmp_path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    result = loader.load_paths([path], builtin_elements=False)
    assert not result.ok
    assert str(result.errors[0]).endswith("bomb.yaml:1 YAML 格式错误：不允许使用锚点和别名"
                                          "（& 和 *），请直接写出内容")
