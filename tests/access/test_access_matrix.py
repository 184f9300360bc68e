"""Every named URL of the project, requested by every role, answers what the matrix says."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access.matrix import LOGIN, collect_entries
from tests.access.world import ROLES, build_world

# Django admin has its own access rule (staff only), tested in tests/admin/test_pages.py.
SKIPPED_NAMESPACES = {"admin"}


def named_urls(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner in SKIPPED_NAMESPACES:
                continue
            nested = (
                f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else inner
            )
            yield from named_urls(pattern, nested)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_named_url_has_an_access_rule():
    entries = collect_entries()
    missing = sorted(set(named_urls()) - entries.keys())
    assert not missing, f"URLs without an entry in tests/access/matrix_*.py: {missing}"
    stale = sorted(entries.keys() - set(named_urls()))
    assert not stale, f"Access-matrix entries for URLs that no longer exist: {stale}"


def test_views_that_skip_login_are_marked_public():
    """LoginRequiredMiddleware guards every view; only views marked `public` opt out."""
    unmarked = [
        name
        for pattern, name in _patterns_with_names()
        if getattr(pattern.callback, "login_required", True) is False
        and getattr(pattern.callback, "access_rule", None) != "public"
    ]
    assert not unmarked, f"Views that skip login without accounts.access.public: {unmarked}"


def _patterns_with_names(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            inner = pattern.namespace or namespace
            yield from _patterns_with_names(pattern, inner)
        elif pattern.name:
            yield pattern, (f"{namespace}:{pattern.name}" if namespace else pattern.name)


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(role, world, client):
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    failures = []
    for name, entry in sorted(collect_entries().items()):
        kwargs = entry.kwargs(world) if entry.kwargs else {}
        url = reverse(name, kwargs=kwargs) + entry.query
        response = client.generic(entry.method, url, entry.data)
        expected = entry.status_for(role)
        if expected == LOGIN:
            ok = response.status_code == 302 and reverse("accounts:login") in response["Location"]
        else:
            ok = response.status_code == expected
        if not ok:
            failures.append(f"{name} {url}: expected {expected}, got {response.status_code}")
    assert not failures, f"{role}:\n" + "\n".join(failures)
