"""URLs of the learner-progress app. One section per area; keep additions inside your section."""

from django.urls import path

from .views import home, ops

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
urlpatterns += []

# --- ops: health ------------------------------------------------------------------------------
urlpatterns += [
    path("health/", ops.health, name="health"),
]
