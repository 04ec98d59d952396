"""Who may open an inspection photo: whoever may see the finding, order or report it
belongs to (registered with ``chuangjian.files.access``)."""

from __future__ import annotations

from typing import Any

from chuangjian.files.access import register
from chuangjian.files.models import StoredFile
from chuangjian.inspections import selectors
from chuangjian.inspections.models import RectificationPhoto, Recurrence
from chuangjian.org.scope import Scope


@register
def inspection_files(user: Any, scope: Scope, stored: StoredFile) -> bool:
    visible = selectors.findings(scope=scope)
    if visible.filter(photo_links__file=stored).exists():
        return True
    if RectificationPhoto.objects.filter(file=stored, order__finding__in=visible.values("pk")
                                         ).exists():
        return True
    if Recurrence.objects.filter(photos=stored, order__finding__in=visible.values("pk")).exists():
        return True
    return selectors.report_queue(scope=scope).filter(photo_links__file=stored).exists()
