"""Test helpers: a 禁毒 survey over 城关街道 with quotas at 幸福里社区, and answers."""

from __future__ import annotations

import uuid
from typing import Any

from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.surveys import actions
from chuangjian.surveys.models import Questionnaire, Survey

AWARE = {"age": 30, "sex": "m", "q_day": "drug_day", "q_drug": "meth", "q_quit": "no",
         "q_harm": "brain disease family", "q_report": "police"}
UNAWARE = {**AWARE, "q_day": "unknown", "q_drug": "coffee", "q_quit": "yes"}


def drug_survey(world: World, code: str = "jindu-2026") -> Survey:
    system = Scope.system()
    if not Questionnaire.objects.filter(code="jindu_zhishi").exists():
        actions.load_builtin(scope=system)
    survey = actions.create_survey(actor=None, scope=system, code=code, title="2026年禁毒知识知晓率调查",
                                   questionnaire=Questionnaire.objects.get(code="jindu_zhishi"),
                                   unit=world.street, year=2026)
    for group, population in (("urban", 3000), ("migrants", 400)):
        actions.set_quota(actor=None, scope=system, survey=survey, unit=world.community,
                          group=group, population=population)
    return survey


def submit(survey: Survey, world: World, answers: dict[str, Any], *, group: str = "urban",
           seconds: int = 120, key: str | None = None, scope: Scope | None = None,
           **kw: Any) -> Any:
    return actions.submit_response(
        scope=scope or Scope.system(), survey=survey, unit=world.community, group=group,
        uuid=key or str(uuid.uuid4()), answers=answers,
        started_at="2026-05-01T10:00:00+08:00",
        ended_at=f"2026-05-01T10:{seconds // 60:02d}:{seconds % 60:02d}+08:00", **kw)
