"""The result rows' own index on ``run_id`` dropped: the unique (run, unit) index begins with
it and answers every lookup by run, and one index fewer is written for each of the ~19,000
rows of a full assessment at L (insert 0.28-0.30 -> 0.27 s on SQLite). Dropped by name as
the database lists it, not by altering the field: Django's SQLite backend would copy the
whole table to alter it."""

import django.db.models.deletion
from django.db import migrations, models


def _run_id_indexes(schema_editor, table):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return [name for name, c in found.items() if c["index"] and not c["unique"]
            and not c["primary_key"] and c["columns"] == ["run_id"]]


def drop(apps, schema_editor):
    table = apps.get_model("assessment", "UnitResult")._meta.db_table
    for name in _run_id_indexes(schema_editor, table):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create(apps, schema_editor):
    model = apps.get_model("assessment", "UnitResult")
    if not _run_id_indexes(schema_editor, model._meta.db_table):
        schema_editor.add_index(model, models.Index(fields=["run"], name="assessment_result_run"))


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0006_results_json_as_text'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='unitresult',
                    name='run',
                    field=models.ForeignKey(db_index=False,
                                            on_delete=django.db.models.deletion.CASCADE,
                                            related_name='results',
                                            to='assessment.assessmentrun'),
                ),
            ],
            database_operations=[migrations.RunPython(drop, create)],
        ),
    ]
