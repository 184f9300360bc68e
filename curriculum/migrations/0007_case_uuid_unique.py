import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("curriculum", "0006_case_uuid_fill")]

    operations = [
        migrations.AlterField(
            "path",
            "case_uuid",
            models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
        migrations.AlterField(
            "competency",
            "case_uuid",
            models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
        migrations.AlterField(
            "project",
            "case_uuid",
            models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
    ]
