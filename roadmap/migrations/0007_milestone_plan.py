import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_plan(apps, schema_editor):
    PlanItem = apps.get_model("roadmap", "PlanItem")
    PlanMilestone = apps.get_model("roadmap", "PlanMilestone")
    PlanMilestone.objects.update(
        plan_id=Subquery(PlanItem.objects.filter(pk=OuterRef("item_id")).values("plan_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0006_current_ratings"),
    ]

    operations = [
        migrations.AddField(
            model_name="planmilestone",
            name="plan",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="roadmap.plan",
            ),
        ),
        migrations.RunPython(fill_plan, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="planmilestone",
            name="plan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="roadmap.plan",
            ),
        ),
        migrations.AlterField(
            model_name="planmilestone",
            name="item",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="milestones",
                to="roadmap.planitem",
            ),
        ),
    ]
