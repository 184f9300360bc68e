import datetime

from celery import shared_task
from django.conf import settings

from accounts.services import axes_records_purge


@shared_task(ignore_result=True)
def axes_records_purge_task() -> int:
    return axes_records_purge(older_than=datetime.timedelta(days=settings.AXES_RETENTION_DAYS))
