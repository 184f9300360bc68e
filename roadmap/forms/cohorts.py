"""Forms of the cohorts area: a cohort, its invites, joining one."""

from django import forms
from django.db.models import Q

from accounts.models import Cohort, User
from curriculum.models import Path


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["name", "path", "start_date", "mentors"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["path"].queryset = Path.objects.active()
        self.fields["mentors"].queryset = User.objects.filter(
            Q(role=User.Role.MENTOR) | Q(is_staff=True)
        ).order_by("full_name", "email")
        self.fields["mentors"].widget = forms.CheckboxSelectMultiple(
            choices=self.fields["mentors"].choices
        )


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
