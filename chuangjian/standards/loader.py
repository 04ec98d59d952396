"""Read standard files and the data element library, and validate them together.

`load_paths` reads every file, validates each against `schema`, then checks
what only the whole set can tell (codes that must exist, one definition per
element, expression types, reference cycles, quotes in the plans, weights).
It returns either everything or nothing: when a single error is found the
result carries the errors and no standards, so a caller can never store half
a set. Errors name the file, the line, the field path and say what is wrong
in Chinese, in the form `文件:行 字段：消息`.
"""

from __future__ import annotations

import types
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from chuangjian.engine import expressions, targets
from chuangjian.lib.yamlsafe import BoundedSafeLoader
from chuangjian.standards import directions
from chuangjian.standards import plans as plan_module
from chuangjian.standards.schema import (
    Category,
    Element,
    ElementLibrary,
    Expression,
    Indicator,
    Method,
    ScoreRule,
    Standard,
    target_thresholds,
)

__all__ = [
    "BUILTIN_DIR",
    "ELEMENTS_DIR",
    "LoadResult",
    "Origin",
    "StandardError",
    "StandardsInvalid",
    "element_usage",
    "load_builtin",
    "load_paths",
]

BUILTIN_DIR = Path(__file__).with_name("builtin")
ELEMENTS_DIR = BUILTIN_DIR / "elements"

Path_ = tuple[str | int, ...]


# ---------------------------------------------------------------- results


@dataclass(frozen=True, order=True)
class StandardError:
    """One problem in one file, at one line and field."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{place} {self.field}：{self.message}" if self.field else f"{place} {self.message}"


class StandardsInvalid(Exception):
    """Raised by `LoadResult.raise_for_errors` when any file was refused."""

    def __init__(self, errors: Sequence[StandardError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass(frozen=True)
class Origin:
    """Where a definition was read from."""

    file: Path
    line: int

    def __str__(self) -> str:
        return f"{_display(self.file)}:{self.line}"


@dataclass(frozen=True)
class LoadResult:
    """Every standard and element of a load, or only the errors.

    When `errors` is not empty, `standards` and `elements` are empty: nothing
    is ever half loaded.
    """

    standards: tuple[Standard, ...] = ()
    elements: Mapping[str, Element] = field(default_factory=lambda: types.MappingProxyType({}))
    errors: tuple[StandardError, ...] = ()
    standard_files: Mapping[tuple[str, int], Path] = field(
        default_factory=lambda: types.MappingProxyType({})
    )
    element_origins: Mapping[str, Origin] = field(
        default_factory=lambda: types.MappingProxyType({})
    )
    # The line of each validation rule in its standard's file, by standard key.
    rule_lines: Mapping[tuple[str, int], tuple[int | None, ...]] = field(
        default_factory=lambda: types.MappingProxyType({})
    )

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> LoadResult:
        if self.errors:
            raise StandardsInvalid(self.errors)
        return self

    def standard(self, code: str, version: int | None = None) -> Standard:
        """The standard with this code (its latest version unless one is named)."""
        found = [s for s in self.standards if s.code == code and version in (None, s.version)]
        if not found:
            raise KeyError(code if version is None else f"{code} v{version}")
        return max(found, key=lambda s: s.version)

    def elements_of(self, standard: Standard) -> dict[str, Element]:
        """The elements a standard uses in expressions or collects in datasets."""
        return {code: self.elements[code] for code in sorted(_elements_used(standard))}


def element_usage(result: LoadResult) -> dict[str, list[str]]:
    """{element code: [codes of the standards using it]}, every element listed.

    An element nobody uses maps to an empty list, which is how the library's
    dead entries show up.
    """
    usage: dict[str, set[str]] = {code: set() for code in result.elements}
    for standard in result.standards:
        for code in _elements_used(standard):
            usage.setdefault(code, set()).add(standard.code)
    return {code: sorted(users) for code, users in sorted(usage.items())}


def _elements_used(standard: Standard) -> set[str]:
    indicator_codes = {indicator.code for indicator in standard.all_indicators()}
    names: set[str] = set()
    for expression in _expressions(standard):
        names |= expression.names()
    for dataset in standard.datasets:
        names |= set(dataset.elements)
    return names - indicator_codes


def _expressions(standard: Standard) -> Iterator[Expression]:
    for indicator in standard.all_indicators():
        if indicator.expression is not None:
            yield indicator.expression
    for unit_class in standard.classes:
        yield unit_class.rule
    for validation in standard.validations:
        yield validation.expression


# ---------------------------------------------------------------- reading YAML


def _display(path: Path) -> str:
    """A short file name for messages: relative to the working directory if inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Lines:
    """Line numbers (1-based) of every key and list item of a document."""

    def __init__(self) -> None:
        self.at: dict[Path_, int] = {(): 1}

    def line(self, path: Path_) -> int:
        # A missing field has no line of its own: point at its nearest parent.
        while path not in self.at:
            path = path[:-1]
        return self.at[path]


