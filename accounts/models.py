"""Users, roles, cohorts. A user signs in with their e-mail address."""

import datetime
import secrets
import zoneinfo

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (for example Europe/Berlin).")


# Long past: a user with this is due at the dispatcher's next tick, whatever clock it runs on.
REMINDERS_DUE_AT_ONCE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


class EmailUserManager(UserManager):
    def _create_user_object(self, username, email, password, **extra_fields):
        # Django's UserManager passes username positionally; here the e-mail is the username.
        email = self.normalize_email(email or username)
        user = self.model(email=email, **extra_fields)
        user.password = ""
        user.set_password(password)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        user = self._create_user_object(None, email, password, **extra_fields)
        user.save(using=self._db)
        return user

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractUser):
    class Role(models.TextChoices):
        LEARNER = "learner", "Learner"
        MENTOR = "mentor", "Mentor"

    username = None
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=10, choices=Role, default=Role.LEARNER)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    weekly_hours = models.PositiveSmallIntegerField(
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(80)],
        help_text="Hours a week you can give to learning and projects.",
    )
    target_path = models.ForeignKey(
        "curriculum.Path", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_date = models.DateField(null=True, blank=True)
    # Shown on the learner's shared portfolio page, nowhere else.
    headline = models.CharField(max_length=120, blank=True)
    bio = models.TextField(max_length=600, blank=True)
    free_resources_only = models.BooleanField(
        "Show free resources only",
        default=False,
        help_text="Hide paid and freemium learning resources on the gaps and project pages.",
    )
    last_activity_at = models.DateTimeField(
        null=True, blank=True, help_text="Last assessment or plan update (services set it)."
    )
    # The reminder dispatcher reads only the users whose instant has come, and sets the next one
    # (roadmap.services.reminders). A new user, however created (COPY included), is due at once.
    reminders_due_at = models.DateTimeField(
        "reminders next looked at",
        default=REMINDERS_DUE_AT_ONCE,
        db_default=REMINDERS_DUE_AT_ONCE,
        editable=False,
    )

    objects = EmailUserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_hours__gte=1, weekly_hours__lte=80),
                name="user_weekly_hours_range",
            )
        ]
        indexes = [
            # the reminder dispatcher's tick (roadmap.services.reminders._due_users): the
            # active users whose reminders_due_at has come, in its order, and only those
            models.Index(
                fields=["reminders_due_at", "id"],
                condition=Q(is_active=True),
                name="user_reminders_due_idx",
            ),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        # reminders_due_at is the dispatcher's, written by its own UPDATEs: a full save of a user
        # read earlier (a form, admin) must not put back the instant it read.
        if kwargs.get("update_fields") is None and not self._state.adding and self.pk:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "reminders_due_at"
            ]
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    @property
    def is_mentor(self) -> bool:
        return self.role == self.Role.MENTOR

    @property
    def sees_all_cohorts(self) -> bool:
        """Every cohort's learner data and mentor actions: an explicit permission (superusers
        have every permission). Being staff alone is not enough: staff edit the curriculum."""
        if not (self.is_active and self.is_staff):
            return False  # the permission is granted to staff in admin; no queries for others
        return self.is_superuser or self.has_perm("accounts.view_all_cohorts")

    @property
    def can_mentor(self) -> bool:
        """Mentor pages: a mentor (for their own cohorts) or someone who sees all cohorts."""
        return self.is_mentor or self.sees_all_cohorts

    @property
    def is_learner(self) -> bool:
        return self.role == self.Role.LEARNER and not self.is_staff

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def reminders_look_again(self, *, at=None) -> None:
        """Have the reminder dispatcher look at this user at its next tick: after a change that
        may bring a reminder forward (time zone, plan dates) and that it cannot see. The
        instant written differs from the one the dispatcher read, so a tick running meanwhile
        does not overwrite it (see roadmap.services.reminders)."""
        at = at or timezone.now()
        User.objects.filter(pk=self.pk).update(reminders_due_at=at)
        self.reminders_due_at = at


