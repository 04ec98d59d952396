"""The demo's surveys: a 禁毒 awareness survey in every street with its five groups, and
a 创城 满意度 survey in the urban communities, a few hundred responses each, some flagged
and some rejected; the approved ones feed the county 无毒 standard and 创城.

Repeatable: a survey that exists is left as it is. Responses are checked and scored by
the same rules as a real submission (``answers.check``/``score``) and bulk-created.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid
from collections.abc import Callable
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from chuangjian import sources
from chuangjian.audit.log import log_action
from chuangjian.org.levels import Level
from chuangjian.org.models import Membership, Role, Unit
from chuangjian.org.scope import Scope
from chuangjian.surveys import actions
from chuangjian.surveys import answers as rules
from chuangjian.surveys.forms_io import feeds_for
from chuangjian.surveys.models import Flag, Link, Questionnaire, Response, Survey

# Group → (respondents per community, chance a respondent is aware), as a 2026 round
# might find them: students and venue staff well taught, migrants least.
DRUG_GROUPS = {"urban": (8, 0.95), "rural": (8, 0.84), "migrants": (5, 0.8),
               "venue_staff": (4, 0.94), "students": (5, 0.98)}
# The size of each group in one community (the finite population correction uses it).
POPULATION = {"urban": 3000, "rural": 1500, "migrants": 400, "venue_staff": 40, "students": 600}


def _drug_answers(rng: random.Random, aware: bool) -> dict[str, Any]:
    right = {"q_day": "drug_day", "q_drug": "meth", "q_quit": "no",
             "q_harm": "brain disease family", "q_report": "police"}
    wrong = {"q_day": "unknown", "q_drug": "coffee", "q_quit": "yes", "q_harm": "brain",
             "q_report": "ignore"}
    keys = list(right)
    missed = rng.sample(keys, rng.choice([0, 0, 1]) if aware else rng.choice([2, 3, 4]))
    out: dict[str, Any] = {k: (wrong[k] if k in missed else right[k]) for k in keys}
    out["age"] = rng.randint(13, 75)
    out["sex"] = rng.choice(["m", "f"])
    out["source"] = " ".join(sorted(rng.sample(["board", "school", "event", "media"], 2)))
    return out


def _satisfaction_answers(rng: random.Random, mood: float) -> dict[str, Any]:
    out: dict[str, Any] = {"knows_campaign": "yes" if rng.random() < 0.9 else "no"}
    for name in ("s_environment", "s_publicity", "s_order", "s_service", "s_overall"):
        out[name] = str(max(1, min(5, round(rng.gauss(mood, 0.8)))))
    if int(out["s_overall"]) < 4:
        out["advice_text"] = rng.choice(["希望加强小区停车管理", "垃圾清运再及时一些", "路灯坏了很久没修"])
    return out


def _enumerator(unit: Unit) -> Any:
    m = (Membership.objects.filter(unit=unit, role__in=[Role.WORKER, Role.RESPONSIBLE])
         .select_related("user").first())
    return m.user if m else None


def _responses(survey: Survey, places: list[tuple[Unit, str, int]],
               make: Callable[[random.Random, Unit, str], dict[str, Any]], year: int,
               seed: str) -> list[Response]:
    version = survey.questionnaire.published()
    if version is None:
        return []
    rows: list[Response] = []
    now = timezone.now()
    for unit, group, count in places:
        rng = random.Random(f"{seed}/{unit.code}/{group}")  # noqa: S311 - demo data
        enumerator = _enumerator(unit)
        for i in range(count):
            answers = make(rng, unit, group)
            checked = rules.check(version.definition, answers)
            scored = rules.score(version.definition, checked.answers)
            too_fast = rng.random() < 0.06
            seconds = rng.randint(8, 25) if too_fast else rng.randint(70, 300)
            start = dt.datetime(year, rng.randint(4, 10), rng.randint(1, 28), rng.randint(1, 9),
                                rng.randint(0, 59), tzinfo=dt.UTC)
            flags = [Flag.TOO_FAST] if rules.too_fast(version.definition, checked.shown,
                                                       seconds) else []
            if rules.straight_lined(version.definition, checked.answers):
                flags.append(Flag.STRAIGHT)
            via_link = i % 2 == 0
            rows.append(Response(
                uuid=uuid.UUID(int=rng.getrandbits(128)), survey=survey, version=version,
                unit=unit, group=group, answers=checked.answers, started_at=start,
                ended_at=start + dt.timedelta(seconds=seconds), received_at=min(
                    now, start + dt.timedelta(seconds=seconds + 5)), seconds=float(seconds),
                page_seconds=[round(seconds * f, 1) for f in (0.2, 0.6, 0.2)],
                enumerator=None if via_link else enumerator,
                client=f"demo-{unit.code}-{i}" if via_link else "", flags=flags,
                correct=scored.correct, positive=scored.positive,
                fingerprint=rules.fingerprint(checked.answers)))
    # Review as an office would: flagged ones looked at (most rejected), the rest approved,
    # a few left for the reviewer to do.
    rng = random.Random(seed)  # noqa: S311
    for row in rows:
        if row.flags:
            if rng.random() < 0.7:
                row.state, row.reason = Response.State.REJECTED, "答题用时过短或答案雷同，视为无效答卷"
            else:
                row.state, row.reason = Response.State.ISSUES, "待电话回访核实"
        elif rng.random() < 0.05:
            row.state = Response.State.RECEIVED
        else:
            row.state = Response.State.APPROVED
        if row.state != Response.State.RECEIVED:
            row.reviewed_at = row.received_at
    # Two resubmissions from the same phone with the same answers: flagged as duplicates.
    for row in [r for r in rows if r.client][:2]:
        rows.append(Response(**{**{f.attname: getattr(row, f.attname)
                                   for f in Response._meta.concrete_fields if f.attname != "id"},
                                "uuid": uuid.UUID(int=rng.getrandbits(128)),
                                "flags": [Flag.DUPLICATE], "state": Response.State.ISSUES,
                                "reason": "", "reviewed_at": None}))
    return rows


def _feed(survey: Survey, rows: list[Response], year: int) -> None:
    for unit_id, group in {(r.unit_id, r.group) for r in rows}:
        codes = feeds_for(survey.questionnaire.code, group)
        if codes:
            sources.changed(unit_id=unit_id, element_codes=codes, day=dt.date(year, 12, 31))


def _links(survey: Survey, places: list[tuple[Unit, str, int]]) -> None:
    # Tokens are secrets even in the demo: whoever holds one may answer.
    Link.objects.bulk_create([Link(token=secrets.token_urlsafe(12), survey=survey, unit=unit,
                                   group=group) for unit, group, _n in places])


@transaction.atomic
def _drug_survey(root: Unit, year: int) -> int:
    code = f"jindu-{year}"
    if Survey.objects.filter(code=code).exists():
        return 0
    system = Scope.system()
    survey = actions.create_survey(actor=None, scope=system, code=code,
                                   title=f"{year}年禁毒知识知晓率调查",
                                   questionnaire=Questionnaire.objects.get(code="jindu_zhishi"),
                                   unit=root, year=year)
    places: list[tuple[Unit, str, int]] = []
    communities = Unit.objects.filter(path__startswith=root.path, level=Level.COMMUNITY,
                                      kind="area", closed_on__isnull=True).order_by("path")
    for unit in communities:
        for group, (count, _p) in DRUG_GROUPS.items():
            if group in ("urban", "rural") and group != ("urban" if unit.category == "城镇"
                                                           else "rural"):
                continue
            actions.set_quota(actor=None, scope=system, survey=survey, unit=unit, group=group,
                              population=POPULATION[group])
            places.append((unit, group, count))

    def make(rng: random.Random, unit: Unit, group: str) -> dict[str, Any]:
        return _drug_answers(rng, rng.random() < DRUG_GROUPS[group][1])

    rows = _responses(survey, places, make, year, code)
    Response.objects.bulk_create(rows, batch_size=500)
    _links(survey, places)
    _feed(survey, rows, year)
    log_action(action="surveys.demo.loaded", actor=None, obj=survey,
               data={"responses": len(rows)})
    return len(rows)


@transaction.atomic
def _satisfaction_survey(root: Unit, year: int) -> int:
    code = f"manyi-{year}"
    if Survey.objects.filter(code=code).exists():
        return 0
    system = Scope.system()
    survey = actions.create_survey(
        actor=None, scope=system, code=code, title=f"{year}年创建文明城市群众满意度调查",
        questionnaire=Questionnaire.objects.get(code="chuangcheng_manyi"), unit=root, year=year)
    places: list[tuple[Unit, str, int]] = []
    for unit in Unit.objects.filter(path__startswith=root.path, level=Level.COMMUNITY,
                                    kind="area", category="城镇",
                                    closed_on__isnull=True).order_by("path"):
        actions.set_quota(actor=None, scope=system, survey=survey, unit=unit, group="residents",
                          population=3500)
        places.append((unit, "residents", 12))

    def make(rng: random.Random, unit: Unit, group: str) -> dict[str, Any]:
        mood = 4.3 if unit.code.startswith(root.code + "-01") else 3.9
        return _satisfaction_answers(rng, mood)

    rows = _responses(survey, places, make, year, code)
    Response.objects.bulk_create(rows, batch_size=500)
    _links(survey, places)
    _feed(survey, rows, year)
    log_action(action="surveys.demo.loaded", actor=None, obj=survey,
               data={"responses": len(rows)})
    return len(rows)


def run(stdout: TextIO, *, today: dt.date | None = None) -> None:
    year = (today or timezone.localdate()).year
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        stdout.write("问卷调查演示：没有组织树，跳过\n")
        return
    actions.load_builtin(scope=Scope.system())
    drug = _drug_survey(root, year)
    happy = _satisfaction_survey(root, year)
    stdout.write(f"问卷调查演示：禁毒知识知晓率答卷 {drug} 份，创城满意度答卷 {happy} 份\n")
