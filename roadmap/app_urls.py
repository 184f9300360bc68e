"""URLs of the learner-progress app. One section per area; keep additions inside your section."""

from django.urls import path

from .views import home
from .views import mentoring as mentoring_views

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
_m = mentoring_views
_learner = "mentor/cohorts/<int:cohort_id>/learners/<int:learner_id>/"
urlpatterns += [
    path("mentor/cohorts/new/", _m.cohort_create, name="cohort_create"),
    path("mentor/cohorts/<int:cohort_id>/", _m.cohort_detail, name="cohort_detail"),
    path("mentor/cohorts/<int:cohort_id>/export.csv", _m.cohort_csv, name="cohort_csv"),
    path("mentor/cohorts/<int:cohort_id>/invites/", _m.cohort_invites, name="cohort_invites"),
    path(
        "mentor/cohorts/<int:cohort_id>/invites/<int:invite_id>/revoke/",
        _m.cohort_invite_revoke,
        name="cohort_invite_revoke",
    ),
    path(_learner, _m.mentor_learner, name="mentor_learner"),
    path(_learner + "feedback/", _m.mentor_feedback, name="mentor_feedback"),
    path(_learner + "ratings/", _m.mentor_rating_record, name="mentor_rating_record"),
    path(
        _learner + "ratings/<int:rating_id>/verify/",
        _m.mentor_rating_verify,
        name="mentor_rating_verify",
    ),
    path(
        _learner + "checkpoints/<int:checkpoint_id>/sign-off/",
        _m.mentor_checkpoint_signoff,
        name="mentor_checkpoint_signoff",
    ),
    path("join/", _m.join, name="join"),
    path("join/<str:code>/", _m.join, name="join_code"),
    path("me/cohorts/", _m.my_cohorts, name="my_cohorts"),
    path("me/cohorts/<int:cohort_id>/leave/", _m.cohort_leave, name="cohort_leave"),
    path("me/feedback/", _m.my_feedback, name="my_feedback"),
    path("me/calibration/", _m.calibration, name="calibration"),
]

# --- reminders: preferences, notifications, unsubscribe ---------------------------------------
urlpatterns += []

# --- ops: health ------------------------------------------------------------------------------
urlpatterns += []
