"""The scope matrix (issue 12, item 5): every URL pattern of every app and every API
operation, requested by every persona that must get nothing, GET and POST.

The URL patterns are read from the root resolver and the API operations from the
OpenAPI schema, so nothing can be added without a line here: the first two tests fail,
naming the pattern or operation, until ``PAGES`` or ``API`` says what it expects.

Personas (the victim is 幸福里社区 of 城东管区, 城关街道, and its people):
- ``anonymous``: nobody signed in. Non-public pages send to the login page (302) and
  the API answers 401/403; public pages (login, 随手拍) answer without a server error.
- ``outsider``: a community worker of 东湖街道 (another street).
- ``other_street``: the administrator of 东湖街道.
- ``sibling``: a community worker of 南门社区, the sibling community under 城东管区.
- ``upward``: the administrator of 幸福里社区 acting on the street above it (its
  targets are the street-level ones, ``Page.up``).

Each cell expects:
- a page with a target (``kwargs``): 403, 404 or 405 (302 only for a refused POST that
  changed nothing); never the page itself;
- a page without a target: no server error, and none of the victim's names in it;
- for every refused request: nothing written (no audit entry other than sign-ins).

How to add a URL: add its name to ``PAGES`` with a ``Page``:
- ``Page(public=True)`` if anonymous people may open it;
- ``Page()`` for a list or entry page without a target (it must not show the victim);
- ``Page(kwargs=..., shared=True)`` for one object every signed-in person may open;
- ``Page(kwargs=lambda o: {...})`` for a page of one object of the victim, filling
  the URL's parameters from ``Objects`` (add the object there if it is new), and
  ``up=lambda o: {...}`` when the object has a street-level counterpart that the
  community administrator must not reach.
An API operation goes into ``API`` the same way, keyed by its ``operationId``.
The world is built once for the whole matrix (one test), so it stays fast.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from chuangjian.audit.models import AuditEntry
from chuangjian.org import actions as org_actions
from chuangjian.org.models import Membership, Role, User
from chuangjian.org.scope import Scope
from chuangjian.org.testing import PASSWORD, World

# Words only the victim's data contains, per persona that must not see them.
PEOPLE_WORDS = ["李卫东", "张小燕", "郑凯", "何静", "陈帮教"]
STREET_WORDS = ["城关", "幸福里", "城东管区", "南门社区", *PEOPLE_WORDS]
COMMUNITY_WORDS = ["幸福里", "张小燕", "矩阵广场舞", "矩阵动态", "陈帮教"]


@dataclass
class Objects:
    world: World
    activity_pk: int
    news_pk: int
    file_sha: str
    finding_pk: int
    order_pk: int
    round_pk: int
    point_pk: int
    report_pk: int
    report_code: str
    job_pk: int
    survey_code: str
    response_pk: int
    link_pk: int
    version_pk: int
    case_pk: int
    transfer_pk: int
    export_pk: int
    # 计划与任务 (the victim's, and the street's for the community administrator).
    plan_pk: int = 0
    item_pk: int = 0
    task_pk: int = 0
    meeting_pk: int = 0
    decision_pk: int = 0
    notification_pk: int = 0
    street_plan_pk: int = 0
    street_item_pk: int = 0
    street_task_pk: int = 0
    street_meeting_pk: int = 0
    street_decision_pk: int = 0
    person_pk: int = 0
    household_pk: int = 0
    mediation_pk: int = 0
    # Objects of 幸福里社区 for the cells that once used a primary key nobody had.
    run_pk: int = 0
    submission_pk: int = 0
    news_attachment_pk: int = 0
    late_pk: int = 0
    extension_pk: int = 0
    round_point_pk: int = 0
    evidence_link_pk: int = 0
    # 评选与称号: the street's round (its nominating communities may open it), a title of
    # 幸福里社区 and one of the street for the community administrator.
    award_round_pk: int = 0
    title_pk: int = 0
    street_title_pk: int = 0

    @property
    def membership_pk(self) -> int:
        return Membership.objects.get(user=self.world.community_worker).pk

    @property
    def leader_membership_pk(self) -> int:
        return Membership.objects.get(user=self.world.street_leader).pk


Kwargs = Callable[[Objects], dict[str, Any]]


@dataclass(frozen=True)
class Page:
    kwargs: Kwargs | None = None
    up: Kwargs | None = None
    public: bool = False
    shared: bool = False  # one object every signed-in person may open (a standard)
    unit_names: bool = False  # lists every unit by name on purpose (the 随手拍 picker)


def _unit(o: Objects) -> dict[str, Any]:
    return {"code": o.world.community.code}


def _street(o: Objects) -> dict[str, Any]:
    return {"code": o.world.street.code}


def _report(o: Objects) -> dict[str, Any]:
    return {"code": o.world.community.code, "dataset": "community-day", "period": "2026-03-16"}


def _report_up(o: Objects) -> dict[str, Any]:
    return {"code": o.world.street.code, "dataset": "street-month", "period": "2026-03"}


def _element(f: Kwargs) -> Kwargs:
    return lambda o: {**f(o), "element": "t_patrols"}


def _survey(o: Objects) -> dict[str, Any]:
    return {"code": o.survey_code}


def _pk(attr: str) -> Kwargs:
    return lambda o: {"pk": getattr(o, attr)}


PAGES: dict[str, Page] = {
    "set_language": Page(public=True),
    "api:openapi-json": Page(public=True),
    "api:openapi-view": Page(public=True),
    "api:api-root": Page(public=True),
    # The API's own patterns are checked per operation in ``API`` below.
    "api:list_units": Page(), "api:me": Page(), "api:get_missing": Page(),
    "api:get_unit": Page(kwargs=_unit, up=_street),
    "api:list_runs": Page(),
    "api:get_results": Page(kwargs=lambda o: {"run_id": o.run_pk}),
    "api:get_classes": Page(kwargs=_unit, up=_street),
    "api:put_class": Page(kwargs=_unit, up=_street),
    "api:get_subtree": Page(kwargs=_unit, up=_street),
    "api:put_report": Page(kwargs=lambda o: {"unit_code": o.world.community.code,
                                             "dataset_code": "community-day",
                                             "period": "2026-03-16"}),
    "api:get_report": Page(kwargs=lambda o: {"unit_code": o.world.community.code,
                                             "dataset_code": "community-day",
                                             "period": "2026-03-16"}),
    "standards:list": Page(), "standards:plan_reader": Page(), "standards:detail": Page(kwargs=lambda o: {"code": "wenming_shequ"}, shared=True),
    "reporting:inbox": Page(), "reporting:missing": Page(), "reporting:review_list": Page(),
    "reporting:review_batch": Page(),
    "reporting:review": Page(kwargs=_pk("submission_pk")),
    "reporting:xlsx": Page(), "reporting:xlsx_template": Page(), "reporting:news": Page(),
    "reporting:news_new": Page(),
    "reporting:news_decide": Page(kwargs=_pk("news_pk")),
    "reporting:news_attachment": Page(kwargs=_pk("news_attachment_pk")),
    "reporting:form": Page(kwargs=_report, up=_report_up),
    "reporting:check_field": Page(kwargs=_element(_report), up=_element(_report_up)),
    "reporting:history": Page(kwargs=_element(_report), up=_element(_report_up)),
    "reporting:exception": Page(kwargs=_report, up=_report_up),
    "reporting:late_request": Page(kwargs=_report, up=_report_up),
    "reporting:late_decide": Page(kwargs=_pk("late_pk")),
    "assessment:index": Page(),
    "assessment:run": Page(kwargs=_pk("run_pk")),
    "assessment:publish": Page(kwargs=_pk("run_pk")),
    "assessment:unit": Page(kwargs=lambda o: {"pk": o.run_pk, "unit_id": o.world.community.pk}),
    "assessment:review": Page(kwargs=lambda o: {"pk": o.run_pk,
                                                "unit_id": o.world.community.pk}),
    "assessment:explain": Page(kwargs=lambda o: {"pk": o.run_pk, "unit_id": o.world.community.pk,
                                                 "code": "small_activities_per_year"}),
    "dashboards:index": Page(), "dashboards:scorecard": Page(), "dashboards:league": Page(),
    "dashboards:heatmap": Page(), "dashboards:trend": Page(), "dashboards:risk": Page(),
    "dashboards:compare": Page(), "dashboards:export": Page(),
    "inspections:index": Page(), "inspections:inbox": Page(),
    "inspections:order": Page(kwargs=_pk("order_pk")),
    "inspections:order_action": Page(kwargs=lambda o: {"pk": o.order_pk, "action": "accept"}),
    "inspections:decide_extension": Page(kwargs=_pk("extension_pk")),
    "inspections:finding_new": Page(),
    "inspections:rounds": Page(), "inspections:round_new": Page(),
    "inspections:round": Page(kwargs=_pk("round_pk")),
    "inspections:round_visit": Page(kwargs=lambda o: {"pk": o.round_pk,
                                                       "rp": o.round_point_pk}),
    "inspections:round_publish": Page(kwargs=_pk("round_pk")),
    "inspections:groups": Page(),
    "inspections:points": Page(), "inspections:point_new": Page(),
    "inspections:point_edit": Page(kwargs=_pk("point_pk")),
    "inspections:points_export": Page(), "inspections:points_import": Page(),
    "inspections:triage": Page(),
    "inspections:triage_report": Page(kwargs=_pk("report_pk")),
    "inspections:review_follow_up": Page(kwargs=_pk("report_pk")),
    "inspections:bulletins": Page(), "inspections:accountability_new": Page(),
    # The public 随手拍 desk: anyone may report, and follow a report by its secret code.
    "inspections:suishoupai:new": Page(public=True, unit_names=True),
    "inspections:suishoupai:lookup": Page(public=True),
    "inspections:suishoupai:status": Page(public=True, kwargs=lambda o: {"code": "NOPE0000"}),
    "inspections:suishoupai:photo": Page(public=True, kwargs=lambda o: {
        "code": "NOPE0000", "sha": o.file_sha}),
    "suishoupai:new": Page(public=True, unit_names=True),
    "suishoupai:lookup": Page(public=True),
    "suishoupai:status": Page(public=True, kwargs=lambda o: {"code": "NOPE0000"}),
    "suishoupai:photo": Page(public=True, kwargs=lambda o: {"code": "NOPE0000",
                                                           "sha": o.file_sha}),
    "registers:list": Page(kwargs=lambda o: {"kind": "mediation", "code": o.world.community.code},
                           up=lambda o: {"kind": "mediation", "code": o.world.street.code}),
    "registers:new": Page(kwargs=lambda o: {"kind": "bp", "code": o.world.community.code},
                          up=lambda o: {"kind": "bp", "code": o.world.street.code}),
    "registers:edit": Page(kwargs=lambda o: {"kind": "mediation", "pk": o.mediation_pk}),
    "registers:quick_bp": Page(kwargs=_pk("person_pk")),
    "registers:quick_service": Page(kwargs=_pk("person_pk")),
    "registers:rows": Page(kwargs=lambda o: {"element": "disputes_total", "period": "2026",
                                             "unit_code": o.world.community.code},
                           up=lambda o: {"element": "disputes_total", "period": "2026",
                                         "unit_code": o.world.street.code}),
    "evidence:index": Page(), "evidence:activity_new": Page(),
    "evidence:activity": Page(kwargs=_pk("activity_pk")),
    "evidence:activity_edit": Page(kwargs=_pk("activity_pk")),
    "evidence:activity_delete": Page(kwargs=_pk("activity_pk")),
    "evidence:activity_link": Page(kwargs=_pk("activity_pk")),
    "evidence:checklist": Page(), "evidence:link": Page(),
    "evidence:link_delete": Page(kwargs=_pk("evidence_link_pk")),
    "evidence:ledger": Page(), "evidence:types": Page(), "evidence:windows": Page(),
    # The case register: lists show counts only to those outside a case; a case, its print,
    # its actions and its transfer are 404 to everyone the case does not name.
    "cases:index": Page(), "cases:inbox": Page(), "cases:new": Page(),
    "cases:detail": Page(kwargs=_pk("case_pk")), "cases:print": Page(kwargs=_pk("case_pk")),
    "cases:case_action": Page(kwargs=lambda o: {"pk": o.case_pk, "action": "reveal"}),
    "cases:transfers": Page(), "cases:transfer": Page(kwargs=_pk("transfer_pk")),
    "cases:looks": Page(), "cases:log": Page(), "cases:exports": Page(),
    "cases:export": Page(kwargs=_pk("export_pk")),
    "cases:export_download": Page(kwargs=_pk("export_pk")),
    "files:serve": Page(kwargs=lambda o: {"sha256": o.file_sha, "variant": "original"}),
    "surveys:index": Page(), "surveys:create": Page(),
    "surveys:questionnaire": Page(kwargs=lambda o: {"code": "jindu_zhishi"}, shared=True),
    "surveys:publish": Page(kwargs=_pk("version_pk")),
    "surveys:response": Page(kwargs=_pk("response_pk")),
    "surveys:link_qr": Page(kwargs=_pk("link_pk")),
    "surveys:detail": Page(kwargs=_survey), "surveys:quota": Page(kwargs=_survey),
    "surveys:link_new": Page(kwargs=_survey), "surveys:enter": Page(kwargs=_survey),
    "surveys:enter_submit": Page(kwargs=_survey), "surveys:responses": Page(kwargs=_survey),
    "surveys:export": Page(kwargs=_survey), "surveys:report": Page(kwargs=_survey),
    # The public answer page: whoever holds a link's secret token may answer.
    "wenjuan:answer": Page(public=True, kwargs=lambda o: {"token": "NOPE0000"}),
    "wenjuan:submit": Page(public=True, kwargs=lambda o: {"token": "NOPE0000"}),
    "api:list_surveys": Page(),
    "api:get_survey_results": Page(kwargs=_survey),
    "api:post_response": Page(kwargs=_survey),
    "api:list_kinds": Page(),
    "api:get_counts": Page(kwargs=_unit, up=_street),
    "api:search_residents": Page(kwargs=_unit, up=_street),
    "api:import_kind": Page(kwargs=lambda o: {"code": o.world.community.code, "kind": "residents"},
                            up=lambda o: {"code": o.world.street.code, "kind": "residents"}),
    "api:export_kind": Page(kwargs=lambda o: {"code": o.world.community.code, "kind": "residents"},
                            up=lambda o: {"code": o.world.street.code, "kind": "residents"}),
    "jobs:index": Page(),
    "jobs:detail": Page(kwargs=_pk("job_pk")),
    "jobs:download": Page(kwargs=_pk("job_pk")),
    "jobs:retry": Page(kwargs=_pk("job_pk")),
    "web:login": Page(public=True), "web:logout": Page(public=True),
    "web:password_change": Page(), "web:otp_enrol": Page(), "web:otp_verify": Page(),
    "web:unit_classes": Page(kwargs=_unit, up=_street),
    "web:security_otp_reset": Page(kwargs=lambda o: {"pk": o.world.community_worker.pk},
                                   up=lambda o: {"pk": o.world.street_leader.pk}),
    "web:home": Page(), "web:tree": Page(),
    "web:tree_children": Page(kwargs=_unit, up=_street),
    "web:unit": Page(kwargs=_unit, up=_street),
    "web:unit_create": Page(kwargs=_unit, up=_street),
    "web:unit_edit": Page(kwargs=_unit, up=_street),
    "web:unit_move": Page(kwargs=_unit, up=_street),
    "web:unit_close": Page(kwargs=_unit, up=_street),
    "web:unit_split": Page(kwargs=_unit, up=_street),
    "web:people": Page(), "web:person_create": Page(),
    "web:person": Page(kwargs=lambda o: {"pk": o.world.community_worker.pk},
                       up=lambda o: {"pk": o.world.street_leader.pk}),
    "web:person_edit": Page(kwargs=lambda o: {"pk": o.world.community_worker.pk},
                            up=lambda o: {"pk": o.world.street_leader.pk}),
    "web:person_phone": Page(kwargs=lambda o: {"pk": o.world.community_worker.pk},
                             up=lambda o: {"pk": o.world.street_leader.pk}),
    "web:person_active": Page(kwargs=lambda o: {"pk": o.world.community_worker.pk},
                              up=lambda o: {"pk": o.world.street_leader.pk}),
    "web:person_password": Page(kwargs=lambda o: {"pk": o.world.community_worker.pk},
                                up=lambda o: {"pk": o.world.street_leader.pk}),
    "web:membership_add": Page(kwargs=lambda o: {"pk": o.world.community_worker.pk},
                               up=lambda o: {"pk": o.world.street_leader.pk}),
    "web:membership_remove": Page(
        kwargs=lambda o: {"pk": o.world.community_worker.pk, "membership_id": o.membership_pk},
        up=lambda o: {"pk": o.world.street_leader.pk,
                      "membership_id": o.leader_membership_pk}),
    "web:security": Page(),
    "web:security_unlock": Page(kwargs=lambda o: {"pk": o.world.community_worker.pk},
                                up=lambda o: {"pk": o.world.street_leader.pk}),
    "web:audit": Page(), "web:search": Page(), "web:units_export": Page(),
    "web:units_import": Page(), "web:division_search": Page(),
    "tasks:mine": Page(), "tasks:task_new": Page(), "tasks:plans": Page(),
    "tasks:meetings": Page(),
    "tasks:task": Page(kwargs=_pk("task_pk"), up=_pk("street_task_pk")),
    "tasks:task_action": Page(kwargs=lambda o: {"pk": o.task_pk, "action": "progress"},
                              up=lambda o: {"pk": o.street_task_pk, "action": "progress"}),
    "tasks:plan": Page(kwargs=_pk("plan_pk"), up=_pk("street_plan_pk")),
    "tasks:plan_group": Page(kwargs=_pk("plan_pk"), up=_pk("street_plan_pk")),
    "tasks:plan_item": Page(kwargs=_pk("item_pk"), up=_pk("street_item_pk")),
    "tasks:meeting": Page(kwargs=_pk("meeting_pk"), up=_pk("street_meeting_pk")),
    "tasks:decision_task": Page(kwargs=_pk("decision_pk"), up=_pk("street_decision_pk")),
    "api:list_tasks": Page(),
    "api:get_task": Page(kwargs=lambda o: {"task_id": o.task_pk},
                         up=lambda o: {"task_id": o.street_task_pk}),
    "api:post_progress": Page(kwargs=lambda o: {"task_id": o.task_pk},
                              up=lambda o: {"task_id": o.street_task_pk}),
    "api:get_plan": Page(kwargs=lambda o: {"plan_id": o.plan_pk},
                         up=lambda o: {"plan_id": o.street_plan_pk}),
    "notify:list": Page(), "notify:read_all": Page(), "notify:badge": Page(),
    "notify:read": Page(kwargs=_pk("notification_pk")),
    "residents:index": Page(),
    "residents:template": Page(kwargs=lambda o: {"kind": "residents"}, shared=True),
    "residents:unit": Page(kwargs=_unit, up=_street),
    "residents:person_create": Page(kwargs=_unit, up=_street),
    "residents:import": Page(kwargs=_unit, up=_street),
    "residents:export": Page(kwargs=_unit, up=_street),
    "residents:person": Page(kwargs=_pk("person_pk")),
    "residents:person_edit": Page(kwargs=_pk("person_pk")),
    "residents:person_reveal": Page(kwargs=_pk("person_pk")),
    "residents:person_move_out": Page(kwargs=_pk("person_pk")),
    "residents:person_move_in": Page(kwargs=lambda o: {"pk": o.person_pk,
                                                       "code": o.world.community.code}),
    "residents:household": Page(kwargs=_pk("household_pk")),
    "awards:index": Page(), "awards:titles": Page(),
    # The street's round is open to every community of the street (they nominate to it);
    # what each sees of it is checked by the words: never another community's nominees.
    "awards:round": Page(kwargs=_pk("award_round_pk"), shared=True),
    "awards:nominate": Page(kwargs=_pk("award_round_pk"), shared=True),
    "awards:round_action": Page(kwargs=lambda o: {"pk": o.award_round_pk, "action": "evaluate"}),
    "awards:ballot": Page(kwargs=_pk("award_round_pk")),
    "awards:title": Page(kwargs=_pk("title_pk"), up=_pk("street_title_pk")),
    "awards:certificate": Page(kwargs=_pk("title_pk"), up=_pk("street_title_pk")),
    "awards:title_qr": Page(kwargs=_pk("title_pk"), up=_pk("street_title_pk")),
    "gongshi:round": Page(public=True, kwargs=lambda o: {"code": "NOPE0000"}),
    "gongshi:check": Page(public=True, kwargs=lambda o: {"code": "NOPE0000"}),
    "gongshi:lookup": Page(public=True),
    "api:list_rounds": Page(), "api:list_titles": Page(),
    "api:get_round": Page(kwargs=lambda o: {"round_id": o.award_round_pk}, shared=True),
    "api:post_nomination": Page(kwargs=lambda o: {"round_id": o.award_round_pk}, shared=True),
    "api:get_title": Page(kwargs=lambda o: {"title_id": o.title_pk},
                          up=lambda o: {"title_id": o.street_title_pk}),
}

# API operations by operationId: the same ``Page`` expectations, read from the schema.
API: dict[str, Page] = {
    "chuangjian_api_units_list_units": Page(),
    "chuangjian_api_units_get_unit": PAGES["api:get_unit"],
    "chuangjian_api_units_get_subtree": PAGES["api:get_subtree"],
    "chuangjian_api_units_me": Page(),
    "chuangjian_reporting_api_put_report": PAGES["api:put_report"],
    "chuangjian_reporting_api_get_report": PAGES["api:get_report"],
    "chuangjian_reporting_api_get_missing": Page(),
    "chuangjian_assessment_api_list_runs": Page(),
    "chuangjian_assessment_api_get_results": PAGES["api:get_results"],
    "chuangjian_assessment_api_get_classes": PAGES["api:get_classes"],
    "chuangjian_assessment_api_put_class": PAGES["api:put_class"],
    "chuangjian_surveys_api_list_surveys": Page(),
    "chuangjian_surveys_api_get_survey_results": PAGES["api:get_survey_results"],
    "chuangjian_surveys_api_post_response": PAGES["api:post_response"],
    "chuangjian_tasks_api_list_tasks": Page(),
    "chuangjian_tasks_api_get_task": PAGES["api:get_task"],
    "chuangjian_tasks_api_post_progress": PAGES["api:post_progress"],
    "chuangjian_tasks_api_get_plan": PAGES["api:get_plan"],
    "chuangjian_registers_api_list_kinds": Page(),
    "chuangjian_registers_api_get_counts": PAGES["api:get_counts"],
    "chuangjian_registers_api_search_residents": PAGES["api:search_residents"],
    "chuangjian_registers_api_import_kind": PAGES["api:import_kind"],
    "chuangjian_registers_api_export_kind": PAGES["api:export_kind"],
    "chuangjian_awards_api_list_rounds": Page(),
    "chuangjian_awards_api_get_round": PAGES["api:get_round"],
    "chuangjian_awards_api_post_nomination": PAGES["api:post_nomination"],
    "chuangjian_awards_api_list_titles": Page(),
    "chuangjian_awards_api_get_title": PAGES["api:get_title"],
}


def _walk(patterns: list[Any], ns: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _walk(p.url_patterns, ns + (f"{p.namespace}:" if p.namespace else ""))
        elif p.name:
            found.append((ns + p.name, p))
    return found


def _patterns() -> list[tuple[str, URLPattern]]:
    return _walk(get_resolver().url_patterns)


def _operations() -> list[tuple[str, str, str]]:
    """(operationId, method, path template) of every operation in the OpenAPI schema."""
    from chuangjian.api.main import api

    schema = api.get_openapi_schema()
    return [(op["operationId"], method.upper(), path)
            for path, item in schema["paths"].items()
            for method, op in item.items() if isinstance(op, dict) and "operationId" in op]


def test_every_url_pattern_has_a_declared_expectation() -> None:
    names = [name for name, _p in _patterns()]
    assert len(names) > 100
    missing = sorted(set(names) - set(PAGES))
    stale = sorted(set(PAGES) - set(names))
    assert missing == [], f"add these URL names to PAGES: {missing}"
    assert stale == [], f"these PAGES no longer exist: {stale}"


def test_every_api_operation_has_a_declared_expectation() -> None:
    ops = {op for op, _m, _p in _operations()}
    assert ops, "the OpenAPI schema lists no operation"
    assert sorted(ops - set(API)) == [], "add these operations to API"
    assert sorted(set(API) - ops) == [], "these API operations no longer exist"


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile("矩阵.jpg", out.getvalue(), content_type="image/jpeg")


def _build(world: World) -> Objects:
    from chuangjian.evidence import actions as evidence_actions
    from chuangjian.evidence.builtin_types import ensure_builtin_types
    from chuangjian.evidence.models import ActivityType
    from chuangjian.inspections.actions import points as point_actions
    from chuangjian.inspections.actions import reports as report_actions
    from chuangjian.inspections.actions import rounds as round_actions
    from chuangjian.inspections.actions.findings import create_finding
    from chuangjian.inspections.models import RoundKind
    from chuangjian.inspections.taxonomy import default_standard
    from chuangjian.jobs.actions import start_job
    from chuangjian.reporting import actions as reporting_actions
    from chuangjian.standards import actions as standards_actions
    from chuangjian.standards import loader
    from chuangjian.standards.models import ProblemCategory

    system = Scope.system()
    standards_actions.load_standards(actor=None, scope=system,
                                     result=loader.load_builtin().raise_for_errors())
    ensure_builtin_types()
    worker = world.community_worker
    as_worker = Scope.for_user(worker)
    activity = evidence_actions.create_activity(
        actor=worker, scope=as_worker, unit=world.community,
        type=ActivityType.objects.get(code="culture_sports"), title="矩阵广场舞展演",
        date=dt.date(2026, 3, 1), place="幸福里广场", organiser="幸福里文体队",
        participants_count=30, uploads=[_jpeg()])
    sha = activity.attachments.select_related("file").first().file.sha256  # type: ignore[union-attr]
    news = reporting_actions.submit_news(actor=worker, scope=as_worker, unit=world.community,
                                         kind="news", title="矩阵动态", body="幸福里的动态",
                                         files=[("矩阵纪要.pdf", b"%PDF-1.7\n%%EOF")],
                                         now=dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC))
    inspector = Scope.for_user(world.inspector)
    # The point exists before the round, so the round visits it (a real 点位 of the round).
    point = point_actions.save_point(actor=None, scope=system, unit=world.community,
                                     name="幸福里农贸市场", type="market", address="幸福路1号")
    round_ = round_actions.create_round(
        actor=world.inspector, scope=inspector, unit=world.street, scope_unit=world.street,
        kind=RoundKind.WEEKLY,
        title="城关矩阵督查", starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 3, 31),
        standard=default_standard())
    category = ProblemCategory.objects.filter(code="disorderly_parking").first()
    finding = create_finding(actor=world.inspector, scope=inspector, unit=world.community,
                             description="幸福里占道经营", category=category, photos=[_jpeg()],
                             now=dt.datetime(2026, 3, 16, 4, tzinfo=dt.UTC), dispatch=True)[0]
    report, _created = report_actions.submit_report(
        category=category, description="幸福里路口垃圾", address="幸福路2号",
        unit=world.community, photos=[_jpeg()])
    job = start_job(kind_code="evidence.ledger", user=worker, scope=as_worker,
                    params={"unit": world.community.code}, title="幸福里台账")
    from chuangjian.surveys import actions as survey_actions
    from chuangjian.surveys.testing import AWARE, drug_survey, submit

    survey = drug_survey(world, code="juzhen-jindu")
    answered, _created = submit(survey, world, AWARE)
    link = survey_actions.create_link(actor=None, scope=system, survey=survey,
                                      unit=world.community, group="urban")
    from chuangjian.cases.actions import request_transfer
    from chuangjian.cases.testing import build_case_world

    cases = build_case_world(world)
    transfer = request_transfer(actor=world.caseworker, scope=Scope.for_user(world.caseworker),
                                case=cases.case, to_unit=world.community2, reason="人户分离",
                                today=dt.date(2026, 6, 15))
    from chuangjian.cases.exports import request_export

    export = request_export(actor=world.caseworker, scope=Scope.for_user(world.caseworker),
                            unit=world.community, reason="矩阵导出")
    objects = Objects(world=world, activity_pk=activity.pk, news_pk=news.pk, file_sha=sha,
                      finding_pk=finding.pk, order_pk=finding.order.pk, round_pk=round_.pk,
                      point_pk=point.pk, report_pk=report.pk, report_code=report.code,
                      job_pk=job.pk, survey_code=survey.code, response_pk=answered.pk,
                      link_pk=link.pk, version_pk=answered.version_id,
                      case_pk=cases.case.pk, transfer_pk=transfer.pk,
                      export_pk=export.pk)
    _build_tasks(world, objects)
    _build_residents(world, objects)
    _build_victims_records(world, objects, activity=activity, finding=finding, round_=round_)
    _build_awards(world, objects)
    return objects


def _build_awards(world: World, o: Objects) -> None:
    from chuangjian.awards import actions as award_actions
    from chuangjian.registers.models import FamilyHonour, FamilyKind, Household, Person

    leader, district = Scope.for_user(world.street_leader), Scope.for_user(world.district_admin)
    round_ = award_actions.open_round(scope=leader, actor=world.street_leader,
                                      scheme_code="jiankang_jiating", organiser=world.street,
                                      year=2026)
    home = Household.objects.create(unit=world.community, address="幸福路矩阵8号")
    Person.objects.create(unit=world.community, household=home, name="张小燕",
                          moved_in_on=dt.date(2010, 1, 1))
    FamilyHonour.objects.create(household=home, kind=FamilyKind.HEALTHY, year=2025)
    award_actions.nominate(scope=Scope.for_user(world.community_worker),
                           actor=world.community_worker, round=round_, unit=world.community,
                           nominee=home, name="幸福里张小燕家庭", reasons="矩阵事迹")
    title = award_actions.record_title(
        scope=district, actor=world.district_admin, scheme_code="jiankang_danwei", level="city",
        year=2026, recorder=world.district, holder=world.community, name="幸福里社区卫生服务站",
        document="市爱卫会文件", named_on=dt.date(2026, 11, 20))
    up = award_actions.record_title(
        scope=district, actor=world.district_admin, scheme_code="jiankang_shequ", level="city",
        year=2026, recorder=world.district, holder=world.street, name="城关街道",
        document="市爱卫会文件", named_on=dt.date(2026, 11, 20))
    o.award_round_pk, o.title_pk, o.street_title_pk = round_.pk, title.pk, up.pk


def _build_victims_records(world: World, o: Objects, *, activity: Any, finding: Any,
                           round_: Any) -> None:
    """A report, a late-filing request, an assessment run, an extension request, a visit of
    a round and an evidence link, all of 幸福里社区: the cells open real objects."""
    from chuangjian.assessment import actions as assessment_actions
    from chuangjian.evidence import actions as evidence_actions
    from chuangjian.inspections.actions import rectification
    from chuangjian.inspections.models import RoundPoint
    from chuangjian.reporting import actions as reporting_actions
    from chuangjian.reporting.datasets import catalog
    from chuangjian.reporting.models import LateRequest, NewsAttachment

    worker = world.community_worker
    as_worker = Scope.for_user(worker)
    shanghai = dt.timezone(dt.timedelta(hours=8))
    quarterly = catalog().for_unit(world.community, 2026)["community-quarter"]
    o.submission_pk = reporting_actions.submit_values(
        actor=worker, scope=as_worker, unit=world.community, dataset_code=quarterly.code,
        period="2026Q3", values={e.code: 1 for e in quarterly.elements},
        now=dt.datetime(2026, 9, 30, 10, tzinfo=shanghai)).submission.pk
    o.news_attachment_pk = NewsAttachment.objects.get(item_id=o.news_pk).pk
    # No built-in data set locks at its deadline, so the request is stored as the action
    # would store it (reporting's own tests cover asking for it).
    o.late_pk = LateRequest.objects.create(
        unit=world.community, dataset_code=quarterly.code, period="2026Q2",
        reason="矩阵补报理由", requested_by=worker,
        requested_at=dt.datetime(2026, 12, 1, 10, tzinfo=shanghai)).pk
    o.run_pk = assessment_actions.start_run(
        actor=None, scope=Scope.system(), standard_code="wenming_shequ", year=2026,
        unit=world.community, today=dt.date(2026, 12, 1)).pk
    order = finding.order
    o.extension_pk = rectification.request_extension(
        actor=worker, scope=as_worker, order=order,
        new_deadline=order.deadline + dt.timedelta(days=7), reason="矩阵延期理由",
        now=dt.datetime(2026, 3, 16, 13, tzinfo=shanghai)).pk
    # The round's draw may pass the market by: put it on the round as the draw would.
    o.round_point_pk = RoundPoint.objects.get_or_create(round=round_, point_id=o.point_pk,
                                                        defaults={"order": 0})[0].pk
    o.evidence_link_pk = evidence_actions.link_evidence(
        actor=worker, scope=as_worker, unit=world.community, standard_code="wenming_shequ",
        indicator_code="small_activities_per_year", year=2026, requirement="活动照片",
        activity=activity).pk


def _build_tasks(world: World, o: Objects) -> None:
    """A plan, a task, a held meeting with a decision and a notification of 幸福里社区; the
    same of 城关街道 for the community administrator, who must not reach up."""
    from chuangjian.notify.models import Notification
    from chuangjian.tasks import actions as task_actions
    from chuangjian.tasks.models import MeetingKind

    leader = Scope.for_user(world.street_leader)
    for unit, standard, prefix in ((world.community, "wenming_shequ", ""),
                                   (world.street, "wudu_xian", "street_")):
        plan = task_actions.generate_plan(actor=world.street_leader, scope=leader, unit=unit,
                                          standard_code=standard, year=2026)
        item = plan.items.first()
        assert item is not None
        task = task_actions.create_task(
            actor=world.street_leader, scope=leader, unit=unit, title="矩阵任务",
            start=dt.date(2026, 3, 2), working_days=5, item=item,
            direct_responsible=world.community_worker if not prefix else world.street_leader)
        meeting = task_actions.schedule_meeting(
            actor=world.street_leader, scope=leader, unit=unit, kind=MeetingKind.REGULAR,
            title="矩阵例会", day=dt.date(2026, 3, 2), place="会议室", agenda="议程")
        task_actions.hold_meeting(actor=world.street_leader, scope=leader, meeting=meeting,
                                  attended=[world.street_leader], minutes="纪要",
                                  decisions=["矩阵决定"])
        setattr(o, f"{prefix}plan_pk", plan.pk)
        setattr(o, f"{prefix}item_pk", item.pk)
        setattr(o, f"{prefix}task_pk", task.pk)
        setattr(o, f"{prefix}meeting_pk", meeting.pk)
        setattr(o, f"{prefix}decision_pk", meeting.decision_rows.get().pk)
    o.notification_pk = Notification.objects.filter(user=world.community_worker).first().pk  # type: ignore[union-attr]


def _build_residents(world: World, o: Objects) -> None:
    """A resident (with a household) of 幸福里社区, registered by its worker."""
    from chuangjian.lib.personal import compose_id_number
    from chuangjian.registers.actions.people import create_person

    resident = create_person(scope=Scope.for_user(world.community_worker),
                             actor=world.community_worker, unit=world.community,
                             name="幸福里矩阵居民", address="幸福里矩阵1号",
                             id_number=compose_id_number("310101", dt.date(1960, 1, 1), 11))
    o.person_pk = resident.pk
    o.household_pk = resident.household.pk  # type: ignore[union-attr]
    from chuangjian.registers.models import MediationCase, MediationParty, Volunteer

    Volunteer.objects.create(unit=world.community, person=resident,
                             registered_on=dt.date(2025, 1, 1))
    case = MediationCase.objects.create(unit=world.community, kind="邻里纠纷",
                                        summary="幸福里矩阵纠纷", received_on=dt.date(2026, 3, 1))
    MediationParty.objects.create(case=case, person=resident, name=resident.name)
    o.mediation_pk = case.pk


def _persona(world: World, username: str, unit: Any, role: str) -> User:
    return org_actions.create_user_with_membership(
        actor=None, scope=Scope.system(), username=username, full_name=username,
        password=PASSWORD, unit=unit, role=role)


def _writes() -> int:
    return AuditEntry.objects.exclude(action__startswith="auth.").count()


DENIED = {403, 404, 405}


def _check(cells: list[str], label: str, client: Client, method: str, url: str, page: Page,
           targeted: bool, words: list[str], anonymous: bool, api: bool = False) -> None:
    before = _writes()
    body_in = b'{"values": {"t_patrols": 1}}' if api and method != "GET" else b""
    response = client.generic(method, url, data=body_in,
                              content_type="application/json" if api else
                              "application/x-www-form-urlencoded")
    status = response.status_code
    body = response.content.decode(errors="replace") if not response.streaming else ""
    if status >= 500:
        cells.append(f"{label}: server error {status}")
        return
    if anonymous and not page.public:
        login = status == 302 and "/login" in response.get("Location", "")
        if not (login or status in {401, 403, 404, 405}):
            cells.append(f"{label}: anonymous got {status}")
    elif targeted and not page.public:
        refused_post = method != "GET" and status == 302 and _writes() == before
        # An API request missing a required parameter is refused before anything is read,
        # whatever the unit, so its 422 tells nothing either.
        refused_input = api or "/api/" in url
        if status not in DENIED and not refused_post and not (refused_input and status == 422):
            cells.append(f"{label}: got {status}, expected 403/404/405")
    if page.unit_names:
        words = [w for w in words if w in PEOPLE_WORDS]
    leaked = [w for w in words if w in body]
    if leaked:
        cells.append(f"{label}: shows {leaked}")
    if (anonymous or targeted) and not page.public and _writes() != before:
        cells.append(f"{label}: wrote to the audit log")


@pytest.mark.django_db
def test_no_persona_reaches_or_sees_what_is_outside_its_scope(world: World) -> None:
    objects = _build(world)
    personas: dict[str, tuple[User | None, list[str], bool]] = {
        "anonymous": (None, STREET_WORDS, False),
        "outsider": (world.outsider, STREET_WORDS, False),
        "other_street": (_persona(world, "other_admin", world.other_street, Role.ADMIN),
                         STREET_WORDS, False),
        "sibling": (_persona(world, "sibling", world.community2, Role.WORKER),
                    COMMUNITY_WORDS, False),
        "upward": (_persona(world, "community_admin", world.community, Role.ADMIN), [], True),
    }
    cells: list[str] = []
    for persona, (user, words, upward) in personas.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for name, _pattern in _patterns():
            page = PAGES[name]
            make = page.up if upward else page.kwargs
            if upward and page.up is None:
                if page.kwargs is not None:
                    continue  # the victim's own objects are the community admin's own
                words = []
            kwargs = make(objects) if make else {}
            url = reverse(name, kwargs=kwargs)
            for method in ("GET", "POST"):
                _check(cells, f"{persona} {method} {name}", client, method, url, page,
                       targeted=bool(kwargs) and not page.shared, words=words,
                       anonymous=user is None)
                if user is not None and name == "web:logout":
                    client.force_login(user)  # signed out on purpose: sign in again
        for op, method, path in _operations():
            page = API[op]
            make = page.up if upward else page.kwargs
            if upward and page.up is None and page.kwargs is not None:
                continue
            kwargs = make(objects) if make else {}
            url = path.format(**kwargs)
            _check(cells, f"{persona} API {method} {op}", client, method, url, page,
                   targeted=bool(kwargs) and not page.shared, words=words,
                   anonymous=user is None, api=True)
    assert cells == [], "\n".join(cells)
