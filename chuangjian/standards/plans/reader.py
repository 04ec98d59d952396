"""The plan reader: Chinese plan prose in, quantified targets out.

Pure Python (no Django import): rules over the jieba segmenter and the cn2an
number parser. ``read_targets(text)`` returns :class:`Target` objects in text
order; ``Target.as_dict()`` is the exact JSON shape of ``chuangjian plans
read``: ``{quote, metric, op, value, unit, period, category, year,
span_years}``.

How it reads, in order:

1. Mask what is never a target: document and standard numbers, dates and
   clock times, phone numbers, list numbering, ordinals, ages that qualify a
   group (35岁以上居民), ratios (1:50) and "per N households" denominators.
2. Split the text into sentences (。；！？ and line ends) and clauses (，：、
   inside a sentence stay together only where a list shares one value).
3. In each clause find number mentions — Arabic (80%, 5万平方米, 1—2个),
   Chinese (百分之九十五, 三成, 三分之一, 一次) — and zero statements
   (无…, 不发生…, 零…, 连续3年无…).
4. Keep a mention only when the clause states it as a level to reach: a
   comparator (不少于, 达到, 以上, 控制在…以下, 超过, 低于…), a change
   (比上年下降20%, 逐年提高5个百分点), a per-period rule (每月…2次), a rate, or
   a pass mark (90分以上为合格). Budgets (元), scoring rules (扣…分) and
   counts of the past (去年共举办…, 已有…) are dropped.
5. Work out metric, op, value, unit, period, category, year and span.
"""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

OPS = (">=", "<=", ">", "<", "==", "zero", "decrease_by", "increase_by")
PERIODS = ("day", "week", "month", "quarter", "year")

CN_DIGITS = "零〇一二两三四五六七八九十百千万"
CN_NUM = f"[{CN_DIGITS}]+"

# Units as written right after a number, longest first so 个百分点 wins over 个.
UNITS = (
    "个百分点", "百分点", "平方公里", "平方米", "立方米", "公里", "课时", "小时", "分钟",
    "人次", "户次", "万元", "元", "%", "％", "‰", "个", "户", "名", "人", "次", "场", "节",
    "份", "项", "处", "分", "天", "家", "所", "支", "条", "件", "起", "吨", "辆", "台",
    "本", "期", "张", "篇", "块", "棵", "株", "米", "座", "间", "套", "批", "组", "队",
)
# Chinese numerals count only before these measure words (一次, 三个), so that
# 一批, 一系列, 五个人人 or 六乱 are never read as numbers.
CN_COUNT_UNITS = ("小时", "课时", "次", "个", "户", "名", "人", "场", "节", "份", "项", "处", "天",
                  "家", "所", "支", "条", "件", "起")
_UNIT_RE = "|".join(re.escape(u) for u in UNITS)

