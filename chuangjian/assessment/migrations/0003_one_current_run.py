from django.db import migrations, models


def keep_one_current(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Where an old race left two current runs of one standard, year, kind and scope,
    the one finished last stays current."""
    Run = apps.get_model("assessment", "AssessmentRun")
    seen: set[tuple[str, int, str, int]] = set()
    for run in Run.objects.filter(current=True).order_by("-finished_at", "-id"):
        key = (run.standard_code, run.year, run.kind, run.root_id)
        if key in seen:
            Run.objects.filter(pk=run.pk).update(current=False)
        seen.add(key)


class Migration(migrations.Migration):

    dependencies = [
        ("assessment", "0002_compact_items"),
    ]

    operations = [
        migrations.RunPython(keep_one_current, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="assessmentrun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("current", True)),
                fields=("standard_code", "year", "kind", "root"),
                name="assessment_run_one_current",
            ),
        ),
    ]
