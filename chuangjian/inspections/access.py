"""Who may open an inspection photo: whoever may see the finding, order or report it
belongs to (registered with ``chuangjian.files.access``)."""

from __future__ import annotations

from typing import Any

from chuangjian.files.access import register
from chuangjian.files.models import StoredFile
from chuangjian.inspections import selectors
from chuangjian.inspections.models import RectificationPhoto, Recurrence
from chuangjian.org.scope import Cap, Scope


@register
def inspection_files(user: Any, scope: Scope, stored: StoredFile, cap: Cap = Cap.VIEW) -> bool:
    """VIEW: whoever may see the finding, order or report. Any other capability (INSPECT
    for an original with its GPS) must be held at the finding's own unit — the assignee
    department sees the finding, but not where and with what phone it was photographed."""
    visible = selectors.findings(scope=scope)
    if cap != Cap.VIEW:
        visible = visible.filter(scope.q(cap, field_name="unit__path"))
    if visible.filter(photo_links__file=stored).exists():
        return True
    if RectificationPhoto.objects.filter(file=stored, order__finding__in=visible.values("pk")
                                         ).exists():
        return True
    if Recurrence.objects.filter(photos=stored, order__finding__in=visible.values("pk")).exists():
        return True
    # The triage queue is INSPECT's already: reports at the inspector's units and those
    # whose resident named no community.
    return selectors.report_queue(scope=scope).filter(photo_links__file=stored).exists()
