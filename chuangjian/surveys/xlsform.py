"""Questionnaires in the XLSForm vocabulary (survey / choices / settings sheets).

``parse_form`` turns the rows of the three sheets into a ``definition``: a plain
JSON-able dict stored with each questionnaire version and read by the pages, the
server-side checks and the scoring. Every fault is collected with its sheet, row and
column in Chinese; a form with any fault is refused whole. A form that passes our own
checks is also handed to pyxform, ODK's reference XLSForm parser, so what we accept is
a form ODK Collect or KoboToolbox would accept too.

Beyond the standard columns, two are ours (other tools ignore unknown columns):
- ``correct`` on the survey sheet: the correct answer of a knowledge question (知识题);
- ``scale`` on the survey sheet: ``yes`` marks a satisfaction-scale item (满意度量表题);
and three settings: ``measure`` (``knowledge`` 知晓率 / ``satisfaction`` 满意度),
``aware_min_correct`` (e.g. 4: aware when at least 4 answers are correct) and
``satisfied_min`` (e.g. 4: satisfied when the scale items average at least 4).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chuangjian.surveys import expr

QUESTION_TYPES = ("integer", "decimal", "text", "select_one", "select_multiple", "date",
                  "note", "calculate")
STRUCTURE = {"begin_group", "end_group", "begin_repeat", "end_repeat"}
TYPE_NAMES = {"integer": "整数", "decimal": "小数", "text": "文本", "select_one": "单选",
              "select_multiple": "多选", "date": "日期", "note": "说明", "calculate": "计算"}
MEASURES = {"knowledge": "知晓率", "satisfaction": "满意度"}
MAX_QUESTIONS = 300
MAX_CHOICES = 2000
MAX_REPEAT = 50
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-.]{0,63}$")
YES = {"yes", "true", "true()", "1", "是"}


@dataclass(frozen=True)
class Fault:
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"工作表「{self.sheet}」"
        if self.row is not None:
            where += f"第 {self.row} 行"
        if self.column:
            where += f"「{self.column}」列"
        return f"{where}：{self.message}"


class FormError(ValueError):
    """The form is refused; ``faults`` says where and why, in Chinese."""

    def __init__(self, faults: Sequence[Fault]) -> None:
        self.faults = list(faults)
        super().__init__("；".join(str(f) for f in self.faults[:20]))

    @property
    def messages(self) -> list[str]:
        return [str(f) for f in self.faults]


# A sheet as read: (row number, {column name: text}) per non-empty row below the header.
Rows = list[tuple[int, dict[str, str]]]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


def rows_from_table(table: Sequence[Sequence[Any]], *, first_row: int = 1) -> Rows:
    """A header row and the rows under it (as read from a sheet) → ``Rows``."""
    if not table:
        return []
    header = [_text(c).lower() for c in table[0]]
    out: Rows = []
    for offset, raw in enumerate(table[1:], start=first_row + 1):
        row = {header[i]: _text(v) for i, v in enumerate(raw) if i < len(header) and header[i]}
        if any(row.values()):
            out.append((offset, row))
    return out


def rows_from_mapping(items: Iterable[Mapping[str, Any]]) -> Rows:
    """Rows written as a list of mappings (the built-in YAML questionnaires)."""
    return [(i, {str(k).lower(): _text(v) for k, v in item.items()})
            for i, item in enumerate(items, start=2)]


def _label(row: Mapping[str, str]) -> str:
    if row.get("label"):
        return row["label"]
    for key, value in row.items():
        if key.startswith("label::") and value:
            return value
    return ""


def parse_form(survey: Rows, choices: Rows, settings: Rows, *,
               fallback_id: str = "") -> dict[str, Any]:
    """The definition of a questionnaire, or ``FormError`` naming every fault."""
    faults: list[Fault] = []

    def fault(sheet: str, row: int | None, column: str, message: str) -> None:
        faults.append(Fault(sheet, row, column, message))

    if not survey:
        raise FormError([Fault("survey", None, "", "缺少题目：survey 工作表为空或不存在")])
    if len(survey) > MAX_QUESTIONS:
        raise FormError([Fault("survey", None, "", f"题目超过 {MAX_QUESTIONS} 行")])
    if len(choices) > MAX_CHOICES:
        raise FormError([Fault("choices", None, "", f"选项超过 {MAX_CHOICES} 行")])

    # -- settings ------------------------------------------------------------------------
    setting = settings[0][1] if settings else {}
    form_id = setting.get("form_id") or fallback_id
    if not form_id or not NAME.match(form_id):
        fault("settings", settings[0][0] if settings else None, "form_id",
              "问卷编码（form_id）必须填写，只能用字母、数字和下划线")
    measure = setting.get("measure", "")
    if measure and measure not in MEASURES:
        fault("settings", settings[0][0], "measure",
              f"「{measure}」不是可用的测量方式，只能是 knowledge（知晓率）或 satisfaction（满意度）")

    def setting_number(key: str, default: float) -> float:
        raw = setting.get(key, "")
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            fault("settings", settings[0][0], key, f"「{raw}」不是数字")
            return default
        if not 0 <= value <= 1000:
            fault("settings", settings[0][0], key, "数值超出范围（0–1000）")
            return default
        return value

    # -- choices ---------------------------------------------------------------------------
    lists: dict[str, list[dict[str, str]]] = {}
    for number, row in choices:
        list_name, name = row.get("list_name", ""), row.get("name", "")
        if not list_name:
            fault("choices", number, "list_name", "选项列表名（list_name）不能为空")
            continue
        if not name or len(name) > 64 or not re.match(r"^[\w\-.]+$", name):
            fault("choices", number, "name", "选项值（name）必须填写，只能用字母、数字和下划线")
            continue
        if any(c["name"] == name for c in lists.get(list_name, [])):
            fault("choices", number, "name", f"选项列表「{list_name}」中选项值「{name}」重复")
            continue
        item = {k: v for k, v in row.items() if k not in ("list_name",) and v}
        item["name"], item["label"] = name, _label(row) or name
        lists.setdefault(list_name, []).append(item)

    # -- survey ----------------------------------------------------------------------------
    questions: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    repeats: dict[str, dict[str, Any]] = {}
    names: dict[str, int] = {}
    stack: list[tuple[str, str, int]] = []  # (begin_group | begin_repeat, name, row)
    groups: dict[str, dict[str, Any]] = {}
    current_page: dict[str, Any] | None = None
    raw_exprs: list[tuple[int, str, str, str]] = []  # (row, column, owner name, text)

    for number, row in survey:
        raw_type = " ".join(row.get("type", "").replace(" or_other", "").split())
        name = row.get("name", "")
        lowered = raw_type.lower()
        for spaced, joined in (("begin group", "begin_group"), ("end group", "end_group"),
                               ("begin repeat", "begin_repeat"), ("end repeat", "end_repeat")):
            if lowered == spaced:
                lowered = joined
        base = lowered.split(" ")[0] if lowered else ""
        if not base:
            if name:
                fault("survey", number, "type", "题型（type）不能为空")
            continue
        if base in ("end_group", "end_repeat"):
            wanted = "begin_group" if base == "end_group" else "begin_repeat"
            if not stack or stack[-1][0] != wanted:
                fault("survey", number, "type", f"「{raw_type}」没有与之对应的开始行")
            else:
                stack.pop()
                if not stack:
                    current_page = None
            continue
        if base not in QUESTION_TYPES and base not in STRUCTURE:
            fault("survey", number, "type", f"未知的题型「{raw_type}」；可用的题型："
                  + "、".join(f"{k}（{v}）" for k, v in TYPE_NAMES.items()))
            continue
        if not NAME.match(name):
            fault("survey", number, "name", f"名称「{name}」无效：必须填写，以字母开头，只能用字母、数字和下划线")
            continue
        if name in names:
            fault("survey", number, "name", f"名称「{name}」与第 {names[name]} 行重复")
            continue
        names[name] = number
        label = _label(row)
        repeat = next((n for kind, n, _r in reversed(stack) if kind == "begin_repeat"), None)
        if base in ("begin_group", "begin_repeat"):
            if stack and base == "begin_repeat" and repeat is not None:
                fault("survey", number, "type", "不支持重复组嵌套在另一个重复组中")
            group = {"name": name, "label": label, "kind": base,
                     "parent": stack[-1][1] if stack else None}
            if row.get("relevant"):
                raw_exprs.append((number, "relevant", name, row["relevant"]))
            groups[name] = group
            if base == "begin_repeat":
                repeats[name] = {"label": label, "max": MAX_REPEAT,
                                 "count": row.get("repeat_count", "")}
                if row.get("repeat_count"):
                    raw_exprs.append((number, "repeat_count", name, row["repeat_count"]))
            if not stack:
                current_page = {"name": name, "label": label, "items": [], "repeat": None}
                if base == "begin_repeat":
                    current_page["repeat"] = name
                pages.append(current_page)
            stack.append((base, name, number))
            continue
        list_name = ""
        if base in ("select_one", "select_multiple"):
            parts = lowered.split(" ")
            list_name = raw_type.split(" ")[1] if len(parts) > 1 else ""
            if not list_name:
                fault("survey", number, "type", f"「{raw_type}」缺少选项列表名，例如 select_one yes_no")
            elif list_name not in lists:
                fault("survey", number, "type", f"选项列表「{list_name}」在 choices 工作表中不存在")
        elif len(lowered.split(" ")) > 1:
            fault("survey", number, "type", f"未知的题型「{raw_type}」")
            continue
        if base not in ("calculate",) and not label:
            fault("survey", number, "label", "题目文字（label）不能为空")
        if base == "calculate" and not row.get("calculation"):
            fault("survey", number, "calculation", "计算题必须填写计算公式（calculation）")
        question: dict[str, Any] = {
            "name": name, "type": base, "label": label, "hint": row.get("hint", ""),
            "list": list_name, "required": row.get("required", "").lower() in YES,
            "required_message": row.get("required_message", ""),
            "constraint_message": row.get("constraint_message", ""),
            "appearance": row.get("appearance", ""),
            "groups": [n for _k, n, _r in stack], "repeat": repeat, "row": number,
            "correct": row.get("correct", ""), "scale": row.get("scale", "").lower() in YES,
        }
        for column in ("relevant", "constraint", "calculation", "choice_filter"):
            if row.get(column):
                raw_exprs.append((number, column, name, row[column]))
        if question["correct"]:
            _check_correct(question, lists, fault)
        if question["scale"] and (base != "select_one" or not list_name or not all(
                _is_number(c["name"]) for c in lists.get(list_name, []))):
            fault("survey", number, "scale", "量表题必须是单选题，且选项值都是数字（如 1–5）")
        questions.append(question)
        if base != "calculate":
            if current_page is None:
                pages.append({"name": name, "label": "", "items": [name], "repeat": None})
            else:
                current_page["items"].append(name)
    for kind, name, number in stack:
        fault("survey", number, "type", f"「{name}」的{'分组' if kind == 'begin_group' else '重复组'}没有结束行")

    # -- expressions -----------------------------------------------------------------------
    by_name = {q["name"]: q for q in questions}
    deps: dict[str, set[str]] = {}
    for number, column, owner, text in raw_exprs:
        try:
            tree = expr.parse(text, columns=column == "choice_filter")
        except expr.ExprError as error:
            fault("survey", number, column, f"表达式「{text}」有误：{error.message}")
            continue
        unknown = sorted({r for r in expr.refs(tree) if r not in names})
        if unknown:
            fault("survey", number, column, "表达式引用了不存在的题目："
                  + "、".join(f"${{{u}}}" for u in unknown))
            continue
        if column != "constraint":
            deps.setdefault(owner, set()).update(expr.refs(tree))
        target = by_name.get(owner) or groups.get(owner)
        if target is not None:
            target[column] = tree
    for cycle in _cycles(deps):
        first = cycle[0]
        fault("survey", names.get(first), "", "计算或显示条件形成循环："
              + " → ".join(f"${{{n}}}" for n in [*cycle, first]))

    if measure == "knowledge":
        knowledge = [q for q in questions if q["correct"]]
        if not knowledge:
            fault("survey", None, "correct", "知晓率问卷至少要有一道填写了正确答案（correct）的知识题")
        minimum = setting_number("aware_min_correct", float(len(knowledge)))
        if knowledge and minimum > len(knowledge):
            fault("settings", settings[0][0] if settings else None, "aware_min_correct",
                  f"“知晓”所需答对题数（{minimum:g}）多于知识题数（{len(knowledge)}）")
    else:
        minimum = 0.0
    satisfied_min = setting_number("satisfied_min", 4.0)
    if measure == "satisfaction" and not any(q["scale"] for q in questions):
        fault("survey", None, "scale", "满意度问卷至少要有一道量表题（scale 列填 yes）")
    if faults:
        raise FormError(faults)

    definition = {
        "form_id": form_id,
        "title": setting.get("form_title") or form_id,
        "version": setting.get("version", ""),
        "measure": measure,
        "aware_min_correct": int(minimum),
        "satisfied_min": satisfied_min,
        "min_seconds_per_question": setting_number("min_seconds_per_question", 2.0),
        "questions": questions,
        "pages": pages,
        "groups": groups,
        "repeats": repeats,
        "choices": lists,
    }
    _check_with_pyxform(survey, choices, settings, form_id)
    return definition


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_correct(question: dict[str, Any], lists: Mapping[str, list[dict[str, str]]],
                   fault: Any) -> None:
    options = {c["name"] for c in lists.get(question["list"], [])}
    given = question["correct"].split()
    if question["type"] == "select_one" and (len(given) != 1 or given[0] not in options):
        fault("survey", question["row"], "correct",
              f"正确答案「{question['correct']}」不是选项列表「{question['list']}」中的选项")
    elif question["type"] == "select_multiple" and not set(given) <= options:
        fault("survey", question["row"], "correct",
              f"正确答案「{question['correct']}」中有不在选项列表「{question['list']}」中的选项")
    elif question["type"] not in ("select_one", "select_multiple", "integer", "decimal", "text"):
        fault("survey", question["row"], "correct", "只有单选、多选、数字和文本题可以设正确答案")


def _cycles(deps: Mapping[str, set[str]]) -> list[list[str]]:
    """Each dependency cycle once (iterative depth-first search, bounded by the form)."""
    white, grey, black = 0, 1, 2
    colour: dict[str, int] = {}
    found: list[list[str]] = []
    for start in sorted(deps):
        if colour.get(start, white) != white:
            continue
        path: list[str] = []
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(sorted(deps.get(start, ()))))]
        colour[start] = grey
        path.append(start)
        while stack:
            node, children = stack[-1]
            child = next(iter(children), None)
            if child is None:
                colour[node] = black
                stack.pop()
                path.pop()
                continue
            state = colour.get(child, white)
            if state == grey:
                found.append(path[path.index(child):])
            elif state == white:
                colour[child] = grey
                path.append(child)
                stack.append((child, iter(sorted(deps.get(child, ())))))
    return found


def _check_with_pyxform(survey: Rows, choices: Rows, settings: Rows, form_id: str) -> None:
    """Hand the form to pyxform, ODK's reference parser; refuse what it refuses."""
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import DefinitionData

    ours = {"correct", "scale"}
    data = DefinitionData(
        fallback_form_name=form_id,
        survey=[{k: v for k, v in r.items() if v and k not in ours} for _n, r in survey],
        choices=[{k: v for k, v in r.items() if v} for _n, r in choices] or None,
        settings=[{k: v for k, v in r.items()
                   if v and k not in ("measure", "aware_min_correct", "satisfied_min",
                                      "min_seconds_per_question")} for _n, r in settings]
        or None)
    try:
        create_survey_element_from_dict(workbook_to_json(data, form_name=form_id)).to_xml()
    except PyXFormError as error:
        raise FormError([Fault("survey", None, "", f"不符合 XLSForm 规范（pyxform）：{error}")]
                        ) from None
