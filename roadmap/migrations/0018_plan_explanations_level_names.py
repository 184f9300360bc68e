"""Plan items' explanations name levels ("from Aware to Proficient") instead of numbers: rewrite
the ones stored before, with the scale's names at the time of the migration (Level's labels for
levels without a row). New plans are written with the names by the planner."""

import re

from django.db import migrations

LEVEL_LABELS = {0: "None", 1: "Aware", 2: "Working", 3: "Proficient", 4: "Expert"}
STEP = re.compile(r"\bfrom ([0-4]) to ([0-4])\b")


def names_for_levels(apps, schema_editor):
    ScaleLevel = apps.get_model("curriculum", "ScaleLevel")
    PlanItem = apps.get_model("roadmap", "PlanItem")
    names = {**LEVEL_LABELS, **dict(ScaleLevel.objects.values_list("level", "name"))}

    def named(match):
        return f"from {names[int(match[1])]} to {names[int(match[2])]}"

    changed = []
    for item in PlanItem.objects.filter(explanation__contains="from ").only("id", "explanation"):
        text = STEP.sub(named, item.explanation)
        if text != item.explanation:
            item.explanation = text
            changed.append(item)
    PlanItem.objects.bulk_update(changed, ["explanation"], batch_size=200)


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0017_rating_withdrawn"),
        ("curriculum", "0007_case_uuid_unique"),
    ]

    operations = [migrations.RunPython(names_for_levels, migrations.RunPython.noop)]
