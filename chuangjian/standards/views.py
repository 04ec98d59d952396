from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from chuangjian.engine import expressions
from chuangjian.org.scope import Cap
from chuangjian.standards import selectors
from chuangjian.standards.models import StandardVersion
from chuangjian.standards.wording import formula_in_words, names_label


@login_required
def standard_list(request: HttpRequest) -> HttpResponse:
    standards = list(selectors.current_standards())
    campaigns: dict[str, list[StandardVersion]] = {}
    for standard in standards:
        campaigns.setdefault(standard.campaign, []).append(standard)
    can_author = request.scope.allows_any(Cap.AUTHOR_STANDARDS)  # type: ignore[attr-defined]
    return render(request, "standards/list.html", {"campaigns": campaigns,
                                                   "n_standards": len(standards),
                                                   "can_author": can_author})


@login_required
def standard_detail(request: HttpRequest, code: str) -> HttpResponse:
    version = request.GET.get("version")
    standard = selectors.standard_for(code, int(version) if version and version.isdigit() else None)
    versions = StandardVersion.objects.filter(code=code).order_by("-version").values_list(
        "version", flat=True).distinct()
    table = selectors.standard_table(standard)
    indicators = [i for item in table for c in item.contents for i in c.indicators]
    names = dict(standard.elements.values_list("code", "name"))
    names.update((i.code, i.name) for i in indicators)
    for ind in indicators:
        # People read the formula as names (已调解纠纷数 ÷ 纠纷总数); the code stays in a tooltip.
        ind.formula_words = (  # type: ignore[attr-defined]
            formula_in_words(expressions.parse(ind.expression), names_label(names))
            if ind.expression else "")
    return render(request, "standards/detail.html", {
        "standard": standard,
        "table": table,
        "versions": list(versions),
        "classes": list(standard.unit_classes.all()),
        "datasets": list(standard.datasets.prefetch_related("elements")),
        "categories": list(standard.problem_categories.filter(parent__isnull=True)
                           .prefetch_related("children")),
        "n_veto": sum(i.veto for i in indicators),
        "n_indicators": len(indicators),
        "base_total": sum(i.max_score for i in indicators if not i.bonus),
        "bonus_total": sum(i.max_score for i in indicators if i.bonus),
        "parts": selectors.standard_parts(standard, scope=request.scope),  # type: ignore[attr-defined]
    })
