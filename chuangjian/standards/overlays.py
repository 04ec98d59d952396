"""What the plan says and what the office sets (计划与本地设定).

A built-in standard's indicators, targets and quotes are the plan's words. Its pass mark,
tiers, bonus cap, weights and veto items are ours: the plans never set them. Beside each
built-in file, ``origins/<code>.yaml`` says so, part by part, and why.

An office changes those defaults for its deployment with an overlay file (本地设定), never by
editing the built-in file. An overlay is read and checked like a standard (the same YAML
reader, pydantic model and Chinese errors with file and line), may change only the parts
marked ``by: default``, and is merged onto the standard version it names. Loading it stores
the merged result as a version of the standard of its own (``overlay_version``), so every
result computed under it keeps its meaning and the page can show the difference.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError

from chuangjian.standards import plans as plan_module
from chuangjian.standards.loader import (
    StandardError,
    StandardsInvalid,
    _check_scores,
    _class_keys,
    _display,
    _Document,
    _DocumentError,
    _Errors,
    _indicator_paths,
    _Lines,
    _read_yaml,
    _translate,
)
from chuangjian.standards.schema import OVERRIDABLE, Origins, Overlay, Standard

ORIGINS_DIR = Path(__file__).with_name("origins")
MAX_OVERLAY_BYTES = 256 * 1024

PART_LABELS = {"pass_mark": gettext_lazy("合格分"), "tiers": gettext_lazy("等次"),
               "bonus_cap": gettext_lazy("加分上限"), "weights": gettext_lazy("各项分值"),
               "veto": gettext_lazy("一票否决项")}


# ---------------------------------------------------------------- origins


def _validate_file(path: Path, model: type[Any], errors: _Errors,
                   context: dict[str, Any] | None = None) -> tuple[Any, _Document | None]:
    """Read ``path`` and validate it as ``model``: errors in Chinese with file and line."""
    document = _Document(path=path, lines=_Lines())
    try:
        if path.stat().st_size > MAX_OVERLAY_BYTES:
            errors.items.append(StandardError(document.name, None, "",
                                              f"文件超过 {MAX_OVERLAY_BYTES // 1024} KB"))
            return None, None
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        errors.items.append(StandardError(document.name, None, "", "找不到文件"))
        return None, None
    except UnicodeDecodeError:
        errors.items.append(StandardError(document.name, None, "", "文件不是 UTF-8 编码"))
        return None, None
    try:
        data, document.lines = _read_yaml(text)
    except _DocumentError as error:
        errors.items.append(StandardError(document.name, error.line, error.field, error.message))
        return None, None
    if not isinstance(data, dict):
        errors.items.append(StandardError(document.name, 1, "", "文件内容应为映射（键: 值）"))
        return None, None
    try:
        return model.model_validate(data, context=context), document
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            errors.add(document, tuple(detail["loc"]), _translate(detail))
        return None, None


def origins_errors(codes: list[str]) -> list[StandardError]:
    """Check the origins file of each built-in standard: present, valid, and a part
    marked as the plan's quotes its plan verbatim."""
    errors = _Errors()
    texts = plan_module.plan_texts()
    for code in codes:
        path = ORIGINS_DIR / f"{code}.yaml"
        origins, document = _validate_file(path, Origins, errors)
        if origins is None or document is None:
            continue
        if origins.standard != code:
            errors.add(document, ("standard",), f"应为「{code}」，与文件名一致")
        for part in OVERRIDABLE:
            o = origins.part(part)
            if o.by == "plan":
                if o.plan is None or not o.quote:
                    errors.add(document, (part,), "出自计划的部分须写明 plan 和 quote（原文）")
                elif o.plan not in texts or o.quote not in texts[o.plan]:
                    errors.add(document, (part, "quote"), f"引文在{o.plan}中找不到")
            elif o.quote:
                errors.add(document, (part, "quote"), "平台默认没有计划原文，请删去 quote")
    return errors.items


@cache
def origins_for(code: str) -> Origins | None:
    """The origins of a built-in standard; None for a standard an office wrote itself."""
    path = ORIGINS_DIR / f"{code}.yaml"
    if not path.exists():
        return None
    errors = _Errors()
    origins, _document = _validate_file(path, Origins, errors)
    if errors.items:
        raise StandardsInvalid(errors.items)
    found: Origins = origins
    return found


# ---------------------------------------------------------------- overlays


