"""Reading one reported value: text (a form field, a cell, JSON) → a checked value.

Every channel — web form, API, xlsx — goes through ``parse_value`` so that a value
refused on one is refused on all, with the same Chinese message.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuangjian.standards.models import DataElement

TYPE_LABELS = {"integer": gettext_lazy("整数"), "decimal": gettext_lazy("数值"),
               "percent": gettext_lazy("百分比（0–100）"), "boolean": gettext_lazy("是/否"),
               "text": gettext_lazy("文字"), "date": gettext_lazy("日期（如 2026-03-15）")}
NUMERIC_TYPES = frozenset({"integer", "decimal", "percent", "boolean"})
_TRUE = {"是", "1", "true", "yes", "y", "√", "✓", "有"}
_FALSE = {"否", "0", "false", "no", "n", "×", "无"}
_MAX = Decimal("1e17")
MAX_NUMBER_CHARS = 30


class ValueError_(ValueError):
    """A value refused, with its message in the reader's language (Chinese by default)."""


@dataclass(frozen=True)
class Parsed:
    """A checked value: ``number`` for numbers and booleans, ``text`` otherwise."""

    number: Decimal | None = None
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return self.number is None and self.text == ""

    def display(self) -> str:
        return format_number(self.number) if self.number is not None else self.text


EMPTY = Parsed()


def format_number(number: Decimal | float | None) -> str:
    """``12.500000`` → ``12.5``; ``3.000000`` → ``3``; None → ``""``."""
    if number is None:
        return ""
    d = number if isinstance(number, Decimal) else Decimal(str(number))
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")


def is_numeric(element: DataElement) -> bool:
    return element.type in NUMERIC_TYPES


def _bounds(element: DataElement) -> tuple[float | None, float | None]:
    low, high = element.min_value, element.max_value
    if element.type == "percent":
        low = 0 if low is None else low
        high = 100 if high is None else high
    elif element.type == "integer" and low is None:
        # A count of people, events or places is never negative.
        low = 0
    return low, high


def parse_value(element: DataElement, raw: Any) -> Parsed:
    """Check ``raw`` against the element's type and range; raise ``ValueError_`` with a
    message naming the value (Chinese, or the reader's language)."""
    if raw is None:
        return EMPTY
    if isinstance(raw, bool):
        raw = "1" if raw else "0"
    if isinstance(raw, float) and (math.isnan(raw) or math.isinf(raw)):
        raise ValueError_(_("不是有效的数字"))
    if isinstance(raw, (dt.datetime, dt.date)) and element.type == "date":
        return Parsed(text=(raw.date() if isinstance(raw, dt.datetime) else raw).isoformat())
    text = str(raw).strip()
    if text == "":
        return EMPTY
    kind = element.type
    if kind == "text":
        if len(text) > 2000:
            raise ValueError_(_("文字过长（不超过 2000 字）"))
        return Parsed(text=text)
    if kind == "date":
        try:
            return Parsed(text=dt.date.fromisoformat(text[:10].replace("/", "-")).isoformat())
        except ValueError:
            raise ValueError_(_("「%(text)s」不是日期，应写作 2026-03-15") % {"text": text}) from None
    if kind == "boolean":
        lowered = text.lower()
        if lowered in _TRUE:
            return Parsed(number=Decimal(1))
        if lowered in _FALSE:
            return Parsed(number=Decimal(0))
        raise ValueError_(_("「%(text)s」应填“是”或“否”") % {"text": text})
    cleaned = text.replace(",", "").replace("，", "")
    if kind == "percent" and cleaned.endswith("%"):
        cleaned = cleaned[:-1].strip()
    if len(cleaned) > MAX_NUMBER_CHARS:
        # Bounded before parsing: a million-digit "number" is refused, not converted.
        raise ValueError_(_("数字过长（不超过 %(n)d 位）") % {"n": MAX_NUMBER_CHARS})
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError_(_("「%(text)s」不是数字") % {"text": text}) from None
    if not number.is_finite() or abs(number) >= _MAX:
        raise ValueError_(_("「%(text)s」不是有效的数字") % {"text": text})
    if kind == "integer" and number != number.to_integral_value():
        raise ValueError_(_("「%(text)s」应为整数") % {"text": text})
    if number.as_tuple().exponent < -6:  # type: ignore[operator]
        raise ValueError_(_("小数位数不能超过 6 位"))
    low, high = _bounds(element)
    if low is not None and number < Decimal(str(low)):
        if low == 0:
            raise ValueError_(_("%(value)s 不能为负数") % {"value": format_number(number)})
        raise ValueError_(_("%(value)s 小于允许的最小值 %(low)s") % {
            "value": format_number(number), "low": format_number(low)})
    if high is not None and number > Decimal(str(high)):
        raise ValueError_(_("%(value)s 大于允许的最大值 %(high)s") % {
            "value": format_number(number), "high": format_number(high)})
    return Parsed(number=number)


