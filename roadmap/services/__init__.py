"""Writes across models, one module per area (assessments, plans, mentoring, reminders)."""
