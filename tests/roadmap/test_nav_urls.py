"""{% nav_url %}: the nav's links, reversed once per URLconf and script prefix."""

import pytest
from django.template import engines
from django.urls import NoReverseMatch, get_script_prefix, set_script_prefix

NAMES = ["home", "roadmap:dashboard", "roadmap:notifications", "accounts:logout"]


def _render(source: str) -> str:
    return engines["django"].from_string("{% load nav %}" + source).render({})


@pytest.fixture
def prefix():
    before = get_script_prefix()
    yield set_script_prefix
    set_script_prefix(before)


@pytest.mark.parametrize("name", NAMES)
def test_same_as_the_url_tag(name):
    assert _render(f"{{% nav_url '{name}' %}}") == _render(f"{{% url '{name}' %}}")


def test_follows_the_script_prefix_and_escapes_like_the_url_tag(prefix):
    plain = _render("{% nav_url 'roadmap:dashboard' %}")
    prefix("/<script>/")
    tagged = _render("{% nav_url 'roadmap:dashboard' %}")
    assert tagged == _render("{% url 'roadmap:dashboard' %}")
    assert "<script>" not in tagged and tagged != plain
    prefix("/")
    assert _render("{% nav_url 'roadmap:dashboard' %}") == plain


def test_unknown_name_raises_like_the_url_tag():
    with pytest.raises(NoReverseMatch):
        _render("{% nav_url 'roadmap:no_such_page' %}")