# Peers (同级单位: the units beside this one, same report) set a range; a figure is out of
# line with them only beyond this factor of their highest or below their lowest over it.
# Demo units differ by up to 4× in size (0.4–1.6 of a base) and ±45% from period to
# period, so their ordinary figures stay well inside 3× of the peers' extremes.
PEER_FACTOR = 3.0
MIN_PEERS = 4


def _far_from_history(value: float, xs: list[float]) -> tuple[bool, float]:
    mean = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / len(xs))
    # A count's own spread is about the square root of its mean (a 日报's 3–6 problems a
    # day are ordinary): three of those, like three standard deviations, before a
    # figure is called unusual.
    threshold = max(3 * sd, 0.5 * abs(mean), 3 * math.sqrt(abs(mean)), 1.0)
    return abs(value - mean) > threshold, mean


def _out_of_peers(value: float, peers: list[float]) -> bool:
    high, low = max(peers), min(peers)
    return value > max(PEER_FACTOR * high, high + 1.0) or value < low / PEER_FACTOR - 1.0


def outlier_facts(value: Decimal, history: list[Decimal],
                  peers: list[Decimal] | None = None) -> dict[str, str] | None:
    """The figures behind a warning when ``value`` is out of line (flagged, never
    refused), or None.

    Two yardsticks, each used when there is enough to go on. The unit's own history
    (four earlier values or more): further from their mean than three standard
    deviations, at least half the mean and three times its square root, so a steady
    series of small counts does not flag every change of a few. Its peers (the same figure of at least four units
    beside it): above ``PEER_FACTOR`` times the highest or below the lowest divided
    by it. When both are there a figure must be out of line with both — a big unit
    is not unusual for being big, a growing one not for growing like its peers —
    which keeps ordinary figures from crying wolf. The figures, not a sentence, are
    what a submission keeps, so each reader sees the note in their own language
    (``outlier_text``).
    """
    x = float(value)
    mine = [float(h) for h in history] if len(history) >= 4 else []
    theirs = [float(p) for p in peers or []] if len(peers or []) >= MIN_PEERS else []
    if not mine and not theirs:
        return None
    facts: dict[str, str] = {"value": format_number(value)}
    if mine:
        far, mean = _far_from_history(x, mine)
        if not far:
            return None
        facts.update(n=str(len(mine)), mean=f"{mean:.4g}")
    if theirs:
        if not _out_of_peers(x, theirs):
            return None
        facts.update(peers=str(len(theirs)), low=format_number(Decimal(str(min(theirs)))),
                     high=format_number(Decimal(str(max(theirs)))))
    return facts


def outlier_text(facts: dict[str, str] | str) -> str:
    """The warning for ``outlier_facts`` (a note stored as text before is shown as it is)."""
    if isinstance(facts, str):
        return facts
    if "peers" in facts and "n" not in facts:
        return _("与同级单位差异较大（%(peers)s 个同级单位为 %(low)s–%(high)s，本期 %(value)s），请核实") % {
            k: facts.get(k, "") for k in ("peers", "low", "high", "value")}
    text = _("与本单位以往数据差异较大（近 %(n)s 期平均 %(mean)s，本期 %(value)s），请核实") % {
        "n": facts.get("n", ""), "mean": facts.get("mean", ""), "value": facts.get("value", "")}
    if "peers" in facts:
        text += _("；%(peers)s 个同级单位为 %(low)s–%(high)s") % {
            k: facts.get(k, "") for k in ("peers", "low", "high")}
    return text


def outlier_note(value: Decimal, history: list[Decimal], peers: list[Decimal] | None = None) -> str:
    """The warning for ``value`` against ``history`` and ``peers``, or ``""``."""
    facts = outlier_facts(value, history, peers)
    return outlier_text(facts) if facts else ""
