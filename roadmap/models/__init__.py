"""Learner-progress models, one module per area so each stays readable in one go."""

# --- assessment
from .assessments import PathSelection, Rating  # noqa: F401

# --- plans

# --- mentoring

# --- reminders
from .reminders import Delivery, Notification, ReminderKind, ReminderPreference  # noqa: F401
