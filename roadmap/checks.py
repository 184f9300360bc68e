"""System checks: production settings that Django's own deploy checks do not know about."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=True)
def badge_signing_keys_check(app_configs, **kwargs):
    """Open Badges credentials need a signing key from the environment in production (the
    generated development key in var/ is for a laptop)."""
    if settings.BADGE_SIGNING_KEYS is None and settings.DEBUG:
        return []
    from roadmap.services.credentials import signing_keys

    try:
        signing_keys()
    except ImproperlyConfigured as exc:
        return [
            Error(
                str(exc),
                hint="manage.py badge_keygen --kid YYYY-MM prints a key; set BADGE_SIGNING_KEYS "
                "to a JSON list holding it.",
                id="gapmap.E001",
            )
        ]
    return []
