"""The core math of Gapmap as pure functions over plain data: readiness and gaps, the planner,
progress over weeks, cohort figures, reminder schedules, onboarding's recommendation and the
server-drawn charts. Nothing here imports Django models or the ORM (tests/test_architecture.py
holds that), so each function is tested without a database."""
