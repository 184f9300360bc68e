"""URLs of the learner-progress app. One section per area; keep additions inside your section."""

from django.urls import path

from .views import home

app_name = "roadmap"

urlpatterns = [
    path("dashboard/", home.dashboard, name="dashboard"),
    path("mentor/", home.mentor_home, name="mentor_home"),
]

# --- assessment: onboarding, self-assessment, gaps --------------------------------------------
urlpatterns += []

# --- progress: dashboard charts, history, activity, my data -----------------------------------
urlpatterns += []

# --- plans: roadmap planner, plan items, portfolio, calendar ----------------------------------
urlpatterns += []

# --- mentoring: cohorts, learner review, feedback, verification -------------------------------
urlpatterns += []

# --- reminders: preferences, notifications, unsubscribe ---------------------------------------
from .views import reminders  # noqa: E402

urlpatterns += [
    path("me/reminders/", reminders.reminder_preferences, name="reminder_preferences"),
    path("notifications/", reminders.notifications, name="notifications"),
    path("notifications/read/", reminders.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", reminders.notification_read, name="notification_read"),
    path("unsubscribe/<str:token>/", reminders.unsubscribe, name="unsubscribe"),
]

# --- ops: health ------------------------------------------------------------------------------
urlpatterns += []
