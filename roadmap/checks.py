"""System checks for what settings.py cannot judge from the text of a value alone: that the
configured cache and e-mail backend can actually be built. They run with every `manage.py`
command (and `check --deploy`), so a bad value stops a deploy instead of failing every page."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


@register("caches")
def cache_usable(app_configs=None, **kwargs):
    from django.core.cache import caches

    errors = []
    for alias, config in settings.CACHES.items():
        try:
            backend = caches[alias]
            if config["BACKEND"].endswith("redis.RedisCache"):
                from redis import ConnectionPool

                # Parses the URL and builds a connection the way every request would, without
                # connecting: a bad query option or database number fails here.
                for location in backend._servers:
                    database = urlsplit(location).path.strip("/")
                    if database and not database.isdigit():
                        raise ValueError(f"database {database!r} is not a number")
                    ConnectionPool.from_url(location).make_connection()
        except Exception as exc:  # any failure here is a 500 on every cached page
            errors.append(
                Error(
                    f"The {alias!r} cache cannot be used: {exc}",
                    hint="Set CACHE_URL to a Redis URL such as redis://host:6379/1, or unset it.",
                    obj=config.get("LOCATION", config["BACKEND"]),
                    id="gapmap.E001",
                )
            )
    return errors


@register()
def mail_backend_importable(app_configs=None, **kwargs):
    errors = []
    for name, config in getattr(settings, "MAILERS", {}).items():
        try:
            import_string(config["BACKEND"])
        except ImportError as exc:
            errors.append(
                Error(
                    f"E-mail backend {config['BACKEND']!r} (mailer {name!r}) cannot be imported: "
                    f"{exc}",
                    hint="Check EMAIL_BACKEND.",
                    id="gapmap.E002",
                )
            )
    return errors


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
                id="gapmap.E003",
            )
        ]
    return []
