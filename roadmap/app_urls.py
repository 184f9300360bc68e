"""URLs of the learner-progress app. One section per area; keep additions inside your section."""

from django.urls import path, register_converter

from .converters import SignedTokenConverter, TokenConverter
from .views import celebrations, cohorts, home, ops, plans, portfolio, progress
from .views import mentoring as mentoring_views

app_name = "roadmap"

register_converter(TokenConverter, "token")
register_converter(SignedTokenConverter, "signed")

urlpatterns = [
    path("mentor/", home.mentor_home, name="mentor_home"),
]

# --- assessment: onboarding, self-assessment, gaps ------------------------------------------------
from .views import assessment, gaps, onboarding  # noqa: E402

urlpatterns += [
    path("start/", onboarding.onboarding, name="onboarding"),
    # The profile is the learner's plan settings (path, pace, dates, zone): the path history it
    # records is this app's, so the page is too, at the address accounts gave it.
    path("accounts/profile/", onboarding.profile, name="profile"),
    path("assess/", assessment.assess, name="assess"),
    path("assess/stale/", assessment.reassess, name="reassess"),
    path("assess/<int:competency_id>/", assessment.rate, name="rate"),
    path("assess/<int:competency_id>/levels/", assessment.assess_levels, name="assess_levels"),
    path("gaps/", gaps.gaps, name="gaps"),
    path("gaps/map/", gaps.skill_map, name="skill_map"),
]

# --- progress: dashboard charts, history, activity, my data ---------------------------------------
urlpatterns += [
    path("dashboard/", progress.dashboard, name="dashboard"),
    path(
        "dashboard/celebrations/<int:celebration_id>/dismiss/",
        celebrations.celebration_dismiss_view,
        name="celebration_dismiss",
    ),
    path("me/data/", progress.my_data, name="my_data"),
    path("me/data/export.json", progress.export_json, name="export_json"),
    path("me/data/export.csv", progress.export_csv, name="export_csv"),
    path("me/delete/", progress.delete_account, name="delete_account"),
]

# --- plans: roadmap planner, plan items, portfolio, calendar --------------------------------------
urlpatterns += [
    path("plan/", plans.plan_page, name="plan"),
    path("curriculum/projects/<slug:slug>/", plans.project_detail, name="project_detail"),
    path("plan/generate/", plans.plan_generate, name="plan_generate"),
    path("plan/reflow/", plans.plan_reflow, name="plan_reflow"),
    path("plan/items/<int:item_id>/start/", plans.plan_item_start, name="plan_item_start"),
    path("plan/items/<int:item_id>/complete/", plans.plan_item_complete, name="plan_item_complete"),
    path("plan/items/<int:item_id>/skip/", plans.plan_item_skip, name="plan_item_skip"),
    path("plan/items/<int:item_id>/restore/", plans.plan_item_restore, name="plan_item_restore"),
    path("plan/items/<int:item_id>/move/", plans.plan_item_move, name="plan_item_move"),
    path("plan/calendar.ics", portfolio.plan_ics, name="plan_ics"),
    path("plan/calendar/link/", portfolio.plan_calendar_link, name="plan_calendar_link"),
    path("plan/calendar/<token:token>.ics", portfolio.plan_ics_feed, name="plan_ics_feed"),
    path("portfolio/", portfolio.portfolio, name="portfolio"),
    path("portfolio/portfolio.md", portfolio.portfolio_markdown, name="portfolio_markdown"),
    path("portfolio/link/", portfolio.portfolio_link, name="portfolio_link"),
    path("p/<token:token>/", portfolio.portfolio_public, name="portfolio_public"),
]

# --- pace: logged hours on plan items, replanning at the logged pace ------------------------------
from .views import pace  # noqa: E402

urlpatterns += [
    path("plan/items/<int:item_id>/hours/", pace.plan_item_hours, name="plan_item_hours"),
    path("plan/replan-pace/", pace.plan_replan_pace, name="plan_replan_pace"),
    path("me/data/hours.csv", pace.export_hours_csv, name="export_hours_csv"),
]

