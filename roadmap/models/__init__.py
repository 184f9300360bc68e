"""Learner-progress models, one module per area so each stays readable in one go."""

# --- api
from .api import PersonalToken  # noqa: F401

# --- assessment
from .assessment import CurrentRating, PathSelection, Rating  # noqa: F401

# --- celebrations
from .celebrations import Celebration  # noqa: F401

# --- credentials
from .credentials import Credential  # noqa: F401

# --- deliveries
from .deliveries import Delivery, Notification  # noqa: F401

# --- mentoring
from .mentoring import CheckpointSignOff, Feedback, RatingVerification  # noqa: F401

# --- plans
from .plans import LoggedHours, Plan, PlanItem, PlanItemError  # noqa: F401

# --- progress
from .progress import CurriculumSnapshot  # noqa: F401

# --- reminders
from .reminders import ReminderKind, ReminderPreference  # noqa: F401

# --- resources
from .resources import StudiedResource  # noqa: F401
