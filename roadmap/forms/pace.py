"""Forms of the pace area: the quick add of logged hours."""

from datetime import date, timedelta

from django import forms

from roadmap.services.pace import LOG_DAYS_BACK, MAX_HOURS_A_DAY


class HoursField(forms.DecimalField):
    """Hours as a decimal; a comma is read as the decimal point (as many phones type it)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class LogHoursForm(forms.Form):
    hours = HoursField(
        label="Hours",
        max_digits=4,
        decimal_places=2,
        error_messages={
            "required": "Enter the hours you spent, for example 1.5.",
            "invalid": "Enter the hours as a number, for example 1.5.",
            "max_decimal_places": "Enter the hours to at most two decimals, for example 1.25.",
            "max_digits": "A day holds at most 24 hours.",
            "max_whole_digits": "A day holds at most 24 hours.",
        },
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25", "max": "24"}),
    )
    day = forms.DateField(
        label="Day",
        required=False,
        error_messages={"invalid": "Enter the day as a date, for example 2026-03-14."},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label="Note (optional)",
        max_length=200,
        required=False,
        error_messages={"max_length": "Keep the note to 200 characters."},
    )
    token = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": "This form is out of date: reload the page and try again."},
    )

    def __init__(self, *args, today: date, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)
        self.fields["day"].widget.attrs["max"] = today.isoformat()

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if hours <= 0:
            raise forms.ValidationError("Enter more than 0 hours.")
        if hours > MAX_HOURS_A_DAY:
            raise forms.ValidationError("A day holds at most 24 hours: log each day on its own.")
        return hours

    def clean_day(self):
        day = self.cleaned_data["day"] or self.today
        if day > self.today:
            raise forms.ValidationError("Log hours already spent: the day cannot be in the future.")
        if day < self.today - timedelta(days=LOG_DAYS_BACK):
            raise forms.ValidationError(f"Log hours from the last {LOG_DAYS_BACK} days.")
        return day

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("token") and "token" not in self.errors:
            raise forms.ValidationError("This form is out of date: reload the page and try again.")
        return cleaned


def blank_log_form(*, today: date, token, auto_id: str) -> LogHoursForm:
    return LogHoursForm(today=today, auto_id=auto_id, initial={"day": today, "token": token})
