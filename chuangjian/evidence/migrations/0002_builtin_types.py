from __future__ import annotations

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from chuangjian.evidence.builtin_types import ensure_builtin_types

    ensure_builtin_types(apps.get_model("evidence", "ActivityType"))


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