# --- what is never a target -------------------------------------------------
_MASKS = [
    r"[〔\[［]\s*\d{4}\s*[〕\]］]\s*\d+\s*号",                      # 〔2018〕12号
    r"[A-Z]{1,4}(?:/[A-Z])?\s*\d+(?:\.\d+)*\s*[-—–]\s*\d{4}",       # GB/T 31490.1-2015
    r"\d{4}\s*版",                                                 # 2021版
    r"\d{3,4}\s*[-—]\s*\d{7,8}",                                   # 0571-86451234
    r"(?<!\d)1[3-9]\d{9}(?!\d)",                                   # mobile numbers
    r"(?<![\d.])\d{5,}(?![\d.%％‰万])",                            # other long digit runs
    r"(?<!\d)\d{3}(?=[。，,；;、\s]|$)(?<=110|119|120|122|315)",    # service numbers
    r"(?:电话|热线|邮箱|举报)[：:\s]*[\d、，,\s-]+",
    r"(?:\d{4}|20[xX×]{2}|20\d[xX×])\s*(?:年|度)(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?",
    r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]",                           # 3月31日
    r"(?<![\d.])\d{1,2}\s*月份?",                                  # 九月份 / 3月
    r"[一二三四五六七八九十]{1,3}月份",
    r"\d+\s*[·.．]\s*\d+(?=[”\"」』])",                            # “6·26”
    r"\d{1,2}\s*[点時时]\s*(?:\d{1,2}\s*分)?(?:前|后|以前|之前)?",     # 下午4点前
    r"\d{4}\s*[—–~-]+\s*\d{4}\s*年?",                             # 2026—2028年
    r"第\s*[\d一二三四五六七八九十百]+\s*(?:[类轮届次批个条项款章节]|年)?",  # 第二轮, 第3条
    r"\d+\s*(?:周岁|岁)(?:以上|以下|及以上|至\d+岁)?",                 # 35岁以上 (a group)
    r"[一二三四五六七八九十]+\s*(?:周岁|岁)(?:以上|以下)?",
    r"\d+\s*[:：∶]\s*\d+",                                         # 1:50
    r"每\s*(?:\d+|[一二三四五六七八九十百千万]+)\s*(?:户|人|名|平方米|个|千|万)",  # 每300户, 每千人
    r"每[百千万]",
    r"24\s*小时(?=[^，,。；;]{0,3}(?:监控|值班|服务|在线|开放|运行|巡|不间断|畅通))",
    r"全天\s*24\s*小时",
    r"[一二三四五六七八九十]+是",                                    # 一是…二是…
    r"(?:一|二|三|四|五|六|七|八|九|十)+[个项]?(?=[“\"](?:人人|不|文明))",
    r"[“\"][^”\"]{0,12}[”\"]",                                    # quoted names such as “五个人人”
]
_MASK_RE = re.compile("|".join(f"(?:{m})" for m in _MASKS))
_LIST_NUMBER_RE = re.compile(
    r"^\s*(?:[（(]\s*[\d一二三四五六七八九十]+\s*[)）]|\d+\s*[、.．)）]|"
    r"[一二三四五六七八九十]+\s*[、.．]|[⑴-⒇]|[①-⑳]|[㈠-㈩])\s*",
    re.MULTILINE,
)

_SENTENCE_END = "。；;！!？?\n"
_CLAUSE_END = "，,：:"

_PAST = re.compile(r"去年|上年度|上一年度|往年|已有|已经|已完成|已达|共有|共安装|共举办|共查处|共清理|"
                   r"共破获|共计|共开展|共组织|曾经|过去的")
_SCORING = re.compile(r"扣\s*[\d.一二三四五六七八九十半]+\s*分|扣分|加\s*[\d.]+\s*分|每发现")
_PASS_WORDS = re.compile(r"合格|达标|优秀|通过|得分|总分|分数")

# Comparators, longest (negated) forms first so 不少于 never reads as 少于.
_LEFT_OPS: list[tuple[str, str]] = [
    ("不少于", ">="), ("不低于", ">="), ("不小于", ">="), ("至少", ">="), ("最少", ">="),
    ("不超过", "<="), ("不高于", "<="), ("不大于", "<="), ("最多", "<="), ("控制在", "<="),
    ("下降到", "<="), ("下降至", "<="), ("降到", "<="), ("降至", "<="), ("减少到", "<="),
    ("减少至", "<="), ("压降到", "<="),
    ("超过", ">"), ("高于", ">"), ("大于", ">"), ("多于", ">"),
    ("低于", "<"), ("少于", "<"), ("不到", "<"), ("小于", "<"),
    ("保持在", ">="), ("达到", ">="), ("达", ">="), ("提高到", ">="), ("提升到", ">="),
    ("提高至", ">="), ("提升至", ">="), ("增加到", ">="), ("增至", ">="), ("≥", ">="),
    ("≤", "<="), ("新增", ">="), ("在", ">="),
]
_DECREASE = re.compile(r"(?:比|较)[^，,。；;]{0,12}?(?:下降|减少|降低|压减|减)|逐年(?:下降|减少|降低)|"
                       r"(?:下降|减少|降低|压减)(?!到|至)")
