"""Access rules for views. LoginRequiredMiddleware makes every view need a signed-in user unless
it is marked `public`; role rules narrow that further. tests/access/matrix_*.py list what each
role gets from each URL, and a test fails for any URL missing there."""

from functools import wraps

from django.contrib.auth.decorators import login_not_required, login_required
from django.http import Http404


def public(view):
    """Marks a view that anyone may open, signed in or not."""
    view = login_not_required(view)
    view.access_rule = "public"
    return view


def mentor_required(view):
    """Signed-in mentors, and whoever has the accounts.view_all_cohorts permission (superusers
    do); everyone else, staff without it included, gets 404, as if the page did not exist."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.can_mentor:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


def program_staff_required(view):
    """Staff who run the cohort program: the accounts.view_all_cohorts permission (superusers
    have it). Mentors, learners and other staff get 404, as on the mentor pages."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.sees_all_cohorts:
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
