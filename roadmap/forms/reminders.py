import datetime as dt

from django import forms

from accounts.forms import TIMEZONE_HELP, timezone_field
from roadmap.lib.schedule import Schedule, in_quiet_hours
from roadmap.models import ReminderPreference

HOUR_CHOICES = [(h, f"{h:02d}:00") for h in range(24)]


class ReminderPreferenceForm(forms.ModelForm):
    hour = forms.TypedChoiceField(choices=HOUR_CHOICES, coerce=int, label="At (your local time)")
    quiet_start = forms.TypedChoiceField(
        choices=HOUR_CHOICES,
        coerce=int,
        label="Quiet hours from",
        help_text="Nothing is sent between these hours, in your time zone.",
    )
    quiet_end = forms.TypedChoiceField(choices=HOUR_CHOICES, coerce=int, label="Quiet hours until")
    timezone = timezone_field(help_text=TIMEZONE_HELP)

    class Meta:
        model = ReminderPreference
        fields = [
            "weekly_enabled",
            "inactivity_enabled",
            "milestone_enabled",
            "digest_enabled",
            "feedback_enabled",
            "verification_enabled",
            "signoff_enabled",
            "joined_enabled",
            "reply_enabled",
            "announcement_enabled",
            "frequency",
            "weekday",
            "hour",
            "inactivity_days",
            "quiet_start",
            "quiet_end",
        ]
        labels = {
            "weekday": "On",
            "frequency": "How often",
            "inactivity_days": "Nudge after this many quiet days",
            "feedback_enabled": "E-mail me when a mentor sends me feedback",
            "verification_enabled": "E-mail me when a mentor verifies one of my ratings",
            "signoff_enabled": "E-mail me when a mentor signs off a checkpoint",
            "joined_enabled": "E-mail me when I join a cohort",
            "reply_enabled": "E-mail me when someone replies in a feedback thread",
            "announcement_enabled": "E-mail me my cohort's announcements",
        }
        help_texts = {
            "feedback_enabled": "These six are off until you turn them on; each one always "
            "shows in your notifications.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].initial = user.timezone
        if not self.is_bound:
            self.initial["quiet_start"] = self.instance.quiet_start.hour
            self.initial["quiet_end"] = self.instance.quiet_end.hour

    def clean_quiet_start(self):
        return dt.time(self.cleaned_data["quiet_start"])

    def clean_quiet_end(self):
        return dt.time(self.cleaned_data["quiet_end"])

    def clean(self):
        data = super().clean()
        hour, start, end = data.get("hour"), data.get("quiet_start"), data.get("quiet_end")
        if hour is not None and start is not None and end is not None:
            quiet = Schedule(quiet_start=start, quiet_end=end)
            if in_quiet_hours(dt.time(hour), quiet):
                self.add_error("hour", "Pick an hour outside your quiet hours.")
        return data
