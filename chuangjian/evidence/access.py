"""Who may open an activity's or an evidence document's files: whoever holds the capability
asked for (VIEW, or INSPECT for an original photo) at its unit."""

from __future__ import annotations

from typing import Any

from chuangjian.evidence.models import Activity, EvidenceDocument
from chuangjian.files.access import register
from chuangjian.files.models import StoredFile
from chuangjian.org.scope import Cap, Scope


@register
def evidence_files(user: Any, scope: Scope, stored: StoredFile, cap: Cap = Cap.VIEW) -> bool:
    activities = scope.filter(Activity.objects.filter(attachments__file=stored), cap,
                              field_name="unit__path")
    if activities.exists():
        return True
    documents = scope.filter(EvidenceDocument.objects.filter(file=stored), cap,
                             field_name="unit__path")
    return documents.exists()
