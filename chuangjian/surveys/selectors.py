"""Reads of the surveys app, always through the caller's scope; and the results: rate,
Wilson interval and n per group, the unit's combined rate, progress against quotas."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope, require_visible
from chuangjian.surveys import stats
from chuangjian.surveys.models import Group, Link, Questionnaire, Quota, Response, Survey

APPROVED = Response.State.APPROVED


def questionnaires(*, scope: Scope) -> QuerySet[Questionnaire]:
    """Questionnaires are forms, the same for everyone signed in (like the standards)."""
    if scope.is_empty:
        return Questionnaire.objects.none()
    return Questionnaire.objects.prefetch_related("versions").order_by("code")


def visible_surveys(*, scope: Scope) -> QuerySet[Survey]:
    """Surveys whose area, or one of whose places, lies in the caller's scope."""
    if scope.is_empty:
        return Survey.objects.none()
    inside = scope.q(Cap.VIEW, field_name="unit__path") | scope.q(
        Cap.VIEW, field_name="quotas__unit__path")
    ids = Survey.objects.filter(inside).values("pk")
    return (Survey.objects.filter(pk__in=ids).select_related("questionnaire", "unit")
            .order_by("-year", "code"))


def survey_for(*, scope: Scope, code: str) -> Survey:
    survey = visible_surveys(scope=scope).filter(code=code).first()
    if survey is None:
        raise Http404
    return survey


def places(*, scope: Scope, survey: Survey, cap: Cap = Cap.VIEW) -> list[Unit]:
    """The places with a quota that the caller reaches with ``cap``."""
    ids = scope.filter(Quota.objects.filter(survey=survey), cap, field_name="unit__path"
                       ).values("unit_id")
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))


def link_by_token(*, scope: Scope, token: str) -> Link:
    """A public link: whoever holds the token may answer (no login, hence any scope)."""
    link = (Link.objects.filter(token=str(token)[:32], active=True)
            .select_related("survey__questionnaire", "unit").first())
    if link is None:
        raise Http404
    return link


def response_for(*, scope: Scope, pk: int) -> Response:
    row = (Response.objects.select_related("survey__questionnaire", "unit", "version",
                                           "enumerator", "reviewed_by")
           .filter(pk=pk).first())
    if row is None:
        raise Http404
    require_visible(scope, row.unit)
    return row


def responses(*, scope: Scope, survey: Survey, state: str = "", flagged: bool = False
              ) -> QuerySet[Response]:
    qs = scope.filter(Response.objects.filter(survey=survey), Cap.VIEW, field_name="unit__path")
    if state:
        qs = qs.filter(state=state)
    if flagged:
        qs = qs.exclude(flags=[])
    return qs.select_related("unit", "enumerator").order_by("-received_at", "-id")


# -- results ----------------------------------------------------------------------------

@dataclass(frozen=True)
class GroupResult:
    group: str
    label: str
    n: int
    aware: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    target: float | None
    status: str
    quota: int
    received: int

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: data[k] for k in ("group", "n", "aware", "rate", "ci_low", "ci_high",
                                     "target", "status")}

    @property
    def progress(self) -> float:
        return min(100.0, 100.0 * self.n / self.quota) if self.quota else 0.0


@dataclass(frozen=True)
class UnitResult:
    unit: Unit
    groups: list[GroupResult]
    combined: float | None
    combined_low: float | None
    combined_high: float | None
    n: int


def _group_rows(survey: Survey, path: str) -> tuple[dict[str, tuple[int, int, int]],
                                                      dict[str, tuple[int, float]]]:
    counts: dict[str, tuple[int, int, int]] = {}
    rows = (Response.objects.filter(survey=survey, unit__path__startswith=path)
            .values("group").annotate(
                n=Count("pk", filter=Q(state=APPROVED)),
                k=Count("pk", filter=Q(state=APPROVED, positive=True)),
                received=Count("pk")))
    for r in rows:
        counts[r["group"]] = (r["n"], r["k"], r["received"])
    quotas: dict[str, tuple[int, float]] = defaultdict(lambda: (0, 0.0))
    for q in Quota.objects.filter(survey=survey, unit__path__startswith=path).values(
            "group").annotate(t=Sum("target_n"), pop=Sum("population")):
        quotas[q["group"]] = (int(q["t"] or 0), float(q["pop"] or q["t"] or 0))
    return counts, quotas


def results(*, scope: Scope, survey: Survey, unit: Unit) -> UnitResult:
    """Each group's rate with its Wilson 95% interval and n, over the unit's subtree, and
    the unit's rate combined with the groups' weights (their sizes, else quotas)."""
    require_visible(scope, unit)
    counts, quotas = _group_rows(survey, unit.path)
    targets = survey.questionnaire.targets or {}
    labels = dict(Group.choices)
    groups: list[GroupResult] = []
    for code in [g for g in Group.values if g in counts or g in quotas]:
        n, k, received = counts.get(code, (0, 0, 0))
        target = targets.get(code)
        if target is None and code in ("urban", "rural") and unit.category:
            target = targets.get("urban" if unit.category == "城镇" else "rural")
        rate = stats.Rate(n=n, k=k, target=float(target) if target is not None else None)
        interval = rate.interval
        groups.append(GroupResult(
            group=code, label=str(labels[code]), n=n, aware=k,
            rate=round(rate.rate, 4) if rate.rate is not None else None,
            ci_low=round(interval[0], 4) if interval else None,
            ci_high=round(interval[1], 4) if interval else None,
            target=rate.target, status=rate.status, quota=quotas[code][0] if code in quotas
            else 0, received=received))
    parts = [(g.aware, g.n, quotas[g.group][1] if g.group in quotas else 0.0) for g in groups]
    combined = stats.combined(parts)
    return UnitResult(unit=unit, groups=groups,
                      combined=round(combined[0], 4) if combined else None,
                      combined_low=round(combined[1][0], 4) if combined else None,
                      combined_high=round(combined[1][1], 4) if combined else None,
                      n=sum(g.n for g in groups))


def results_by_place(*, scope: Scope, survey: Survey) -> list[UnitResult]:
    return [results(scope=scope, survey=survey, unit=u) for u in places(scope=scope, survey=survey)]


def quota_progress(*, scope: Scope, survey: Survey) -> list[dict[str, Any]]:
    """Every quota the caller sees with approved and received counts against it."""
    quotas = list(scope.filter(Quota.objects.filter(survey=survey), Cap.VIEW,
                               field_name="unit__path").select_related("unit")
                  .order_by("unit__path", "group"))
    counts = {(r["unit_id"], r["group"]): r for r in Response.objects.filter(survey=survey)
              .values("unit_id", "group").annotate(
                  n=Count("pk", filter=Q(state=APPROVED)), received=Count("pk"))}
    out = []
    for q in quotas:
        c = counts.get((q.unit_id, q.group), {"n": 0, "received": 0})
        out.append({"quota": q, "n": c["n"], "received": c["received"],
                    "progress": min(100.0, 100.0 * c["n"] / q.target_n) if q.target_n else 0.0})
    return out
