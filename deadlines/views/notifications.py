"""The notification inbox: what the deadline sweep and the protection-order services told the
user, newest first. Each notification belongs to its recipient alone: nobody else sees or
marks it (another person's notification answers 404)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView

from access.mixins import FilteredListMixin

from .. import services as deadlines
from ..filters import NotificationFilter


def is_local(url):
    """Only a path on this site is followed: a stored link is never an open redirect."""
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


class NotificationListView(LoginRequiredMixin, FilteredListMixin, ListView):
    """The user's own notifications, filtered as GET /api/notifications/ is (?unread=1) [SPEC 2.7]."""

    template_name = "deadlines/notification_list.html"
    context_object_name = "notifications"
    filterset_class = NotificationFilter
    paginate_by = 50

    def unfiltered_queryset(self):
        return deadlines.inbox(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for notification in context["notifications"]:
            notification.link = notification.url if is_local(notification.url) else ""
        context["unread_only"] = self.filterset.form.cleaned_data.get("unread") is True
        return context


class NotificationReadView(LoginRequiredMixin, View):
    """Mark one of the user's notifications read; with `open`, go on to what it is about."""

    def post(self, request, pk):
        notification = deadlines.mark_read(request.user, pk)
        if request.POST.get("open") and is_local(notification.url):
            return redirect(notification.url)
        return redirect(reverse("notifications"))


class NotificationReadAllView(LoginRequiredMixin, View):
    def post(self, request):
        count = deadlines.mark_all_read(request.user)
        messages.success(request, ngettext("%(n)d notification marked read.", "%(n)d notifications marked read.",
                                           count) % {"n": count} if count else _("Nothing was unread."))
        return redirect(reverse("notifications"))


urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="notifications"),
    path("notifications/<int:pk>/read/", NotificationReadView.as_view(), name="notification-read"),
    path("notifications/read-all/", NotificationReadAllView.as_view(), name="notifications-read-all"),
]

__all__ = ["NotificationListView", "NotificationReadView", "NotificationReadAllView", "urlpatterns"]
