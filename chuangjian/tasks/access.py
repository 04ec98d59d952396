"""Who may open the photos and files of a task's progress updates: whoever holds the
capability asked for (VIEW, or INSPECT for an original photo) at the task's unit."""

from __future__ import annotations

from typing import Any

from chuangjian.files.access import register
from chuangjian.files.models import StoredFile
from chuangjian.org.scope import Cap, Scope
from chuangjian.tasks.models import TaskUpdate


@register
def task_files(user: Any, scope: Scope, stored: StoredFile, cap: Cap = Cap.VIEW) -> bool:
    updates = scope.filter(TaskUpdate.objects.filter(files=stored), cap,
                           field_name="task__unit__path")
    return updates.exists()
