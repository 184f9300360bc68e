import zoneinfo

from django import forms
from django.contrib.auth.forms import UserCreationForm

from curriculum.models import Path

from .models import User

TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class SignupForm(UserCreationForm):
    full_name = forms.CharField(label="Your name", max_length=150, required=False)

    class Meta:
        model = User
        fields = ["email", "full_name"]

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail address already exists.")
        return email


class ProfileForm(forms.ModelForm):
    timezone = forms.ChoiceField(choices=TIMEZONE_CHOICES, label="Time zone")
    target_path = forms.ModelChoiceField(
        queryset=Path.objects.active(), required=False, label="Target path",
        empty_label="Not chosen yet",
    )

    class Meta:
        model = User
        fields = ["full_name", "timezone", "weekly_hours", "target_path", "target_date"]
        labels = {"full_name": "Name", "weekly_hours": "Hours a week", "target_date": "Target date"}
        widgets = {"target_date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"target_date": "Optional: when you want to be job-ready."}
