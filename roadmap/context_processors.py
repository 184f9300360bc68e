def notifications(request):
    """`unread_notifications` for the nav: one cheap COUNT, run only if a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cache = {}

    def unread():
        if "n" not in cache:
            from roadmap.models import Notification

            cache["n"] = Notification.objects.for_user(user).unread().count()
        return cache["n"]

    return {"unread_notifications": unread}
