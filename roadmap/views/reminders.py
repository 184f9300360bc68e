from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import public
from accounts.models import User
from roadmap.forms.reminders import ReminderPreferenceForm
from roadmap.lib import schedule
from roadmap.models import Notification, ReminderKind, ReminderPreference
from roadmap.services.deliveries import ALL, unsubscribe_read
from roadmap.services.reminders import (
    reminder_preferences_save,
    reminder_sample_request,
    reminder_unsubscribe,
)


def _get_notification_for_user(user, pk) -> Notification:
    return get_object_or_404(Notification.objects.for_user(user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def reminder_preferences(request):
    user = request.user
    preference = ReminderPreference.for_user(user)
    if request.method == "POST" and "send_sample" in request.POST:
        _, created = reminder_sample_request(user=user)
        if created:
            messages.success(request, "A sample reminder is on its way to your inbox.")
        else:
            messages.info(request, "You already asked for a sample today.")
        return redirect("roadmap:reminder_preferences")
    data = request.POST if request.method == "POST" else None  # an empty POST shows errors
    form = ReminderPreferenceForm(data, instance=preference, user=user)
    if request.method == "POST" and form.is_valid():
        reminder_preferences_save(
            user=user,
            preference=form.save(commit=False),
            timezone_name=form.cleaned_data["timezone"],
        )
        messages.success(request, "Reminder preferences saved.")
        return redirect("roadmap:reminder_preferences")
    next_send = None
    if preference.pk and preference.weekly_enabled:
        next_send = schedule.next_weekly_send(
            schedule.Schedule.from_preference(preference), user.zone, timezone.now()
        )
    return render(
        request,
        "roadmap/reminder_preferences.html",
        {"form": form, "next_send": next_send, "is_mentor": user.is_mentor},
    )


@login_required
@require_http_methods(["GET"])
def notifications(request):
    rows = Notification.objects.for_user(request.user).only(
        "id", "kind", "title", "body", "url", "created_at", "read_at"
    )
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "roadmap/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk):
    notification = _get_notification_for_user(request.user, pk)
    notification.mark_read()
    if request.htmx:
        return render(request, "roadmap/notifications.html#row", {"note": notification})
    return redirect("roadmap:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
    messages.success(request, "All notifications marked as read.")
    return redirect("roadmap:notifications")


@public
@csrf_exempt  # the only csrf_exempt view: mail providers POST here with no session (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a confirmation form only (mail scanners follow links); POST unsubscribes.

    The signed token is the authority: no session, no CSRF token. Answers 200 without a
    redirect, and a second POST changes nothing more."""
    data = unsubscribe_read(token, valid_kinds={k.value for k in ReminderKind})
    user = User.objects.filter(pk=data.user_id).first() if data else None
    if user is None:
        return render(request, "roadmap/unsubscribe.html", {"invalid": True}, status=400)
    label = "all Gapmap e-mails" if data.kind == ALL else ReminderKind(data.kind).label.lower()
    done = False
    if request.method == "POST":
        reminder_unsubscribe(user_id=user.pk, kind=data.kind)
        done = True
    return render(
        request,
        "roadmap/unsubscribe.html",
        {"token": token, "label": label, "done": done},
    )
