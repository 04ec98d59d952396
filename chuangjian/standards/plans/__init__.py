"""The thirteen work plans (工作计划) the built-in standards are drawn from.

Every indicator of a standard names the plan (篇N) it comes from and quotes it
verbatim; the loader checks each quote against the text returned here, so the
packaged copy of the plans must stay byte-for-byte equal to the seed.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

PLAN_FILE = Path(__file__).with_name("000_a07b8c87c0844e38.txt")

# A plan starts at a line such as "社区创建工作计划 篇5". The inner heading
# "【篇三】" sits inside 篇5 (a compiler's leftover) and therefore does not
# start a plan of its own.
_HEADING = re.compile(r"^社区创建工作计划 (篇\d+)\s*$", re.MULTILINE)


def split_plans(text: str) -> dict[str, str]:
    """Split the compiled text into {"篇1": text, ..., "篇13": text}.

    Each plan's text runs from the line after its heading up to the next
    heading; the heading itself is not part of the plan.
    """
    headings = list(_HEADING.finditer(text))
    plans: dict[str, str] = {}
    for index, match in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(text)
        plans[match.group(1)] = text[match.end() : end]
    return plans


@cache
def plan_texts() -> dict[str, str]:
    """The packaged plans, keyed by "篇N"."""
    return split_plans(PLAN_FILE.read_text(encoding="utf-8"))


def plan_names() -> list[str]:
    """Plan names in their natural order (篇1, 篇2, … 篇13)."""
    return sorted(plan_texts(), key=lambda name: int(name[1:]))
