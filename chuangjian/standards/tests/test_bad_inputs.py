"""Bad-input corpus of standard files (YAML): each refused with its file, line and a Chinese
message; nothing reaches the database (loading stores nothing until it is valid)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.bombs import billion_laughs, deep_yaml
from chuangjian.lib.yamlsafe import MAX_CHARS
from chuangjian.standards import loader
from chuangjian.standards.models import StandardVersion

SYNTAX = "YAML 格式错误"
ALIAS = "不允许使用锚点和别名"
DEPTH = "嵌套层数超过 40 层"
MAPPING = "文件内容应为映射"

CASES: list[tuple[str, str | bytes, int | None, str | None]] = [
    ("tab", "code: x\n\tname: y\n", 2, "不能用制表符（Tab）缩进"),
    ("unclosed_quote", 'code: "x\nname: y\n', 3, "引号或括号没有闭合"),
    ("unclosed_list", "code: [1, 2\n", 2, "列表缺少逗号或右方括号"),
    ("unclosed_map", "code: {a: 1\n", 2, "映射缺少逗号或右花括号"),
    ("bad_indent", "code: x\n  name: y\n name2: z\n", 2, "此处不能出现「:」"),
    ("colon_in_value", "code: a: b\n", 1, "此处不能出现「:」"),
    ("duplicate_key", "code: x\ncode: y\n", 2, "重复的字段「code」"),
    ("bool_key", "true: x\n", 1, "应为文字或整数"),
    ("list_key", "? [1, 2]\n: x\n", 1, "应为文字或整数"),
    ("python_tag", "code: !!python/object:os.system x\n", 1, "不支持的类型标记"),
    ("undefined_alias", "code: *nope\n", 1, ALIAS),
    ("anchor", "code: &a x\nname: *a\n", 1, ALIAS),
    ("merge_key", "base: &b {a: 1}\nother:\n  <<: *b\n", 1, ALIAS),
    ("billion_laughs", billion_laughs(), 1, ALIAS),
    ("billion_laughs_small", billion_laughs(levels=2, fan=2), 1, ALIAS),
    *[(f"deep_list_{n}", deep_yaml(n), 2, DEPTH) for n in (41, 1000, 100_000)],
    *[(f"deep_map_{n}", "code: " + "{a: " * n + "1" + "}" * n + "\n", 1, DEPTH)
      for n in (50, 5000)],
    ("deep_block", "a:\n" + "".join("  " * n + f"k{n}:\n" for n in range(1, 60)), 40, DEPTH),
    ("deep_dashes", "a: " + "- " * 2000 + "x\n", 1, None),
    ("list_top", "- a\n- b\n", 1, MAPPING),
    ("scalar_top", "hello\n", 1, MAPPING),
    ("number_top", "42\n", 1, MAPPING),
    ("empty", "", 1, MAPPING),
    ("only_comment", "# 空文件\n", 1, MAPPING),
    ("not_utf8", b"\xff\xfe\x00code: x", None, "文件不是 UTF-8 编码"),
    ("gbk", "code: 文明社区\n".encode("gbk"), None, "文件不是 UTF-8 编码"),
    ("too_large", "a: " + "x" * (MAX_CHARS + 1) + "\n", None, "文件过大"),
    ("missing_fields", "code: x\n", 1, "缺少必填字段"),
]


@pytest.mark.parametrize(("name", "text", "line", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_malformed_standard_file_is_refused_with_its_line(
        db, tmp_path: Path, name: str, text: str | bytes, line: int | None,
        message: str | None) -> None:
    path = tmp_path / f"{name}.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    result = loader.load_paths([path], builtin_elements=False)
    assert not result.ok
    error = result.errors[0]
    assert error.file.endswith(f"{name}.yaml")
    if message is not None:
        assert message in error.message, error
    else:  # refused by the YAML reader, whichever rule of depth or syntax fires first
        assert error.message.startswith(SYNTAX) or DEPTH in error.message, error
    if line is not None:
        assert error.line == line, error
    assert not StandardVersion.objects.exists()
