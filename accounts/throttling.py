"""The client address django-axes counts login failures against.

Behind a reverse proxy every request arrives from the proxy's address; counting failures per
(e-mail, proxy address) would let anyone lock a user out for everybody. With
TRUSTED_PROXY_COUNT=N the address is read from X-Forwarded-For, N entries from the right (the
client as seen by the outermost proxy we trust; entries further left are client-supplied)."""

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    return hops[-count]
