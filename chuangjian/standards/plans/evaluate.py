"""Measure the plan reader against the hand-labelled targets.

    python -m chuangjian.standards.plans.evaluate [--part seeds|development|held_out] [--detail]

A proposal counts as correct when its quote overlaps a labelled quote (as
spans of the same text) and op, value and unit agree; each label is matched
at most once. Precision = correct proposals / proposals; recall = matched
labels / labels. Pure Python: no Django needed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chuangjian.standards.plans import plan_texts
from chuangjian.standards.plans.reader import Target, read_targets

HERE = Path(__file__).parent
TARGETS = HERE / "targets"
EXTRA = HERE / "extra"


@dataclass
class Score:
    proposals: int = 0
    correct: int = 0
    labels: int = 0
    found: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.proposals if self.proposals else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.labels if self.labels else 1.0

    def add(self, other: Score) -> None:
        self.proposals += other.proposals
        self.correct += other.correct
        self.labels += other.labels
        self.found += other.found


def manifest() -> dict[str, Any]:
    return json.loads((TARGETS / "manifest.json").read_text(encoding="utf-8"))


def label_file(name: str) -> Path:
    if name.startswith("篇"):
        return TARGETS / f"seed_{int(name[1:]):02d}.json"
    return TARGETS / f"{name}.json"


def plan_text(name: str) -> str:
    if name.startswith("篇"):
        return plan_texts()[name]
    return (EXTRA / f"{name}.txt").read_text(encoding="utf-8")


def locate_labels(text: str, labels: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Spans of the labelled quotes, in order; a class split shares its quote's span."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    previous: dict[str, Any] | None = None
    for label in labels:
        quote = label["quote"]
        if previous and previous["quote"] == quote and previous["category"] != label["category"]:
            spans.append(spans[-1])
        else:
            start = text.find(quote, cursor)
            if start < 0:
                raise ValueError(f"labelled quote not in text: {quote}")
            spans.append((start, start + len(quote)))
            cursor = start + 1
        previous = label
    return spans


def agrees(target: Target, label: dict[str, Any]) -> bool:
    return (target.op == label["op"] and abs(float(target.value) - float(label["value"])) < 0.011
            and target.unit == label["unit"])


def score_plan(text: str, labels: list[dict[str, Any]]) -> tuple[Score, list[str]]:
    proposals = read_targets(text)
    spans = locate_labels(text, labels)
    used = [False] * len(labels)
    notes: list[str] = []
    score = Score(proposals=len(proposals), labels=len(labels))
    for target in proposals:
        hit = None
        for i, (start, end) in enumerate(spans):
            if not used[i] and target.start < end and start < target.end and agrees(target, labels[i]):
                hit = i
                break
        if hit is None:
            notes.append(f"  + 多出 {target.quote} {target.op} {target.value:g} {target.unit}")
        else:
            used[hit] = True
            score.correct += 1
    for i, label in enumerate(labels):
        if used[i]:
            score.found += 1
        else:
            notes.append(f"  - 漏掉 {label['quote']} {label['op']} {label['value']} {label['unit']}")
    return score, notes


def evaluate(part: str, detail: bool = False, out: Any = sys.stdout) -> Score:
    names = manifest()[part]
    total = Score()
    for name in names:
        labels = json.loads(label_file(name).read_text(encoding="utf-8"))
        score, notes = score_plan(plan_text(name), labels)
        total.add(score)
        if detail and notes:
            out.write(f"{name}: {score.correct}/{score.proposals} 正确，{score.found}/{score.labels} 找到\n")
            out.write("\n".join(notes) + "\n")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="计划读取器的准确率与召回率")
    parser.add_argument("--part", choices=["seeds", "development", "held_out"], action="append")
    parser.add_argument("--detail", action="store_true", help="列出多出与漏掉的目标")
    args = parser.parse_args(argv)
    parts = args.part or ["seeds", "development", "held_out"]
    names = {"seeds": "种子计划(13篇)", "development": "开发用公开计划", "held_out": "留出的公开计划"}
    for part in parts:
        started = time.perf_counter()
        score = evaluate(part, detail=args.detail)
        took = time.perf_counter() - started
        print(f"{names[part]}：准确率 {score.precision:.3f}（{score.correct}/{score.proposals}），"
              f"召回率 {score.recall:.3f}（{score.found}/{score.labels}），用时 {took:.2f} 秒")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
