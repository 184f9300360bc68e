# Milestones are computed from an item's dates and its project's checkpoints
# (roadmap.services.plans.item_milestones) instead of being stored: writing ~3 rows per item was
# most of plan generation's time, and stored rows went stale when the curriculum's checkpoints
# changed.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0007_milestone_plan"),
    ]

    operations = [
        migrations.DeleteModel(
            name="PlanMilestone",
        ),
    ]
