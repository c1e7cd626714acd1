"""Issue 19 §3: a window's sums keep the key they were written under while the job moves the window by
difference; existing windows' rows carry their start."""

from django.db import migrations, models
from django.db.models import F


def rows_under_their_start(apps, schema_editor):
    apps.get_model("supervision", "ActivityWindow").objects.update(rows_since=F("since"))


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0006_activity_windows"),
    ]

    operations = [
        migrations.AddField(
            model_name="activitywindow",
            name="rows_since",
            field=models.DateField(null=True, verbose_name="sommes rangées sous le"),
        ),
        migrations.RunPython(rows_under_their_start, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="activitywindow",
            name="rows_since",
            field=models.DateField(verbose_name="sommes rangées sous le"),
        ),
    ]