_INCREASE = re.compile(r"(?:比|较)[^，,。；;]{0,12}?(?:提高|增加|增长|上升|提升)|逐年(?:提高|增加|增长|上升|提升)|"
                       r"(?:提高|增加|增长|上升|提升)(?!到|至)")
_RIGHT_GE = re.compile(r"^\s*(?:及以上|以上|或以上|以上为|之上)")
_RIGHT_LE = re.compile(r"^\s*(?:及以下|以下|以内|之内|或以下)")
# Words that make a bare count a commitment rather than a description.
_COUNT_CUES = re.compile(r"争创|争取|力争|安置|确保|计划|完成|建成|培育|发展|培训|招募|新建|创建")

_PERIOD_WORDS: list[tuple[str, str]] = [
    ("每天", "day"), ("每日", "day"), ("日均", "day"), ("天天", "day"),
    ("每周", "week"), ("周均", "week"), ("每星期", "week"),
    ("每月", "month"), ("月均", "month"), ("每个月", "month"),
    ("每季度", "quarter"), ("每季", "quarter"), ("每个季度", "quarter"), ("季均", "quarter"),
    ("每年", "year"), ("一年", "year"), ("全年", "year"), ("年均", "year"), ("逐年", "year"),
    ("每一年", "year"), ("年度", "year"),
]
_METRIC_PREFIXES = re.compile(
    r"^(?:[，,、：:\s]|其中|并且|并|且|同时|要|须|需|应|确保|力争|争取|努力|使|让|做到|实现|基本|全年|年内|今年|"
    r"计划|累计|全面|进一步|继续|逐步|保证|保障|切实|共|总体上)+"
)
_ZERO_PREFIX = re.compile(r"^(?:小区内|辖区内|社区内|辖区|小区|社区|做到|实现|确保|基本|全年|力争|要|并|且|真正|"
                          r"保持|保证|年内|当年|本年度|全镇|全区|全街道|全市|\s)+")
_ZERO_PHRASE = re.compile(r"为零|零发生|零增长|零事故|零死亡|零伤亡|零报告|零容忍|[“\"]零(?![星散售件食钱碎])[\u4e00-\u9fff]{1,4}[”\"]|"
                          r"实现零(?![星散售件食钱碎])[\u4e00-\u9fff]{1,4}")
_SPAN = re.compile(r"连续\s*(\d+|[一二两三四五六七八九十]+)\s*年")
_NEGATIVE_ZERO = re.compile(r"零容忍")
_PLAN_SPAN = re.compile(r"(20\d\d)\s*(?:年)?\s*[—–~至到-]+\s*(20\d\d)\s*年")
_NTH_YEAR = re.compile(r"第\s*([一二三四五\d])\s*年")
_BY_YEAR = re.compile(r"(?:到|至|于|在)?\s*(20\d\d)\s*年(?:底|末|内|前|度)?")

_NUMBER_RE = re.compile(
    r"(?P<pct_cn>百分之(?:百|[零一二两三四五六七八九十]+(?:点[零一二三四五六七八九]+)?))"
    r"|(?P<frac>(?P<den>[一二三四五六七八九十百]+)分之(?P<num>[一二三四五六七八九十]+))"
    r"|(?P<cheng>[一二三四五六七八九十])成(?![员为效果立功绩本长熟型])"
    r"|(?P<arabic>\d+(?:\.\d+)?)(?:\s*[—–~～至-]\s*(?P<upper>\d+(?:\.\d+)?))?\s*(?P<wan>万)?"
    r"|(?P<cn>[一二两三四五六七八九十百千]+)(?=(?:" + "|".join(CN_COUNT_UNITS) + r"))"
)


