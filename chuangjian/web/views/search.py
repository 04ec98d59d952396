"""One search box for the whole product (全站搜索): units, people, standards and indicators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from chuangjian.org import selectors as org_selectors
from chuangjian.standards import selectors as standard_selectors
from chuangjian.web.views.common import AuthedRequest, scope_of

MAX_QUERY = 50


@login_required
def search(request: AuthedRequest) -> HttpResponse:
    scope = scope_of(request)
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    units = org_selectors.search_units(scope=scope, query=query, limit=30) if query else []
    names = org_selectors.names_by_id({i for u in units for i in u.ancestor_ids()})
    for u in units:
        u.trail = [names[i] for i in u.ancestor_ids() if i in names]  # type: ignore[attr-defined]
    people = org_selectors.search_people(query, scope=scope, limit=30)
    standards = standard_selectors.search_standards(query, scope=scope)
    indicators = standard_selectors.search_indicators(query, scope=scope, limit=30)
    return render(request, "web/search.html", {
        "query": query, "units": units, "people": people, "standards": standards,
        "indicators": indicators,
        "total": len(units) + len(people) + len(standards) + len(indicators),
    })