class CohortQuerySet(models.QuerySet):
    def mentored_by(self, user):
        if user.sees_all_cohorts:
            return self
        return self.filter(mentors=user)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Cohort(models.Model):
    name = models.CharField(max_length=120)
    path = models.ForeignKey("curriculum.Path", on_delete=models.PROTECT, related_name="cohorts")
    start_date = models.DateField()
    checkin_weekday = models.PositiveSmallIntegerField(
        "weekly check-in day", choices=Weekday, null=True, blank=True
    )
    mentors = models.ManyToManyField(User, related_name="mentored_cohorts", blank=True)
    # The needs-attention rules, tuned per cohort by its mentors (roadmap.lib.cohorts reads them).
    attention_behind_weeks = models.PositiveSmallIntegerField(
        "behind plan by (weeks)",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="Flag a learner whose plan has a project this many weeks past its end.",
    )
    attention_idle_days = models.PositiveSmallIntegerField(
        "no activity for (days)",
        default=21,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Flag a learner who has not assessed or updated their plan for this long.",
    )
    attention_drop_points = models.PositiveSmallIntegerField(
        "readiness fell by (points in four weeks)",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        # Mentor pages for every cohort (User.sees_all_cohorts); give it to a group in admin.
        permissions = [
            ("view_all_cohorts", "Can see every cohort's learners and act as their mentor"),
        ]

    def __str__(self):
        return self.name


class CohortMembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(left_at__isnull=True)


class CohortMembership(models.Model):
    # No index of its own: membership_unique leads with it (joins, cascades).
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)

    objects = CohortMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "learner"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.learner} in {self.cohort}"

    def leave(self, *, at=None) -> None:
        """The learner leaves; the row stays so history and a later rejoin keep one membership."""
        self.left_at = at or timezone.now()
        self.save(update_fields=["left_at"])


# Crockford's base32 without the digits 0 and 1: none of I L O U 0 1, so nothing that reads as
# another character. 30 symbols carry log2(30) = 4.91 bits each; 14 of them are 68.7 bits, at
# least the 64 of the token_urlsafe(8) codes before them (13 would be 63.8).
INVITE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
INVITE_LENGTH = 14
INVITE_GROUP = 4  # shown as XXXX-XXXX-XXXX-XX


def invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


def normalise_invite_code(text: str) -> str:
    """The stored form of what someone typed: upper case, without spaces or dashes (which the
    displayed code has between its groups). Codes are stored in this form."""
    return "".join(ch for ch in text.upper() if not ch.isspace() and ch != "-")


def display_invite_code(code: str) -> str:
    return "-".join(code[i : i + INVITE_GROUP] for i in range(0, len(code), INVITE_GROUP))


class CohortInviteQuerySet(models.QuerySet):
    def usable(self, now):
        """Invites that can still admit someone at `now` (the join service re-checks atomically)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now).filter(
            Q(max_uses__isnull=True) | Q(use_count__lt=models.F("max_uses"))
        )


class CohortInvite(models.Model):
    """A join link/code for one cohort, made by a mentor; it expires and can be revoked."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invites")
    code = models.CharField(max_length=32, unique=True, default=invite_code)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(
        null=True, blank=True, help_text="Leave empty for no limit until it expires."
    )
    use_count = models.PositiveIntegerField(default=0)

    objects = CohortInviteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.cohort} invite {self.display_code}"

    @property
    def display_code(self) -> str:
        return display_invite_code(self.code)

    def status(self, now) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        if self.max_uses is not None and self.use_count >= self.max_uses:
            return "used up"
        return "active"

    def revoke(self, *, at=None) -> None:
        if self.revoked_at is None:
            self.revoked_at = at or timezone.now()
            self.save(update_fields=["revoked_at"])


class CohortEmailInviteQuerySet(models.QuerySet):
    def open(self, now):
        """Neither accepted, revoked nor expired at `now`."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class CohortEmailInvite(models.Model):
    """A personal invitation to one address: its link (signed, naming this row) admits only
    someone signed in with that address, once, before it expires."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="email_invites")
    email = models.EmailField()
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CohortEmailInviteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # the invites page's list and the "already invited" check, per cohort and address
            models.Index(fields=["cohort", "email"], name="email_invite_cohort_idx"),
        ]

    def __str__(self):
        return f"Invitation to {self.email} for {self.cohort}"

    def status(self, now) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "open"
