# The CASE identifiers, added nullable first: a unique default cannot be added in one step to a
# table that already has rows (every row would get the same uuid). 0006 fills them, 0007 makes
# them unique and required (three migrations, as Django's docs advise for PostgreSQL).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("curriculum", "0004_resources")]

    operations = [
        migrations.AddField("path", "case_uuid", models.UUIDField(null=True, editable=False)),
        migrations.AddField("competency", "case_uuid", models.UUIDField(null=True, editable=False)),
        migrations.AddField("project", "case_uuid", models.UUIDField(null=True, editable=False)),
    ]