@dataclass
class Target:
    """One proposed target. ``start``/``end`` locate ``quote`` in the text read."""

    quote: str
    metric: str
    op: str
    value: float
    unit: str | None
    period: str | None = None
    category: str | None = None
    year: int | None = None
    span_years: int | None = None
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

    def as_dict(self) -> dict[str, Any]:
        value: float | int = self.value
        if float(value).is_integer():
            value = int(value)
        return {
            "quote": self.quote, "metric": self.metric, "op": self.op, "value": value,
            "unit": self.unit, "period": self.period, "category": self.category,
            "year": self.year, "span_years": self.span_years,
        }


@cache
def _jieba() -> Any:
    """jieba with its cache in a writable temp folder and its chatter silenced."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = tempfile.gettempdir()
    tokenizer.cache_file = str(Path(tempfile.gettempdir()) / "chuangjian-jieba.cache")
    for word in ("网格员", "六乱", "七不", "四害", "计划外", "无毒社区", "知晓率", "覆盖率", "参与率",
                 "合格率", "达标率", "完好率", "安装率", "设置率", "配备率", "普及率", "调解率", "尿检率"):
        tokenizer.add_word(word)
    return tokenizer


def _cn_to_number(text: str) -> float | None:
    """A number written in Chinese (九十五, 两千), or None when it is not one (百百)."""
    import cn2an

    if text == "百":
        return 100.0
    if text.startswith("两"):
        text = "二" + text[1:]
    try:
        return float(cn2an.cn2an(text, "smart"))
    except ValueError:
        return None


def _mask(text: str) -> list[bool]:
    """True where a character belongs to something that is never a target."""
    masked = [False] * len(text)
    for regex in (_MASK_RE, _LIST_NUMBER_RE):
        for match in regex.finditer(text):
            if match.group(0).startswith(("“", '"')):
                inner = match.group(0)[1:-1]
                # A quoted zero such as “零种植” stays readable; quoted names do not.
                if "零" in inner or re.search(r"\d", inner):
                    continue
            for i in range(match.start(), match.end()):
                masked[i] = True
    return masked


def _spans(text: str, start: int, end: int, stops: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    begin = start
    for i in range(start, end):
        if text[i] in stops:
            if i > begin:
                out.append((begin, i))
            begin = i + 1
    if end > begin:
        out.append((begin, end))
    return out


def _plan_years(text: str) -> tuple[int, int] | None:
    """The years a plan says it covers (本计划实施期为2026年至2028年), if it says so."""
    head = text[:3000]
    match = _PLAN_SPAN.search(head)
    if match:
        first, last = int(match.group(1)), int(match.group(2))
        if 0 <= last - first <= 10:
            return first, last
    return None


def _strip_metric(text: str) -> str:
    text = _LIST_NUMBER_RE.sub("", text)
    text = text.strip(" \u3000，,、：:；;“”\"（）()")
    previous = None
    while previous != text:
        previous = text
        text = _METRIC_PREFIXES.sub("", text)
        for word, _ in _LEFT_OPS:
            if word not in ("在", "为") and text.endswith(word):
                text = text[: -len(word)]
        text = re.sub(r"(?:要|须|需|应|能|可|将|都|均|也|的|是|在|(?<![拥具持没所])有|累计|总体|普遍|保持在|控制在|逐年|(?:逐年)?(?:提高|下降|增加|减少|降低|上升|提升))+$", "", text)
        text = re.sub(r"^(?:到|至|于|在)?\s*(?:20[\dxX×]{2})\s*年(?:底|末|内|前|度)?", "", text)
        text = re.sub(r"^(?:以|按)?倡导", "", text)
        text = re.sub(r"每(?:个)?(?:天|日|周|月|季度|季|年)|全年|年内|一年", "", text)
        text = text.strip(" \u3000，,、：:“”\"")
    return text


def read_targets(text: str) -> list[Target]:
    """Every quantified target stated in ``text``, in text order."""
    if not text or not text.strip():
        return []
    masked = _mask(text)
    plan_years = _plan_years(text)
    targets: list[Target] = []
    for s_start, s_end in _spans(text, 0, len(text), _SENTENCE_END):
        targets.extend(_read_sentence(text, masked, s_start, s_end, plan_years))
    return targets


def _read_sentence(text: str, masked: list[bool], s_start: int, s_end: int,
                   plan_years: tuple[int, int] | None) -> list[Target]:
    sentence = text[s_start:s_end]
    out: list[Target] = []
    last_metric: str | None = None
    for c_start, c_end in _spans(text, s_start, s_end, _CLAUSE_END):
        clause = text[c_start:c_end]
        if _SCORING.search(clause) or _PAST.search(clause):
            continue
        found = _read_clause(text, masked, c_start, c_end, s_start, sentence, last_metric,
                             plan_years)
        for target in found:
            if target.op != "zero":
                last_metric = target.metric
        out.extend(found)
    return _split_classes(out)


def _read_clause(text: str, masked: list[bool], c_start: int, c_end: int, s_start: int,
                 sentence: str, last_metric: str | None,
                 plan_years: tuple[int, int] | None) -> list[Target]:
    clause = text[c_start:c_end]
    out: list[Target] = []
    zero = _read_zero(text, masked, c_start, c_end)
    if zero is not None:
        out.append(zero)
    piece_start = c_start
    for match in _NUMBER_RE.finditer(clause):
        m_start, m_end = c_start + match.start(), c_start + match.end()
        if any(masked[m_start:m_end]):
            continue
        target = _read_number(text, match, c_start, c_end, piece_start, s_start, sentence,
                              last_metric)
        if target is None:
            continue
        if zero is not None and target.value == 0:
            continue
        _add_year(target, text, s_start, plan_years)
        out.append(target)
        piece_start = target.end
        last_metric = target.metric
    return out


def _read_zero(text: str, masked: list[bool], c_start: int, c_end: int) -> Target | None:
    clause = text[c_start:c_end]
    span: int | None = None
    span_match = _SPAN.search(clause)
    if _NEGATIVE_ZERO.search(clause):
        return None
    lead = _LIST_NUMBER_RE.match(clause)
    offset = lead.end() if lead else 0
    body = clause[offset:]
    stripped = _ZERO_PREFIX.sub("", body)
    kind = None
    if re.search(r"不发生|未发生|没有发生|无发生", clause):
        kind = "happen"
    elif _ZERO_PHRASE.search(clause):
        kind = "phrase"
    else:
        rest = stripped
        if span_match and span_match.start() - offset <= 4:
            rest = _ZERO_PREFIX.sub("", clause[span_match.end():])
        if rest.startswith("无"):
            tokens = _jieba().lcut(rest[:12])
            if tokens and tokens[0] == "无" and len(rest) >= 3:
                kind = "none"
    if kind is None:
        return None
    if span_match:
        raw = span_match.group(1)
        read = float(raw) if raw.isdigit() else _cn_to_number(raw)
        if read is None:
            return None
        span = int(read)
    quote_start = c_start + offset
    quote = text[quote_start:c_end].rstrip(" \u3000")
    # The metric is what must not happen: the words after 无 / 不发生, or before 零….
    metric = quote
    m = re.search(r"(?:不发生|未发生|没有发生|无发生)(.+)", quote)
    if m:
        metric = m.group(1)
        if re.fullmatch(r"[\u4e00-\u9fff]{1,3}", metric):
            metric = _strip_metric(quote[: m.start()]) + metric
    elif kind == "phrase" and (z := _ZERO_PHRASE.search(quote)):
        before = _strip_metric(quote[: z.start()])
        metric = _SPAN.sub("", before).replace("实现", "") + (
            "" if z.group(0) in ("为零",) else z.group(0).strip("“”\"").replace("实现", "").lstrip("零"))
        if z.group(0) == "零增长":
            metric = before + "增长"
    else:
        idx = quote.find("无")
        metric = quote[idx + 1:]
    metric = re.sub(r"^的", "", metric.replace("“", "").replace("”", "")).strip(" \u3000，,、")
    metric = _SPAN.sub("", metric).replace("实现", "") or metric
    metric = re.sub(r"(?:的)?(?:目标)?$", "", metric) or metric
    return Target(quote=quote, metric=metric, op="zero", value=0, unit=None, span_years=span,
                  start=quote_start, end=c_end)


def _read_number(text: str, match: re.Match[str], c_start: int, c_end: int, piece_start: int,
                 s_start: int, sentence: str, last_metric: str | None) -> Target | None:
    n_start, n_end = c_start + match.start(), c_start + match.end()
    if n_start > 0 and text[n_start - 1] in "/／":
        return None  # the denominator of 18/10万 belongs to the number before it
    after = text[n_end:c_end]
    before_clause = text[piece_start:n_start]
    unit: str | None = None
    if match.group("pct_cn"):
        raw = match.group("pct_cn")[3:]
        value = 100.0 if raw == "百" else _cn_to_number(raw)
        unit = "%"
    elif match.group("frac"):
        num, den = _cn_to_number(match.group("num")), _cn_to_number(match.group("den"))
        value = None if num is None or not den else round(num / den * 100, 2)
        unit = "%"
    elif match.group("cheng"):
        tenths = _cn_to_number(match.group("cheng"))
        value = None if tenths is None else tenths * 10
        unit = "%"
    else:
        if match.group("arabic"):
            value = float(match.group("arabic"))
            if match.group("wan"):
                value *= 10000
        else:
            raw = match.group("cn")
            if n_start > 0 and text[n_start - 1] in "第每":
                return None
            value = _cn_to_number(raw)
        unit_match = re.match(rf"\s*(/\s*\d+\s*万|{_UNIT_RE})", after)
        if unit_match:
            unit = unit_match.group(1).replace(" ", "")
            n_end += unit_match.end()
            after = text[n_end:c_end]
        if unit == "％":
            unit = "%"
        if match.group("cn") and (unit not in CN_COUNT_UNITS or after.startswith("的")):
            return None
    if value is None:
        return None  # Chinese numerals that make no number (百百)
    # Words right after the unit that make it a date, an age, a name or a budget.
    if re.match(r"\s*(?:年|岁|周岁|月|日|号|点|版|届|轮|大|性|元|万元|方面|种|类|级|代表|倍)", after):
        return None
    if unit in ("元", "万元"):
        return None
    if unit == "次" and re.match(r"性", after):
        return None

    left = text[max(piece_start, n_start - 14):n_start]
    if after.startswith("的") and re.search(r"(?:不到|不足|(?<!不)少于|(?<!不)低于|(?<!不)超过|多于|(?<!不)高于)\s*$", text[c_start:n_start]):
        return None  # 「不到200人的乡镇」 names a group of units, it sets no target
    op: str | None = None
    right_ge = _RIGHT_GE.match(after)
    right_le = _RIGHT_LE.match(after)
    quote_end = n_end
    if right_ge:
        op = ">="
        quote_end += len(right_ge.group(0).rstrip("为"))
    elif right_le:
        op = "<="
        quote_end += right_le.end()
    near_left = text[max(piece_start, n_start - 6):n_start]
    left_op = None
    for word, word_op in _LEFT_OPS:
        if near_left.rstrip().endswith(word) or (len(word) > 1 and word in near_left):
            left_op = word_op
            break
    change = None
    if _DECREASE.search(left) and left_op not in ("<=",):
        change = "decrease_by"
    elif (_INCREASE.search(left) and left_op not in (">=",)) or (re.search(r"提高|增加", near_left) and unit in (
            "个百分点", "百分点")):
        change = "increase_by"
    if change:
        op = change
    elif op is None or (left_op in ("<", ">") and op in (">=", "<=")):
        op = left_op

    clause_before = text[c_start:n_start]
    is_rate = unit in ("%", "‰", "个百分点", "百分点") or bool(re.search(r"率|覆盖面|宣传面|创建面|比例|比重", before_clause[-12:]))
    per_period = _period(clause_before)
    per_unit = "每" in clause_before
    if unit == "分":
        if not _PASS_WORDS.search(text[c_start:c_end]):
            return None
        if op is None:
            op = ">="
    elif op is None:
        if (is_rate and unit is not None) or (unit is not None and (per_unit or per_period) and match.group("arabic")) or (unit is not None and per_unit and match.group("cn")) or (unit in ("个", "户", "名", "人") and match.group("arabic") and _COUNT_CUES.search(
                text[s_start:n_start])):
            op = ">="
        else:
            return None
    if op == "==":
        if not (is_rate or unit):
            return None
        op = ">="
    if op == ">=" and left_op == ">=" and near_left.endswith("在") and not right_ge and not is_rate:
        return None
    if unit is None and not is_rate and not right_ge and not right_le and left_op not in (">", "<") and not re.search(
            r"达到|达|超过", near_left):
        return None

    # The quote runs from where this target's words start to the end of its number.
    quote_start = piece_start
    lead = _LIST_NUMBER_RE.match(text[quote_start:n_start])
    if lead:
        quote_start += lead.end()
    while quote_start < n_start and text[quote_start] in " \u3000、，,：:":
        quote_start += 1
    quote = text[quote_start:quote_end]
    if not quote.strip():
        return None
    metric_text = text[quote_start:n_start]
    verb = ""
    for word, _ in _LEFT_OPS:
        idx = metric_text.rfind(word)
        if word not in ("在", "为", "达") and idx >= 0 and idx >= len(metric_text) - len(word) - 8:
            verb = re.sub(r"^(?:要|有|需|须|应|能)+", "", metric_text[idx + len(word):])
            metric_text = metric_text[:idx]
            break
    metric_text = re.sub(r"(?:比|较)(?![例重率]).{0,10}$", "", metric_text)
    metric = _strip_metric(metric_text)
    category = None
    tail_text = text[quote_end:c_end]
    if unit == "分":
        metric = "考核得分"
    else:
        metric, category = _metric_and_category(metric, last_metric, text[s_start:quote_start], unit)
        # 「每年至少测量1次血压」「有10%的居民户参加…」: what is counted follows the number.
        obj = re.match(r"的?([\u4e00-\u9fff“”（）()、]{2,24})", tail_text)
        if category is None and obj and not _RATE_TAIL.search(metric) and not re.match(
                r"以上|以下|以内|左右|为", tail_text):
            words = obj.group(1)
            words = re.split(r"为突破口|为目标|为重点|为主|(?<=活动)为", words)[0]
            if words:
                quote_end = quote_end + tail_text.index(words) + len(words)
                words = verb + words if re.fullmatch(r"[\u4e00-\u9fff]{1,4}", verb) else words
                metric = (metric + words) if metric and not metric.endswith(("有", "争创")) else words
                quote = text[quote_start:quote_end]
    if not metric:
        metric = _strip_metric(text[c_start:quote_start]) or quote
    if value == 0 and op != "zero":
        return None
    return Target(quote=quote, metric=metric, op=op, value=value, unit=unit,
                  period=per_period, category=category, start=quote_start, end=quote_end)


_RATE_TAIL = re.compile(r"(率|覆盖面|宣传面|创建面|比例|水平)")


def _metric_and_category(metric: str, last_metric: str | None, before: str,
                         unit: str | None) -> tuple[str, str | None]:
    """Split 「知晓率城区」 into metric 知晓率 and class 城区; a bare class takes the last metric."""
    metric = re.sub(r"[（(][^）)]*[）)]?$", "", metric).strip()
    tail = None
    for m in _RATE_TAIL.finditer(metric):
        tail = m
    if tail and tail.end() < len(metric):
        rest = re.sub(r"[（(][^）)]*[）)]?", "", metric[tail.end():]).strip("：: ")
        if 1 <= len(rest) <= 12 and not re.search(r"[的在有为要]", rest):
            return metric[: tail.end()], rest
    if (unit in ("%", None) and not _RATE_TAIL.search(metric) and len(metric) <= 12
            and not re.search(r"数|量|面积|人数|次数|时间", metric)
            and (last_metric is None or _RATE_TAIL.search(last_metric))):
        previous = last_metric
        if previous is None:
            rates = list(re.finditer(r"([\u4e00-\u9fff]{1,16}?(?:率|覆盖面|比例))", before))
            previous = rates[-1].group(1) if rates else None
        if previous and metric:
            return previous, re.sub(r"[（(][^）)]*[）)]?", "", metric)
    return metric, None


def _split_classes(targets: list[Target]) -> list[Target]:
    """「中小学生、外来务工人员…宣传面要达100%」 → one target per class."""
    out: list[Target] = []
    for target in targets:
        split = _class_list(target.metric) if target.category is None else None
        if split:
            classes, metric = split
            for part in classes:
                out.append(Target(**{**target.__dict__, "metric": metric, "category": part}))
            continue
        out.append(target)
    return out


def _class_list(metric: str) -> tuple[list[str], str] | None:
    """「中小学生、外来务工人员宣传面」 → (["中小学生", "外来务工人员"], "宣传面")."""
    if "、" not in metric or "等" in metric or not re.search(r"(?:率|面)$", metric):
        return None
    parts = metric.split("、")
    words = _jieba().lcut(parts[-1])
    tail = ""
    while words and (len(tail) < 2 or not re.match(r"[\u4e00-\u9fff]", tail)):
        tail = words.pop() + tail
    if not words or len(tail) > 5:
        return None
    classes = [*parts[:-1], "".join(words)]
    return (classes, tail) if _all_nouns(classes) else None


_ACTION_WORDS = frozenset(
    ["建立", "开展", "做好", "加强", "推进", "落实", "完善", "健全", "组织", "实现", "确保", "提高", "加大", "深化", "推动", "抓好", "建设", "设立", "成立", "开设", "配备", "安装", "设置", "发放", "举办", "召开", "创建", "培训", "宣传", "整治", "清理", "检查", "巡查", "排查", "走访"])


def _all_nouns(parts: list[str]) -> bool:
    """True when every part of a 、-list names a class (中小学生), not an action (建立社会救助网络)."""
    segmenter = _jieba()
    for part in parts:
        words = segmenter.lcut(part)
        if not words or words[0] in _ACTION_WORDS or len(part) > 12 or "的" in part:
            return False
    return True


def _period(before: str) -> str | None:
    best: tuple[int, str] | None = None
    for word, period in _PERIOD_WORDS:
        idx = before.rfind(word)
        if idx >= 0 and (best is None or idx > best[0]):
            best = (idx, period)
    return best[1] if best else None


def _add_year(target: Target, text: str, s_start: int, plan_years: tuple[int, int] | None) -> None:
    c_start = target.start
    while c_start > s_start and text[c_start - 1] not in _CLAUSE_END:
        c_start -= 1
    before = text[c_start:target.start + 1]
    if not _BY_YEAR.search(before) and _NTH_YEAR.search(text[s_start:target.start + 1]):
        before = text[s_start:target.start + 1]
    elif not _BY_YEAR.search(before):
        opening = re.match(r"\s*(?:到|至|于|在)\s*20\d\d\s*年", text[s_start:target.start])
        if opening:
            before = opening.group(0)
    nth = list(_NTH_YEAR.finditer(before))
    if nth and plan_years:
        raw = nth[-1].group(1)
        read = float(raw) if raw.isdigit() else _cn_to_number(raw)
        if read is not None and (year := plan_years[0] + int(read) - 1) <= plan_years[1]:
            target.year = year
            return
    years = [m for m in _BY_YEAR.finditer(before) if not re.search(r"比\s*$", before[: m.start()])]
    if years:
        target.year = int(years[-1].group(1))
