"""Access rules for views. Every view carries exactly one of these (or login_required), and
tests/access_matrix.py lists what each role gets from each URL."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def public(view):
    """Marks a view that anyone may open, signed in or not."""
    view.access_rule = "public"
    return view


def mentor_required(view):
    """Signed-in mentors and staff; everyone else gets 404, as if the page did not exist."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_mentor or request.user.is_staff):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper
