"""URLs of the learner-progress app. One section per area; keep additions inside your section."""

from django.urls import path

from .views import home, plans, portfolio

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
urlpatterns += [
    path("plan/", plans.plan_page, name="plan"),
    path("plan/generate/", plans.plan_generate, name="plan_generate"),
    path("plan/reflow/", plans.plan_reflow, name="plan_reflow"),
    path("plan/items/<int:item_id>/start/", plans.plan_item_start, name="plan_item_start"),
    path("plan/items/<int:item_id>/complete/", plans.plan_item_complete, name="plan_item_complete"),
    path("plan/items/<int:item_id>/skip/", plans.plan_item_skip, name="plan_item_skip"),
    path("plan/items/<int:item_id>/move/", plans.plan_item_move, name="plan_item_move"),
    path("plan/calendar.ics", portfolio.plan_ics, name="plan_ics"),
    path("plan/calendar/link/", portfolio.plan_calendar_link, name="plan_calendar_link"),
    path("plan/calendar/<str:token>.ics", portfolio.plan_ics_feed, name="plan_ics_feed"),
    path("portfolio/", portfolio.portfolio, name="portfolio"),
    path("portfolio/portfolio.md", portfolio.portfolio_markdown, name="portfolio_markdown"),
    path("portfolio/link/", portfolio.portfolio_link, name="portfolio_link"),
    path("p/<str:token>/", portfolio.portfolio_public, name="portfolio_public"),
]

# --- mentoring: cohorts, learner review, feedback, verification -------------------------------
urlpatterns += []

# --- reminders: preferences, notifications, unsubscribe ---------------------------------------
urlpatterns += []

# --- ops: health ------------------------------------------------------------------------------
urlpatterns += []
