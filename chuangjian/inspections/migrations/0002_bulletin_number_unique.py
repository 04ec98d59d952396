
from django.conf import settings
from django.db import migrations, models


def number_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Bulletins issued before the constraint get their year and, per unit and year,
    1, 2, 3… in the order they were made (as count() + 1 meant to number them)."""
    Bulletin = apps.get_model("inspections", "Bulletin")
    seen: dict[tuple[int, int], int] = {}
    for b in Bulletin.objects.order_by("id").only("id", "unit_id", "issued_on"):
        key = (b.unit_id, b.issued_on.year)
        seen[key] = seen.get(key, 0) + 1
        Bulletin.objects.filter(pk=b.pk).update(year=key[1], seq=seen[key])


class Migration(migrations.Migration):

    dependencies = [
        ('inspections', '0001_initial'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='bulletin',
            name='seq',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='bulletin',
            name='year',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='bulletin',
            constraint=models.UniqueConstraint(fields=('unit', 'year', 'seq'), name='inspections_bulletin_number_unique'),
        ),
    ]
