"""Forms of the cohorts area: a cohort, its invites, joining one."""

from django import forms

from accounts.models import Cohort, User
from curriculum.models import Path

ATTENTION_RULES = ("attention_behind_weeks", "attention_idle_days", "attention_drop_points")


class CohortForm(forms.ModelForm):
    """A cohort's settings. Whoever sees all cohorts chooses its mentors here (mentor accounts
    only: staff without the mentor role could not open the cohort anyway); a mentor's own
    cohorts get them as their mentor (co-mentors are added by e-mail, CoMentorForm), so
    `with_mentors=False`."""

    class Meta:
        model = Cohort
        fields = [
            "name",
            "path",
            "start_date",
            "checkin_weekday",
            "mentors",
            "attention_behind_weeks",
            "attention_idle_days",
            "attention_drop_points",
        ]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, with_mentors: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["path"].queryset = Path.objects.active()
        self.fields["checkin_weekday"].help_text = "Optional: the day your cohort checks in."
        for name in ATTENTION_RULES:
            # optional in the form: left empty, the rule keeps (or starts at) its default
            self.fields[name].required = False
        if not with_mentors:
            del self.fields["mentors"]
            return
        self.fields["mentors"].queryset = User.objects.filter(
            role=User.Role.MENTOR, is_active=True
        ).order_by("full_name", "email")
        self.fields["mentors"].widget = forms.CheckboxSelectMultiple(
            choices=self.fields["mentors"].choices
        )

    def clean(self):
        cleaned = super().clean()
        for name in ATTENTION_RULES:
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = (
                    getattr(self.instance, name)
                    if self.instance.pk
                    else Cohort._meta.get_field(name).default
                )
        return cleaned


class InviteForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=90, initial=14, label="Valid for (days)")
    max_uses = forms.IntegerField(
        min_value=1,
        max_value=1000,
        required=False,
        label="Maximum uses",
        help_text="Leave empty to let anyone with the code join until it expires.",
    )


class JoinForm(forms.Form):
    code = forms.CharField(
        max_length=64,
        label="Invite code",
        strip=True,
        help_text="Capitals or not, with or without the dashes: XXXX-XXXX-XXXX-XX.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class CoMentorForm(forms.Form):
    email = forms.EmailField(label="Co-mentor's e-mail address")

    def clean_email(self):
        email = self.cleaned_data["email"]
        mentor = User.objects.filter(email__iexact=email, role=User.Role.MENTOR).first()
        if mentor is None:
            raise forms.ValidationError(
                "No mentor account has that address. Ask them to sign up and be made a mentor."
            )
        self.cleaned_data["mentor"] = mentor
        return email
