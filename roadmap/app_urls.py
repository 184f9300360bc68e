"""URLs of the learner-progress app. One section per area; keep additions inside your section."""

from django.urls import path

from .views import home, ops, progress

app_name = "roadmap"

urlpatterns = [
    path("mentor/", home.mentor_home, name="mentor_home"),
]

# --- assessment: onboarding, self-assessment, gaps --------------------------------------------
from .views import assessment, gaps, onboarding  # noqa: E402

urlpatterns += [
    path("start/", onboarding.onboarding, name="onboarding"),
    path("assess/", assessment.assess, name="assess"),
    path("assess/stale/", assessment.reassess, name="reassess"),
    path("assess/<int:competency_id>/", assessment.rate, name="rate"),
    path("gaps/", gaps.gaps, name="gaps"),
]

# --- progress: dashboard charts, history, activity, my data -----------------------------------
urlpatterns += [
    path("dashboard/", progress.dashboard, name="dashboard"),
    path("me/data/", progress.my_data, name="my_data"),
    path("me/data/export.json", progress.export_json, name="export_json"),
    path("me/data/export.csv", progress.export_csv, name="export_csv"),
    path("me/delete/", progress.delete_account, name="delete_account"),
]

# --- plans: roadmap planner, plan items, portfolio, calendar ----------------------------------
urlpatterns += []

# --- mentoring: cohorts, learner review, feedback, verification -------------------------------
urlpatterns += []

# --- reminders: preferences, notifications, unsubscribe ---------------------------------------
urlpatterns += []

# --- ops: health ------------------------------------------------------------------------------
urlpatterns += [
    path("health/", ops.health, name="health"),
]
