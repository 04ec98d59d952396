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


@dataclass
class _Prepared:
    """What every check of one questionnaire version needs, worked out once."""

    top: list[Mapping[str, Any]]
    by_repeat: dict[str, list[Mapping[str, Any]]]
    known: set[str]
    # question name → the relevant trees of its groups and its own, outermost first
    conditions: dict[str, list[Any]]
    options: dict[str, frozenset[str]]
    knowledge: list[Mapping[str, Any]]
    scale: list[str]
    single: list[tuple[str, str]]  # (question, list) of top-level single-choice questions


_PREPARED: dict[int, tuple[Mapping[str, Any], _Prepared]] = {}


def _prepare(definition: Mapping[str, Any]) -> _Prepared:
    cached = _PREPARED.get(id(definition))
    if cached is not None and cached[0] is definition:
        return cached[1]
    questions = definition["questions"]
    groups = definition.get("groups", {})
    conditions = {}
    for q in questions:
        trees = [groups[g]["relevant"] for g in q.get("groups", [])
                 if groups.get(g, {}).get("relevant") is not None]
        if q.get("relevant") is not None:
            trees.append(q["relevant"])
        conditions[q["name"]] = trees
    prepared = _Prepared(
        top=[q for q in questions if q.get("repeat") is None],
        by_repeat={name: [q for q in questions if q.get("repeat") == name]
                   for name in definition.get("repeats", {})},
        known={q["name"] for q in questions} | set(definition.get("repeats", {})),
        conditions=conditions,
        options={name: frozenset(c["name"] for c in items)
                 for name, items in definition.get("choices", {}).items()},
        knowledge=[q for q in questions if q.get("repeat") is None and q.get("correct")],
        scale=[q["name"] for q in questions if q.get("repeat") is None and q.get("scale")],
        single=[(q["name"], q["list"]) for q in questions
                if q["type"] == "select_one" and q.get("repeat") is None])
    if len(_PREPARED) > 64:
        _PREPARED.clear()
    _PREPARED[id(definition)] = (definition, prepared)
    return prepared


def _allowed(definition: Mapping[str, Any], q: Mapping[str, Any], answers: Mapping[str, Any],
             inner: Mapping[str, Any], prepared: _Prepared) -> frozenset[str]:
    tree = q.get("choice_filter")
    if tree is None:
        return prepared.options.get(q["list"], frozenset())
    return frozenset(c["name"] for c in definition["choices"].get(q["list"], [])
                     if expr.truthy(expr.evaluate(tree, expr.lookup_in(answers, inner,
                                                                       choice=c))))


def _coerce(q: Mapping[str, Any], raw: Any, allowed: frozenset[str] | None
            ) -> tuple[Any, str]:
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
    prepared = _prepare(definition)
    unknown = sorted(str(k)[:40] for k in submitted if k not in prepared.known)
    faults: list[str] = []
    if unknown:
        faults.append("问卷中没有这些题目：" + "、".join(unknown[:10]))
    answers: dict[str, Any] = {}
    shown = _check_block(definition, prepared, prepared.top, submitted, answers, None, answers,
                         faults)
    for name, spec in definition.get("repeats", {}).items():
        label = spec.get("label") or name
        raw = submitted.get(name, [])
        if raw in ("", None):
            raw = []
        if not isinstance(raw, list) or len(raw) > spec.get("max", 50):
            faults.append(f"「{label}」的条目数不正确（最多 {spec.get('max', 50)} 条）")
            continue
        inner_qs = prepared.by_repeat.get(name, [])
        group = definition["groups"].get(name, {})
        if group.get("relevant") is not None and not expr.truthy(
                expr.evaluate(group["relevant"], expr.lookup_in(answers))):
            continue
        names = {q["name"] for q in inner_qs}
        instances: list[dict[str, Any]] = []
        for index, item in enumerate(raw, start=1):
            if not isinstance(item, Mapping):
                faults.append(f"「{label}」第 {index} 条格式不正确")
                continue
            stray = [k for k in item if k not in names]
            if stray:
                faults.append(f"「{label}」第 {index} 条中没有这些题目："
                              + "、".join(str(x)[:40] for x in stray[:10]))
            clean: dict[str, Any] = {}
            shown += _check_block(definition, prepared, inner_qs, item, clean, clean, answers,
                                  faults, prefix=f"「{label}」第 {index} 条")
            instances.append(clean)
        answers[name] = instances
    if faults:
        raise AnswerError(faults)
    return Checked(answers=answers, shown=shown)


def _check_block(definition: Mapping[str, Any], prepared: _Prepared,
                 questions: list[Mapping[str, Any]], submitted: Mapping[str, Any],
                 out: dict[str, Any], inner: Mapping[str, Any] | None,
                 whole: Mapping[str, Any], faults: list[str], prefix: str = "") -> int:
    shown = 0
    look = expr.lookup_in(whole, inner) if inner is not None else expr.lookup_in(whole)
    empty: Mapping[str, Any] = {}
    for q in questions:
        trees = prepared.conditions[q["name"]]
        if trees and not all(expr.truthy(expr.evaluate(t, look)) for t in trees):
            continue
        kind = q["type"]
        if kind == "calculate":
            value = expr.evaluate(q["calculation"], look)
            out[q["name"]] = expr.as_text(value) if not isinstance(value, float) or math.isfinite(
                value) else ""
            continue
        shown += 1
        if kind == "note":
            continue
        allowed = (_allowed(definition, q, whole, inner or empty, prepared)
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
    prepared = _prepare(definition)
    correct = sum(1 for q in prepared.knowledge if _is_correct(q, answers.get(q["name"])))
    scale = [float(answers[name]) for name in prepared.scale
             if answers.get(name) not in ("", None)]
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
    for name, list_name in _prepare(definition).single:
        value = answers.get(name)
        if value:
            by_list.setdefault(list_name, []).append(str(value))
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
