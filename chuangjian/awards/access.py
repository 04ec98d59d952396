"""Who may open the photos of a nomination: the organiser's people (VIEW) and the
nominating unit's people (ENTER_DATA)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from chuangjian.awards.models import Nomination
from chuangjian.files.access import register
from chuangjian.files.models import StoredFile
from chuangjian.org.scope import Cap, Scope


@register
def nomination_photos(user: Any, scope: Scope, stored: StoredFile, cap: Cap = Cap.VIEW) -> bool:
    rows = Nomination.objects.filter(photos=stored)
    return rows.filter(scope.q(cap, field_name="round__organiser__path")
                       | (scope.q(Cap.ENTER_DATA, field_name="unit__path")
                          if cap == Cap.VIEW else Q(pk__in=[]))).exists()
