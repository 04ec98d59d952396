"""Checking a response against its questionnaire, and scoring it (pure, no Django).

The browser checks the same rules as the respondent goes, but a response is only
stored once the server has checked it again here: unknown questions, a wrong type, a
choice not on the list, a required answer missing or a constraint broken are refused
with the question's label in Chinese. Answers to questions that are not relevant are
dropped, calculations are recomputed, never taken from the client.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chuangjian.surveys import expr

MAX_TEXT = 2000
MAX_NUMBER = 1e12


class AnswerError(ValueError):
    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("；".join(messages))


@dataclass
class Checked:
    answers: dict[str, Any]
    shown: int  # questions the respondent saw (for the too-fast rule)
    faults: list[str] = field(default_factory=list)


def _label(q: Mapping[str, Any]) -> str:
    return str(q.get("label") or q["name"])[:40]


def _relevant(definition: Mapping[str, Any], q: Mapping[str, Any], look: expr.Lookup) -> bool:
    for group in q.get("groups", []):
        tree = definition["groups"].get(group, {}).get("relevant")
        if tree is not None and not expr.truthy(expr.evaluate(tree, look)):
            return False
    tree = q.get("relevant")
    return tree is None or expr.truthy(expr.evaluate(tree, look))


def _allowed(definition: Mapping[str, Any], q: Mapping[str, Any], answers: Mapping[str, Any],
             inner: Mapping[str, Any]) -> set[str]:
    options = definition["choices"].get(q["list"], [])
    tree = q.get("choice_filter")
    if tree is None:
        return {c["name"] for c in options}
    return {c["name"] for c in options
            if expr.truthy(expr.evaluate(tree, expr.lookup_in(answers, inner, choice=c)))}


def _coerce(q: Mapping[str, Any], raw: Any, allowed: set[str] | None) -> tuple[Any, str]:
    """(value, fault): the answer in its stored form, or a Chinese fault."""
    kind, label = q["type"], _label(q)
    text = "" if raw is None else (" ".join(map(str, raw)) if isinstance(raw, list) else str(raw))
    text = text.strip()
    if text == "":
        return "", ""
    if len(text) > MAX_TEXT:
        return "", f"「{label}」的回答超过 {MAX_TEXT} 个字"
    if kind == "integer":
        try:
            value = int(text)
        except ValueError:
            return "", f"「{label}」要填整数"
        if abs(value) > MAX_NUMBER:
            return "", f"「{label}」的数值过大"
        return value, ""
    if kind == "decimal":
        try:
            number = float(text)
        except ValueError:
            return "", f"「{label}」要填数字"
        if not math.isfinite(number) or abs(number) > MAX_NUMBER:
            return "", f"「{label}」的数值无效"
        return number, ""
    if kind == "date":
        try:
            return dt.date.fromisoformat(text).isoformat(), ""
        except ValueError:
            return "", f"「{label}」要填日期（如 2026-05-01）"
    if kind == "select_one":
        if allowed is not None and text not in allowed:
            return "", f"「{label}」的选项「{text}」不在可选范围内"
        return text, ""
    if kind == "select_multiple":
        picked = text.split()
        if allowed is not None and not set(picked) <= allowed:
            return "", f"「{label}」有不在可选范围内的选项"
        if len(set(picked)) != len(picked):
            return "", f"「{label}」有重复的选项"
        return " ".join(picked), ""
    return text, ""


def check(definition: Mapping[str, Any], submitted: Mapping[str, Any]) -> Checked:
    """Check and clean the answers; raise ``AnswerError`` listing every fault."""
    if not isinstance(submitted, Mapping):
        raise AnswerError(["答案格式不正确"])
    questions = definition["questions"]
    known = {q["name"] for q in questions} | set(definition.get("repeats", {}))
    unknown = sorted(str(k)[:40] for k in submitted if k not in known)
    faults: list[str] = []
    if unknown:
        faults.append("问卷中没有这些题目：" + "、".join(unknown[:10]))
    answers: dict[str, Any] = {}
    shown = 0
    top = [q for q in questions if q.get("repeat") is None]
    shown += _check_block(definition, top, submitted, answers, {}, answers, faults)
    for name, spec in definition.get("repeats", {}).items():
        raw = submitted.get(name, [])
        if raw in ("", None):
            raw = []
        if not isinstance(raw, list) or len(raw) > spec.get("max", 50):
            faults.append(f"「{spec.get('label') or name}」的条目数不正确（最多 {spec.get('max', 50)} 条）")
            continue
        inner_qs = [q for q in questions if q.get("repeat") == name]
        group = definition["groups"].get(name, {})
        look = expr.lookup_in(answers)
        if group.get("relevant") is not None and not expr.truthy(
                expr.evaluate(group["relevant"], look)):
            continue
        instances: list[dict[str, Any]] = []
        for index, item in enumerate(raw, start=1):
            if not isinstance(item, Mapping):
                faults.append(f"「{spec.get('label') or name}」第 {index} 条格式不正确")
                continue
            stray = [k for k in item if k not in {q['name'] for q in inner_qs}]
            if stray:
                faults.append(f"「{spec.get('label') or name}」第 {index} 条中没有这些题目："
                              + "、".join(str(s)[:40] for s in stray[:10]))
            clean: dict[str, Any] = {}
            shown += _check_block(definition, inner_qs, item, clean, clean, answers, faults,
                                  prefix=f"「{spec.get('label') or name}」第 {index} 条")
            instances.append(clean)
        answers[name] = instances
    if faults:
        raise AnswerError(faults)
    return Checked(answers=answers, shown=shown)


def _check_block(definition: Mapping[str, Any], questions: list[Mapping[str, Any]],
                 submitted: Mapping[str, Any], out: dict[str, Any], inner: Mapping[str, Any],
                 whole: Mapping[str, Any], faults: list[str], prefix: str = "") -> int:
    shown = 0
    for q in questions:
        look = expr.lookup_in(whole, inner) if inner is not whole else expr.lookup_in(whole)
        if not _relevant(definition, q, look):
            continue
        kind = q["type"]
        if kind == "calculate":
            value = expr.evaluate(q["calculation"], look)
            out[q["name"]] = expr.as_text(value) if not isinstance(value, float) or math.isfinite(
                value) else ""
            continue
        if kind == "note":
            shown += 1
            continue
        shown += 1
        allowed = (_allowed(definition, q, whole, inner)
                   if kind in ("select_one", "select_multiple") else None)
        value, fault = _coerce(q, submitted.get(q["name"]), allowed)
        if fault:
            faults.append(prefix + fault)
            continue
        if value == "":
            if q.get("required"):
                faults.append(prefix + (q.get("required_message") or f"「{_label(q)}」必须回答"))
            continue
        tree = q.get("constraint")
        if tree is not None and not expr.truthy(expr.evaluate(tree, look, dot=value)):
            faults.append(prefix + (q.get("constraint_message")
                                    or f"「{_label(q)}」的回答「{value}」不符合要求"))
            continue
        out[q["name"]] = value
    return shown


# -- scoring ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Score:
    correct: int      # knowledge questions answered correctly
    positive: bool    # aware (知晓) or satisfied (满意), by the questionnaire's measure
    scale_mean: float | None


def _is_correct(q: Mapping[str, Any], value: Any) -> bool:
    if value in ("", None):
        return False
    if q["type"] == "select_multiple":
        return set(str(value).split()) == set(q["correct"].split())
    if q["type"] in ("integer", "decimal"):
        try:
            return abs(float(value) - float(q["correct"])) < 1e-9
        except ValueError:
            return False
    return str(value).strip() == q["correct"].strip()


def score(definition: Mapping[str, Any], answers: Mapping[str, Any]) -> Score:
    questions = [q for q in definition["questions"] if q.get("repeat") is None]
    correct = sum(1 for q in questions if q.get("correct") and _is_correct(q, answers.get(q["name"])))
    scale = [float(answers[q["name"]]) for q in questions
             if q.get("scale") and answers.get(q["name"]) not in ("", None)]
    mean = sum(scale) / len(scale) if scale else None
    if definition.get("measure") == "knowledge":
        positive = correct >= int(definition.get("aware_min_correct") or 0)
    elif definition.get("measure") == "satisfaction":
        positive = mean is not None and mean >= float(definition.get("satisfied_min") or 0)
    else:
        positive = False
    return Score(correct=correct, positive=positive, scale_mean=mean)


def straight_lined(definition: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    """The same choice in every one of at least four questions sharing a choice list
    (a grid answered without reading it)."""
    by_list: dict[str, list[str]] = {}
    for q in definition["questions"]:
        if q["type"] == "select_one" and q.get("repeat") is None and answers.get(q["name"]):
            by_list.setdefault(q["list"], []).append(str(answers[q["name"]]))
    return any(len(v) >= 4 and len(set(v)) == 1 for v in by_list.values())


def too_fast(definition: Mapping[str, Any], shown: int, seconds: float | None) -> bool:
    if seconds is None:
        return False
    per = float(definition.get("min_seconds_per_question") or 0)
    return seconds < per * shown


def fingerprint(answers: Mapping[str, Any]) -> str:
    """The same answers give the same hash, whatever order they were sent in."""
    text = json.dumps(answers, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
