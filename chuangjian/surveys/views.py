"""The surveys pages: questionnaires, surveys with quotas and results, links and QR codes,
enumerator entry, review; and the public answer page (no login)."""

from __future__ import annotations

import json
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from chuangjian.files.models import FileKind
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.surveys import actions, forms_io, selectors
from chuangjian.surveys.models import FormVersion, Group, Link, Response, Survey
from chuangjian.surveys.xlsform import FormError
from chuangjian.web.views.common import require_any, scope_of

# A respondent sends one answer sheet, perhaps a few resends; a flood is refused (429).
# A school's computer room shares one address, so the limit allows a class at a time.
SUBMIT_RATE = "60/10m"
PAGE_RATE = "120/h"
MAX_BODY = 256 * 1024


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "；".join(m for ms in error.message_dict.values() for m in ms)
    return "；".join(error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.is_empty:
        raise PermissionDenied
    may_author = actions.may_author(scope=scope)
    errors: list[str] = []
    if request.method == "POST":
        if not may_author:
            raise PermissionDenied
        upload = request.FILES.get("file")
        if upload is None:
            errors = [_("请选择 XLSForm 问卷文件（.xlsx）")]
        else:
            errors = _import(request, scope, upload)
            if not errors:
                return redirect("surveys:index")
    return render(request, "surveys/index.html", {
        "surveys": selectors.visible_surveys(scope=scope),
        "may_create": scope.allows_any(Cap.APPROVE),
        "units": list(scope.units(Cap.APPROVE).filter(
            closed_on__isnull=True, level__in=("district", "street", "area", "community"))
            .order_by("path")[:300]),
        "year": timezone.localdate().year,
        "questionnaires": selectors.questionnaires(scope=scope),
        "may_author": may_author, "errors": errors}, status=400 if errors else 200)


def _import(request: HttpRequest, scope: Scope, upload: Any) -> list[str]:
    from chuangjian.files.storing import discarded_on_error, store_file

    try:
        with discarded_on_error():
            stored = store_file(upload, user=request.user, kinds=(FileKind.DOCUMENT,),
                                max_bytes=5 * 1024 * 1024)
            if not stored.name.lower().endswith(".xlsx") and "spreadsheet" not in stored.mime:
                return [_("只能导入 Excel 工作簿（.xlsx）")]
            with stored.original.open("rb") as fh:
                parsed = forms_io.read_xlsx(fh.read())
            version = actions.import_questionnaire(actor=request.user, scope=scope,
                                                   parsed=parsed, source_file=stored)
    except FormError as error:
        return error.messages[:30]
    except ValidationError as error:
        return [_error_text(error)]
    messages.success(request, _("已导入「%(t)s」第 %(n)d 版（%(s)s）") % {
        "t": version.questionnaire.title, "n": version.number,
        "s": version.get_state_display()})
    return []


@login_required
@require_GET
def questionnaire(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_of(request)
    q = selectors.questionnaires(scope=scope).filter(code=code).first()
    if q is None:
        from django.http import Http404

        raise Http404
    versions = list(q.versions.order_by("-number"))
    current = next((v for v in versions if v.state == FormVersion.State.PUBLISHED),
                   versions[0] if versions else None)
    return render(request, "surveys/questionnaire.html", {
        "q": q, "versions": versions, "current": current,
        "may_author": actions.may_author(scope=scope),
        "questions": _question_rows(current.definition) if current else []})


def _question_rows(definition: dict[str, Any]) -> list[dict[str, Any]]:
    from chuangjian.surveys.xlsform import TYPE_NAMES

    choices = definition.get("choices", {})
    rows = []
    for q in definition["questions"]:
        options = {c["name"]: c["label"] for c in choices.get(q.get("list", ""), [])}
        correct = "、".join(options.get(c, c) for c in q.get("correct", "").split())
        rows.append({"label": q["label"] or q["name"], "type": TYPE_NAMES.get(q["type"], q["type"]),
                     "required": q.get("required"), "correct": correct,
                     "options": list(options.values()), "scale": q.get("scale"),
                     "conditional": "relevant" in q, "checked": "constraint" in q})
    return rows


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    if not actions.may_author(scope=scope):
        raise PermissionDenied
    version = FormVersion.objects.select_related("questionnaire").filter(pk=pk).first()
    if version is None:
        from django.http import Http404

        raise Http404
    actions.publish_version(actor=request.user, scope=scope, version=version)
    messages.success(request, _("已发布第 %(n)d 版，新的答卷将使用这一版") % {"n": version.number})
    return redirect("surveys:questionnaire", code=version.questionnaire.code)


def _place(scope: Scope, survey: Survey, raw: Any, cap: Cap = Cap.VIEW) -> Unit | None:
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None
    return next((u for u in selectors.places(scope=scope, survey=survey, cap=cap) if u.pk == pk),
                None) or (scope.units(cap).filter(pk=pk, path__startswith=survey.unit.path)
                          .first())


@login_required
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_of(request)
    survey = selectors.survey_for(scope=scope, code=code)
    unit = _place(scope, survey, request.GET.get("unit")) or (
        survey.unit if scope.allows(survey.unit) else None)
    result = selectors.results(scope=scope, survey=survey, unit=unit) if unit else None
    links = scope.filter(Link.objects.filter(survey=survey, active=True), Cap.VIEW,
                         field_name="unit__path").select_related("unit").order_by("unit__path")
    return render(request, "surveys/detail.html", {
        "survey": survey, "unit": unit, "result": result,
        "by_place": selectors.results_by_place(scope=scope, survey=survey),
        "progress": selectors.quota_progress(scope=scope, survey=survey),
        "links": links, "groups": Group.choices,
        "places": selectors.places(scope=scope, survey=survey),
        "quota_places": list(scope.units(Cap.APPROVE).filter(
            path__startswith=survey.unit.path, closed_on__isnull=True,
            level__in=("community", "village")).order_by("path")[:500]),
        "may_plan": scope.allows_any(Cap.APPROVE), "may_enter": scope.allows_any(Cap.ENTER_DATA),
        "chart": [{"label": g.label, "rate": g.rate, "low": g.ci_low, "high": g.ci_high,
                   "target": g.target, "n": g.n} for g in (result.groups if result else [])],
    })


@login_required
@require_POST
def quota(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_of(request)
    survey = selectors.survey_for(scope=scope, code=code)
    unit = _place(scope, survey, request.POST.get("unit"), Cap.APPROVE)
    if unit is None:
        raise PermissionDenied
    try:
        population = int(request.POST["population"]) if request.POST.get("population") else None
        target = int(request.POST["target_n"]) if request.POST.get("target_n") else None
    except ValueError:
        messages.error(request, _("人群规模和应调查人数必须是整数"))
        return redirect("surveys:detail", code=code)
    try:
        q = actions.set_quota(actor=request.user, scope=scope, survey=survey, unit=unit,
                              group=request.POST.get("group", ""), population=population,
                              target_n=target)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("已设置 %(u)s %(g)s 的配额：%(n)d 人") % {
            "u": unit.name, "g": q.get_group_display(), "n": q.target_n})
    return redirect("surveys:detail", code=code)


@login_required
@require_POST
def link_new(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_of(request)
    survey = selectors.survey_for(scope=scope, code=code)
    unit = _place(scope, survey, request.POST.get("unit"), Cap.ENTER_DATA)
    if unit is None:
        raise PermissionDenied
    try:
        actions.create_link(actor=request.user, scope=scope, survey=survey, unit=unit,
                            group=request.POST.get("group", ""),
                            single_use=request.POST.get("single_use") == "1")
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("surveys:detail", code=code)


@login_required
@require_GET
def link_qr(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    link = Link.objects.select_related("unit").filter(pk=pk).first()
    if link is None or not scope.allows(link.unit):
        from django.http import Http404

        raise Http404
    url = request.build_absolute_uri(reverse("wenjuan:answer", args=[link.token]))
    svg = segno.make(url, error="m").svg_inline(scale=6)
    return HttpResponse(svg, content_type="image/svg+xml")


def _form_context(survey: Survey) -> dict[str, Any]:
    version = survey.questionnaire.published()
    if version is None:
        return {"version": None}
    d = version.definition
    choices = d["choices"]
    by_name = {q["name"]: {**q, "options": choices.get(q.get("list", ""), [])}
               for q in d["questions"]}
    pages = [{"label": p["label"], "repeat": p.get("repeat"),
              "questions": [by_name[n] for n in p["items"] if n in by_name]} for p in d["pages"]]
    return {"version": version, "pages": pages, "choices": d["choices"],
            "form_json": {"questions": d["questions"], "groups": d["groups"],
                          "choices": d["choices"], "pages": d["pages"],
                          "version": version.pk}}


@login_required
@require_GET
def enter(request: HttpRequest, code: str) -> HttpResponse:
    """Entry by an enumerator (调查员): the same one-screen-a-page form, place and group
    chosen first."""
    scope = require_any(request, Cap.ENTER_DATA)
    survey = selectors.survey_for(scope=scope, code=code)
    places = selectors.places(scope=scope, survey=survey, cap=Cap.ENTER_DATA)
    if not places:
        raise PermissionDenied
    return render(request, "surveys/answer.html", {
        "survey": survey, **_form_context(survey), "enumerator": True, "places": places,
        "groups": Group.choices,
        "submit_url": reverse("surveys:enter_submit", args=[survey.code]),
        "store_key": f"survey-enter-{survey.code}-{request.user.pk}"})


def _payload(request: HttpRequest) -> dict[str, Any] | None:
    if len(request.body) > MAX_BODY:
        return None
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _submit(request: HttpRequest, survey: Survey, *, scope: Scope, unit: Unit | None,
            group: str, link: Link | None) -> JsonResponse:
    data = _payload(request)
    if data is None:
        return JsonResponse({"ok": False, "errors": [_("提交的内容格式不正确")]}, status=400)
    if unit is None:
        return JsonResponse({"ok": False, "errors": [_("请选择调查地点")]}, status=400)
    try:
        row, created = actions.submit_response(
            scope=scope, survey=survey, unit=unit, group=group, uuid=data.get("uuid"),
            answers=data.get("answers") or {}, started_at=data.get("started_at"),
            ended_at=data.get("ended_at"), page_seconds=data.get("page_seconds"),
            enumerator=request.user if request.user.is_authenticated else None, link=link,
            client=actions.client_hash(request.META.get("REMOTE_ADDR", "")))
    except ValidationError as error:
        msgs = [m for ms in error.message_dict.values() for m in ms] if hasattr(
            error, "error_dict") else error.messages
        return JsonResponse({"ok": False, "errors": msgs}, status=400)
    return JsonResponse({"ok": True, "created": created, "receipt": str(row.uuid)[:8]},
                        status=201 if created else 200)


@login_required
@require_POST
@ratelimit(key="user_or_ip", rate="600/h", block=True)
def enter_submit(request: HttpRequest, code: str) -> JsonResponse:
    scope = require_any(request, Cap.ENTER_DATA)
    survey = selectors.survey_for(scope=scope, code=code)
    data = _payload(request) or {}
    unit = _place(scope, survey, data.get("unit"), Cap.ENTER_DATA)
    return _submit(request, survey, scope=scope, unit=unit, group=str(data.get("group", "")),
                   link=None)


@require_GET
@ratelimit(key="ip", rate=PAGE_RATE, block=True)
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The public page a respondent opens from a link or QR code (no login)."""
    link = selectors.link_by_token(scope=Scope(user_id=None), token=token)
    used = link.single_use and link.used_at is not None
    return render(request, "surveys/answer.html", {
        "survey": link.survey, **_form_context(link.survey), "link": link, "used": used,
        "group_label": link.get_group_display(),
        "submit_url": reverse("wenjuan:submit", args=[link.token]),
        "store_key": f"survey-{link.token}"}, status=410 if used else 200)


@require_POST
@ratelimit(key="ip", rate=SUBMIT_RATE, block=True)
def answer_submit(request: HttpRequest, token: str) -> JsonResponse:
    link = selectors.link_by_token(scope=Scope(user_id=None), token=token)
    return _submit(request, link.survey, scope=Scope(user_id=None), unit=link.unit,
                   group=link.group, link=link)


@login_required
@require_GET
def responses(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_of(request)
    survey = selectors.survey_for(scope=scope, code=code)
    state = request.GET.get("state", "")
    if state not in Response.State.values:
        state = ""
    rows = selectors.responses(scope=scope, survey=survey, state=state,
                               flagged=request.GET.get("flagged") == "1")[:300]
    return render(request, "surveys/responses.html", {
        "survey": survey, "rows": rows, "state": state, "states": Response.State.choices})


@login_required
@require_http_methods(["GET", "POST"])
def response(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    row = selectors.response_for(scope=scope, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            actions.review_response(actor=request.user, scope=scope, response=row,
                                    state=request.POST.get("state", ""),
                                    reason=request.POST.get("reason", ""))
        except ValidationError as err:
            error = _error_text(err)
        else:
            messages.success(request, _("审核结果已保存"))
            return redirect("surveys:response", pk=row.pk)
    d = row.version.definition
    choices = d.get("choices", {})
    shown = []
    for q in d["questions"]:
        if q["type"] == "note" or q.get("repeat"):
            continue
        value = row.answers.get(q["name"], "")
        options = {c["name"]: c["label"] for c in choices.get(q.get("list", ""), [])}
        text = "、".join(options.get(v, v) for v in str(value).split()) if options else value
        shown.append({"label": q["label"] or q["name"], "value": text,
                      "correct": (None if not q.get("correct") else
                                  set(str(value).split()) == set(q["correct"].split()))})
    return render(request, "surveys/response.html", {
        "row": row, "shown": shown, "error": error,
        "moves": [(s, label) for s, label in Response.State.choices
                  if s in actions.REVIEW_MOVES.get(row.state, set())],
        "may_review": scope.allows(row.unit, Cap.APPROVE)}, status=400 if error else 200)


@login_required
@require_GET
def export(request: HttpRequest, code: str) -> FileResponse:
    from chuangjian.surveys.exports import responses_xlsx

    scope = scope_of(request)
    survey = selectors.survey_for(scope=scope, code=code)
    data = responses_xlsx(scope=scope, survey=survey)
    import io

    return FileResponse(io.BytesIO(data), as_attachment=True,
                        filename=f"{survey.title}答卷.xlsx")


@login_required
@require_GET
def report(request: HttpRequest, code: str) -> FileResponse:
    """The results report (Word): each group's bar with its interval, the tables."""
    import io

    from chuangjian.surveys.exports import results_docx

    scope = scope_of(request)
    survey = selectors.survey_for(scope=scope, code=code)
    unit = _place(scope, survey, request.GET.get("unit")) or (
        survey.unit if scope.allows(survey.unit) else None)
    if unit is None:
        raise PermissionDenied
    data = results_docx(scope=scope, survey=survey, unit=unit)
    return FileResponse(io.BytesIO(data), as_attachment=True,
                        filename=f"{survey.title}结果报告（{unit.name}）.docx")


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    """A new survey of a published questionnaire over a unit the caller approves for."""
    scope = scope_of(request)
    q = selectors.questionnaires(scope=scope).filter(code=request.POST.get("questionnaire",
                                                                          "")).first()
    unit = scope.units(Cap.APPROVE).filter(pk=request.POST.get("unit") or 0,
                                           closed_on__isnull=True).first() if (
        request.POST.get("unit", "").isdigit()) else None
    if unit is None:
        raise PermissionDenied
    try:
        year = int(request.POST.get("year", ""))
        margin = float(request.POST.get("margin") or 10) / 100
    except ValueError:
        messages.error(request, _("年度和允许误差必须是数字"))
        return redirect("surveys:index")
    if q is None:
        messages.error(request, _("请选择问卷"))
        return redirect("surveys:index")
    code = f"{q.code}-{unit.code}-{year}".lower()[:64]
    try:
        survey = actions.create_survey(
            actor=request.user, scope=scope, code=code,
            title=(request.POST.get("title") or f"{year}年{unit.name}{q.title}")[:200],
            questionnaire=q, unit=unit, year=year, margin=margin)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("surveys:index")
    return redirect("surveys:detail", code=survey.code)
