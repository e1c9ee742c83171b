"""The filters of the deadline list and of the notification inbox: one FilterSet for each page
and its API list, with the same parameter names [SPEC 2.5, 2.7, SPEC 3 "Interoperability"].
They narrow what the user may see (deadlines: what the access policy shows; notifications:
the user's own); a value they refuse is a 400 on the API and a message at its field on the
page [SPEC 3 "Bad input"]."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import filters
from django_filters.widgets import BooleanWidget

from . import services as deadlines
from .models import Deadline, Notification

STATUS_CHOICES = [("pending", _("Pending (open or extended)")), ("overdue", _("Pending and past its date")),
                  *Deadline.Status.choices, ("any", _("Any status"))]


def whose_select():
    """`mine` as the page offers it. Leaving it out asks for every deadline, as `false` does:
    one option for both, first, so that a page without it shows what it lists."""
    widget = BooleanWidget()
    widget.choices = [("false", _("All I may see")), ("true", _("Mine"))]
    return widget


class DeadlineFilter(django_filters.FilterSet):
    mine = filters.BooleanFilter(method="responsible", label=_("Whose"), widget=whose_select(), help_text=_(
        "Only the deadlines you answer for, yourself or as your agency when nobody is named: the pending ones "
        "unless a status is asked for"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="in_status", label=_("Status"),
                                         empty_label=None)
    kind = django_filters.ChoiceFilter(choices=Deadline.Kind.choices, label=_("Kind"), empty_label=_("Any kind"))
    # Only a case the caller may see: otherwise the filter would tell which hidden case a row is about.
    # Hidden on the page, as `victim`: they come from a link, not typed in.
    case = django_filters.NumberFilter(method="of_visible_case", label=_("Case"), widget=forms.HiddenInput)
    victim = django_filters.NumberFilter(field_name="victim", label=_("Victim"), widget=forms.HiddenInput)

    class Meta:
        model = Deadline
        fields = ["mine", "status", "kind", "case", "victim"]

    def of_visible_case(self, rows, name, value):
        return rows.filter(case=value, case_visible=True)

    def in_status(self, rows, name, value):
        if value == "any":
            return rows
        if value == "pending":
            return rows.filter(status__in=Deadline.PENDING)
        if value == "overdue":
            return rows.filter(status__in=Deadline.PENDING, due_at__lt=timezone.now())
        return rows.filter(status=value)

    def responsible(self, rows, name, value):
        if not value:
            return rows
        rows = rows.filter(deadlines.responsible(self.request.user))
        return rows if self.data.get("status") else rows.filter(status__in=Deadline.PENDING)


class NotificationFilter(django_filters.FilterSet):
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("Only unread ones"))

    class Meta:
        model = Notification
        fields = ["kind"]
