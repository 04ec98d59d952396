from __future__ import annotations

import subprocess
import sys

import chuangjian.engine as engine
from chuangjian.engine import expressions, periods, scoring, targets


def test_the_engine_imports_without_django() -> None:
    code = (
        "import sys, chuangjian.engine; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    # A fresh interpreter, because this test process may already hold Django.
    result = subprocess.run([sys.executable, "-c", code], check=False)  # noqa: S603 - fixed argv
    assert result.returncode == 0


def test_the_agreed_public_names_are_where_other_apps_expect_them() -> None:
    agreed = {
        periods: ["SHANGHAI", "Period", "PeriodError", "PeriodType", "deadline"],
        expressions: [
            "parse", "check", "evaluate", "explain", "names_used", "indicators_used",
            "ExpressionError", "ValueType", "Values", "Environment", "DictEnvironment",
            "Explanation", "reason_text", "Number", "Bool", "Name", "Unary", "Binary", "Call",
        ],
        targets: [
            "Compare", "Range", "ZeroForYears", "ChangeFromPrevious", "ByCategory", "ByYear",
            "ByClass", "AtLeastPerPeriod", "TargetContext", "TargetResult", "TargetStatus",
            "evaluate_many",
        ],
        scoring: [
            "AllOrNothing", "Proportional", "DeductPerOccurrence", "Reviewer", "ItemScore",
            "score_standard", "rank", "StandardScore",
        ],
    }
    for module, names in agreed.items():
        for name in names:
            assert hasattr(module, name), f"{module.__name__}.{name}"
    assert all(hasattr(engine, name) for name in engine.__all__)