# --- cohorts and mentoring: cohorts, invites, learner review, feedback, verification --------------
_m = mentoring_views
_learner = "mentor/cohorts/<int:cohort_id>/learners/<int:learner_id>/"
urlpatterns += [
    path("mentor/cohorts/new/", cohorts.cohort_create, name="cohort_create"),
    path("mentor/cohorts/<int:cohort_id>/", cohorts.cohort_detail, name="cohort_detail"),
    path("mentor/cohorts/<int:cohort_id>/edit/", cohorts.cohort_edit, name="cohort_edit"),
    path(
        "mentor/cohorts/<int:cohort_id>/mentors/",
        cohorts.cohort_mentor_add,
        name="cohort_mentor_add",
    ),
    path("mentor/cohorts/<int:cohort_id>/export.csv", cohorts.cohort_csv, name="cohort_csv"),
    path("mentor/cohorts/<int:cohort_id>/invites/", cohorts.cohort_invites, name="cohort_invites"),
    path(
        "mentor/cohorts/<int:cohort_id>/invites/<int:invite_id>/revoke/",
        cohorts.cohort_invite_revoke,
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
    path("join/", cohorts.join, name="join"),
    path("join/<token:code>/", cohorts.join, name="join_code"),
    path("me/cohorts/", cohorts.my_cohorts, name="my_cohorts"),
    path("me/cohorts/<int:cohort_id>/leave/", cohorts.cohort_leave, name="cohort_leave"),
    path("me/feedback/", _m.my_feedback, name="my_feedback"),
    path("me/calibration/", _m.calibration, name="calibration"),
]

# --- program: every cohort side by side, for staff who run the program -------------------------
from .views import program  # noqa: E402

urlpatterns += [
    path("program/", program.program, name="program"),
    path("program/export.csv", program.program_csv, name="program_csv"),
]

# --- resources: marking a learning resource as studied ----------------------------------------
from .views import resources  # noqa: E402

urlpatterns += [
    path(
        "resources/<int:resource_id>/studied/",
        resources.resource_studied,
        name="resource_studied",
    ),
]

# --- reminders: preferences, notifications, unsubscribe -------------------------------------------
from .views import reminders  # noqa: E402

urlpatterns += [
    path("me/reminders/", reminders.reminder_preferences, name="reminder_preferences"),
    path("notifications/", reminders.notifications, name="notifications"),
    path("notifications/read/", reminders.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", reminders.notification_read, name="notification_read"),
    path("unsubscribe/<signed:token>/", reminders.unsubscribe, name="unsubscribe"),
]

# --- ops: health ----------------------------------------------------------------------------------
urlpatterns += [
    path("health/", ops.health, name="health"),
]

# --- credentials: Open Badges 3.0 for verified projects (claim, download, revoke, verify) -------
from .views import credentials  # noqa: E402

urlpatterns += [
    path("credentials/issuer/", credentials.issuer, name="credential_issuer"),
    path("credentials/jwks.json", credentials.jwks, name="credential_jwks"),
    path("credentials/revocations/", credentials.revocations, name="credential_revocations"),
    path("credentials/verify/", credentials.verify, name="credential_verify"),
    path("credentials/<uuid:uuid>.jwt", credentials.credential_jwt, name="credential_jwt"),
    path("credentials/<uuid:uuid>.json", credentials.credential_json, name="credential_json"),
    path("credentials/<uuid:uuid>/revoke/", credentials.revoke, name="credential_revoke"),
    path("plan/items/<int:item_id>/credential/", credentials.claim, name="credential_claim"),
]

# --- api: the read-only JSON API (v1) and the profile's personal access tokens --------------------
from .views import api  # noqa: E402

urlpatterns += [
    path("api/v1/openapi.json", api.schema, name="api_schema"),
    path("api/v1/me/", api.me, name="api_me"),
    path(
        "api/v1/learners/<int:learner_id>/ratings/current/",
        api.current_ratings,
        name="api_current_ratings",
    ),
    path("api/v1/learners/<int:learner_id>/ratings/", api.rating_history, name="api_ratings"),
    path("api/v1/learners/<int:learner_id>/readiness/", api.readiness, name="api_readiness"),
    path("api/v1/learners/<int:learner_id>/plans/", api.plans, name="api_plans"),
    path("api/v1/cohorts/", api.cohorts, name="api_cohorts"),
    path("api/v1/cohorts/<int:cohort_id>/", api.cohort, name="api_cohort"),
    path("accounts/profile/tokens/", api.token_create, name="api_token_create"),
    path(
        "accounts/profile/tokens/<int:token_id>/revoke/", api.token_revoke, name="api_token_revoke"
    ),
]
