"""Pages of awards and titles (评选与称号): rounds, nomination, 初审, the ballot, naming,
titles and their re-check; and the public pages (公示 with objections, certificate check).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from chuangjian.awards import actions, certificate, selectors
from chuangjian.awards.models import (
    NominationState,
    Objection,
    ObjectionState,
    Round,
    Stage,
    Title,
    TitleState,
)
from chuangjian.awards.schemes import LEVEL_NAMES, NOMINATORS, builtin, scheme_for
from chuangjian.evidence.models import Activity
from chuangjian.lib.personal import mask_name, mask_phone
from chuangjian.org.levels import Level
from chuangjian.org.models import Membership, Unit, User
from chuangjian.org.scope import Cap, Scope
from chuangjian.registers.models import Household, Person, Volunteer
from chuangjian.web.forms import DateInput, Styled, apply_errors

# As the other public pages (随手拍): a few objections from one client, lookups freely.
OBJECTION_RATE = "5/10m"
LOOKUP_RATE = "60/h"


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _int(value: Any) -> int | None:
    text = str(value or "")[:12]
    return int(text) if text.isdigit() else None


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "；".join(m for ms in error.message_dict.values() for m in ms)
    return "；".join(error.messages)


def _year(request: HttpRequest) -> int:
    year = _int(request.GET.get("year"))
    return year if year and 2000 <= year <= 2100 else timezone.localdate().year


# -- rounds ------------------------------------------------------------------------------

class OpenRoundForm(Styled, forms.Form):
    scheme = forms.ChoiceField(label=gettext_lazy("评选方案"))
    organiser = forms.ModelChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("组织单位"))
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)


def _open_form(scope: Scope, data: Any = None) -> OpenRoundForm:
    form = OpenRoundForm(data, initial={"year": timezone.localdate().year})
    form.fields["scheme"].choices = [  # type: ignore[attr-defined]
        (s.code, f"{s.name}（{s.source.plan}）") for s in builtin().values()]
    form.fields["organiser"].queryset = (scope.units(Cap.ORGANISE_AWARDS)  # type: ignore[attr-defined]
                                         .filter(level__in=[Level.STREET, Level.DISTRICT],
                                                 closed_on__isnull=True).order_by("path"))
    return form


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    scope, year = _scope(request), _year(request)
    may_open = scope.allows_any(Cap.ORGANISE_AWARDS)
    form = _open_form(scope, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_open:
            raise PermissionDenied
        if form.is_valid():
            try:
                r = actions.open_round(scope=scope, actor=request.user,
                                       scheme_code=form.cleaned_data["scheme"],
                                       organiser=form.cleaned_data["organiser"],
                                       year=form.cleaned_data["year"])
            except ValidationError as error:
                apply_errors(form, error, aliases={"scheme": "scheme"})
            else:
                messages.success(request, _("已发起评选，开始接受推荐"))
                return redirect("awards:round", r.pk)
    rounds = list(selectors.rounds(scope=scope, year=year).order_by("-created_at")[:100])
    return render(request, "awards/index.html", {
        "year": year, "rounds": rounds, "may_open": may_open, "form": form,
        "ballots": list(selectors.my_ballots(scope=scope, user=request.user)),
        "schemes": {s.code: s for s in builtin().values()}}, status=400 if form.errors else 200)


def _holders(scheme_nominee: str, units: Any) -> list[tuple[str, str]]:
    if scheme_nominee == "unit":
        return [(f"unit:{u.pk}", u.name) for u in units]
    ids = [u.pk for u in units]
    if scheme_nominee == "household":
        return [(f"household:{h.pk}", f"{h.unit.name} {h.address}") for h in
                Household.objects.filter(unit_id__in=ids).select_related("unit").order_by("address")[:500]]
    if scheme_nominee == "volunteer":
        return [(f"volunteer:{v.pk}", f"{v.unit.name} {v.person.name}") for v in
                Volunteer.objects.filter(unit_id__in=ids, left_on__isnull=True)
                .select_related("unit", "person")[:500]]
    return [(f"person:{p.pk}", f"{p.unit.name} {p.name}") for p in
            Person.objects.filter(unit_id__in=ids, moved_out_on__isnull=True)
            .select_related("unit").order_by("name")[:500]]


def _nominee(value: str, nominee: str) -> Any:
    kind, _sep, pk = (value or "").partition(":")
    if kind != nominee or not pk.isdigit():
        return None
    model: Any = {"unit": Unit, "household": Household, "volunteer": Volunteer,
                  "person": Person}[kind]
    return model.objects.filter(pk=int(pk)).first()


class NominateForm(Styled, forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("推荐单位"))
    # Shown when the scheme takes more than 单位推荐 (群众推荐, 自荐（申报）).
    by = forms.ChoiceField(label=gettext_lazy("推荐方式"), required=False)
    # Not required here: the action says 「请选择推荐对象」 beside the field.
    nominee = forms.ChoiceField(label=gettext_lazy("推荐对象"), required=False)
    name = forms.CharField(label=gettext_lazy("公示名称"), max_length=100,
                           help_text=gettext_lazy("公示和证书上使用的名称，如「王建国家庭」"))
    reasons = forms.CharField(label=gettext_lazy("推荐理由（主要事迹）"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    activities = forms.ModelMultipleChoiceField(queryset=Activity.objects.none(), required=False,
                                                label=gettext_lazy("佐证活动"),
                                                widget=forms.CheckboxSelectMultiple)
    # 群众推荐: the action asks for them beside the fields; kept private.
    recommender_name = forms.CharField(label=gettext_lazy("推荐人姓名"), max_length=50,
                                       required=False,
                                       help_text=gettext_lazy("群众推荐时填写，仅供核实，不公开"))
    recommender_phone = forms.CharField(label=gettext_lazy("推荐人联系电话"), max_length=20,
                                        required=False,
                                        help_text=gettext_lazy("群众推荐时填写，仅供核实，不公开"))


def _nominate_form(scope: Scope, round_: Round, data: Any = None) -> NominateForm:
    scheme = scheme_for(round_.scheme_code)
    assert scheme is not None  # noqa: S101 - a round is opened from a known scheme
    # A community (or a department) recommends; its grids and buildings do not.
    units = (scope.units(Cap.ENTER_DATA).filter(path__startswith=round_.organiser.path,
                                                closed_on__isnull=True)
             .exclude(pk=round_.organiser.pk).exclude(level__in=[Level.GRID, Level.BUILDING])
             .order_by("path"))
    first = units.first()
    form = NominateForm(data, initial={"unit": first.pk if first else None})
    form.fields["unit"].queryset = units  # type: ignore[attr-defined]
    if len(scheme.nominated_by) > 1:
        form.fields["by"].choices = [(w, NOMINATORS[w]) for w in scheme.nominated_by]  # type: ignore[attr-defined]
        form.fields["by"].initial = scheme.nominated_by[0]
    else:
        del form.fields["by"]
    if "people" not in scheme.nominated_by:
        del form.fields["recommender_name"], form.fields["recommender_phone"]
    form.fields["nominee"].choices = [  # type: ignore[attr-defined]
        ("", "—"), *_holders(scheme.nominee, units[:200])]
    # The latest hundred activities of the units (a list of ids: the field filters it).
    recent = list(Activity.objects.filter(unit__in=units,
                                          date__year__in=[round_.year, round_.year - 1])
                  .order_by("-date").values_list("pk", flat=True)[:100])
    form.fields["activities"].queryset = (  # type: ignore[attr-defined]
        Activity.objects.filter(pk__in=recent).order_by("-date"))
    if not recent:
        del form.fields["activities"]  # nothing to choose: no empty box
    return form


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    round_ = selectors.round_for(scope=scope, pk=pk)
    return _round_page(request, scope, round_)


def _round_page(request: HttpRequest, scope: Scope, round_: Round, *,
                nominate_form: NominateForm | None = None, status: int = 200,
                error: str = "") -> HttpResponse:
    scheme = scheme_for(round_.scheme_code)
    organiser = scope.allows(round_.organiser, Cap.ORGANISE_AWARDS)
    may_nominate = (round_.stage == Stage.NOMINATING and timezone.now() <= round_.nominate_until
                    and scope.units(Cap.ENTER_DATA).filter(
                        path__startswith=round_.organiser.path).exclude(
                        pk=round_.organiser.pk).exists())
    rows = list(selectors.nominations(scope=scope, round=round_)
                .prefetch_related("objections", "activities", "photos"))
    tallies_shown = round_.stage not in (Stage.NOMINATING, Stage.REVIEWING, Stage.VOTING)
    panel: list[Membership] = []
    if organiser and round_.stage in (Stage.NOMINATING, Stage.REVIEWING):
        panel = list(Membership.objects.filter(unit__path__startswith=round_.organiser.path,
                                               user__is_active=True)
                     .select_related("user", "unit").order_by("unit__path", "user__username")[:80])
    objections: list[dict[str, Any]] = []
    for n in rows:
        for o in n.objections.all():
            objections.append({"o": o, "n": n, "phone": mask_phone(o.phone),
                               "name": mask_name(o.name)})
    return render(request, "awards/round.html", {
        "round": round_, "scheme": scheme, "rows": rows, "organiser": organiser,
        "may_name": scope.allows(round_.organiser, Cap.NAME_AWARDS),
        "may_nominate": may_nominate, "nominate_form": nominate_form or (
            _nominate_form(scope, round_) if may_nominate else None),
        "tallies_shown": tallies_shown, "panel": panel, "objections": objections,
        "open_objections": sum(1 for x in objections if x["o"].state == ObjectionState.OPEN),
        "publicity_over": round_.publicity_until is not None
        and timezone.now() >= round_.publicity_until,
        "public_url": request.build_absolute_uri(reverse("gongshi:round", args=[round_.public_code])),
        "level_name": LEVEL_NAMES.get(round_.level, ""), "error": error,
        "named": list(round_.titles.all()), "S": Stage, "NS": NominationState}, status=status)


@login_required
@require_POST
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    round_ = selectors.round_for(scope=scope, pk=pk)
    scheme = scheme_for(round_.scheme_code)
    form = _nominate_form(scope, round_, request.POST)
    if not form.is_valid() or scheme is None:
        return _round_page(request, scope, round_, nominate_form=form, status=400)
    d = form.cleaned_data
    photos = request.FILES.getlist("photos")[:actions.MAX_PHOTOS + 1]
    try:
        actions.nominate(scope=scope, actor=request.user, round=round_, unit=d["unit"],
                         nominee=_nominee(d["nominee"], scheme.nominee), name=d["name"],
                         reasons=d["reasons"], by=d.get("by") or scheme.nominated_by[0],
                         recommender_name=d.get("recommender_name", ""),
                         recommender_phone=d.get("recommender_phone", ""),
                         activities=list(d.get("activities") or []), uploads=photos)
    except ValidationError as error:
        apply_errors(form, error, default_field="nominee",
                     aliases={"round": "__all__", "photos": "__all__"})
        return _round_page(request, scope, round_, nominate_form=form, status=400)
    messages.success(request, _("已推荐「%(n)s」，等待初审") % {"n": d["name"]})
    return redirect("awards:round", round_.pk)


def _voters(request: HttpRequest) -> list[tuple[User, str]]:
    out = []
    for raw in request.POST.getlist("voter")[:200]:
        pk = _int(raw)
        user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
        if user is not None:
            out.append((user, request.POST.get(f"weight_{pk}", "1")[:8] or "1"))
    return out


@login_required
@require_POST
def round_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """初审, start the vote, 综合评定, 公示, answer an objection, name."""
    scope, user = _scope(request), request.user
    round_ = selectors.round_for(scope=scope, pk=pk)
    post = request.POST
    try:
        if action == "review":
            n = round_.nominations.filter(pk=_int(post.get("nomination")) or 0).first()
            if n is None:
                raise Http404
            actions.review(scope=scope, actor=user, nomination=n, accept=post.get("accept") == "1",
                           reason=post.get("reason", "")[:400], score=post.get("score", ""))
        elif action == "voting":
            actions.start_voting(scope=scope, actor=user, round=round_, voters=_voters(request))
        elif action == "evaluate":
            actions.evaluate(scope=scope, actor=user, round=round_)
        elif action == "publicise":
            actions.publicise(scope=scope, actor=user, round=round_)
        elif action == "answer":
            o = Objection.objects.filter(pk=_int(post.get("objection")) or 0,
                                         nomination__round=round_).first()
            if o is None:
                raise Http404
            actions.answer_objection(scope=scope, actor=user, objection=o,
                                     upheld=post.get("upheld") == "1",
                                     answer=post.get("answer", "")[:2100])
        elif action == "name":
            ids = [i for i in (_int(v) for v in post.getlist("nomination")[:500]) if i]
            actions.name_titles(scope=scope, actor=user, round=round_,
                                nominations=list(round_.nominations.filter(pk__in=ids)))
        else:
            raise Http404
    except ValidationError as error:
        return _round_page(request, scope, selectors.round_for(scope=scope, pk=pk),
                           status=400, error=_error_text(error))
    messages.success(request, _("已保存"))
    return redirect("awards:round", round_.pk)


# -- the ballot --------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    round_, voter = selectors.ballot_round(scope=scope, user=request.user, pk=pk)
    error = ""
    if request.method == "POST":
        n = round_.nominations.filter(pk=_int(request.POST.get("nomination")) or 0).first()
        if n is None:
            raise Http404
        try:
            actions.vote(scope=scope, actor=request.user, nomination=n,
                         approve=request.POST.get("approve") == "1")
        except ValidationError as err:
            error = _error_text(err)
        else:
            messages.success(request, _("已投票"))
            return redirect("awards:ballot", round_.pk)
    mine = {v.nomination_id: v.approve for v in voter.votes.all()}
    candidates = list(round_.nominations.filter(state=NominationState.ACCEPTED)
                      .select_related("unit").order_by("unit__path", "id"))
    now = timezone.now()
    open_ = (round_.stage == Stage.VOTING and round_.vote_from is not None
             and round_.vote_until is not None and round_.vote_from <= now <= round_.vote_until)
    return render(request, "awards/ballot.html", {
        "round": round_, "candidates": [(c, mine.get(c.pk)) for c in candidates],
        "open": open_, "error": error, "voter": voter}, status=400 if error else 200)


# -- titles ------------------------------------------------------------------------------

class RecordForm(Styled, forms.Form):
    """A title named by a level above (市级及以上), recorded from its document; the holder
    is a unit (households and people are recorded where names may be read)."""

    scheme = forms.ChoiceField(label=gettext_lazy("称号"))
    level = forms.ChoiceField(label=gettext_lazy("级别"), choices=[
        ("city", gettext_lazy("市级")), ("province", gettext_lazy("省级")),
        ("national", gettext_lazy("国家级"))])
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    holder = forms.ModelChoiceField(queryset=Unit.objects.none(), label=gettext_lazy("获得称号的单位"))
    document = forms.CharField(label=gettext_lazy("命名文件"), max_length=200)
    named_on = forms.DateField(label=gettext_lazy("命名日期"), widget=DateInput())


def _record_form(scope: Scope, data: Any = None) -> RecordForm:
    form = RecordForm(data, initial={"year": timezone.localdate().year,
                                     "named_on": timezone.localdate()})
    form.fields["scheme"].choices = [  # type: ignore[attr-defined]
        (s.code, s.name) for s in builtin().values()
        if s.nominee == "unit" and any(q.level in ("city", "province", "national") for q in s.quotas)]
    form.fields["holder"].queryset = (  # type: ignore[attr-defined]
        scope.units(Cap.NAME_AWARDS).filter(closed_on__isnull=True)
        .exclude(level__in=[Level.GRID, Level.BUILDING]).order_by("path"))
    return form


@login_required
@require_http_methods(["GET", "POST"])
def titles(request: HttpRequest) -> HttpResponse:
    scope, year = _scope(request), _year(request)
    may_name = scope.allows_any(Cap.NAME_AWARDS)
    form = _record_form(scope, request.POST if request.method == "POST" else None) if may_name else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            holder = d["holder"]
            recorder = (scope.units(Cap.NAME_AWARDS).filter(pk__in=[
                int(p) for p in holder.path.strip("/").split("/") if p.isdigit()])
                .order_by("depth").first())
            try:
                title = actions.record_title(
                    scope=scope, actor=request.user, scheme_code=d["scheme"], level=d["level"],
                    year=d["year"], recorder=recorder or holder, holder=holder, name=holder.name,
                    document=d["document"], named_on=d["named_on"])
            except ValidationError as error:
                apply_errors(form, error, aliases={"holder": "holder"})
            else:
                messages.success(request, _("已登记「%(n)s」的称号") % {"n": title.name})
                return redirect("awards:title", title.pk)
    rows = list(selectors.titles(scope=scope, year=year).order_by("title", "unit__path")[:500])
    found = selectors.recheck(scope=scope, year=year) if may_name else []
    return render(request, "awards/titles.html", {"year": year, "rows": rows, "found": found,
                                                  "form": form},
                  status=400 if form is not None and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def title_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    title = selectors.title_for(scope=scope, pk=pk)
    error = ""
    if request.method == "POST":
        keep = request.POST.get("decision") == "keep"
        reason = request.POST.get("reason", "")[:400]
        try:
            if keep:
                actions.keep_title(scope=scope, actor=request.user, title=title, reason=reason)
            else:
                actions.withdraw_title(scope=scope, actor=request.user, title=title, reason=reason)
        except ValidationError as err:
            error = _error_text(err)
        else:
            messages.success(request, _("已保留称号") if keep else _("已摘牌"))
            return redirect("awards:title", title.pk)
    return render(request, "awards/title.html", {
        "t": title, "history": list(selectors.history(scope=scope, title=title)),
        "may_withdraw": title.state == TitleState.ACTIVE
        and scope.allows(title.organiser, Cap.NAME_AWARDS),
        "error": error, "check_url": _check_url(request, title)}, status=400 if error else 200)


def _check_url(request: HttpRequest, title: Title) -> str:
    return request.build_absolute_uri(reverse("gongshi:check", args=[title.code]))


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    title = selectors.title_for(scope=scope, pk=pk)
    if title.state != TitleState.ACTIVE:
        raise Http404
    pdf = certificate.render_pdf(title, _check_url(request, title))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{title.code}.pdf"'
    return response


# -- public pages (no login) -------------------------------------------------------------

class ObjectionForm(Styled, forms.Form):
    nomination = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=gettext_lazy("异议内容"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    name = forms.CharField(label=gettext_lazy("您的姓名"), max_length=50,
                           help_text=gettext_lazy("仅供核实，不公开"))
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20,
                            help_text=gettext_lazy("仅供核实，不公开"))


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=LOOKUP_RATE, method="GET", block=True)
@ratelimit(key="ip", rate=OBJECTION_RATE, method="POST", block=True)
def public_round(request: HttpRequest, code: str) -> HttpResponse:
    anyone = Scope(user_id=None)
    round_ = selectors.public_round(scope=anyone, code=code)
    form = ObjectionForm(request.POST if request.method == "POST" else None)
    target = None
    if request.method == "POST":
        if form.is_valid():
            target = round_.nominations.filter(pk=form.cleaned_data["nomination"]).first()
            if target is None:
                raise Http404
            try:
                actions.object_to(scope=anyone, nomination=target, text=form.cleaned_data["text"],
                                  name=form.cleaned_data["name"], phone=form.cleaned_data["phone"])
            except ValidationError as error:
                apply_errors(form, error, default_field="text")
            else:
                return redirect(reverse("gongshi:round", args=[round_.public_code]) + "?thanks=1")
        else:
            target = round_.nominations.filter(pk=_int(request.POST.get("nomination")) or 0).first()
    now = timezone.now()
    return render(request, "awards/public/round.html", {
        "round": round_, "rows": list(selectors.public_list(scope=anyone, round=round_)),
        "open": round_.stage == Stage.PUBLICISING and round_.publicity_until is not None
        and now <= round_.publicity_until, "form": form, "target": target,
        "thanks": request.GET.get("thanks")}, status=400 if form.errors else 200)


@require_GET
@ratelimit(key="ip", rate=LOOKUP_RATE, block=True)
def public_check(request: HttpRequest, code: str = "") -> HttpResponse:
    code = (code or request.GET.get("code", "")).strip()[:40]
    title = selectors.title_by_code(scope=Scope(user_id=None), code=code) if code else None
    error = ""
    if code and title is None:
        error = _("没有找到编号为「%(c)s」的证书，请核对后再试") % {"c": code}
    return render(request, "awards/public/check.html", {"t": title, "code": code, "error": error},
                  status=404 if error else 200)


@login_required
@require_GET
def title_qr(request: HttpRequest, pk: int) -> HttpResponse:
    title = selectors.title_for(scope=_scope(request), pk=pk)
    return HttpResponse(certificate.qr_svg(_check_url(request, title), scale=5),
                        content_type="image/svg+xml")


