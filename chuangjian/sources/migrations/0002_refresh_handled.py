from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sources", "0001_stale_marks")]

    operations = [
        migrations.AddField(model_name="refresh", name="handled",
                            field=models.PositiveBigIntegerField(default=0)),
    ]
