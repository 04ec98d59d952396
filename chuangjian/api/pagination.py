"""Page-number pagination that answers 404 for a page past the end.

ninja's own computes ``(page - 1) * size`` for any page and hands it to the database,
where a page of 4611686018427387903 overflows the integer and becomes a server error.
"""

from __future__ import annotations

import math
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja.pagination import PageNumberPagination


class BoundedPageNumberPagination(PageNumberPagination):
    def paginate_queryset(self, queryset: QuerySet, pagination: Any,
                          request: HttpRequest, **params: Any) -> Any:
        page_size = self._get_page_size(pagination.page_size)
        count = self._items_count(queryset)
        last = max(1, math.ceil(count / page_size))
        if pagination.page > last:
            raise Http404(_("没有第 %(page)s 页：共 %(last)d 页") % {
                "page": pagination.page if pagination.page < 10**9 else _("该"), "last": last})
        offset = (pagination.page - 1) * page_size
        return {self.items_attribute: queryset[offset:offset + page_size], "count": count}
