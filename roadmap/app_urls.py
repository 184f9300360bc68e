"""URLs of the learner-progress app. One section per area; keep additions inside your section."""

from django.urls import path

from .views import home

app_name = "roadmap"

urlpatterns = [
    path("dashboard/", home.dashboard, name="dashboard"),
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
urlpatterns += []

# --- plans: roadmap planner, plan items, portfolio, calendar ----------------------------------
urlpatterns += []

# --- mentoring: cohorts, learner review, feedback, verification -------------------------------
urlpatterns += []

# --- reminders: preferences, notifications, unsubscribe ---------------------------------------
urlpatterns += []

# --- ops: health ------------------------------------------------------------------------------
urlpatterns += []
