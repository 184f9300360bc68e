import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap.settings")

app = Celery("roadmap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _logging_from_django_settings(**kwargs):
    """The worker and beat log through settings.LOGGING, as the web does (LOG_FORMAT=json gives
    JSON lines). Connecting this signal stops Celery from replacing the root logger's handlers
    with its own plain-text ones."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
