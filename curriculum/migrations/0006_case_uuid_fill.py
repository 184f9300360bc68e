import uuid

from django.db import migrations


def fill(apps, schema_editor):
    for name in ("Path", "Competency", "Project"):
        model = apps.get_model("curriculum", name)
        for row in model.objects.filter(case_uuid__isnull=True).only("id"):
            row.case_uuid = uuid.uuid4()
            row.save(update_fields=["case_uuid"])


class Migration(migrations.Migration):
    dependencies = [("curriculum", "0005_case_uuid_add")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
