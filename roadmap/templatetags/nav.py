"""`{% nav_url 'roadmap:dashboard' %}`: `{% url %}` for links without arguments, reversed once
per URLconf and script prefix instead of on every page. base.html's nav has about fifteen such
links on every page, and reversing them each time cost about a third of a millisecond."""

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

# (URLconf, script prefix, URL name) -> path. The same name always reverses to the same path
# under the same URLconf and prefix, so entries never go stale; a missing name is not stored and
# raises NoReverseMatch, as {% url %} does.
_paths: dict[tuple[str, str, str], str] = {}


@register.simple_tag
def nav_url(name: str) -> str:
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name)
    path = _paths.get(key)
    if path is None:
        path = _paths[key] = reverse(name)
    return path