_YAML_PROBLEMS = {
    "mapping values are not allowed here": "此处不能出现「:」（冒号后缺空格、缩进不对，或文字需要加引号）",
    "could not find expected ':'": "缺少冒号「:」",
    "did not find expected key": "缩进不一致，或缺少键",
    "did not find expected '-' indicator": "列表项缩进不一致（缺少「-」）",
    "found character '\\t' that cannot start any token": "不能用制表符（Tab）缩进，请用空格",
    "found undefined alias": "引用了未定义的锚点（*别名）",
    "found unexpected end of stream": "文件意外结束（引号或括号没有闭合）",
    "expected <block end>, but found '<block mapping start>'": "缩进不一致",
    "expected <block end>, but found '-'": "列表项缩进不一致",
    "found unexpected ':'": "出现了多余的冒号「:」",
    "while scanning a quoted scalar": "引号没有闭合",
    "expected ',' or ']'": "列表缺少逗号或右方括号「]」",
    "expected ',' or '}'": "映射缺少逗号或右花括号「}」",
    "could not determine a constructor for the tag": "不支持的类型标记（以 ! 开头）",
}


def _yaml_message(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    for english, chinese in _YAML_PROBLEMS.items():
        if problem.startswith(english) or context.startswith(english):
            return f"YAML 格式错误：{chinese}"
    return f"YAML 格式错误：{problem}"


class _DocumentError(Exception):
    def __init__(self, line: int | None, field: str, message: str) -> None:
        self.line, self.field, self.message = line, field, message


def _read_yaml(text: str) -> tuple[Any, _Lines]:
    """Compose the document and build plain values plus a line map from the nodes."""
    # Aliases, deep nesting and oversized files are refused while composing.
    loader = BoundedSafeLoader(text)
    lines = _Lines()
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            raise _DocumentError(
                None if mark is None else mark.line + 1, "", _yaml_message(error)
            ) from error
        except yaml.YAMLError as error:
            raise _DocumentError(None, "", _yaml_message(error)) from error
        if node is None:
            return None, lines

        def build(node: yaml.Node, path: Path_) -> Any:
            if isinstance(node, yaml.MappingNode):
                loader.flatten_mapping(node)
                mapping: dict[Any, Any] = {}
                for key_node, value_node in node.value:
                    key = loader.construct_object(key_node, deep=True)
                    if not isinstance(key, str | int) or isinstance(key, bool):
                        raise _DocumentError(
                            key_node.start_mark.line + 1,
                            _format_path(path),
                            f"键「{key}」应为文字或整数",
                        )
                    if key in mapping:
                        raise _DocumentError(
                            key_node.start_mark.line + 1,
                            _format_path((*path, key)),
                            f"重复的字段「{key}」",
                        )
                    lines.at[(*path, key)] = key_node.start_mark.line + 1
                    mapping[key] = build(value_node, (*path, key))
                return mapping
            if isinstance(node, yaml.SequenceNode):
                items = []
                for index, item in enumerate(node.value):
                    lines.at[(*path, index)] = item.start_mark.line + 1
                    items.append(build(item, (*path, index)))
                return items
            return loader.construct_object(node, deep=True)

        try:
            return build(node, ()), lines
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            raise _DocumentError(
                None if mark is None else mark.line + 1, "", _yaml_message(error)
            ) from error
    finally:
        loader.dispose()


def _format_path(path: Path_) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


# ---------------------------------------------------------------- pydantic errors


def _plain(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


_TYPE_NAMES = {
    "int": "整数",
    "float": "数字",
    "bool": "布尔值（true 或 false）",
    "string": "文字",
    "list": "列表",
    "tuple": "列表",
    "dict": "映射（键: 值）",
    "model": "映射（键: 值）",
}


def _translate(error: ErrorDetails) -> str:
    kind = error["type"]
    loc = error["loc"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    name = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        return f"未知字段「{name}」"
    if kind == "missing":
        return f"缺少必填字段「{name}」"
    if kind in ("enum", "literal_error"):
        return f"取值「{_plain(value)}」无效，应为 {ctx.get('expected', '')} 之一"
    if kind == "string_pattern_mismatch":
        if name == "plan" or name == "plans" or (len(loc) > 1 and loc[-2] == "plans"):
            return f"篇目「{_plain(value)}」的写法应为「篇N」，如 篇3"
        return f"代码「{_plain(value)}」格式不对：只能用小写英文字母、数字和下划线，并以字母开头"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "too_short":
        return "至少要有一项"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {
            "greater_than_equal": ("ge", "不能小于"),
            "greater_than": ("gt", "应大于"),
            "less_than_equal": ("le", "不能大于"),
            "less_than": ("lt", "应小于"),
        }[kind]
        return f"取值 {_plain(value)} {words[1]} {ctx.get(words[0])}"
    for suffix in ("_type", "_parsing"):
        if kind.endswith(suffix):
            wanted = _TYPE_NAMES.get(kind.removesuffix(suffix))
            if wanted:
                return f"类型不对：应为{wanted}，实际为「{_plain(value)}」"
    if kind == "model_attributes_type":
        return f"类型不对：应为映射（键: 值），实际为「{_plain(value)}」"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return error["msg"]


# ---------------------------------------------------------------- documents


@dataclass
class _Document:
    path: Path
    lines: _Lines
    model: BaseModel | None = None

    @property
    def name(self) -> str:
        return _display(self.path)


class _Errors:
    def __init__(self) -> None:
        self.items: list[StandardError] = []

    def add(self, document: _Document, path: Path_, message: str) -> None:
        self.items.append(
            StandardError(document.name, document.lines.line(path), _format_path(path), message)
        )


def _class_keys(data: Mapping[str, Any]) -> dict[str, str]:
    """Class codes and names → name, read from the raw document before validation."""
    keys: dict[str, str] = {}
    classes = data.get("classes")
    if isinstance(classes, list):
        for entry in classes:
            if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
                keys[entry["name"]] = entry["name"]
                if isinstance(entry.get("code"), str):
                    keys[entry["code"]] = entry["name"]
    return keys


def _read_document(path: Path, errors: _Errors) -> _Document | None:
    document = _Document(path=path, lines=_Lines())
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        errors.items.append(StandardError(document.name, None, "", "找不到文件"))
        return None
    except UnicodeDecodeError:
        errors.items.append(StandardError(document.name, None, "", "文件不是 UTF-8 编码"))
        return None
    try:
        data, document.lines = _read_yaml(text)
    except _DocumentError as error:
        errors.items.append(StandardError(document.name, error.line, error.field, error.message))
        return None
    if not isinstance(data, dict):
        errors.items.append(
            StandardError(document.name, 1, "", "文件内容应为映射（键: 值），如 code: …、elements: …")
        )
        return None

    is_library = "code" not in data and "elements" in data
    try:
        if is_library:
            document.model = ElementLibrary.model_validate(data)
        else:
            document.model = Standard.model_validate(
                data, context={"class_keys": _class_keys(data)}
            )
    except ValidationError as error:
        details = error.errors(include_url=False)
        for detail in details:
            loc = tuple(detail["loc"])
            # pydantic also calls a list "too short" when one of its entries
            # failed; the entry's own error is the one worth reading.
            if detail["type"] == "too_short" and any(
                len(other["loc"]) > len(loc) and tuple(other["loc"][: len(loc)]) == loc
                for other in details
            ):
                continue
            errors.add(document, loc, _translate(detail))
        return None
    return document


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(file.resolve(), file)
    return list(unique.values())


# ---------------------------------------------------------------- the load


def load_builtin() -> LoadResult:
    """The built-in standards with the element library."""
    return load_paths([BUILTIN_DIR])


def load_paths(paths: Iterable[str | Path], *, builtin_elements: bool = True) -> LoadResult:
    """Load standard and element library files (directories are searched for *.yaml).

    The built-in element library is included unless `builtin_elements` is
    False, so a standard written elsewhere can use the shared elements.
    """
    wanted = list(paths)
    if builtin_elements:
        wanted.insert(0, ELEMENTS_DIR)
    errors = _Errors()
    documents = [doc for doc in (_read_document(p, errors) for p in _expand(wanted)) if doc]

    elements, element_origins = _collect_elements(documents, errors)
    library_codes = {
        element.code
        for doc in documents
        if isinstance(doc.model, ElementLibrary)
        for element in doc.model.elements
    }
    standard_docs = [
        (doc, doc.model) for doc in documents if isinstance(doc.model, Standard)
    ]
    standard_files: dict[tuple[str, int], Path] = {}
    rule_lines: dict[tuple[str, int], tuple[int | None, ...]] = {}
    for document, standard in standard_docs:
        if standard.key in standard_files:
            other = _display(standard_files[standard.key])
            errors.add(
                document,
                ("version",),
                f"标准「{standard.code}」第 {standard.version} 版已在 {other} 中定义",
            )
            continue
        standard_files[standard.key] = document.path
        rule_lines[standard.key] = tuple(
            document.lines.line(("validations", i)) for i in range(len(standard.validations)))
        # A standard sees the shared library and its own inline elements,
        # never another standard's, so each file loads on its own as well.
        visible = {
            code: elements[code]
            for code in library_codes | {element.code for element in standard.elements}
            if code in elements
        }
        _check_standard(standard, document, visible, errors)

    if errors.items:
        return LoadResult(errors=tuple(sorted(errors.items)))
    return LoadResult(
        standards=tuple(standard for _, standard in standard_docs),
        elements=types.MappingProxyType(dict(sorted(elements.items()))),
        standard_files=types.MappingProxyType(standard_files),
        element_origins=types.MappingProxyType(element_origins),
        rule_lines=types.MappingProxyType(rule_lines),
    )


def _collect_elements(
    documents: list[_Document], errors: _Errors
) -> tuple[dict[str, Element], dict[str, Origin]]:
    """One definition per element code across every file (一数一源)."""
    elements: dict[str, Element] = {}
    origins: dict[str, Origin] = {}
    for document in documents:
        if not isinstance(document.model, Standard | ElementLibrary):
            continue
        defined = document.model.elements
        seen_here: set[str] = set()
        for index, element in enumerate(defined):
            path: Path_ = ("elements", index)
            origin = Origin(document.path, document.lines.line(path))
            if element.code in seen_here:
                errors.add(document, (*path, "code"), f"数据元素代码「{element.code}」在本文件中重复")
                continue
            seen_here.add(element.code)
            if element.code not in elements:
                elements[element.code] = element
                origins[element.code] = origin
            elif elements[element.code] != element:
                first = elements[element.code]
                differ = [
                    name
                    for name in Element.model_fields
                    if getattr(first, name) != getattr(element, name)
                ]
                errors.add(
                    document,
                    (*path, "code"),
                    f"数据元素「{element.code}」定义不一致：{origins[element.code]} 与 {origin} "
                    f"的 {'、'.join(differ)} 不同（同一数据元素只能有一种定义）",
                )
    return elements, origins


def _duplicates(
    document: _Document, errors: _Errors, entries: Iterable[tuple[Path_, str]], what: str
) -> None:
    seen: dict[str, Path_] = {}
    for path, code in entries:
        if code in seen:
            first = document.lines.line(seen[code])
            errors.add(document, (*path, "code"), f"{what}代码「{code}」重复（第 {first} 行已用过）")
        else:
            seen[code] = path


def _indicator_paths(standard: Standard) -> Iterator[tuple[Path_, Indicator]]:
    for i, item in enumerate(standard.items):
        for c, content in enumerate(item.contents):
            for n, indicator in enumerate(content.indicators):
                yield ("items", i, "contents", c, "indicators", n), indicator


def _check_standard(
    standard: Standard, document: _Document, library: Mapping[str, Element], errors: _Errors
) -> None:
    known_plans = plan_module.plan_texts()
    for index, plan in enumerate(standard.plans):
        if plan not in known_plans:
            errors.add(document, ("plans", index), f"未知的篇目「{plan}」（只有篇1至篇{len(known_plans)}）")

    if standard.years.to is not None and standard.years.to < standard.years.start:
        errors.add(document, ("years", "to"), "结束年份早于开始年份")

    indicators = list(_indicator_paths(standard))
    _duplicates(
        document,
        errors,
        [(("items", i), item.code) for i, item in enumerate(standard.items)]
        + [
            (("items", i, "contents", c), content.code)
            for i, item in enumerate(standard.items)
            for c, content in enumerate(item.contents)
        ],
        "测评项目/测评内容",
    )
    _duplicates(document, errors, [(path, ind.code) for path, ind in indicators], "指标")
    _duplicates(
        document, errors, [(("classes", i), c.code) for i, c in enumerate(standard.classes)], "类别"
    )
    seen_names: set[str] = set()
    for index, unit_class in enumerate(standard.classes):
        if unit_class.name in seen_names:
            errors.add(document, ("classes", index, "name"), f"类别名称「{unit_class.name}」重复")
        seen_names.add(unit_class.name)
    _duplicates(
        document, errors, [(("datasets", i), d.code) for i, d in enumerate(standard.datasets)], "数据集"
    )
    _duplicates(
        document,
        errors,
        [(("validations", i), v.code) for i, v in enumerate(standard.validations)],
        "校验规则",
    )
    _check_problem_categories(standard, document, errors)

    # The names an expression may use: the shared library, this file's own
    # elements, and the codes of this standard's computed indicators.
    elements = dict(library)
    element_types = {code: element.value_type for code, element in elements.items()}
    indicator_codes = {indicator.code for _, indicator in indicators}
    for code in sorted(indicator_codes & set(elements)):
        path = next(p for p, ind in indicators if ind.code == code)
        errors.add(document, (*path, "code"), f"指标代码「{code}」与数据元素同名，请换一个")
    names = dict(element_types)
    for _, indicator in indicators:
        if indicator.expression is not None:
            names[indicator.code] = expressions.ValueType.NUMBER

    def check_expression(
        path: Path_, expression: Expression, wanted: expressions.ValueType, what: str
    ) -> None:
        try:
            got = expressions.check(expression.tree, names, indicators=indicator_codes)
        except expressions.ExpressionError as error:
            errors.add(document, path, f"表达式{error.message}")
            return
        if got != wanted:
            errors.add(document, path, f"{what}应得出{wanted.label}，实际得出{got.label}")

    for index, unit_class in enumerate(standard.classes):
        check_expression(("classes", index, "rule"), unit_class.rule, expressions.ValueType.BOOLEAN, "类别规则")
    for index, validation in enumerate(standard.validations):
        check_expression(
            ("validations", index, "expression"),
            validation.expression,
            expressions.ValueType.BOOLEAN,
            "校验规则",
        )
    for d, dataset in enumerate(standard.datasets):
        for e, code in enumerate(dataset.elements):
            path = ("datasets", d, "elements", e)
            if code not in elements:
                errors.add(document, path, f"未知的数据元素「{code}」")
            elif elements[code].period != dataset.period:
                errors.add(
                    document,
                    path,
                    f"数据元素「{code}」按{elements[code].period.label}采集，"
                    f"不能放进按{dataset.period.label}上报的数据集",
                )

    for path, indicator in indicators:
        _check_indicator(standard, document, errors, path, indicator, known_plans)
        _check_periodic(document, errors, path, indicator, elements)
        if indicator.expression is not None:
            # A yes/no indicator (streak_zero, a boolean element) is judged by
            # `is_true`; every other target compares numbers.
            wanted = (
                expressions.ValueType.BOOLEAN
                if isinstance(indicator.target, targets.IsTrue)
                else expressions.ValueType.NUMBER
            )
            check_expression((*path, "expression"), indicator.expression, wanted, "指标表达式")
    _check_rates(standard, document, errors, indicators, set(elements))
    _check_cycles(document, errors, indicators)
    _check_scores(standard, document, errors, indicators)


def _check_problem_categories(standard: Standard, document: _Document, errors: _Errors) -> None:
    def walk(categories: Sequence[Any], path: Path_) -> Iterator[tuple[Path_, str]]:
        for index, category in enumerate(categories):
            yield (*path, index), category.code
            yield from walk(category.children, (*path, index, "children"))

    _duplicates(document, errors, walk(standard.problem_categories, ("problem_categories",)), "问题类别")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_indicator(
    standard: Standard,
    document: _Document,
    errors: _Errors,
    path: Path_,
    indicator: Indicator,
    known_plans: Mapping[str, str],
) -> None:
    score = indicator.score
    needs_expression = indicator.method in (Method.DATA, Method.SURVEY)
    if needs_expression and indicator.expression is None:
        errors.add(document, (*path, "expression"), f"方法为「{indicator.method}」的指标必须写 expression")
    elif indicator.expression is None and score.rule is not ScoreRule.REVIEWER:
        errors.add(
            document, (*path, "score", "rule"), "没有表达式的指标只能由评审打分（rule: reviewer）"
        )
    if score.rule in (ScoreRule.ALL_OR_NOTHING, ScoreRule.PROPORTIONAL) and indicator.target is None:
        errors.add(document, (*path, "target"), f"计分规则为 {score.rule} 的指标必须写 target（目标）")
    if score.rule is ScoreRule.DEDUCTION and indicator.target is not None:
        errors.add(
            document, (*path, "target"), "扣分规则按表达式得出的发生次数扣分，不要写 target"
        )
    if score.rule is ScoreRule.REVIEWER and indicator.veto:
        errors.add(document, (*path, "veto"), "评审打分的指标不能设为一票否决，否决须有数据依据")

    if score.rule is ScoreRule.DEDUCTION and score.per is None:
        errors.add(document, (*path, "score", "per"), "扣分规则必须写 per（每次扣几分）")
    if score.rule is not ScoreRule.DEDUCTION and (score.per is not None or score.cap is not None):
        errors.add(document, (*path, "score"), "只有扣分规则（deduction）才能写 per 和 cap")
    if score.cap is not None and score.cap > score.max:
        errors.add(document, (*path, "score", "cap"), f"扣分上限 {score.cap:g} 超过了分值 {score.max:g}")
    if score.max == 0 and not indicator.veto:
        errors.add(document, (*path, "score", "max"), "分值为 0 的指标只能是一票否决项（veto: true）")
    if indicator.bonus and indicator.veto:
        errors.add(document, (*path, "bonus"), "加分项不能同时是一票否决项")

    if indicator.target is not None:
        _check_target(standard, document, errors, (*path, "target"), indicator)

    source = indicator.source
    if source.plan not in known_plans:
        errors.add(document, (*path, "source", "plan"), f"未知的篇目「{source.plan}」")
    elif source.plan not in standard.plans:
        errors.add(document, (*path, "source", "plan"), f"{source.plan}不在本标准的 plans 列表中")
    elif source.quote not in known_plans[source.plan]:
        errors.add(
            document,
            (*path, "source", "quote"),
            f"引文在{source.plan}中找不到：「{_short(source.quote)}」",
        )


def _check_target(
    standard: Standard, document: _Document, errors: _Errors, path: Path_, indicator: Indicator
) -> None:
    target = indicator.target
    if target is None:
        return
    if indicator.unit == "%":
        for number in target_thresholds(target):
            if number > 100:
                errors.add(document, path, "目标超出范围：比率不能超过 100%")
                break
            if number < 0:
                errors.add(document, path, "目标超出范围：比率不能小于 0%")
                break

    for sentence in directions.contradictions(target, indicator.unit or "", indicator.source.quote):
        errors.add(document, path, f"{sentence}：「{_short(indicator.source.quote)}」")

    def walk(node: Any) -> Iterator[Any]:
        yield node
        if isinstance(node, targets.ByCategory | targets.ByYear | targets.ByClass):
            for case in node.cases.values():
                yield from walk(case)
            if node.default is not None:
                yield from walk(node.default)

    for node in walk(target):
        if isinstance(node, targets.ByCategory):
            for category in node.cases:
                if Category(category) not in standard.applies_to.categories:
                    errors.add(document, path, f"类别「{category}」不在 applies_to.categories 中")
        elif isinstance(node, targets.ByYear):
            for year in node.cases:
                if not standard.years.covers(year):
                    errors.add(document, path, f"年份 {year} 不在标准的有效年份内")
        elif isinstance(node, targets.ByClass) and not standard.classes:
            errors.add(document, path, "按类别的目标需要先在 classes 中定义类别")


def _check_periodic(
    document: _Document, errors: _Errors, path: Path_, indicator: Indicator,
    elements: Mapping[str, Element],
) -> None:
    """A 每天/每月… target counts one summed element period by period, and nothing else."""
    target = indicator.target
    if target is None:
        return
    leaves: list[targets.Target] = []
    if isinstance(target, targets.ByCategory | targets.ByYear | targets.ByClass):
        leaves = [*target.cases.values(), *([target.default] if target.default else [])]
    if any(isinstance(leaf, targets.AtLeastPerPeriod) and leaf.periodic for leaf in leaves):
        errors.add(document, (*path, "target"), "按天、周、月、季度判断的次数目标不能放在分情况的目标中")
        return
    if not (isinstance(target, targets.AtLeastPerPeriod) and target.periodic):
        return
    expression = indicator.expression
    names = sorted(expression.names()) if expression is not None else []
    word = target.per_word
    if expression is None or len(names) != 1 or expression.text != names[0]:
        errors.add(
            document, (*path, "expression"),
            f"每{word}不少于几次的目标要逐{word}计数，表达式只能是一个数据元素",
        )
        return
    element = elements.get(names[0])
    if element is None:
        return  # reported as an unknown name by the expression check
    if element.time_agg != "sum" or element.period.rank > target.per.rank:
        errors.add(
            document, (*path, "expression"),
            f"数据元素「{element.code}」须按{word}或更细的周期上报并按期内合计（time_agg: sum），"
            f"才能逐{word}判断",
        )


def _rate_rules(standard: Standard) -> set[tuple[str, str]]:
    """(numerator, denominator) pairs that a validation rule keeps in order (a <= b)."""
    pairs: set[tuple[str, str]] = set()

    def clauses(node: Any) -> Iterator[Any]:
        if isinstance(node, expressions.Binary) and node.op == "and":
            yield from clauses(node.left)
            yield from clauses(node.right)
        else:
            yield node

    for validation in standard.validations:
        for clause in clauses(validation.expression.tree):
            if isinstance(clause, expressions.Binary) and clause.op in ("<=", "<"):
                pairs.add((expressions.to_text(clause.left), expressions.to_text(clause.right)))
            elif isinstance(clause, expressions.Binary) and clause.op in (">=", ">"):
                pairs.add((expressions.to_text(clause.right), expressions.to_text(clause.left)))
    return pairs


def _check_rates(
    standard: Standard,
    document: _Document,
    errors: _Errors,
    indicators: list[tuple[Path_, Indicator]],
    element_codes: set[str],
) -> None:
    """Every ratio of reported elements has numerator ≤ denominator as a validation rule.

    尿检率 once read 127.6% because a report accepted 45 tests done against 30 due. The
    rule refuses such a report on the server; a ratio that may exceed 100% on purpose
    (完成上级下达的指标) says ``over_100: true``.
    """
    pairs = _rate_rules(standard)
    already = {(e.file, e.field) for e in errors.items}
    for path, indicator in indicators:
        if indicator.expression is None or indicator.over_100:
            continue
        if (document.name, _format_path((*path, "expression"))) in already:
            continue  # an expression that does not check says so once
        for node in expressions.walk(indicator.expression.tree):
            if not (isinstance(node, expressions.Call) and node.func == "ratio"):
                continue
            top, bottom = (expressions.to_text(arg) for arg in node.args)
            used = expressions.names_used(node.args[0]) | expressions.names_used(node.args[1])
            if not used <= element_codes or (top, bottom) in pairs:
                continue  # a ratio of indicators is checked where they are computed
            errors.add(
                document,
                (*path, "expression"),
                f"比率 ratio({top}, {bottom}) 的分子不能大于分母：请在 validations 中写校验规则"
                f"「{top} <= {bottom}」，上报时据此拒收；确实可以超过 100% 的（如完成上级指标）写 over_100: true",
            )


def _check_cycles(
    document: _Document, errors: _Errors, indicators: list[tuple[Path_, Indicator]]
) -> None:
    """Refuse indicators that depend on themselves, directly or through others."""
    codes = {indicator.code: path for path, indicator in indicators}
    edges: dict[str, list[str]] = defaultdict(list)
    for _, indicator in indicators:
        if indicator.expression is not None:
            used = indicator.expression.names() | indicator.expression.indicators()
            edges[indicator.code] = sorted(code for code in used if code in codes)

    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()

    def visit(code: str, trail: list[str]) -> None:
        state[code] = 1
        for following in edges.get(code, []):
            if state.get(following) == 1:
                cycle = [*trail[trail.index(following) :], following]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    errors.add(
                        document,
                        (*codes[following], "expression"),
                        f"指标循环引用：{' → '.join(cycle)}",
                    )
            elif state.get(following) is None:
                visit(following, [*trail, following])
        state[code] = 2

    for code in codes:
        if code not in state:
            visit(code, [code])


def _check_scores(
    standard: Standard,
    document: _Document,
    errors: _Errors,
    indicators: list[tuple[Path_, Indicator]],
) -> None:
    # Indicators with their own `level` are assessed for another unit (the
    # county's pass rate of its towns), so they are not part of this total.
    own = [(path, ind) for path, ind in indicators if ind.level is None]
    total = sum(ind.score.max for _, ind in own if not ind.bonus)
    if abs(total - standard.total) > 1e-9:
        errors.add(
            document, ("items",), f"各指标分值合计为 {total:g}，应为 {standard.total:g}（total）"
        )
    bonus = sum(ind.score.max for _, ind in own if ind.bonus)
    if bonus and not standard.bonus_cap:
        errors.add(document, ("bonus_cap",), "有加分项时必须写 bonus_cap（加分上限）")
    if standard.pass_mark > standard.total:
        errors.add(document, ("pass_mark",), f"合格线 {standard.pass_mark:g} 超过了总分 {standard.total:g}")
    previous = None
    seen: set[str] = set()
    for index, tier in enumerate(standard.tiers):
        path: Path_ = ("tiers", index)
        if tier.name in seen:
            errors.add(document, (*path, "name"), f"等次「{tier.name}」重复")
        seen.add(tier.name)
        if tier.min < standard.pass_mark or tier.min > standard.total:
            errors.add(
                document,
                (*path, "min"),
                f"等次「{tier.name}」的分数线 {tier.min:g} 应在合格线 {standard.pass_mark:g} 与总分之间",
            )
        if previous is not None and tier.min <= previous:
            errors.add(document, (*path, "min"), "等次的分数线应逐级升高")
        previous = tier.min