@dataclass
class OverlayResult:
    overlay: Overlay | None = None
    standard: Standard | None = None          # the base with the overlay applied
    text: str = ""                            # the overlay file, verbatim
    merged_text: str = ""                     # the merged standard, as stored
    file: Path | None = None
    errors: list[StandardError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_for_errors(self) -> OverlayResult:
        if self.errors:
            raise StandardsInvalid(self.errors)
        return self


def read_overlay(path: str | Path) -> tuple[Overlay | None, _Document | None, list[StandardError]]:
    """Read and validate an overlay file on its own (no database)."""
    errors = _Errors()
    overlay, document = _validate_file(Path(path), Overlay, errors)
    return overlay, document, errors.items


def apply_overlay(path: str | Path, base_text: str) -> OverlayResult:
    """Validate the overlay at ``path`` against the base standard's verbatim YAML and merge.

    Refused (errors with the overlay's file and line): a file that is not an overlay, a
    part the plan sets, an indicator the standard does not have, and any merged result a
    standard would be refused for (weights not adding up to the total, tiers outside the
    pass mark and the total, a pass mark above the total).
    """
    file = Path(path)
    overlay, document, errors_list = read_overlay(file)
    result = OverlayResult(file=file)
    if overlay is None or document is None:
        result.errors = errors_list
        return result
    errors = _Errors()
    base_data = yaml.safe_load(base_text)
    base = Standard.model_validate(base_data, context={"class_keys": _class_keys(base_data)})
    origins = origins_for(base.code)
    if overlay.overlay != base.code:
        errors.add(document, ("overlay",), f"本地设定针对「{overlay.overlay}」，不是「{base.code}」")
    for part in overlay.parts():
        if origins is not None and origins.part(part).by == "plan":
            errors.add(document, ("indicators",) if part in ("weights", "veto") else (part,), f"{PART_LABELS[part]!s}是计划（{origins.part(part).plan}）"
                                        "规定的，不能在本地设定中修改")
    codes = {ind.code for ind in base.all_indicators()}
    for code in overlay.indicators:
        if code not in codes:
            errors.add(document, ("indicators", code), f"标准「{base.name}」没有指标「{code}」")
    if errors.items:
        result.errors = errors.items
        return result

    merged = _merge(base_data, overlay)
    try:
        standard = Standard.model_validate(merged, context={"class_keys": _class_keys(merged)})
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            errors.add(document, (), f"套用后的标准无效：{_translate(detail)}")
        result.errors = errors.items
        return result
    # The same score checks a standard gets, reported at the overlay's own lines.
    remapped = _Errors()
    _check_scores(standard, document, remapped, list(_indicator_paths(standard)))
    for found in remapped.items:
        errors.add(document, _overlay_path(found.field), found.message)
    if errors.items:
        result.errors = errors.items
        return result
    result.overlay, result.standard = overlay, standard
    result.text = file.read_text(encoding="utf-8")
    header = (f"# {base.name} 第 {base.version} 版，套用本地设定「{overlay.name}」"
              f"（{overlay.office}）第 {overlay.version} 版：{_display(file)}\n")
    result.merged_text = header + yaml.safe_dump(merged, allow_unicode=True, sort_keys=False)
    return result


def _overlay_path(field_text: str) -> tuple[str | int, ...]:
    """A merged standard's field (``tiers[1].min``) as a path in the overlay; the per-item
    score checks point at the overlay's ``indicators``."""
    if field_text.startswith("items"):
        return ("indicators",)
    parts = field_text.replace("[", ".").replace("]", "").split(".")
    return tuple(int(p) if p.isdigit() else p for p in parts if p)


def _merge(base: dict[str, Any], overlay: Overlay) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    if overlay.pass_mark is not None:
        merged["pass_mark"] = overlay.pass_mark
    if overlay.tiers is not None:
        merged["tiers"] = [{"name": t.name.value, "min": t.min} for t in overlay.tiers]
    if overlay.bonus_cap is not None:
        merged["bonus_cap"] = overlay.bonus_cap
    for item in merged.get("items") or []:
        for content in item.get("contents") or []:
            for ind in content.get("indicators") or []:
                change = overlay.indicators.get(ind.get("code"))
                if change is None:
                    continue
                if change.max is not None:
                    ind["score"] = {**ind["score"], "max": change.max}
                if change.veto is not None:
                    ind["veto"] = change.veto
    return merged


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- the difference, for the page


@dataclass(frozen=True)
class PartRow:
    part: str
    label: str
    value: str
    by: str            # "plan" or "default"
    plan: str
    quote: str
    note: str
    base_value: str    # the built-in value when an overlay changed it, else ""


def _points(x: float) -> str:
    return _("%(n)s 分") % {"n": f"{x:g}"}


def _value(standard: Standard, part: str) -> str:
    if part == "pass_mark":
        return _points(standard.pass_mark)
    if part == "tiers":
        return _("、").join(f"{t.name.value} {_points(t.min)}" for t in standard.tiers) or "—"
    if part == "bonus_cap":
        return _points(standard.bonus_cap) if standard.bonus_cap else _("不设加分")
    if part == "weights":
        return _("、").join(
            f"{item.name} {_points(sum(i.score.max for c in item.contents for i in c.indicators if not i.bonus and i.level is None))}"
            for item in standard.items)
    vetoes = [i.name for i in standard.all_indicators() if i.veto]
    return _("、").join(vetoes) if vetoes else _("不设否决项")


def part_rows(standard: Standard, base: Standard | None) -> list[PartRow]:
    """Each settable part: its value, who set it (plan with quote, or our default, why),
    and the built-in value when this version is an office's overlay that changed it."""
    origins = origins_for(standard.code)
    rows: list[PartRow] = []
    for part in OVERRIDABLE:
        o = origins.part(part) if origins is not None else None
        value = _value(standard, part)
        before = _value(base, part) if base is not None else value
        if part == "weights" and base is not None:
            # Weights moved within an item keep its total: name each indicator changed.
            old = {i.code: i.score.max for i in base.all_indicators()}
            moved = [i for i in standard.all_indicators() if old.get(i.code) != i.score.max]
            if moved:
                value = _("、").join(f"{i.name} {_points(i.score.max)}" for i in moved)
                before = _("、").join(f"{i.name} {_points(old[i.code])}" for i in moved)
        rows.append(PartRow(
            part=part, label=str(PART_LABELS[part]), value=value,
            by=o.by if o is not None else "default", plan=(o.plan or "") if o else "",
            quote=o.quote if o else "",
            note=o.note if o else _("各地自定的标准，未注明出处"),
            base_value=before if before != value else ""))
    return rows
