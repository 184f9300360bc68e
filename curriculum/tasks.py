from celery import shared_task

from curriculum.links import resource_links_check


# The Resource rows hold the results; a stored Celery result would add nothing.
@shared_task(ignore_result=True)
def resource_links_check_task() -> dict:
    """Beat's weekly link check of every resource (see curriculum/links.py)."""
    report = resource_links_check()
    return {"checked": report.checked, "broken": len(report.broken)}
