# Columns a new plan item does not have yet get database defaults, so plan generation's bulk
# insert leaves them out (roadmap.models.plans.PlanItem).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0008_milestones_computed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="planitem",
            name="completed_at",
            field=models.DateTimeField(blank=True, db_default=None, null=True),
        ),
        migrations.AlterField(
            model_name="planitem",
            name="evidence_url",
            field=models.URLField(blank=True, db_default="", max_length=500),
        ),
        migrations.AlterField(
            model_name="planitem",
            name="reflection",
            field=models.TextField(blank=True, db_default="", max_length=2000),
        ),
        migrations.AlterField(
            model_name="planitem",
            name="started_at",
            field=models.DateTimeField(blank=True, db_default=None, null=True),
        ),
        migrations.AlterField(
            model_name="planitem",
            name="status",
            field=models.CharField(
                choices=[
                    ("planned", "Planned"),
                    ("started", "Started"),
                    ("done", "Done"),
                    ("skipped", "Skipped"),
                ],
                db_default="planned",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="planitem",
            name="verified_at",
            field=models.DateTimeField(blank=True, db_default=None, null=True),
        ),
        migrations.AlterField(
            model_name="planitem",
            name="verified_by",
            field=models.ForeignKey(
                blank=True,
                db_default=None,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
