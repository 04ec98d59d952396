from __future__ import annotations

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from chuangjian.evidence.builtin_types import BUILTIN_TYPES

    ActivityType = apps.get_model("evidence", "ActivityType")
    for order, row in enumerate(BUILTIN_TYPES, start=1):
        ActivityType.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "is_meeting": row["is_meeting"],
                      "elements": row["elements"], "keywords": row["keywords"],
                      "order": order * 10, "builtin": True, "active": True})


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
