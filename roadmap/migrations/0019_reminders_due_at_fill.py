"""Fill User.reminders_due_at (accounts 0008 added it as "due at once") for existing users, so
the first dispatcher tick after the deploy reads only who is due instead of everyone.

Computed with the schedule's pure functions from each user's preferences and zone. A user with
something due right now, or with an open item of their current plan (their milestones are not
read here), stays due at once: the first tick looks at them and sets their instant itself."""

import datetime as dt

from django.db import migrations
from django.db.models import F
from django.utils import timezone

CHUNK = 2000


def fill(apps, schema_editor):
    from roadmap.lib import schedule  # pure functions over plain data, no models

    User = apps.get_model("accounts", "User")
    ReminderPreference = apps.get_model("roadmap", "ReminderPreference")
    PlanItem = apps.get_model("roadmap", "PlanItem")
    now = timezone.now()
    defaults = ReminderPreference()  # the model's defaults, for users without a row
    last_pk = 0
    while True:
        users = list(
            User.objects.filter(is_active=True, pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "timezone", "last_activity_at", "date_joined")[:CHUNK]
        )
        if not users:
            return
        last_pk = users[-1][0]
        ids = [pk for pk, *_ in users]
        prefs = {p.user_id: p for p in ReminderPreference.objects.filter(user_id__in=ids)}
        scheduled = []
        with_plans = set(
            PlanItem.objects.filter(
                plan__learner_id__in=ids,
                plan__path_id=F("plan__learner__target_path_id"),
                status__in=["planned", "started"],
                planned_end__gte=now.date() - dt.timedelta(days=1),
            ).values_list("plan__learner_id", flat=True)
        )
        for pk, zone_name, last_activity, joined in users:
            pref = prefs.get(pk, defaults)
            if pk in with_plans and pref.milestone_enabled:
                continue  # due at once (the column's default)
            reminders = schedule.Reminders(
                schedule=schedule.Schedule(
                    weekday=pref.weekday,
                    hour=pref.hour,
                    frequency=pref.frequency,
                    quiet_start=pref.quiet_start,
                    quiet_end=pref.quiet_end,
                    inactivity_days=pref.inactivity_days,
                ),
                zone=schedule.safe_zone(zone_name),
                weekly=pref.weekly_enabled or pref.digest_enabled,
                inactivity=pref.inactivity_enabled,
                last_activity=last_activity or joined,
            )
            if not schedule.due_periods(reminders, now):
                scheduled.append(User(pk=pk, reminders_due_at=schedule.next_due_at(reminders, now)))
        User.objects.bulk_update(scheduled, ["reminders_due_at"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_user_reminders_due_at"),
        ("roadmap", "0018_plan_explanations_level_names"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
