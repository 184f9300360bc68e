"""The e-mail and the in-app notification a reminder delivery becomes: subjects, links,
templates and the unsubscribe headers."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from roadmap.models import Delivery, ReminderKind
from roadmap.reminders import content
from roadmap.reminders.tokens import ALL, unsubscribe_token

SUBJECTS = {
    ReminderKind.WEEKLY: "Your week on Gapmap",
    ReminderKind.INACTIVITY: "Pick up where you left off",
    ReminderKind.MILESTONE: "A milestone is due tomorrow",
    ReminderKind.DIGEST: "Your cohorts this week",
}
LINKS = {
    ReminderKind.WEEKLY: "roadmap:dashboard",
    ReminderKind.INACTIVITY: "roadmap:dashboard",
    ReminderKind.MILESTONE: "roadmap:plan",  # where the milestone and its project are
    ReminderKind.DIGEST: "roadmap:mentor_home",
}


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def message_parts() -> dict:
    """What every reminder shares, looked up once per chunk: the link paths, the preferences
    URL and the templates (parsed once, rendered per e-mail with its own context)."""
    return {
        "links": {kind: reverse(name) for kind, name in LINKS.items()},
        "preferences_url": absolute_url(reverse("roadmap:reminder_preferences")),
        "templates": {
            name: (get_template(f"emails/{name}.txt"), get_template(f"emails/{name}.html"))
            for name in ("reminder", "digest")
        },
    }


def reminder_message(
    *, delivery: Delivery, data: dict | None = None, parts: dict | None = None
) -> tuple[EmailMultiAlternatives, dict]:
    """The multipart e-mail for a delivery, and the fields of its in-app notification. `data`:
    the recipient's content when the caller read it in bulk; read here otherwise. `parts`: see
    `message_parts`."""
    parts = parts or message_parts()
    recipient = delivery.recipient
    now = timezone.now()
    kind = delivery.kind
    if data is None and kind == ReminderKind.DIGEST:
        data = content.digest_content(mentor=recipient, now=now)
    elif data is None:
        data = content.weekly_content(learner=recipient, now=now)
    link_path = parts["links"][kind]
    unsubscribe_kind = absolute_url(
        reverse("roadmap:unsubscribe", args=[unsubscribe_token(user_id=recipient.pk, kind=kind)])
    )
    unsubscribe_all = absolute_url(
        reverse("roadmap:unsubscribe", args=[unsubscribe_token(user_id=recipient.pk, kind=ALL)])
    )
    ctx = {
        **data,
        "user": recipient,
        "delivery": delivery,
        "kind": kind,
        "kind_label": ReminderKind(kind).label,
        "milestone": delivery.context,
        "link": absolute_url(link_path),
        "preferences_url": parts["preferences_url"],
        "unsubscribe_url": unsubscribe_kind,
        "unsubscribe_all_url": unsubscribe_all,
    }
    subject = SUBJECTS[kind]
    if kind == ReminderKind.MILESTONE and delivery.context.get("title"):
        subject = f"Due tomorrow: {delivery.context['title']}"
    text_template, html_template = parts["templates"][
        "digest" if kind == ReminderKind.DIGEST else "reminder"
    ]
    text = text_template.render(ctx)
    html = html_template.render(ctx)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            # RFC 8058 one-click: mail providers POST to this URL without a session.
            "List-Unsubscribe": f"<{unsubscribe_kind}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Gapmap-Delivery": str(delivery.pk),
        },
    )
    message.attach_alternative(html, "text/html")
    notification = {"title": subject, "body": _notification_body(kind, ctx), "url": link_path}
    return message, notification


def _notification_body(kind: str, ctx: dict) -> str:
    if kind == ReminderKind.DIGEST:
        return f"{len(ctx.get('cohorts', []))} cohort(s) in this week's digest."
    if ctx.get("readiness") is not None:
        change = ctx.get("readiness_change") or 0
        return f"Readiness {ctx['readiness']}% ({change:+d} since last week)."
    return "Open Gapmap to see your progress."
