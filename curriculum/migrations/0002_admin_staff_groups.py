"""Two groups for staff who are not superusers: "Curriculum editors" edit the whole curriculum;
"Cohort managers" manage cohorts and may look up people and their progress (view only, so they
cannot grant themselves staff or superuser rights). Staff need is_staff plus one of these."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURRICULUM_EDITORS = "Curriculum editors"
COHORT_MANAGERS = "Cohort managers"

COHORT_MANAGER_PERMISSIONS = [
    ("accounts", "cohort", ["add", "change", "delete", "view"]),
    ("accounts", "cohortmembership", ["add", "change", "delete", "view"]),
    ("accounts", "user", ["view"]),
    ("curriculum", "path", ["view"]),
    ("roadmap", "rating", ["view"]),
    ("roadmap", "pathselection", ["view"]),
]


def create_groups(apps, schema_editor):
    # Permissions are normally made after migrate (post_migrate); make them now so a fresh
    # database gets the groups with their permissions in one run.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=CURRICULUM_EDITORS)
    editors.permissions.add(*Permission.objects.filter(content_type__app_label="curriculum"))
    managers, _ = Group.objects.get_or_create(name=COHORT_MANAGERS)
    for app_label, model, actions in COHORT_MANAGER_PERMISSIONS:
        managers.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"{action}_{model}" for action in actions],
            )
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[CURRICULUM_EDITORS, COHORT_MANAGERS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("curriculum", "0001_initial"),
        ("accounts", "0002_last_activity"),
        ("roadmap", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
